/**
 * Every file the local hub writes into its
 * data folder — queue journals, the archive, generated subscription secrets,
 * the API token — is the user's alone (0600, folders 0700), whatever the umask.
 */
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, postWebhook, startTestHub } from '../helpers/hub.js';

const walk = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    return e.isDirectory() ? [path, ...walk(path)] : [path];
  });

describe('local data folder', () => {
  it('holds only files with mode 0600 in folders with mode 0700', async () => {
    // Prepare: a permissive umask, as on a shared machine.
    const previous = process.umask(0o022);
    const dataDir = join(mkdtempSync(join(tmpdir(), 'omnihub-modes-')), 'data');
    try {
      const hub = await startTestHub({
        dataDir,
        subscriptions: [
          {
            name: 'crm',
            pattern: { 'detail-type': ['lead.submitted'] },
            target: { type: 'webhook', url: 'http://127.0.0.1:9/hook' },
          },
        ],
      });
      // Act
      expect((await postWebhook(hub, 'marquiz', fixture('marquiz', 'lead.json'))).status).toBe(200);
      await hub.idle();
      await hub.stop();

      // Assess
      const entries = walk(dataDir).map((path) => {
        const stat = statSync(path);
        return { path: path.slice(dataDir.length + 1), dir: stat.isDirectory(), mode: (stat.mode & 0o777).toString(8) };
      });
      const names = entries.map((e) => e.path);
      expect(names).toEqual(
        expect.arrayContaining([
          'api-token',
          'archive.jsonl',
          'subscription-secrets.json',
          'queues/profile-writer.jsonl',
        ]),
      );
      for (const e of entries) expect(e.mode, e.path).toBe(e.dir ? '700' : '600');
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    } finally {
      process.umask(previous);
    }
  });
});
