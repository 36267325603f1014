import { describe, expect, it } from 'vitest';
import { HubEventSchema, HUB_EVENT_TYPES } from '../../../functions/events/hub-event.js';
import { hubEventId } from '../../../functions/events/event-id.js';

const base = {
  schemaVersion: 1,
  id: hubEventId('whatsapp', 'wamid.1'),
  connector: 'whatsapp',
  providerEventId: 'wamid.1',
  channel: 'whatsapp',
  occurredAt: '2026-11-23T10:00:00.000Z',
  receivedAt: '2026-11-23T10:00:01.000Z',
  customer: { identities: [{ type: 'phone', value: '+380501112233' }] },
  summary: 'hi',
};

describe('HubEventSchema', () => {
  it('accepts a message event and defaults traits', () => {
    const parsed = HubEventSchema.parse({
      ...base,
      type: 'message.received',
      data: { messageId: 'wamid.1', direction: 'inbound', contentType: 'text', text: 'hi' },
    });
    expect(parsed.customer.traits).toEqual({});
  });

  it('validates data against the schema of its type', () => {
    const result = HubEventSchema.safeParse({
      ...base,
      type: 'order.placed',
      data: { messageId: 'x', direction: 'inbound', contentType: 'text' },
    });
    expect(result.success).toBe(false);
  });

  it('rejects money as a float and currencies that are not ISO codes', () => {
    const order = (total: unknown) => ({ ...base, type: 'order.placed', data: { orderId: '1', items: [], total } });
    expect(HubEventSchema.safeParse(order({ amountMinor: 10.5, currency: 'UAH' })).success).toBe(false);
    expect(HubEventSchema.safeParse(order({ amountMinor: 1050, currency: 'uah' })).success).toBe(false);
    expect(HubEventSchema.safeParse(order({ amountMinor: 1050, currency: 'UAH' })).success).toBe(true);
  });

  it('rejects an event without identities and an unknown type', () => {
    expect(
      HubEventSchema.safeParse({ ...base, customer: { identities: [] }, type: 'message.received', data: {} }).success,
    ).toBe(false);
    expect(HubEventSchema.safeParse({ ...base, type: 'message.teleported', data: {} }).success).toBe(false);
  });

  it('gives the same id to a redelivery and different ids across connectors', () => {
    expect(hubEventId('whatsapp', 'wamid.1')).toBe(hubEventId('whatsapp', 'wamid.1'));
    expect(hubEventId('whatsapp', 'wamid.1')).not.toBe(hubEventId('telegram', 'wamid.1'));
  });

  it('covers the whole catalogue', () => {
    expect(HUB_EVENT_TYPES).toContain('purchase.completed');
    expect(HUB_EVENT_TYPES).toContain('consent.revoked');
    expect(new Set(HUB_EVENT_TYPES).size).toBe(HUB_EVENT_TYPES.length);
  });
});
