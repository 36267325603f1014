/**
 * Website event → one hub event of the same type. Pure: the payload already
 * is in the hub's terms, so this only attaches identities, the channel, a
 * summary and the dedup key (`webhook-id`).
 */
import type { Channel, HubEventType, Identity, IdentityType } from '../../events/hub-event.js';
import { buildEvent, truncate } from '../shared/build-event.js';
import { formatMoney } from '../shared/money.js';
import type { NormalizeContext, NormalizeResult } from '../types.js';
import type { SiteDelivery, SiteEvent, SiteVisitor } from './schema.js';

/** An event of this format or of a format built on it (the app's adds push receipts). */
export interface FormatEvent {
  readonly type: HubEventType;
  readonly occurredAt: string;
  readonly visitor: SiteVisitor;
  readonly data: unknown;
}

const CONNECTOR = 'site';

/** Forms and the chat widget are web touchpoints; the cart and checkout count as the online shop. */
export const SITE_CHANNELS: Record<SiteEvent['type'], Channel> = {
  'lead.submitted': 'web',
  'form.submitted': 'web',
  'callback.requested': 'web',
  'message.received': 'web',
  'cart.updated': 'ecommerce',
  'order.placed': 'ecommerce',
  'checkout.started': 'ecommerce',
  'product.viewed': 'web',
  'search.performed': 'web',
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
    case 'checkout.started':
      return `Checkout started: ${items(event.data.items.length)}, ${formatMoney(event.data.total)}`;
    case 'product.viewed':
      return `Viewed ${quoted('product', event.data.name ?? event.data.sku ?? event.data.productId)}`;
    case 'search.performed': {
      const found = event.data.resultCount;
      return `Searched «${truncate(event.data.query, 80)}»${found === 0 ? ': nothing found' : found !== undefined ? `: ${found} results` : ''}`;
    }
  }
};

/** Contacts first, then the sender's own id: every identifier the visitor gave links the profile. */
const visitorIdentities = (visitor: SiteVisitor, idType: IdentityType): (Identity | undefined)[] => [
  visitor.phone ? { type: 'phone', value: visitor.phone } : undefined,
  visitor.email ? { type: 'email', value: visitor.email } : undefined,
  visitor.telegramId !== undefined ? { type: 'telegram', value: String(visitor.telegramId) } : undefined,
  visitor.telegram ? { type: 'telegram_username', value: visitor.telegram } : undefined,
  visitor.id ? { type: idType, value: visitor.id } : undefined,
];

/** Who posts a format: the connector, the identity type of its own user id, a channel and a summary per kind. */
export interface FormatProfile<E extends FormatEvent> {
  readonly connector: string;
  readonly idType: IdentityType;
  readonly channel: (event: E) => Channel;
  readonly summary: (event: E) => string;
}

/** One delivery of the format → one hub event of the same type, keyed on its `webhook-id`. */
export const normalizeFormat = <E extends FormatEvent>(
  profile: FormatProfile<E>,
  webhookId: string,
  event: E,
  ctx: NormalizeContext,
): NormalizeResult => {
  const hubEvent = buildEvent(
    {
      connector: profile.connector,
      providerEventId: webhookId,
      type: event.type,
      channel: profile.channel(event),
      occurredAt: new Date(event.occurredAt).toISOString(),
      identities: visitorIdentities(event.visitor, profile.idType),
      traits: { name: event.visitor.name, language: event.visitor.language },
      summary: profile.summary(event),
      // The format's schema validated `data` as this type's hub data schema; the generic cannot show the pairing.
      data: event.data as never,
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

const SITE_PROFILE: FormatProfile<SiteEvent> = {
  connector: CONNECTOR,
  idType: 'site',
  channel: (event) => SITE_CHANNELS[event.type],
  summary: (event) => siteSummary(event),
};

export const normalizeSite = ({ webhookId, event }: SiteDelivery, ctx: NormalizeContext): NormalizeResult =>
  normalizeFormat(SITE_PROFILE, webhookId, event, ctx);

export { siteSummary };
