/**
 * An erasure leaves nothing of the person in the local data files: after
 * `DELETE /v1/customers/{id}` her name and message text are gone from every
 * queue journal (`queues/*.jsonl`: the writer's completed messages, a
 * subscription's pending deliveries and its dead letters) and from the
 * archive — at once, not at the next start — and the queues deliver nothing
 * of hers; another customer's entries stay. Run with the HTTP front in the
 * main thread and in its own thread (the erasure then crosses to the thread
 * that owns the queues). The only "fault" is a subscriber that answers 503.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalHub } from '../../functions/runtime/local/local-hub.js';
import type { SubscriptionInput } from '../../functions/subscriptions/config.js';
import { api, fixture, postWebhook, startTestHub, TEST_SECRET } from '../helpers/hub.js';
import { startReceiver } from '../subscriptions/receiver.js';

const whatsapp = (waId: string, name: string, wamid: string, text: string) => {
  const json = JSON.parse(fixture('whatsapp', 'message-text.json').toString('utf8'));
  const value = json.entry[0].changes[0].value;
  value.contacts[0].wa_id = waId;
  value.contacts[0].profile.name = name;
  value.messages[0].from = waId;
  value.messages[0].id = wamid;
  value.messages[0].timestamp = String(Math.floor(Date.now() / 1000) - 60);
  value.messages[0].text.body = text;
  return Buffer.from(JSON.stringify(json));
};

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Every file of the data folder's queues, and the archive, as one text. */
const localFiles = (dataDir: string): string => {
  const queues = join(dataDir, 'queues');
  const files = readdirSync(queues).map((f) => join(queues, f));
  expect(files.some((f) => f.endsWith('.deliveries.jsonl'))).toBe(true);
  return [...files, join(dataDir, 'archive.jsonl')].map((f) => readFileSync(f, 'utf8')).join('\n');
};

const until = async (check: () => Promise<boolean>) => {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe.each([
  { front: 'in the main thread', frontThread: false },
  { front: 'in its own thread', frontThread: true },
])('Erasure scrubs the local queue journals (HTTP front $front)', ({ frontThread }) => {
  it("removes her pending, completed and dead-lettered entries from every journal at once, keeps another customer's", async () => {
    // Prepare: two subscribers that are down — one dead-letters at once, the other retries much later.
    const dataDir = mkdtempSync(join(tmpdir(), 'omnihub-erasure-journals-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const down = await startReceiver({ reply: () => ({ status: 503 }) });
    cleanups.push(() => down.close());
    const pattern = { 'detail-type': ['message.received'] };
    const subscriptions: SubscriptionInput[] = [
      { name: 'crm', pattern, target: { type: 'webhook', url: down.url }, retry: { maxAttempts: 1 } },
      { name: 'erp', pattern, target: { type: 'webhook', url: down.url }, retry: { baseDelayMs: 60_000 } },
    ];
    const hub: LocalHub = await startTestHub({
      subscriptions,
      dataDir,
      retryBaseMs: 20,
      frontThread,
      // Crosses to the thread: plain values only.
      ...(frontThread ? { env: { OMNIHUB_SECRET_WHATSAPP: TEST_SECRET } } : {}),
    });
    cleanups.push(() => hub.stop());
    expect(
      (await postWebhook(hub, 'whatsapp', whatsapp('380670002201', 'Zlata Scrubbed', 'w.s.1', 'my secret'))).status,
    ).toBe(200);
    expect(
      (await postWebhook(hub, 'whatsapp', whatsapp('380670002299', 'Bohdan Kept', 'w.k.1', 'his note'))).status,
    ).toBe(200);
    await hub.idle();
    await down.waitFor(4); // each message tried once by each subscriber
    await until(async () => (await api(hub, '/v1/queues/sub-crm')).body.deadLettered === 2);
    const { customerId } = (await api(hub, '/v1/customers?identity=phone:%2B380670002201')).body;
    const before = localFiles(dataDir);
    for (const text of ['my secret', 'Zlata Scrubbed', 'his note', 'Bohdan Kept']) expect(before).toContain(text);

    // Act
    const res = await fetch(`${hub.url}/v1/customers/${customerId}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${hub.apiToken}` },
    });

    // Assess: gone from the files now, not at the next start; his entries stay, in the files and the queues.
    expect(res.status).toBe(200);
    const after = localFiles(dataDir);
    for (const text of ['my secret', 'Zlata Scrubbed', '380670002201']) expect(after).not.toContain(text);
    for (const text of ['his note', 'Bohdan Kept']) expect(after).toContain(text);
    const crm = (await api(hub, '/v1/queues/sub-crm')).body;
    const erp = (await api(hub, '/v1/queues/sub-erp')).body;
    expect(crm.deadLettered).toBe(1);
    expect(erp.pending + erp.inFlight).toBe(1);
    // Redriven, only his dead letter goes out again.
    const tried = down.received.length;
    const redrive = await fetch(`${hub.url}/v1/queues/sub-crm/redrive`, {
      method: 'POST',
      headers: { authorization: `Bearer ${hub.apiToken}` },
    });
    expect(((await redrive.json()) as { moved: number }).moved).toBe(1);
    await down.waitFor(tried + 1);
    expect(down.received.slice(tried).map((r) => r.body.includes('his note'))).toEqual([true]);
  });
});
