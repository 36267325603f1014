/**
 * Connector secrets from environment variables, for the local runtime only:
 * `OMNIHUB_SECRET_<CONNECTOR>` (signing secret or token) and
 * `OMNIHUB_VERIFY_TOKEN_<CONNECTOR>` (GET handshakes).
 */
import { findConnector } from '../../connectors/index.js';
import type { ConnectorSecrets } from '../../connectors/types.js';
import type { SecretStore } from '../../ports.js';

export class EnvSecretStore implements SecretStore {
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  async get(connector: string): Promise<ConnectorSecrets> {
    const specs = findConnector(connector)?.secrets ?? [];
    const out: Record<string, string | undefined> = {};
    for (const spec of specs) out[spec.name] = this.env[spec.env] || undefined;
    return out;
  }
}
