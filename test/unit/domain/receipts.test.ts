import { describe, expect, it } from 'vitest';
import { applyEvent, emptyProfile, isReceipt, type Profile } from '../../../functions/domain/profile.js';
import { UNKNOWN_RECEIPT } from '../../../functions/domain/plan-apply.js';
import { preferredChannel } from '../../../functions/domain/traits.js';
import type { HubEvent, Identity } from '../../../functions/events/hub-event.js';
import { ctxOf, decideApply, message, NOW, phone, putsOf, storedProfile, worldOf } from './plan-world.js';

const receipt = (
  n: number,
  type: 'message.delivered' | 'message.read' | 'message.failed',
  identities: Identity[],
  occurredAt: string,
): HubEvent => ({
  ...message(n, identities, occurredAt),
  type,
  channel: 'whatsapp',
  summary: `Status: ${type}`,
  data: { messageId: `wamid.${n}`, direction: 'outbound', contentType: 'text' },
});

describe('Receipts in the reducer', () => {
  it('count in the timeline, link what they name, and move nothing the customer did', () => {
    // Prepare: she wrote on Telegram.
    const wrote = message(1, [phone('+380501117001')], '2026-11-01T10:00:00.000Z');
    const profile: Profile = applyEvent(emptyProfile('cus_r', wrote.occurredAt, NOW), wrote, NOW);
    const whatsapp: Identity = { type: 'whatsapp', value: '380501117001' };

    // Act: our WhatsApp message to her was delivered, read — later than anything she did.
    let after = applyEvent(profile, receipt(2, 'message.delivered', [whatsapp], '2026-11-05T10:00:00.000Z'), NOW);
    after = applyEvent(after, receipt(3, 'message.read', [whatsapp], '2026-11-05T10:01:00.000Z'), NOW);

    // Assess
    expect(after.eventCount).toBe(3);
    expect(after.identities.map((i) => i.type).sort()).toEqual(['phone', 'whatsapp']);
    for (const field of ['lastInteractionAt', 'lastChannel', 'channels', 'inbound', 'firstSeenAt', 'traits'] as const)
      expect(after[field], field).toEqual(profile[field]);
    expect(preferredChannel(after)).toBe(preferredChannel(profile));
  });

  it('mark a channel unreachable on a permanent failure, and nothing else she did moves', () => {
    const wrote = message(1, [phone('+380501117001')], '2026-11-01T10:00:00.000Z');
    const profile = applyEvent(emptyProfile('cus_r', wrote.occurredAt, NOW), wrote, NOW);
    const failed = receipt(2, 'message.failed', [phone('+380501117001')], '2026-11-05T10:00:00.000Z');
    const withError = {
      ...failed,
      data: { ...failed.data, error: { code: '131026', message: 'Message undeliverable', unreachable: true } },
    } as HubEvent;

    const after = applyEvent(profile, withError, NOW);

    expect(after.unreachable?.whatsapp).toMatchObject({ code: '131026', at: '2026-11-05T10:00:00.000Z' });
    expect(after.lastInteractionAt).toBe(profile.lastInteractionAt);
    expect(after.channels).toEqual(profile.channels);
  });

  it("are delivered, read, failed and a vendor's content-less sent status; a message the business sent is not", () => {
    for (const type of ['message.delivered', 'message.read', 'message.failed'] as const)
      expect(isReceipt({ type }), type).toBe(true);
    expect(isReceipt({ type: 'message.sent', data: { direction: 'outbound', contentType: 'other' } })).toBe(true);
    expect(isReceipt({ type: 'message.sent', data: { direction: 'outbound', contentType: 'text', text: 'Hi' } })).toBe(
      false,
    );
    for (const type of ['message.received', 'call.missed', 'order.placed'] as const)
      expect(isReceipt({ type }), type).toBe(false);
  });
});

describe('Receipts in planApply', () => {
  it('a receipt for a number nobody knows is ignored and writes nothing', () => {
    const { plan } = decideApply(receipt(4, 'message.failed', [phone('+380501117002')], NOW), worldOf());
    expect(plan.outcome).toEqual({ status: 'ignored', reason: UNKNOWN_RECEIPT });
    expect(plan.steps).toEqual([]);
  });

  it('a receipt reaching two profiles lands in one and merges none', () => {
    const a = storedProfile('cus_a', [message(5, [phone('+380501117003')])], '2026-01-01T00:00:00.000Z');
    const b = storedProfile(
      'cus_b',
      [message(6, [{ type: 'whatsapp', value: '380501117004' }])],
      '2026-02-01T00:00:00.000Z',
    );
    const r = receipt(7, 'message.read', [phone('+380501117003'), { type: 'whatsapp', value: '380501117004' }], NOW);
    const { plan } = decideApply(r, worldOf(...a.items, ...b.items), ctxOf());
    expect(plan.outcome.customerId).toBe('cus_a');
    expect(plan.notifications).toEqual([]);
    expect(putsOf(plan).some((p) => p.item.pk === 'C#cus_b')).toBe(false);
  });
});
