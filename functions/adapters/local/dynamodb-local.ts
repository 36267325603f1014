/**
 * Starts and stops the official DynamoDB Local (the jar shipped by the
 * `amplify-dynamodb-simulator` package; needs Java 17+), so `npm start` and
 * the integration tests run the production store code against a real
 * DynamoDB engine instead of an in-memory imitation.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';

export interface DynamoDbLocal {
  readonly endpoint: string;
  readonly port: number;
  /** A client configured for this instance (dummy credentials, local region). */
  client(): DynamoDBClient;
  stop(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  /** Folder for the database file; omitted → in memory (tests). */
  readonly dbPath?: string;
  /** Port; omitted → a free one. */
  readonly port?: number;
  readonly startTimeoutMs?: number;
}

const require = createRequire(import.meta.url);

/** Folder holding DynamoDBLocal.jar and its native libraries. */
export const dynamoDbLocalHome = (): string =>
  join(dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator');

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });

export const localClient = (endpoint: string): DynamoDBClient =>
  new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 3,
  });

const waitUntilReady = async (
  endpoint: string,
  client: DynamoDBClient,
  proc: ChildProcess,
  timeoutMs: number,
  output: () => string,
): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`DynamoDB Local exited with code ${proc.exitCode}: ${output()}`);
    try {
      // A bare HTTP probe first: the SDK's own retries would back off for seconds while the JVM boots.
      await fetch(endpoint, { method: 'GET', signal: AbortSignal.timeout(1_000) });
      await client.send(new ListTablesCommand({ Limit: 1 }));
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`DynamoDB Local did not start within ${timeoutMs} ms: ${output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
};

export const startDynamoDbLocal = async (options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> => {
  const port = options.port ?? (await freePort());
  const args = [
    '-Djava.library.path=./DynamoDBLocal_lib',
    '-Xmx512m',
    '-jar',
    'DynamoDBLocal.jar',
    '-port',
    String(port),
  ];
  if (options.dbPath) {
    mkdirSync(options.dbPath, { recursive: true });
    args.push('-sharedDb', '-dbPath', options.dbPath);
  } else {
    args.push('-inMemory', '-sharedDb');
  }
  const proc = spawn('java', args, { cwd: dynamoDbLocalHome(), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => {
    if (output.length < 8_000) output += chunk.toString();
  };
  proc.stdout?.on('data', collect);
  proc.stderr?.on('data', collect);
  const spawnError = new Promise<never>((_, reject) =>
    proc.once('error', (err) =>
      reject(
        new Error(
          `Could not start Java for DynamoDB Local (install Java 17+, e.g. apt-get install openjdk-17-jre-headless): ${err.message}`,
        ),
      ),
    ),
  );
  const endpoint = `http://127.0.0.1:${port}`;
  const probe = localClient(endpoint);
  try {
    await Promise.race([
      waitUntilReady(endpoint, probe, proc, options.startTimeoutMs ?? 30_000, () => output),
      spawnError,
    ]);
  } catch (err) {
    proc.kill('SIGKILL');
    throw err;
  } finally {
    probe.destroy();
  }
  return {
    endpoint,
    port,
    client: () => localClient(endpoint),
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
        proc.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        proc.kill('SIGTERM');
      }),
  };
};

/**
 * Creates the hub table as the CDK stack defines it (pk/sk, gsi1, TTL on
 * `ttl`) when it does not exist yet.
 */
export const ensureHubTable = async (client: DynamoDBClient, tableName: string): Promise<void> => {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return;
  } catch (err) {
    if ((err as Error).name !== 'ResourceNotFoundException') throw err;
  }
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
          { AttributeName: 'gsi1pk', AttributeType: 'S' },
          { AttributeName: 'gsi1sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: 'gsi1',
            KeySchema: [
              { AttributeName: 'gsi1pk', KeyType: 'HASH' },
              { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    );
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      }),
    );
  } catch (err) {
    if (!(err instanceof ResourceInUseException)) throw err;
  }
};
