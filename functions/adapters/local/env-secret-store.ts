/**
 * Connector secrets from environment variables, for the local runtime only:
 * `OMNIHUB_SECRET_<CONNECTOR>` (signing secret or token) and
 * `OMNIHUB_VERIFY_TOKEN_<CONNECTOR>` (GET handshakes). The same store
 * answers the status the read API shows (which keys are set, never a value).
 */
import { findConnectorMeta } from '../../connectors/index.js';
import { describeWeakSecret, weakSecrets } from '../../connectors/shared/secret-strength.js';
import type { ConnectorSecrets } from '../../connectors/types.js';
import type { SecretStatus, SecretStatusReader, SecretStore } from '../../ports.js';

export class EnvSecretStore implements SecretStore, SecretStatusReader {
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  async get(connector: string): Promise<ConnectorSecrets> {
    const specs = findConnectorMeta(connector)?.secrets ?? [];
    const out: Record<string, string | undefined> = {};
    for (const spec of specs) out[spec.name] = this.env[spec.env] || undefined;
    return out;
  }

  /** Configured = every required key is set and none is too short, as ingest decides. */
  async status(connector: string): Promise<SecretStatus> {
    const c = findConnectorMeta(connector);
    const specs = c?.secrets ?? [];
    const weak = c ? weakSecrets(c, await this.get(connector)) : [];
    const keys = Object.fromEntries(
      specs.map((s) => [s.name, Boolean(this.env[s.env]) && !weak.some((w) => w.name === s.name)]),
    );
    return {
      configured: specs.every((s) => !s.required || keys[s.name]) && weak.length === 0,
      keys,
      ...(weak.length ? { problems: weak.map(describeWeakSecret) } : {}),
    };
  }
}
