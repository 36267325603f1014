/**
 * The runner's clocks on the real local timers with an injected clock
 * (end to end on the hub: test/integration/automations-clocks.test.ts):
 * one inactivity timer per customer that events do not rewrite and that
 * re-arms itself from the profile; a birthday timer set from the trait,
 * moved or cancelled when it changes, re-armed yearly, none for an erased
 * customer.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LocalTimers } from '../../../functions/adapters/local/local-timers.js';
import { createAutomationRunner } from '../../../functions/automations/runner.js';
import { emptyProfile, type Profile } from '../../../functions/domain/profile.js';
import type { HubEvent } from '../../../functions/events/hub-event.js';

const DAY = 86_400_000;
const CUSTOMER = 'cus_1';

const interaction = (id: string, at: string, traits: Record<string, string | null> = {}): HubEvent =>
  ({
    schemaVersion: 1,
    id,
    connector: 'site',
    providerEventId: id,
    type: 'message.received',
    channel: 'web',
    occurredAt: at,
    receivedAt: at,
    customer: { identities: [{ type: 'phone', value: '+380671110001' }], traits },
    summary: 'Hi',
    data: { messageId: id, direction: 'inbound', contentType: 'text', text: 'Hi' },
  }) as HubEvent;

const stopped: LocalTimers[] = [];
afterEach(() => {
  for (const t of stopped.splice(0)) t.stop();
});

const harness = (start: string) => {
  let now = new Date(start);
  let profile: Profile | undefined = {
    ...emptyProfile(CUSTOMER, start, start),
    identities: [{ type: 'phone', value: '+380671110001' }],
  } as Profile;
  const fired: string[] = [];
  const timers = new LocalTimers({ send: (body) => fired.push(body), now: () => now });
  stopped.push(timers);
  const published: HubEvent[] = [];
  const runner = createAutomationRunner({
    store: {
      findByIdentity: async () => profile,
      getProfile: async () => profile,
      getTimeline: async () => ({ items: [] }),
    },
    messages: {} as never,
    publisher: { publish: async (events) => void published.push(...events), putEntries: async () => undefined },
    timers,
    settings: {} as never,
    defaultCountry: 'UA',
    reactions: [],
    clocks: { inactiveDays: 30, birthday: { trait: 'birthday', minuteOfDay: 600 } },
    now: () => now,
  });
  /** Moves the clock and hands every timer that came due to the runner, as the queue would. */
  const advance = async (to: string) => {
    now = new Date(to);
    timers.due();
    for (const body of fired.splice(0)) await runner.handle(JSON.parse(body));
  };
  /** The profile writer applied `event`. */
  const apply = (event: HubEvent) => {
    if (!profile) return;
    const traits = { ...profile.traits };
    const traitTimes = { ...profile.traitTimes };
    for (const [k, v] of Object.entries(event.customer.traits)) {
      if (v === null) delete traits[k];
      else traits[k] = v;
      traitTimes[k] = `${event.occurredAt}|${event.id}`;
    }
    profile = {
      ...profile,
      traits,
      traitTimes,
      lastInteractionAt: event.occurredAt,
      lastInteractionEventId: event.id,
    };
  };
  const erase = () => {
    profile = undefined;
  };
  const notifyErased = () =>
    runner.handle({
      'detail-type': 'customer.erased',
      detail: {
        schemaVersion: 1,
        id: `evt_${'e'.repeat(32)}`,
        type: 'customer.erased',
        occurredAt: now.toISOString(),
        customerId: CUSTOMER,
        relatedIds: [],
      },
    });
  const receive = async (event: HubEvent) => {
    apply(event);
    await runner.handle({ 'detail-type': event.type, detail: event });
  };
  return { timers, published, advance, receive, erase, notifyErased, pending: () => timers.pending() };
};

const E = (n: number) => `evt_${String(n).repeat(32).slice(0, 32)}`;

describe('customer.inactive', () => {
  it('one timer at the first interaction + N days; later interactions do not move it; it re-arms and fires once', async () => {
    // Prepare
    const h = harness('2026-01-01T10:00:00.000Z');

    // Act: two interactions ten days apart
    await h.receive(interaction(E(1), '2026-01-01T10:00:00.000Z'));
    const armed = h.pending();
    await h.advance('2026-01-11T10:00:00.000Z');
    await h.receive(interaction(E(2), '2026-01-11T10:00:00.000Z'));

    // Assess: the second event left the timer where it was
    expect(armed.map((t) => [t.name, new Date(t.at).toISOString()])).toEqual([
      ['t-inactive-cus_1', '2026-01-31T10:00:00.000Z'],
    ]);
    expect(h.pending()).toEqual(armed);

    // Act: the timer fires at day 30, sees the newer interaction and re-arms at day 40
    await h.advance('2026-01-31T10:00:00.000Z');
    expect(h.published).toEqual([]);
    expect(h.pending().map((t) => new Date(t.at).toISOString())).toEqual(['2026-02-10T10:00:00.000Z']);

    // Act: silence until day 40
    await h.advance('2026-02-10T10:00:01.000Z');

    // Assess: one customer.inactive about the last interaction, and no timer until she comes back
    expect(h.published.map((e) => [e.type, e.data])).toEqual([
      [
        'customer.inactive',
        { lastInteractionAt: '2026-01-11T10:00:00.000Z', lastInteractionEventId: E(2), inactiveDays: 30 },
      ],
    ]);
    expect(h.pending()).toEqual([]);
  });

  it('an erased customer’s timer fires into nothing', async () => {
    const h = harness('2026-01-01T10:00:00.000Z');
    await h.receive(interaction(E(1), '2026-01-01T10:00:00.000Z'));
    h.erase();
    await h.advance('2026-03-01T00:00:00.000Z');
    expect(h.published).toEqual([]);
    expect(h.pending()).toEqual([]);
  });
});

describe('erasure', () => {
  it('customer.erased cancels her timers at once (a birthday a year ahead, the inactivity clock)', async () => {
    const h = harness('2026-05-01T08:00:00.000Z');
    await h.receive(interaction(E(1), '2026-05-01T08:00:00.000Z', { birthday: '1990-05-14' }));
    expect(
      h
        .pending()
        .map((t) => t.name)
        .sort(),
    ).toEqual(['t-birthday-cus_1', 't-inactive-cus_1']);
    h.erase();
    await h.notifyErased();
    expect(h.pending()).toEqual([]);
  });
});

describe('customer.birthday', () => {
  it('is set from the trait at 10:00 in her zone, moved when it changes, cancelled when removed', async () => {
    const h = harness('2026-05-01T08:00:00.000Z');
    await h.receive(interaction(E(1), '2026-05-01T08:00:00.000Z', { birthday: '1990-05-14' }));
    const birthday = () => h.pending().filter((t) => t.name === 't-birthday-cus_1');
    // +380: Europe/Kyiv, UTC+3 in May
    expect(birthday().map((t) => new Date(t.at).toISOString())).toEqual(['2026-05-14T07:00:00.000Z']);

    await h.receive(interaction(E(2), '2026-05-02T08:00:00.000Z', { birthday: '20.06.1990' }));
    expect(birthday().map((t) => new Date(t.at).toISOString())).toEqual(['2026-06-20T07:00:00.000Z']);

    await h.receive(interaction(E(3), '2026-05-03T08:00:00.000Z', { birthday: null }));
    expect(birthday()).toEqual([]);
  });

  it('fires on the day with her age, once, and re-arms for next year; nothing for an erased customer', async () => {
    // Prepare
    const h = harness('2026-05-01T08:00:00.000Z');
    await h.receive(interaction(E(1), '2026-05-01T08:00:00.000Z', { birthday: '1990-05-14' }));

    // Act
    await h.advance('2026-05-14T07:00:00.000Z');

    // Assess
    const greetings = h.published.filter((e) => e.type === 'customer.birthday');
    expect(greetings.map((e) => e.data)).toEqual([
      { birthday: '1990-05-14', date: '2026-05-14', timeZone: 'Europe/Kyiv', age: 36 },
    ]);
    const next = h.pending().filter((t) => t.name === 't-birthday-cus_1');
    expect(next.map((t) => new Date(t.at).toISOString())).toEqual(['2027-05-14T07:00:00.000Z']);

    // Act: erased before next year
    h.erase();
    await h.advance(new Date(Date.parse('2027-05-14T07:00:00.000Z') + DAY).toISOString());

    // Assess: no greeting, no timer left
    expect(h.published.filter((e) => e.type === 'customer.birthday')).toHaveLength(1);
    expect(h.pending().filter((t) => t.name === 't-birthday-cus_1')).toEqual([]);
  });

  it('a timer that fires the day after (the hub was down) greets nobody late and re-arms', async () => {
    const h = harness('2026-05-01T08:00:00.000Z');
    await h.receive(interaction(E(1), '2026-05-01T08:00:00.000Z', { birthday: '05-14' }));
    await h.advance('2026-05-15T09:00:00.000Z');
    expect(h.published.filter((e) => e.type === 'customer.birthday')).toEqual([]);
    expect(
      h
        .pending()
        .filter((t) => t.name === 't-birthday-cus_1')
        .map((t) => new Date(t.at).toISOString()),
    ).toEqual(['2027-05-14T07:00:00.000Z']);
  });
});
