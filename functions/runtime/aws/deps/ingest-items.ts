/**
 * The ingest Lambda's few items in the hub table (its IAM grant covers only
 * the `REPLAY#` and `CONNECTOR#` keys, and reading `K#` caller cards): the
 * replay guard's one-time values, the secret problems it reports for
 * `GET /v1/connectors`, and the caller cards Binotel's `apiCallSettings`
 * is answered with. The DynamoDB
 * client and the adapters are loaded on first use, so the cold start of
 * ingest for connectors without one-time values (all but Mailgun) never
 * evaluates the DynamoDB SDK. Calls time out well inside ingest's 10 s.
 */
import type { ProfileStore, ReplayGuard, SecretProblemLog } from '../../../ports.js';

/** 2 attempts × (1 s connect + 2 s request): a stalled store fails the webhook with a 5xx long before the Lambda times out. */
const INGEST_STORE_TIMEOUTS = { connectionTimeoutMs: 1_000, requestTimeoutMs: 2_000, maxAttempts: 2 };

interface Items {
  readonly guard: ReplayGuard;
  readonly problems: SecretProblemLog;
  readonly cards: Pick<ProfileStore, 'findCallerCard'>;
}

let items: Promise<Items> | undefined;

const load = async (tableName: string): Promise<Items> => {
  const [
    { DynamoDBClient },
    { storeClientConfig },
    { DynamoReplayGuard },
    { DynamoSecretProblemLog },
    { DynamoCallerCards },
  ] = await Promise.all([
    import('@aws-sdk/client-dynamodb'),
    import('../../../adapters/aws/dynamodb-client.js'),
    import('../../../adapters/aws/dynamodb-replay-guard.js'),
    import('../../../adapters/aws/dynamodb-secret-problems.js'),
    import('../../../adapters/aws/dynamodb-caller-cards.js'),
  ]);
  const client = new DynamoDBClient(storeClientConfig(INGEST_STORE_TIMEOUTS));
  return {
    guard: new DynamoReplayGuard(client, { tableName }),
    problems: new DynamoSecretProblemLog(client, { tableName }),
    cards: new DynamoCallerCards(client, { tableName }),
  };
};

const get = (tableName: string): Promise<Items> =>
  (items ??= load(tableName).catch((err: unknown) => {
    items = undefined;
    throw err;
  }));

export const awsReplayGuard = (tableName: string): ReplayGuard => ({
  claim: async (key, opts) => (await get(tableName)).guard.claim(key, opts),
});

/** The caller cards, for Binotel's `apiCallSettings` (the grant: `GetItem` on `K#*` keys only). */
export const awsCallerCards = (tableName: string): Pick<ProfileStore, 'findCallerCard'> => ({
  findCallerCard: async (phone) => (await get(tableName)).cards.findCallerCard(phone),
});

export const awsSecretProblemLog = (tableName: string): SecretProblemLog => ({
  report: async (connector, problems, at) => (await get(tableName)).problems.report(connector, problems, at),
  latest: async (connector) => (await get(tableName)).problems.latest(connector),
});
