/**
 * The replay guard for the ingest Lambda: one-time values in the hub table
 * (its IAM grant covers only the `REPLAY#` keys). The DynamoDB client and
 * the adapter are loaded on the first claim, so the cold start of ingest for
 * the connectors without one-time values (all but Mailgun) never evaluates
 * the DynamoDB SDK.
 */
import type { ReplayGuard } from '../../../ports.js';

let guard: Promise<ReplayGuard> | undefined;

const load = async (tableName: string): Promise<ReplayGuard> => {
  const [{ awsStoreClient }, { DynamoReplayGuard }] = await Promise.all([
    import('../../../adapters/aws/dynamodb-client.js'),
    import('../../../adapters/aws/dynamodb-replay-guard.js'),
  ]);
  // The store client's timeouts: a stalled table must not hold a webhook until the Lambda times out.
  return new DynamoReplayGuard(awsStoreClient(), { tableName });
};

export const awsReplayGuard = (tableName: string): ReplayGuard => ({
  claim: async (key, opts) => {
    guard ??= load(tableName).catch((err: unknown) => {
      guard = undefined;
      throw err;
    });
    return (await guard).claim(key, opts);
  },
});
