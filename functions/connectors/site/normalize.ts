/**
 * Website event → one hub event of the same type. Pure: the payload already
 * is in the hub's terms, so this only attaches identities, the channel, a
 * summary and the dedup key (`webhook-id`).
 */
import type { Channel, Identity } from '../../events/hub-event.js';
import { buildEvent, truncate } from '../shared/build-event.js';
import { formatMoney } from '../shared/money.js';
import type { NormalizeContext, NormalizeResult } from '../types.js';
import type { SiteDelivery, SiteEvent, SiteVisitor } from './schema.js';

const CONNECTOR = 'site';

/** Forms and the chat widget are web touchpoints; the cart and checkout count as the online shop. */
export const SITE_CHANNELS: Record<SiteEvent['type'], Channel> = {
  'lead.submitted': 'web',
  'form.submitted': 'web',
  'callback.requested': 'web',
  'message.received': 'web',
  'cart.updated': 'ecommerce',
  'order.placed': 'ecommerce',
};

const SNIPPET = 160;

const items = (n: number): string => `${n} item${n === 1 ? '' : 's'}`;

const quoted = (prefix: string, name: string | undefined): string => (name ? `${prefix} «${name}»` : prefix);

const siteSummary = (event: SiteEvent): string => {
  switch (event.type) {
    case 'lead.submitted':
      return `${quoted('Lead form', event.data.formName)} submitted`;
    case 'form.submitted':
      return `${quoted('Form', event.data.formName)} submitted`;
    case 'callback.requested':
      return event.data.formName ? `Callback requested via «${event.data.formName}»` : 'Callback requested';
    case 'message.received': {
      const { text, contentType } = event.data;
      if (contentType === 'text') return truncate(text ?? '', SNIPPET) || 'Chat message';
      return text ? `Chat ${contentType}: ${truncate(text, SNIPPET)}` : `Chat ${contentType}`;
    }
    case 'cart.updated':
      return `Cart updated: ${items(event.data.items.length)}, ${formatMoney(event.data.total)}`;
    case 'order.placed':
      return `Order ${event.data.orderNumber ?? event.data.orderId} placed: ${formatMoney(event.data.total)}`;
  }
};

/** Contacts first, then the website's own id: every identifier the visitor gave links the profile. */
const visitorIdentities = (visitor: SiteVisitor): (Identity | undefined)[] => [
  visitor.phone ? { type: 'phone', value: visitor.phone } : undefined,
  visitor.email ? { type: 'email', value: visitor.email } : undefined,
  visitor.telegramId !== undefined ? { type: 'telegram', value: String(visitor.telegramId) } : undefined,
  visitor.telegram ? { type: 'telegram_username', value: visitor.telegram } : undefined,
  visitor.id ? { type: 'site', value: visitor.id } : undefined,
];

export const normalizeSite = ({ webhookId, event }: SiteDelivery, ctx: NormalizeContext): NormalizeResult => {
  const hubEvent = buildEvent(
    {
      connector: CONNECTOR,
      providerEventId: webhookId,
      type: event.type,
      channel: SITE_CHANNELS[event.type],
      occurredAt: new Date(event.occurredAt).toISOString(),
      identities: visitorIdentities(event.visitor),
      traits: { name: event.visitor.name, language: event.visitor.language },
      summary: siteSummary(event),
      data: event.data,
    },
    ctx,
  );
  return hubEvent
    ? { events: [hubEvent], ignored: [] }
    : {
        events: [],
        ignored: [
          `${event.type} ${webhookId}: the visitor's phone, email and Telegram handle are not usable and no id was given`,
        ],
      };
};
