/**
 * The store process: DynamoDB Local runs in its own
 * process group (a terminal's Ctrl-C does not reach it before the hub has
 * drained), and when it dies alone it is restarted on the same port and data.
 */
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  DYNAMODB_PID_FILE,
  ensureHubTable,
  startDynamoDbLocal,
} from '../../functions/adapters/local/dynamodb-local.js';

/** Process group of a process, from /proc/<pid>/stat (field 5). */
const processGroup = (pid: number): number => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
};
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe.runIf(process.platform === 'linux')('DynamoDB Local process', () => {
  it('runs in its own process group and is restarted on the same data when it dies alone', async () => {
    // Prepare
    const dbPath = join(mkdtempSync(join(tmpdir(), 'omnihub-ddb-')), 'dynamodb');
    const dynamo = await startDynamoDbLocal({ dbPath, restartBackoffMs: 100 });
    const client = dynamo.client();
    try {
      const first = dynamo.pid as number;
      await ensureHubTable(client, 'supervised');
      await client.send(
        new PutItemCommand({ TableName: 'supervised', Item: { pk: { S: 'p' }, sk: { S: 's' }, v: { S: 'kept' } } }),
      );
      expect(processGroup(first)).not.toBe(processGroup(process.pid));
      expect(JSON.parse(readFileSync(join(dbPath, DYNAMODB_PID_FILE), 'utf8'))).toMatchObject({ java: first });

      // Act: the store dies alone.
      const restarted = new Promise<void>((resolve) => dynamo.onRestart?.(() => resolve()));
      process.kill(first, 'SIGKILL');
      await restarted;

      // Assess: a new process on the same endpoint and data.
      expect(dynamo.pid).not.toBe(first);
      const item = await client.send(
        new GetItemCommand({ TableName: 'supervised', Key: { pk: { S: 'p' }, sk: { S: 's' } } }),
      );
      expect(item.Item?.v?.S).toBe('kept');
    } finally {
      const last = dynamo.pid as number;
      client.destroy();
      await dynamo.stop();
      expect(alive(last)).toBe(false);
      expect(existsSync(join(dbPath, DYNAMODB_PID_FILE))).toBe(false);
    }
    // Two JVM starts: seconds each on a busy 2-core machine.
  }, 120_000);
});
