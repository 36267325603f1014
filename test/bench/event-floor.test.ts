import { describe, expect, it } from 'vitest';
import { MemoryProfileStore } from '../../functions/adapters/memory/memory-profile-store.js';
import { hubEventId } from '../../functions/events/event-id.js';
import type { HubEvent, Identity } from '../../functions/events/hub-event.js';
import { captureEventWrites } from '../../bench/lib/event-floor.js';

const message = (n: string, identities: Identity[], minute: number): HubEvent => ({
  schemaVersion: 1,
  id: hubEventId('floor', n),
  connector: 'floor',
  providerEventId: n,
  type: 'message.received',
  channel: 'telegram',
  occurredAt: new Date(Date.UTC(2026, 10, 1, 10, minute)).toISOString(),
  receivedAt: new Date(Date.UTC(2026, 10, 1, 10, minute)).toISOString(),
  customer: { identities, traits: {} },
  summary: `message ${n}`,
  data: { messageId: n, direction: 'inbound', contentType: 'text', text: 'hi' },
});

const phone: Identity = { type: 'phone', value: '+380501234500' };

describe('captureEventWrites (the e2e floor replays what it records)', () => {
  it("records each event's successful steps in order: a new customer's transaction, a returning one's two puts", async () => {
    const store = new MemoryProfileStore();
    const capture = captureEventWrites(store);
    // The deployment's first write also makes its erasure key once: another customer's event takes it.
    await store.applyEvent(message('0', [{ type: 'phone', value: '+380501234599' }], 0));
    capture.take();
    await store.applyEvent(message('1', [phone], 1));
    await store.applyEvent(message('2', [phone], 2));
    const [first, second] = capture.take();
    expect(first?.map((s) => s.kind)).toEqual(['transaction']);
    expect(second?.map((s) => (s.kind === 'write' ? `${s.name}:${s.write.condition?.kind}` : s.kind))).toEqual([
      'timeline:absent',
      'profile:equals',
    ]);
  });

  it('leaves out what wrote nothing (a redelivery) and stops recording when told', async () => {
    const store = new MemoryProfileStore();
    const capture = captureEventWrites(store);
    const event = message('1', [phone], 1);
    await store.applyEvent(event);
    capture.take();
    // The redelivery's timeline put fails its condition: no write, nothing to replay.
    expect((await store.applyEvent(event)).status).toBe('duplicate');
    expect(capture.take()).toEqual([]);
    capture.stop();
    await store.applyEvent(message('2', [phone], 2));
    expect(capture.take()).toEqual([]);
  });
});
