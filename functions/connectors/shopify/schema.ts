/**
 * Shopify webhook payloads (REST-style JSON of the Admin API resources),
 * written from the sample payloads of https://shopify.dev/docs/api/webhooks
 * (orders/create, refunds/create, customers/update, the two marketing
 * consent topics). Objects are `.loose()`; only what the normalizer reads is
 * declared, and almost everything is optional because Shopify trims
 * payloads per API version (2025-01 dropped the consent fields from
 * customers, 2024-01 dropped `accepts_marketing`).
 *
 * What a body *is* comes from the body (`shopifyBodyKind`), never from the
 * `X-Shopify-Topic` header: the HMAC covers the body only, so anyone holding
 * one genuine delivery could resend it under another topic.
 *
 * Ids: Shopify ids are JSON numbers that exceed 2^53. The body is decoded by
 * `parseLosslessJson`, which turns every integer literal of 16+ digits into
 * a string before `JSON.parse` sees it, so `IdSchema` gets the exact digits.
 */
import * as z from 'zod';

/** An id as the exact decimal string, whether Shopify sent a string or a (safe) number. */
const IdSchema = z.union([z.string().min(1), z.number().int()]).transform(String);

/** Decimal amount: a string (`"403.00"`, the norm) or a number (refund line `subtotal: 89.99`). */
const AmountSchema = z.union([z.string(), z.number()]);

const MoneySchema = z
  .object({ amount: AmountSchema, currency_code: z.string().nullish(), currency: z.string().nullish() })
  .loose();

/** `{ shop_money, presentment_money }`: shop money is in the shop's own currency, which the hub reports. */
const MoneySetSchema = z
  .object({ shop_money: MoneySchema.nullish(), presentment_money: MoneySchema.nullish() })
  .loose();
export type ShopifyMoneySet = z.infer<typeof MoneySetSchema>;

const AddressSchema = z
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
const ConsentSchema = z
  .object({
    state: z.string().nullish(),
    opt_in_level: z.string().nullish(),
    consent_updated_at: z.string().nullish(),
  })
  .loose();
export type ShopifyConsent = z.infer<typeof ConsentSchema>;

const CustomerSchema = z
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

const LineItemSchema = z
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

const RefundTransactionSchema = z
  .object({
    kind: z.string().nullish(),
    status: z.string().nullish(),
    amount: AmountSchema.nullish(),
    currency: z.string().nullish(),
    /** A transaction of a test gateway (Bogus, Shopify Payments test mode). */
    test: z.boolean().nullish(),
  })
  .loose();

const RefundLineItemSchema = z
  .object({
    quantity: z.number(),
    subtotal: AmountSchema.nullish(),
    subtotal_set: MoneySetSchema.nullish(),
    total_tax_set: MoneySetSchema.nullish(),
    line_item: LineItemSchema.nullish(),
  })
  .loose();

const RefundSchema = z
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

/**
 * A fulfillment (fulfillments/create|update, and each entry of an order's
 * `fulfillments`): a shipment or a handover of some of the order's items.
 * `status` is the fulfillment's (`pending`, `open`, `success`, `cancelled`,
 * `error`, `failure`); `shipment_status` the carrier's last word on the
 * parcel (`label_printed`, `in_transit`, `out_for_delivery`,
 * `ready_for_pickup`, `delivered`, `failure`, …).
 */
export const FulfillmentSchema = z
  .object({
    id: IdSchema,
    order_id: IdSchema.nullish(),
    admin_graphql_api_id: z.string().nullish(),
    name: z.string().nullish(),
    status: z.string().nullish(),
    shipment_status: z.string().nullish(),
    service: z.string().nullish(),
    location_id: IdSchema.nullish(),
    tracking_company: z.string().nullish(),
    tracking_number: z.string().nullish(),
    tracking_numbers: z.array(z.string()).nullish(),
    tracking_url: z.string().nullish(),
    tracking_urls: z.array(z.string()).nullish(),
    created_at: z.string().nullish(),
    updated_at: z.string().nullish(),
    line_items: z.array(LineItemSchema).default([]),
  })
  .loose();
export type ShopifyFulfillment = z.infer<typeof FulfillmentSchema>;

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
    /** Shopify's "Send test notification" sample and orders of a test gateway: not sales. */
    test: z.boolean().nullish(),
    /** Set once the order is cancelled (with `cancel_reason`). */
    cancelled_at: z.string().nullish(),
    cancel_reason: z.string().nullish(),
    /** Refunds issued so far; every order topic carries them. */
    refunds: z.array(RefundSchema).default([]),
    /** `fulfilled`, `partial`, `restocked` or null (nothing shipped yet). */
    fulfillment_status: z.string().nullish(),
    /** Shipments and handovers so far; every order topic carries them. */
    fulfillments: z.array(FulfillmentSchema).default([]),
  })
  .loose();
export type ShopifyOrder = z.infer<typeof OrderSchema>;

/**
 * checkouts/create|update: a checkout the buyer started. `token` is the key
 * an order's `checkout_token` repeats; `cart_token` names the cart it came
 * from; `completed_at` is set once it became an order.
 */
const CheckoutSchema = z
  .object({
    id: IdSchema.nullish(),
    token: z.string().min(1),
    cart_token: z.string().nullish(),
    name: z.string().nullish(),
    email: z.string().nullish(),
    phone: z.string().nullish(),
    customer: CustomerSchema.nullish(),
    billing_address: AddressSchema.nullish(),
    shipping_address: AddressSchema.nullish(),
    line_items: z.array(LineItemSchema).default([]),
    currency: z.string().nullish(),
    presentment_currency: z.string().nullish(),
    total_price: AmountSchema.nullish(),
    total_price_set: MoneySetSchema.nullish(),
    discount_codes: z.array(z.object({ code: z.string() }).loose()).default([]),
    abandoned_checkout_url: z.string().nullish(),
    created_at: z.string().nullish(),
    updated_at: z.string().nullish(),
    completed_at: z.string().nullish(),
  })
  .loose();
export type ShopifyCheckout = z.infer<typeof CheckoutSchema>;

/** carts/create|update: an online store cart. It names no buyer at all (no email, phone or customer). */
const CartSchema = z
  .object({
    id: z.string().min(1),
    token: z.string().nullish(),
    line_items: z.array(LineItemSchema).default([]),
    updated_at: z.string().nullish(),
    created_at: z.string().nullish(),
  })
  .loose();
export type ShopifyCart = z.infer<typeof CartSchema>;

/** `customers_email_marketing_consent/update`. */
const EmailConsentUpdateSchema = z
  .object({
    customer_id: IdSchema,
    email_address: z.string().nullish(),
    email_marketing_consent: ConsentSchema.nullish(),
  })
  .loose();
export type ShopifyEmailConsentUpdate = z.infer<typeof EmailConsentUpdateSchema>;

/** `customers_marketing_consent/update` (SMS). */
const SmsConsentUpdateSchema = z
  .object({ id: IdSchema, phone: z.string().nullish(), sms_marketing_consent: ConsentSchema.nullish() })
  .loose();
export type ShopifySmsConsentUpdate = z.infer<typeof SmsConsentUpdateSchema>;

/** The bodies the hub maps, by what they are, with their schema. */
export const BODY_SCHEMAS = {
  order: OrderSchema,
  refund: RefundSchema,
  customer: CustomerSchema,
  emailConsent: EmailConsentUpdateSchema,
  smsConsent: SmsConsentUpdateSchema,
  checkout: CheckoutSchema,
  cart: CartSchema,
  fulfillment: FulfillmentSchema,
} as const;
export type ShopifyBodyKind = keyof typeof BODY_SCHEMAS;

/** `admin_graphql_api_id` resource types → body kind. */
const GID_KINDS: Readonly<Record<string, ShopifyBodyKind>> = {
  Order: 'order',
  Refund: 'refund',
  Customer: 'customer',
  Fulfillment: 'fulfillment',
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * What a (signed) body is. The resource's own `admin_graphql_api_id`
 * (`gid://shopify/Order/…`) decides when present; the consent topics carry
 * none, and older payloads may lack it, so the shape decides then. A draft
 * order or product is not an order, whatever the header says: a string says
 * what it is instead, for `ignored`.
 */
export const shopifyBodyKind = (json: Readonly<Record<string, unknown>>): ShopifyBodyKind | string => {
  const has = (key: string) => Object.hasOwn(json, key);
  const gidType =
    typeof json.admin_graphql_api_id === 'string'
      ? /^gid:\/\/shopify\/([A-Za-z]+)\//.exec(json.admin_graphql_api_id)?.[1]
      : undefined;
  if (gidType) return Object.hasOwn(GID_KINDS, gidType) ? (GID_KINDS[gidType] as ShopifyBodyKind) : `a ${gidType}`;
  if (has('customer_id') && isObject(json.email_marketing_consent)) return 'emailConsent';
  if (has('id') && isObject(json.sms_marketing_consent) && !has('email') && !has('first_name')) return 'smsConsent';
  if (has('order_id') && has('refund_line_items')) return 'refund';
  if (has('line_items') && has('financial_status')) return 'order';
  // A checkout carries its recovery link and cart token; a cart only its token and lines (and no buyer).
  if (has('token') && has('line_items') && (has('abandoned_checkout_url') || has('cart_token'))) return 'checkout';
  if (has('token') && has('line_items') && !has('email') && !has('customer')) return 'cart';
  if (has('id') && !has('line_items') && (has('email') || has('first_name') || has('last_name'))) return 'customer';
  return 'a body that is no order, refund, fulfillment, checkout, cart, customer or consent';
};

type BodyOf<K extends ShopifyBodyKind> = z.infer<(typeof BODY_SCHEMAS)[K]>;

/** A body the hub maps, tagged with what it is. */
export type ShopifyKnownBody = {
  [K in ShopifyBodyKind]: { readonly kind: K; readonly body: BodyOf<K> };
}[ShopifyBodyKind];

/** Delivery metadata Shopify sends as headers (none of it signed); `parse` carries it along. */
export interface ShopifyHeaders {
  /** `X-Shopify-Topic`, e.g. `orders/create`: only quoted in `ignored`, never trusted. */
  readonly topic?: string | undefined;
  /** `X-Shopify-Webhook-Id`: logged, never the dedup key (a replay can carry a fresh one). */
  readonly webhookId?: string | undefined;
  /** `X-Shopify-Shop-Domain`: the `*.myshopify.com` tenant. */
  readonly shopDomain?: string | undefined;
  /** `X-Shopify-Triggered-At`: when Shopify triggered the delivery (not signed). */
  readonly triggeredAt?: string | undefined;
  readonly apiVersion?: string | undefined;
}

/** What `parse` hands to `normalize`: the headers and, for the bodies the hub maps, the validated body. */
export interface ShopifyDelivery extends ShopifyHeaders {
  /** Set when the body is one the hub maps (`BODY_SCHEMAS`). */
  readonly known?: ShopifyKnownBody | undefined;
  /** Otherwise, what the body is (`a DraftOrder`, …), for `ignored`. */
  readonly unmapped?: string | undefined;
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
