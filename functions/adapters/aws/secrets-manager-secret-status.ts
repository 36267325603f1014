/**
 * Connector secret status from Secrets Manager metadata: `ListSecretVersionIds`
 * lists a secret's versions and their staging labels, never a value, so the
 * `api` function can say "configured" without being able to read a signing
 * secret.
 *
 * The stack creates every connector secret holding the placeholder `{}`
 * (`lib/constructs/connector-secrets.ts`; CloudFormation cannot create a
 * secret without a value), so "has a version" proves nothing. An operator's
 * `put-secret-value` makes a second version current and labels the
 * placeholder `AWSPREVIOUS`; the placeholder never changes, so a deploy never
 * adds a version. Hence: configured ⇔ more than one labelled version.
 */
import { ListSecretVersionIdsCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SecretStatus, SecretStatusReader } from '../../ports.js';

/** One entry of `ListSecretVersionIds` (the fields the decision reads). */
export interface SecretVersionEntry {
  readonly VersionStages?: readonly string[];
  readonly CreatedDate?: Date;
}

/** The status a secret's labelled versions imply (see the module comment). */
export const statusFromVersions = (versions: readonly SecretVersionEntry[]): SecretStatus => {
  const labelled = versions.filter((v) => (v.VersionStages?.length ?? 0) > 0);
  const current = labelled.find((v) => v.VersionStages?.includes('AWSCURRENT'));
  const configured = current !== undefined && labelled.length > 1;
  return configured && current?.CreatedDate
    ? { configured, updatedAt: current.CreatedDate.toISOString() }
    : { configured };
};

export class SecretsManagerSecretStatus implements SecretStatusReader {
  constructor(
    private readonly client: Pick<SecretsManagerClient, 'send'>,
    private readonly prefix: string,
  ) {}

  async status(connector: string): Promise<SecretStatus> {
    try {
      // Without IncludeDeprecated: only versions that carry a staging label.
      const res = await this.client.send(new ListSecretVersionIdsCommand({ SecretId: `${this.prefix}${connector}` }));
      return statusFromVersions(res.Versions ?? []);
    } catch (err) {
      // A connector added to the registry but not yet deployed has no secret: not configured, not an error.
      if ((err as Error).name === 'ResourceNotFoundException') return { configured: false };
      throw err;
    }
  }
}
