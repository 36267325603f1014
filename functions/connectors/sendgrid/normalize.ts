/**
 * SendGrid delivery and engagement events for the business's own mail →
 * message receipts (delivered, read, failed) and consent on the email
 * channel. Pure. Events arrive out of order (an open before its delivery);
 * every one is its own fact keyed on `sg_event_id`.
 */
import type { HubEvent } from '../../events/hub-event.js';
import { buildEvent, fromUnixSeconds } from '../shared/build-event.js';
import type { NormalizeContext, NormalizeResult } from '../types.js';
import type { SendGridEvent } from './schema.js';

const CONNECTOR = 'sendgrid';

/** The v3 send call's `X-Message-Id` is `sg_message_id` up to its first dot. */
export const sendgridMessageId = (sgMessageId: string | null | undefined): string | undefined =>
  sgMessageId?.split('.')[0]?.trim() || undefined;

const receipt = (e: SendGridEvent, email: string, ctx: NormalizeContext): HubEvent | string => {
  const base = {
    connector: CONNECTOR,
    providerEventId: e.sg_event_id,
    channel: 'email' as const,
    occurredAt: fromUnixSeconds(e.timestamp ?? undefined),
    identities: [{ type: 'email' as const, value: email }],
  };
  const messageId = sendgridMessageId(e.sg_message_id) ?? e.sg_event_id;
  const message = { messageId, direction: 'outbound' as const, contentType: 'other' as const };
  const failed = (code: string, text: string, unreachable: boolean) =>
    buildEvent(
      {
        ...base,
        type: 'message.failed',
        summary: `Email failed (${code}: ${text})`,
        data: { ...message, error: { code, message: text, ...(unreachable ? { unreachable: true } : {}) } },
      },
      ctx,
    );
  const consent = (type: 'consent.revoked' | 'consent.granted', purpose: 'marketing' | 'all', reason: string) =>
    buildEvent({ ...base, type, summary: reason, data: { channel: 'email', purpose, reason } }, ctx);
  switch (e.event) {
    case 'delivered':
      return buildEvent({ ...base, type: 'message.delivered', summary: 'Email delivered', data: message }, ctx) ?? '';
    case 'open':
      return buildEvent({ ...base, type: 'message.read', summary: 'Email opened', data: message }, ctx) ?? '';
    // A click proves the mail was read; the link itself may carry tokens, so it is not kept.
    case 'click':
      return buildEvent({ ...base, type: 'message.read', summary: 'Email link clicked', data: message }, ctx) ?? '';
    case 'bounce': {
      // `type: blocked` is the receiving server refusing this message (content, reputation): the address
      // may still take mail. Only a bounce proper says the address does not exist.
      const blocked = e.type === 'blocked';
      return failed(e.status || (blocked ? 'blocked' : 'bounce'), e.reason || 'bounced', !blocked) ?? '';
    }
    case 'dropped':
      // SendGrid drops sends to addresses on its bounce or invalid lists without trying them.
      return failed('dropped', e.reason || 'dropped', /bounced address|invalid/i.test(e.reason ?? '')) ?? '';
    case 'spamreport':
      return consent('consent.revoked', 'all', 'Marked an email as spam') ?? '';
    case 'unsubscribe':
      return consent('consent.revoked', 'marketing', 'Unsubscribed from emails') ?? '';
    case 'group_unsubscribe':
      return (
        consent('consent.revoked', 'marketing', `Unsubscribed from email group ${e.asm_group_id ?? ''}`.trim()) ?? ''
      );
    case 'group_resubscribe':
      return (
        consent('consent.granted', 'marketing', `Resubscribed to email group ${e.asm_group_id ?? ''}`.trim()) ?? ''
      );
    case 'processed':
    case 'deferred':
      return `${e.event} ${e.sg_event_id}: SendGrid is still delivering; delivered, bounce or dropped follows`;
    default:
      return `unsupported SendGrid event: ${e.event}`;
  }
};

export const normalizeSendGrid = (batch: readonly SendGridEvent[], ctx: NormalizeContext): NormalizeResult => {
  const events: HubEvent[] = [];
  const ignored: string[] = [];
  for (const e of batch) {
    const email = e.email?.trim();
    const result = email ? receipt(e, email, ctx) : `${e.event} ${e.sg_event_id}: no recipient email`;
    if (typeof result === 'string')
      ignored.push(result || `${e.event} ${e.sg_event_id}: ${email} is not a usable email`);
    else events.push(result);
  }
  return { events, ignored };
};
