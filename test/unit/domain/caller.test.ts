/** The screen-pop card: open leads close on a follow-up, tickets on `ticket.solved`, names fall back. */
import { describe, expect, it } from 'vitest';
import { consoleLink, displayName, toCallerCard } from '../../../functions/domain/caller.js';
import { emptyProfile, type Profile, type TimelineItem } from '../../../functions/domain/profile.js';

const NOW = new Date('2026-03-01T12:00:00.000Z');

const item = (type: string, occurredAt: string, extra: Partial<TimelineItem> = {}): TimelineItem => ({
  eventId: `evt_${type}_${occurredAt}`,
  customerId: 'cus_1',
  type: type as TimelineItem['type'],
  channel: 'web',
  connector: 'test',
  providerEventId: `${type}-${occurredAt}`,
  occurredAt,
  receivedAt: occurredAt,
  summary: `${type} at ${occurredAt}`,
  identities: [],
  traits: {},
  data: {},
  ...extra,
});

const profile = (over: Partial<Profile> = {}): Profile => ({
  ...emptyProfile('cus_1', '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z'),
  ...over,
});

describe('Caller card', () => {
  it('counts a lead open until an order, a deal move or a call follows it', () => {
    const lead = item('lead.submitted', '2026-02-10T10:00:00.000Z');
    const callback = item('callback.requested', '2026-02-12T10:00:00.000Z');
    const olderOrder = item('order.placed', '2026-02-01T10:00:00.000Z');
    const open = toCallerCard(profile(), [callback, lead, olderOrder], { now: NOW });
    expect(open).toMatchObject({ openLeads: 2, open: [{ type: 'callback.requested' }, { type: 'lead.submitted' }] });

    const call = item('call.completed', '2026-02-11T10:00:00.000Z', { channel: 'phone' });
    const followed = toCallerCard(profile(), [callback, call, lead], { now: NOW });
    // The call answered the lead; the callback asked afterwards is still waiting.
    expect(followed).toMatchObject({ openLeads: 1, open: [{ type: 'callback.requested' }] });
  });

  it('counts a ticket open until its newest event is ticket.solved', () => {
    const t = (type: string, at: string, ticketId: string) => item(type, at, { data: { ticketId } });
    const recent = [
      t('ticket.solved', '2026-02-20T00:00:00.000Z', 'A'),
      t('ticket.updated', '2026-02-19T00:00:00.000Z', 'B'),
      t('ticket.created', '2026-02-18T00:00:00.000Z', 'A'),
      t('ticket.created', '2026-02-17T00:00:00.000Z', 'B'),
    ];
    const card = toCallerCard(profile(), recent, { now: NOW });
    expect(card).toMatchObject({ openTickets: 1, open: [{ kind: 'ticket', type: 'ticket.updated' }] });
  });

  it('shows the last interaction from the profile, its summary from the timeline, and lifetime value', () => {
    const msg = item('message.received', '2026-02-25T08:00:00.000Z', {
      channel: 'telegram',
      summary: 'Where is my order?',
    });
    const card = toCallerCard(
      profile({
        traits: { firstName: 'Olena', lastName: 'Koval' },
        lastChannel: 'telegram',
        lastInteractionAt: msg.occurredAt,
        lastInteractionEventId: msg.eventId,
        orders: {
          count: 2,
          revenue: { UAH: 300_000 },
          refunded: {},
          firstAt: '2025-01-01T00:00:00.000Z',
          lastAt: '2026-01-01T00:00:00.000Z',
        },
      }),
      [msg],
      { now: NOW, consoleBaseUrl: 'https://console.example/' },
    );
    expect(card).toEqual({
      customerId: 'cus_1',
      name: 'Olena Koval',
      // Average order 1 500.00 × 2 orders a year × a 3-year lifespan.
      lifetimeValue: { amountMinor: 900_000, currency: 'UAH' },
      orderCount: 2,
      openLeads: 0,
      openTickets: 0,
      open: [],
      lastInteraction: {
        at: msg.occurredAt,
        channel: 'telegram',
        type: 'message.received',
        summary: 'Where is my order?',
      },
      consoleUrl: 'https://console.example/#/customers/cus_1',
    });
  });

  it('names: name, then full name, then first and last; none is no name', () => {
    expect(displayName({ name: ' Ivan ', firstName: 'X' })).toBe('Ivan');
    expect(displayName({ fullName: 'Iryna P.' })).toBe('Iryna P.');
    expect(displayName({ lastName: 'Koval' })).toBe('Koval');
    expect(displayName({ name: '', phone: '+380' })).toBeUndefined();
    expect(consoleLink('https://c.example', 'cus_a/b')).toBe('https://c.example/#/customers/cus_a%2Fb');
  });
});
