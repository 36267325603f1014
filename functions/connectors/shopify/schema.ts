/**
 * Shopify webhook payloads (REST-style JSON of the Admin API resources),
 * written from the sample payloads of https://shopify.dev/docs/api/webhooks
 * (orders/create, refunds/create, customers/update, the two marketing
 * consent topics). Objects are `.loose()`; only what the normalizer reads is
 * declared, and almost everything is optional because Shopify trims
 * payloads per API version (2025-01 dropped the consent fields from
 * customers, 2024-01 dropped `accepts_marketing`).
 *
 * Ids: Shopify ids are JSON numbers that exceed 2^53. The body is decoded by
 * `parseLosslessJson`, which turns every integer literal of 16+ digits into
 * a string before `JSON.parse` sees it, so `IdSchema` gets the exact digits.
 */
import { z } from 'zod';

/** An id as the exact decimal string, whether Shopify sent a string or a (safe) number. */
export const IdSchema = z.union([z.string().min(1), z.number().int()]).transform(String);

/** Decimal amount: a string (`"403.00"`, the norm) or a number (refund line `subtotal: 89.99`). */
const AmountSchema = z.union([z.string(), z.number()]);

const MoneySchema = z
  .object({ amount: AmountSchema, currency_code: z.string().nullish(), currency: z.string().nullish() })
  .loose();

/** `{ shop_money, presentment_money }`: shop money is in the shop's own currency, which the hub reports. */
export const MoneySetSchema = z
  .object({ shop_money: MoneySchema.nullish(), presentment_money: MoneySchema.nullish() })
  .loose();
export type ShopifyMoneySet = z.infer<typeof MoneySetSchema>;

export const AddressSchema = z
  .object({
    phone: z.string().nullish(),
    first_name: z.string().nullish(),
    last_name: z.string().nullish(),
    name: z.string().nullish(),
    country_code: z.string().nullish(),
  })
  .loose();
export type ShopifyAddress = z.infer<typeof AddressSchema>;

/** Marketing consent object (email or SMS), as sent before API 2025-01 and by the consent topics. */
export const ConsentSchema = z
  .object({
    state: z.string().nullish(),
    opt_in_level: z.string().nullish(),
    consent_updated_at: z.string().nullish(),
  })
  .loose();
export type ShopifyConsent = z.infer<typeof ConsentSchema>;

export const CustomerSchema = z
  .object({
    id: IdSchema,
    email: z.string().nullish(),
    phone: z.string().nullish(),
    first_name: z.string().nullish(),
    last_name: z.string().nullish(),
    state: z.string().nullish(),
    created_at: z.string().nullish(),
    updated_at: z.string().nullish(),
    admin_graphql_api_id: z.string().nullish(),
    /** Deprecated 2022-04, removed 2024-01; read only when the consent objects are absent. */
    accepts_marketing: z.boolean().nullish(),
    accepts_marketing_updated_at: z.string().nullish(),
    email_marketing_consent: ConsentSchema.nullish(),
    sms_marketing_consent: ConsentSchema.nullish(),
    default_address: AddressSchema.nullish(),
  })
  .loose();
export type ShopifyCustomer = z.infer<typeof CustomerSchema>;

export const LineItemSchema = z
  .object({
    id: IdSchema.optional(),
    sku: z.string().nullish(),
    name: z.string().nullish(),
    title: z.string().nullish(),
    quantity: z.number(),
    price: AmountSchema.nullish(),
    price_set: MoneySetSchema.nullish(),
  })
  .loose();
export type ShopifyLineItem = z.infer<typeof LineItemSchema>;

export const OrderSchema = z
  .object({
    id: IdSchema,
    admin_graphql_api_id: z.string().nullish(),
    name: z.string().nullish(),
    order_number: z.union([z.number(), z.string()]).nullish(),
    email: z.string().nullish(),
    contact_email: z.string().nullish(),
    phone: z.string().nullish(),
    currency: z.string().nullish(),
    total_price: AmountSchema.nullish(),
    total_price_set: MoneySetSchema.nullish(),
    financial_status: z.string().nullish(),
    created_at: z.string().nullish(),
    processed_at: z.string().nullish(),
    updated_at: z.string().nullish(),
    line_items: z.array(LineItemSchema).default([]),
    discount_codes: z.array(z.object({ code: z.string() }).loose()).default([]),
    customer: CustomerSchema.nullish(),
    billing_address: AddressSchema.nullish(),
    shipping_address: AddressSchema.nullish(),
    test: z.boolean().nullish(),
  })
  .loose();
export type ShopifyOrder = z.infer<typeof OrderSchema>;

export const RefundTransactionSchema = z
  .object({
    kind: z.string().nullish(),
    status: z.string().nullish(),
    amount: AmountSchema.nullish(),
    currency: z.string().nullish(),
  })
  .loose();

export const RefundLineItemSchema = z
  .object({
    quantity: z.number(),
    subtotal: AmountSchema.nullish(),
    subtotal_set: MoneySetSchema.nullish(),
    total_tax_set: MoneySetSchema.nullish(),
    line_item: LineItemSchema.nullish(),
  })
  .loose();

export const RefundSchema = z
  .object({
    id: IdSchema,
    order_id: IdSchema,
    admin_graphql_api_id: z.string().nullish(),
    created_at: z.string().nullish(),
    processed_at: z.string().nullish(),
    note: z.string().nullish(),
    refund_line_items: z.array(RefundLineItemSchema).default([]),
    transactions: z.array(RefundTransactionSchema).default([]),
    total_duties_set: MoneySetSchema.nullish(),
  })
  .loose();
export type ShopifyRefund = z.infer<typeof RefundSchema>;

/** `customers_email_marketing_consent/update`. */
export const EmailConsentUpdateSchema = z
  .object({
    customer_id: IdSchema,
    email_address: z.string().nullish(),
    email_marketing_consent: ConsentSchema.nullish(),
  })
  .loose();
export type ShopifyEmailConsentUpdate = z.infer<typeof EmailConsentUpdateSchema>;

/** `customers_marketing_consent/update` (SMS). */
export const SmsConsentUpdateSchema = z
  .object({ id: IdSchema, phone: z.string().nullish(), sms_marketing_consent: ConsentSchema.nullish() })
  .loose();
export type ShopifySmsConsentUpdate = z.infer<typeof SmsConsentUpdateSchema>;

/** Topics the hub maps, with the schema of their body. */
export const TOPIC_SCHEMAS = {
  'orders/create': OrderSchema,
  'orders/paid': OrderSchema,
  'refunds/create': RefundSchema,
  'customers/create': CustomerSchema,
  'customers/update': CustomerSchema,
  'customers_email_marketing_consent/update': EmailConsentUpdateSchema,
  'customers_marketing_consent/update': SmsConsentUpdateSchema,
} as const;
export type ShopifyTopic = keyof typeof TOPIC_SCHEMAS;

export const isKnownTopic = (topic: string): topic is ShopifyTopic => Object.hasOwn(TOPIC_SCHEMAS, topic);

/** Delivery metadata Shopify sends as headers; `parse` carries them into the payload. */
export interface ShopifyHeaders {
  /** `X-Shopify-Webhook-Id`: identical across retries of one delivery (dedup key). */
  readonly webhookId?: string | undefined;
  /** `X-Shopify-Event-Id`: one merchant action fanned out to several topics. */
  readonly eventId?: string | undefined;
  /** `X-Shopify-Shop-Domain`: the `*.myshopify.com` tenant. */
  readonly shopDomain?: string | undefined;
  /** `X-Shopify-Triggered-At`: when Shopify triggered the delivery (not signed). */
  readonly triggeredAt?: string | undefined;
  readonly apiVersion?: string | undefined;
}

type BodyOf<T extends ShopifyTopic> = z.infer<(typeof TOPIC_SCHEMAS)[T]>;

/** A body the hub maps, tagged with its topic. */
export type ShopifyKnownBody = { [T in ShopifyTopic]: { readonly topic: T; readonly body: BodyOf<T> } }[ShopifyTopic];

/** What `parse` hands to `normalize`: the topic, the delivery headers and, for mapped topics, the validated body. */
export interface ShopifyDelivery extends ShopifyHeaders {
  /** `X-Shopify-Topic`, e.g. `orders/create`. */
  readonly topic: string;
  /** Set for the topics in `TOPIC_SCHEMAS`; other topics are acknowledged and ignored. */
  readonly known?: ShopifyKnownBody | undefined;
}

/**
 * JSON.parse that keeps integers of 16+ digits exact by turning them into
 * strings first. The scanner matches whole string literals first, so digits
 * inside strings are never touched; a number is rewritten only when it stands
 * alone (not part of a fraction or exponent).
 */
export const parseLosslessJson = (text: string): unknown =>
  JSON.parse(
    text.replace(/"(?:[^"\\]|\\.)*"|(?<![\w.+-])-?\d{16,}(?![\d.eE])/g, (token) =>
      token.startsWith('"') ? token : `"${token}"`,
    ),
  );
