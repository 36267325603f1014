/**
 * An erasure's scrub of a local queue: the message bodies it picks leave the
 * journal (rewritten atomically, 0600) and the queue's memory, whether
 * pending, dead-lettered or completed; the rest stay and are delivered; a
 * journal another thread appends to (the HTTP front) is reopened after the
 * rewrite, so an append after it is not lost in the replaced file.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SQSEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { JournalLock } from '../../../functions/adapters/local/journal-lock.js';
import { LocalQueue } from '../../../functions/adapters/local/local-queue.js';
import { QueueJournal } from '../../../functions/adapters/local/queue-journal.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const journalPath = () => {
  const dir = mkdtempSync(join(tmpdir(), 'omnihub-scrub-'));
  dirs.push(dir);
  return join(dir, 'queues', 'q.jsonl');
};

describe('LocalQueue.scrub', () => {
  it('drops the picked dead and completed messages from the journal and memory, and keeps the rest', async () => {
    // Prepare: the "dead" ones fail (dead-lettered at once), "her done" completes.
    const path = journalPath();
    const seen: string[] = [];
    const consumer = async (event: SQSEvent) => {
      seen.push(...event.Records.map((r) => r.body));
      return {
        batchItemFailures: event.Records.filter((r) => r.body !== 'her done').map((r) => ({
          itemIdentifier: r.messageId,
        })),
      };
    };
    const queue = new LocalQueue('q', consumer, {
      journalPath: path,
      maxReceiveCount: 1,
      retryBaseMs: 10,
      batchSize: 1,
    });
    queue.send('her dead');
    queue.send('her done');
    queue.send('his dead');
    await queue.idle();
    expect(
      queue
        .deadLetters()
        .map((m) => m.body)
        .sort(),
    ).toEqual(['her dead', 'his dead']);
    expect(readFileSync(path, 'utf8')).toContain('her done'); // a completed message stays until a compaction

    // Act
    const dropped = queue.scrub((body) => body.startsWith('her'));

    // Assess
    expect(dropped).toBe(1); // her dead letter; her completed message leaves the file with the compaction
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain('her');
    expect(text).toContain('his dead');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(queue.deadLetters().map((m) => m.body)).toEqual(['his dead']);
    expect(queue.redrive()).toBe(1);
    await queue.idle();
    await queue.stop();
    // The next start recovers what the rewritten journal kept.
    const again = new LocalQueue('q', async () => {}, { journalPath: path });
    expect(again.deadLetters().map((m) => m.body)).toEqual(['his dead']);
    await again.stop();
  });

  it('a journal another thread appends to is reopened after the rewrite: its next append is kept', async () => {
    // Prepare: the front's journal (shared lock) has its file open when the queue rewrites it.
    const path = journalPath();
    const lock = new JournalLock();
    const queue = new LocalQueue('q', async () => ({ batchItemFailures: [] }), { journalPath: path });
    await queue.stop(); // not delivering: the messages stay pending
    queue.shareJournal(lock);
    const front = new QueueJournal(path, { lock });
    front.append({ op: 'send', id: 'a', body: 'her webhook', at: 1 });

    // Act: the erasure rewrites; then the front acknowledges one more webhook.
    queue.scrub((body) => body.startsWith('her'));
    front.append({ op: 'send', id: 'b', body: 'his webhook', at: 2 });
    front.close();

    // Assess
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain('her webhook');
    expect(text).toContain('his webhook');
  });
});
