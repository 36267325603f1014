/**
 * The one normalized event schema of the hub.
 *
 * Every connector normalizes into `HubEvent`, every consumer (profile writer,
 * subscribers, CLI) parses with it, and the JSON Schema and the event
 * catalogue in the README are generated from it (`npm run schema`), so the
 * contract is written exactly once.
 */
import * as z from 'zod';

/** Bumped on a breaking change; additive changes keep the version. */
export const SCHEMA_VERSION = 1 as const;

/** EventBridge `Source` prefix: a connector publishes as `omnihub.<connector>`. */
export const SOURCE_PREFIX = 'omnihub.';

/** Source of the events the hub itself emits about profiles (merges, erasure). */
export const HUB_SOURCE = 'omnihub.hub';

/**
 * Kinds of customer identifier. A messenger id is its own type and is never
 * assumed to be a phone: the connector adds a `phone` identity only when the
 * vendor says the id is one (WhatsApp `wa_id` today, a shared contact card).
 */
export const IDENTITY_TYPES = [
  'phone',
  'email',
  'telegram',
  /** A public @username: weaker than the numeric id (it can change), but the only Telegram handle a web form collects. */
  'telegram_username',
  'whatsapp',
  'viber',
  'messenger',
  'instagram',
  'hubspot',
  'bitrix24',
  'kommo',
  'shopify',
  'square',
  'poster',
  'loyalty_card',
  'site',
  /** The mobile app backend's own user id (the `app` connector). */
  'app',
  /** A help desk's requester (end-user) id, per account. */
  'zendesk',
  'freshdesk',
  /** A WooCommerce store's customer id (0 = guest, never an identity). */
  'woocommerce',
  'loyverse',
] as const;
export const IdentityTypeSchema = z.enum(IDENTITY_TYPES);
export type IdentityType = z.infer<typeof IdentityTypeSchema>;

export const IdentitySchema = z
  .object({
    type: IdentityTypeSchema,
    value: z.string().min(1).max(320),
    /** Connector the identifier came from, kept for audits and unmerges. */
    source: z.string().min(1).max(64).optional(),
  })
  .describe('A customer identifier. Phones are E.164, emails lowercased.');
export type Identity = z.infer<typeof IdentitySchema>;

/** Touchpoint channels a profile tracks (`channels.<channel>` in the profile). */
export const CHANNELS = [
  'whatsapp',
  'telegram',
  'viber',
  'messenger',
  'instagram',
  'sms',
  'phone',
  'email',
  'web',
  'crm',
  'ecommerce',
  'pos',
  /** The company's own mobile app (screens, in-app purchases, push notifications). */
  'app',
  /** Support tickets in a help desk (Zendesk, Freshdesk, HubSpot tickets). */
  'helpdesk',
] as const;
export const ChannelSchema = z.enum(CHANNELS);
export type Channel = z.infer<typeof ChannelSchema>;

/** Channels a business can start or continue a conversation in. */
export const MESSAGING_CHANNELS: readonly Channel[] = [
  'whatsapp',
  'telegram',
  'viber',
  'messenger',
  'instagram',
  'sms',
  'email',
];

/** Money as integer minor units plus ISO 4217 code: no floats anywhere. */
export const MoneySchema = z.object({
  amountMinor: z.number().int(),
  currency: z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 currency code, e.g. UAH'),
});
export type Money = z.infer<typeof MoneySchema>;

const isoDateTime = z.iso.datetime({ offset: true });

const TraitValueSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);
/** Flat customer traits (name, language, …) as the source reported them. */
export const TraitsSchema = z.record(z.string().max(64), TraitValueSchema);
export type Traits = z.infer<typeof TraitsSchema>;

// ---------------------------------------------------------------- data per type

const DirectionSchema = z.enum(['inbound', 'outbound']);

export const MessageDataSchema = z.object({
  messageId: z.string(),
  direction: DirectionSchema,
  contentType: z.enum([
    'text',
    'image',
    'video',
    'audio',
    'document',
    'sticker',
    'location',
    'contact',
    'interactive',
    'button',
    'reaction',
    'other',
  ]),
  text: z.string().optional(),
  /** Provider id of the media object or a URL, when the message carries one. */
  media: z
    .object({ id: z.string().optional(), url: z.string().optional(), mimeType: z.string().optional() })
    .optional(),
  /** Id of the conversation/chat/thread in the provider. */
  conversationId: z.string().optional(),
  /** For replies and statuses: the message this refers to. */
  replyTo: z.string().optional(),
  /** Set on `message.failed`. */
  error: z
    .object({
      code: z.string(),
      message: z.string(),
      /**
       * True when the vendor said this recipient cannot be reached on the
       * channel at all (blocked the bot, not on WhatsApp, hard bounce), as
       * opposed to a problem with this payload or the business's account:
       * the profile then marks the channel unreachable.
       */
      unreachable: z.boolean().optional(),
    })
    .optional(),
  /** On the hub's own outbound messages: the `messageId` of the messages API (`msg_…`). */
  hubMessageId: z.string().optional(),
  edited: z.boolean().optional(),
});

const CallDataSchema = z.object({
  callId: z.string(),
  direction: DirectionSchema,
  /** Talk time in seconds (0 for a missed call). */
  durationSec: z.number().int().nonnegative(),
  waitSec: z.number().int().nonnegative().optional(),
  disposition: z.string().optional(),
  recordingUrl: z.string().optional(),
  agent: z.object({ id: z.string().optional(), name: z.string().optional() }).optional(),
  /** The business line the customer called or was called from. */
  line: z.string().optional(),
});

const EmailDataSchema = z.object({
  messageId: z.string(),
  from: z.string(),
  to: z.array(z.string()),
  subject: z.string().optional(),
  snippet: z.string().optional(),
});

const UtmSchema = z.object({
  source: z.string().optional(),
  medium: z.string().optional(),
  campaign: z.string().optional(),
  content: z.string().optional(),
  term: z.string().optional(),
});

/**
 * A survey score the form carried, typed so analytics never guess from free
 * text: `nps` is the 0–10 "how likely are you to recommend us" answer
 * (promoters 9–10, detractors 0–6), `csat` the 1–5 "how satisfied were you"
 * answer (satisfied 4–5). Set by the connector that knows which question is
 * which (the website format sends it as is).
 */
const SurveyScoreSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('nps'), value: z.number().int().min(0).max(10) }),
    z.object({ kind: z.literal('csat'), value: z.number().int().min(1).max(5) }),
  ])
  .describe('Survey score: NPS 0–10 or CSAT 1–5');
export type SurveyScore = z.infer<typeof SurveyScoreSchema>;

export const FormDataSchema = z.object({
  formId: z.string().optional(),
  formName: z.string().optional(),
  answers: z.array(z.object({ question: z.string(), answer: z.string() })),
  /** NPS or CSAT score of a survey (`form.submitted`). */
  score: SurveyScoreSchema.optional(),
  result: z.string().optional(),
  utm: UtmSchema.optional(),
  pageUrl: z.string().optional(),
  referrer: z.string().optional(),
  /**
   * The messenger the form asked her contact in ("your WhatsApp number",
   * "your Telegram"): an automation with `channel: 'trigger'` answers there
   * first, consent and the vendor's rules permitting.
   */
  contactChannel: z.enum(['whatsapp', 'telegram', 'viber']).optional(),
});

const LineItemSchema = z.object({
  sku: z.string().optional(),
  name: z.string(),
  quantity: z.number().positive(),
  unitPrice: MoneySchema.optional(),
});

export const OrderDataSchema = z.object({
  orderId: z.string(),
  orderNumber: z.string().optional(),
  total: MoneySchema,
  items: z.array(LineItemSchema),
  /** Shop or store where it happened (POS location, web shop domain). */
  store: z.string().optional(),
  promoCodes: z.array(z.string()).optional(),
  /**
   * Set on `order.refunded`: the amount this refund returned. On
   * `order.cancelled`: what had been refunded when the order was cancelled
   * (the rest of the total is what the cancellation takes out of revenue).
   */
  refunded: MoneySchema.optional(),
  /** On `order.fulfilled` and `order.ready_for_pickup`: the shipment or pickup. */
  fulfillment: z
    .object({
      id: z.string().optional(),
      /** `shipment`, `pickup`, `delivery`, or the vendor's own word. */
      method: z.string().optional(),
      carrier: z.string().optional(),
      trackingNumber: z.string().optional(),
      trackingUrl: z.string().optional(),
      /** Where a pickup is waiting (store or location name/id). */
      location: z.string().optional(),
    })
    .optional(),
  /** On `order.cancelled`: why, in the vendor's words (`customer`, `fraud`, `inventory`, …). */
  cancelReason: z.string().optional(),
});

export const CartDataSchema = z.object({
  cartId: z.string(),
  total: MoneySchema,
  items: z.array(LineItemSchema),
});

/** A checkout the customer started: an attempted purchase until an order with the same cart or checkout follows. */
export const CheckoutDataSchema = z.object({
  checkoutId: z.string(),
  /** The cart it was started from, when the shop says (links it to `cart.updated`). */
  cartId: z.string().optional(),
  total: MoneySchema,
  items: z.array(LineItemSchema),
  store: z.string().optional(),
  promoCodes: z.array(z.string()).optional(),
  /** The shop's link back into this checkout ("complete your purchase"), for recovery messages. */
  recoveryUrl: z.string().optional(),
});

export const ProductViewDataSchema = z.object({
  productId: z.string(),
  sku: z.string().optional(),
  name: z.string().optional(),
  category: z.string().optional(),
  price: MoneySchema.optional(),
  url: z.string().optional(),
});

export const SearchDataSchema = z.object({
  query: z.string(),
  /** How many results the search showed (0 = nothing found). */
  resultCount: z.number().int().nonnegative().optional(),
  url: z.string().optional(),
});

/** A help desk status in one vocabulary (Zendesk's, which the others map onto). */
const TICKET_STATUSES = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'] as const;
export const TicketStatusSchema = z.enum(TICKET_STATUSES);
export type TicketStatus = z.infer<typeof TicketStatusSchema>;

const TicketDataSchema = z.object({
  ticketId: z.string(),
  status: TicketStatusSchema,
  /** The help desk's own status name as sent ("Waiting on Customer", a custom status). */
  vendorStatus: z.string().optional(),
  previousStatus: TicketStatusSchema.optional(),
  subject: z.string().optional(),
  priority: z.enum(['low', 'normal', 'high', 'urgent']).optional(),
  /** How the ticket came in, in the help desk's words (`email`, `web`, `chat`, `voice`, `api`). */
  via: z.string().optional(),
  /** The agent-facing link to the ticket. */
  url: z.string().optional(),
  tags: z.array(z.string()).optional(),
  /** The requester's satisfaction rating once given, in the help desk's words (`good`, `bad`, `Extremely happy`). */
  satisfaction: z.object({ rating: z.string(), comment: z.string().optional() }).optional(),
  /**
   * The rating as a CSAT score (same shape as a survey's `score`, so the
   * CSAT metric reads both): a two-way rating good/bad is 5/1, so the share
   * of 4–5 equals the help desk's own good / (good + bad).
   */
  score: SurveyScoreSchema.optional(),
});

const ContactDataSchema = z.object({
  contactId: z.string().optional(),
  /** Fields that changed, by the vendor's names. */
  changes: z.record(z.string(), TraitValueSchema).optional(),
  /** Explicit preferred channel recorded in the CRM or by the customer. */
  preferredChannel: ChannelSchema.optional(),
});

const DealDataSchema = z.object({
  dealId: z.string(),
  stage: z.string(),
  previousStage: z.string().optional(),
  pipeline: z.string().optional(),
  amount: MoneySchema.optional(),
});

const ConsentDataSchema = z.object({
  channel: ChannelSchema,
  purpose: z.enum(['marketing', 'transactional', 'all']).default('all'),
  /** Why: "unsubscribed", "STOP keyword", "CRM opt-out", … */
  reason: z.string().optional(),
});

const CartAbandonedDataSchema = CartDataSchema.extend({
  /** When the cart last changed (the `cart.updated` this is about). */
  cartUpdatedAt: isoDateTime,
  /** Event id of that `cart.updated`. */
  cartEventId: z.string(),
});

const LeadUnansweredDataSchema = z.object({
  /** Event id of the `lead.submitted` / `callback.requested` nobody answered. */
  leadEventId: z.string(),
  leadType: z.enum(['lead.submitted', 'callback.requested']),
  /** Minutes the hub waited for an outbound message or a call. */
  waitedMinutes: z.number().int().positive(),
  formId: z.string().optional(),
});

const CustomerInactiveDataSchema = z.object({
  /** Her last interaction (a message, a call, a form, a cart, an order…) before the silence. */
  lastInteractionAt: isoDateTime,
  /** Event id of that interaction: one `customer.inactive` per silence. */
  lastInteractionEventId: z.string(),
  /** OMNIHUB_INACTIVE_DAYS when the event was made. */
  inactiveDays: z.number().positive(),
});

const CustomerBirthdayDataSchema = z.object({
  /** The birthday trait as stored (`1990-05-14`, `05-14` or `--05-14`). */
  birthday: z.string(),
  /** Her birthday this year, `YYYY-MM-DD` in her time zone. */
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  /** IANA zone the day was computed in (her `timezone` trait, else her phone's country). */
  timeZone: z.string(),
  /** Age she turns, when the trait has a year. */
  age: z.number().int().positive().optional(),
});

const AutomationRunDataSchema = z.object({
  /** The automation's name in `automations.config.ts`. */
  automation: z.string(),
  /** Event id of the event that started the run. */
  triggerEventId: z.string(),
  /** Set when a message was queued: the outbound message's id and the channel the plan chose. */
  messageId: z.string().optional(),
  sentChannel: ChannelSchema.optional(),
  /** Why nothing was sent: `unless_matched`, `frequency_cap`, `no_reachable_channel`, `template_required`, … */
  reason: z.string().optional(),
  /** A sentence for the timeline. */
  detail: z.string().max(500).optional(),
});

/** One row of a bulk import (a spreadsheet or an old CRM's export, `omnihub import`). */
const ImportDataSchema = z.object({
  /** Names the import in event ids: the same row of the same source is the same event, whatever run it comes in. */
  source: z.string().min(1).max(64),
  /** 1-based data row of the file (the header is row 0), for reports. */
  row: z.number().int().positive(),
  /** The source system's own id of the contact, when the mapping names a column for it. */
  externalId: z.string().max(256).optional(),
});

/** The event type catalogue: `type` → shape of `data`. */
export const EVENT_DATA_SCHEMAS = {
  'message.received': MessageDataSchema,
  'message.sent': MessageDataSchema,
  'message.delivered': MessageDataSchema,
  'message.read': MessageDataSchema,
  'message.failed': MessageDataSchema,
  'call.completed': CallDataSchema,
  'call.missed': CallDataSchema,
  'email.received': EmailDataSchema,
  'lead.submitted': FormDataSchema,
  'form.submitted': FormDataSchema,
  'callback.requested': FormDataSchema,
  'cart.updated': CartDataSchema,
  'checkout.started': CheckoutDataSchema,
  'product.viewed': ProductViewDataSchema,
  'search.performed': SearchDataSchema,
  'order.placed': OrderDataSchema,
  'order.paid': OrderDataSchema,
  'order.fulfilled': OrderDataSchema,
  'order.ready_for_pickup': OrderDataSchema,
  'order.cancelled': OrderDataSchema,
  'order.refunded': OrderDataSchema,
  'purchase.completed': OrderDataSchema,
  'contact.created': ContactDataSchema,
  'contact.updated': ContactDataSchema,
  'contact.imported': ImportDataSchema,
  'deal.stage_changed': DealDataSchema,
  'ticket.created': TicketDataSchema,
  'ticket.updated': TicketDataSchema,
  'ticket.solved': TicketDataSchema,
  'consent.granted': ConsentDataSchema,
  'consent.revoked': ConsentDataSchema,
  'cart.abandoned': CartAbandonedDataSchema,
  'lead.unanswered': LeadUnansweredDataSchema,
  'customer.inactive': CustomerInactiveDataSchema,
  'customer.birthday': CustomerBirthdayDataSchema,
  'automation.triggered': AutomationRunDataSchema,
  'automation.skipped': AutomationRunDataSchema,
} as const;

export type HubEventType = keyof typeof EVENT_DATA_SCHEMAS;
export const HUB_EVENT_TYPES = Object.keys(EVENT_DATA_SCHEMAS) as HubEventType[];

/** One-line description per type, for the generated catalogue. */
export const EVENT_TYPE_DESCRIPTIONS: Record<HubEventType, string> = {
  'message.received': 'The customer wrote to the business in a messenger, SMS or chat.',
  'message.sent': 'The business sent a message to the customer (status "sent").',
  'message.delivered': "An outbound message reached the customer's device.",
  'message.read': 'The customer read an outbound message.',
  'message.failed': 'An outbound message could not be delivered.',
  'call.completed': 'A phone call with the customer was answered and ended.',
  'call.missed': 'A call from or to the customer was not answered.',
  'email.received': 'The customer sent an email to the business.',
  'lead.submitted': 'A quiz or lead form on the website was completed with contacts.',
  'form.submitted': 'A non-lead form (survey, feedback) was submitted.',
  'callback.requested': 'The customer asked to be called back.',
  'cart.updated': "The customer's online cart changed.",
  'checkout.started': 'The customer started a checkout (an attempted purchase until an order follows).',
  'product.viewed': 'The customer looked at a product on the website or in the app.',
  'search.performed': 'The customer searched the website or the app.',
  'order.placed': 'An order was created (online or in the CRM).',
  'order.paid': 'An order was paid.',
  'order.fulfilled': 'An order was shipped, delivered or handed over.',
  'order.ready_for_pickup': 'An order is waiting for the customer at a pickup point or store.',
  'order.cancelled': 'An order was cancelled: it is not a sale (what was not refunded leaves revenue).',
  'order.refunded':
    'An order was refunded in full or in part, online or in a store; `orderId` is the order refunded, never a new one.',
  'purchase.completed': 'A purchase closed at a till (POS receipt).',
  'contact.created': 'A contact was created in a CRM or shop.',
  'contact.updated': 'A contact changed in a CRM or shop.',
  'contact.imported':
    'A contact loaded from a spreadsheet or an old CRM (`omnihub import`); its past orders come as `order.placed`.',
  'deal.stage_changed': 'A CRM deal or lead moved to another stage.',
  'ticket.created': 'The customer opened a support ticket (or one was opened for her).',
  'ticket.updated': 'A support ticket changed: status, priority, subject or a satisfaction rating.',
  'ticket.solved': 'A support ticket was solved or closed.',
  'consent.granted': 'The customer subscribed or opted in on a channel.',
  'consent.revoked': 'The customer unsubscribed or opted out on a channel.',
  'cart.abandoned':
    'Made by the hub: a cart changed and no order followed within OMNIHUB_ABANDONED_CART_HOURS (connector `automations`).',
  'lead.unanswered':
    'Made by the hub: a lead or callback request got no outbound message and no call within OMNIHUB_LEAD_UNANSWERED_MINUTES.',
  'customer.inactive':
    'Made by the hub: no interaction (message, call, form, cart, order…) for OMNIHUB_INACTIVE_DAYS; one per silence.',
  'customer.birthday':
    "Made by the hub on the customer's birthday (her `birthday` trait) at OMNIHUB_BIRTHDAY_TIME in her time zone.",
  'automation.triggered': 'An automation of automations.config.ts ran for the customer and queued its message.',
  'automation.skipped': 'An automation ran for the customer and sent nothing; `data.reason` says why.',
};

// ---------------------------------------------------------------- the customer on subscriber deliveries

/**
 * The small profile snapshot a subscription with `enrich: 'customer'`
 * receives with every event (`detail.profile`), read from the customer view
 * after the profile writer applied the event (docs/subscriptions.md).
 */
export const CustomerSnapshotSchema = z
  .object({
    /** The profile the event is in now: the survivor of every merge so far. */
    customerId: z.string().min(1),
    name: z.string().optional().meta({ description: '`traits.name`, else first and last name' }),
    preferredChannel: ChannelSchema.optional().meta({
      description: 'The channel she answers in (a stated preference first); never one she revoked',
    }),
    lifetimeValue: MoneySchema.optional(),
    consent: z
      .record(z.string(), z.enum(['granted', 'revoked']))
      .meta({ description: 'Consent per channel, as last stated; a channel never mentioned is absent' }),
    /** Grows with every write to the profile: of two snapshots of one customer, the higher version is newer. */
    version: z.number().int().nonnegative(),
    updatedAt: isoDateTime,
  })
  .describe('The customer the event belongs to, as the hub knows her after applying it');
export type CustomerSnapshot = z.infer<typeof CustomerSnapshotSchema>;

/**
 * Fields the dispatcher adds to the `detail` of an event it delivers to a
 * subscription with `enrich: 'customer'`; never on the bus itself.
 */
const enrichmentShape = {
  customerId: z.string().min(1).optional().meta({
    description:
      "Subscriber deliveries with `enrich: 'customer'`: the profile the event is in (the survivor after merges); absent when the hub keeps no profile for it",
  }),
  profile: CustomerSnapshotSchema.optional().meta({
    description:
      "Subscriber deliveries with `enrich: 'customer'`: the customer's snapshot; absent for an erased customer",
  }),
};

// ---------------------------------------------------------------- envelope

const envelopeShape = {
  schemaVersion: z.literal(SCHEMA_VERSION),
  /** Deterministic from connector + provider id: a redelivery yields the same id. */
  id: z.string().regex(/^evt_[0-9a-f]{32}$/),
  /** Registry key of the connector that produced the event. */
  connector: z.string().min(1).max(64),
  /** The provider's own id of the event/message, as the dedup key's input. */
  providerEventId: z.string().min(1).max(512),
  channel: ChannelSchema,
  occurredAt: isoDateTime,
  receivedAt: isoDateTime,
  customer: z.object({
    identities: z.array(IdentitySchema).min(1).max(50),
    traits: TraitsSchema.default({}),
  }),
  /** Human one-liner for the timeline: text snippet, call outcome, order total. */
  summary: z.string().max(280),
  /** True for an event re-published from the archive (replay). */
  replayed: z.boolean().optional(),
  ...enrichmentShape,
};

const variants = HUB_EVENT_TYPES.map((type) =>
  z.object({ ...envelopeShape, type: z.literal(type), data: EVENT_DATA_SCHEMAS[type] }),
) as unknown as [
  z.ZodObject<typeof envelopeShape & { type: z.ZodLiteral<HubEventType>; data: z.ZodTypeAny }>,
  ...z.ZodObject<typeof envelopeShape & { type: z.ZodLiteral<HubEventType>; data: z.ZodTypeAny }>[],
];

/** Discriminated on `type`; `data` is validated against that type's schema. */
export const HubEventSchema = z.discriminatedUnion('type', variants);

type Envelope = z.infer<z.ZodObject<typeof envelopeShape>>;
/** A hub event, with `data` typed by its `type`. */
export type HubEvent = {
  [T in HubEventType]: Envelope & { type: T; data: z.infer<(typeof EVENT_DATA_SCHEMAS)[T]> };
}[HubEventType];
export type HubEventOf<T extends HubEventType> = Extract<HubEvent, { type: T }>;

/** Validates and returns a typed event; throws a ZodError naming the bad field. */
export const parseHubEvent = (input: unknown): HubEvent => HubEventSchema.parse(input) as HubEvent;
