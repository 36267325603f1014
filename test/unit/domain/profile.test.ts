import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { applyEvent, emptyProfile, type Profile } from '../../../functions/domain/profile.js';
import type { HubEvent } from '../../../functions/events/hub-event.js';
import { hubEventId } from '../../../functions/events/event-id.js';

const NOW = '2026-11-23T12:00:00.000Z';

const message = (
  n: number,
  channel: HubEvent['channel'],
  occurredAt: string,
  traits: Record<string, string> = {},
): HubEvent => ({
  schemaVersion: 1,
  id: hubEventId('test', String(n)),
  connector: 'test',
  providerEventId: String(n),
  type: 'message.received',
  channel,
  occurredAt,
  receivedAt: occurredAt,
  customer: { identities: [{ type: 'phone', value: '+380501112233' }], traits },
  summary: `message ${n}`,
  data: { messageId: String(n), direction: 'inbound', contentType: 'text', text: 'hi' },
});

const fold = (events: HubEvent[]): Profile =>
  events.reduce((p, e) => applyEvent(p, e, NOW), emptyProfile('cus_1', (events[0] as HubEvent).occurredAt, NOW));

describe('applyEvent', () => {
  it('tracks first/last seen and counts per channel, and the last channel', () => {
    // Prepare
    const events = [
      message(1, 'web', '2026-11-01T10:00:00.000Z'),
      message(2, 'whatsapp', '2026-11-02T10:00:00.000Z'),
      message(3, 'whatsapp', '2026-11-03T10:00:00.000Z'),
    ];
    // Act
    const profile = fold(events);
    // Assess
    expect(profile.channels.whatsapp).toEqual({
      firstSeen: '2026-11-02T10:00:00.000Z',
      lastSeen: '2026-11-03T10:00:00.000Z',
      count: 2,
    });
    expect(profile.channels.web?.count).toBe(1);
    expect(profile.lastChannel).toBe('whatsapp');
    expect(profile.firstSeenAt).toBe('2026-11-01T10:00:00.000Z');
    expect(profile.eventCount).toBe(3);
    expect(profile.version).toBe(3);
    expect(profile.identities).toEqual([{ type: 'phone', value: '+380501112233' }]);
  });

  it('keeps the newest value of each trait, not the last to arrive', () => {
    const newer = message(1, 'telegram', '2026-11-05T10:00:00.000Z', { name: 'Olena K.' });
    const older = message(2, 'web', '2026-11-01T10:00:00.000Z', { name: 'Olena', language: 'uk' });
    const profile = fold([newer, older]);
    expect(profile.traits).toEqual({ name: 'Olena K.', language: 'uk' });
    expect(profile.lastChannel).toBe('telegram');
  });

  it('does not make a business-side status the last channel', () => {
    const inbound = message(1, 'telegram', '2026-11-01T10:00:00.000Z');
    const status: HubEvent = {
      ...message(2, 'whatsapp', '2026-11-02T10:00:00.000Z'),
      type: 'message.delivered',
    } as HubEvent;
    const profile = fold([inbound, status]);
    expect(profile.lastChannel).toBe('telegram');
    // A receipt is not the customer on that channel: no channel stats either.
    expect(profile.channels.whatsapp).toBeUndefined();
    expect(profile.eventCount).toBe(2);
  });

  it('ends in the same profile whatever order the events arrive in', () => {
    const channels = ['whatsapp', 'telegram', 'web', 'phone'] as const;
    const arbEvent = fc.record({
      n: fc.integer({ min: 0, max: 1_000_000 }),
      channel: fc.constantFrom(...channels),
      day: fc.integer({ min: 1, max: 28 }),
      name: fc.constantFrom('Olena', 'Olena K.', 'O.'),
    });
    fc.assert(
      fc.property(fc.uniqueArray(arbEvent, { minLength: 1, maxLength: 12, selector: (e) => e.n }), (specs) => {
        const events = specs.map((s) =>
          message(s.n, s.channel, `2026-11-${String(s.day).padStart(2, '0')}T10:00:00.000Z`, { name: s.name }),
        );
        const forward = fold(events);
        const backward = fold([...events].reverse());
        const shuffled = fold([...events].sort((a, b) => a.id.localeCompare(b.id)));
        expect(backward).toEqual(forward);
        expect(shuffled).toEqual(forward);
      }),
    );
  });
});
