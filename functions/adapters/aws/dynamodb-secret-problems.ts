/**
 * `SecretProblemLog` on the hub table: one item per connector,
 * `pk = CONNECTOR#<name>`, `sk = SECRET_PROBLEMS`, holding the problem lines
 * ingest last reported (they name secrets and lengths, never values) and
 * when; it expires after 30 days like any stale status.
 */
import { type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { SecretProblemLog, SecretProblems } from '../../ports.js';
import { CONNECTOR_KEY_PREFIX, SECRET_PROBLEMS_SORT_KEY } from '../../shared/ingest-keys.js';

const TTL_SECONDS = 30 * 86_400;

export class DynamoSecretProblemLog implements SecretProblemLog {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly options: { readonly tableName: string },
  ) {}

  private key(connector: string) {
    return { pk: { S: `${CONNECTOR_KEY_PREFIX}${connector}` }, sk: { S: SECRET_PROBLEMS_SORT_KEY } };
  }

  async report(connector: string, problems: readonly string[], at: Date): Promise<void> {
    await this.client.send(
      new PutItemCommand({
        TableName: this.options.tableName,
        Item: {
          ...this.key(connector),
          problems: { L: problems.map((p) => ({ S: p })) },
          at: { S: at.toISOString() },
          ttl: { N: String(Math.floor(at.getTime() / 1000) + TTL_SECONDS) },
        },
      }),
    );
  }

  async latest(connector: string): Promise<SecretProblems | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.options.tableName, Key: this.key(connector) }),
    );
    const at = Item?.at?.S;
    if (!Item || !at) return undefined;
    return { problems: (Item.problems?.L ?? []).flatMap((p) => (p.S ? [p.S] : [])), at };
  }
}
