/**
 * WooCommerce webhook bodies. A webhook on an API resource (order,
 * customer) posts "exactly the same as if requested via the REST API"
 * (https://woocommerce.github.io/woocommerce-rest-api-docs/#webhooks), so
 * these are the REST v3 Order and Customer resources of
 * https://woocommerce.github.io/woocommerce-rest-api-docs/#order-properties,
 * `.loose()`, declaring only what the normalizer reads. Money is decimal
 * strings (`"29.35"`), ids are integers (`customer_id: 0` for guests), the
 * `_gmt` dates are UTC without an offset.
 *
 * What a body is comes from the body, not the unsigned `X-WC-Webhook-Topic`
 * / `-Resource` headers: an order has `order_key` and `line_items`, a
 * customer has `username` or `role` and no `line_items`.
 */
import * as z from 'zod';

const Id = z.union([z.number().int(), z.string().regex(/^\d+$/)]).transform(String);
/** `"29.35"`; some extensions send numbers. */
const Amount = z.union([z.string(), z.number()]);

const WooAddressSchema = z
  .object({
    first_name: z.string().nullish(),
    last_name: z.string().nullish(),
    email: z.string().nullish(),
    phone: z.string().nullish(),
    country: z.string().nullish(),
    city: z.string().nullish(),
  })
  .loose();
export type WooAddress = z.infer<typeof WooAddressSchema>;

const WooLineItemSchema = z
  .object({
    id: Id.optional(),
    name: z.string().nullish(),
    product_id: Id.nullish(),
    sku: z.string().nullish(),
    quantity: z.number(),
    price: Amount.nullish(),
    total: Amount.nullish(),
  })
  .loose();
export type WooLineItem = z.infer<typeof WooLineItemSchema>;

export const WooOrderSchema = z
  .object({
    id: Id,
    number: z.union([z.string(), z.number()]).transform(String).nullish(),
    order_key: z.string(),
    status: z.string(),
    currency: z.string(),
    total: Amount,
    customer_id: Id.default('0'),
    created_via: z.string().nullish(),
    date_created_gmt: z.string().nullish(),
    date_modified_gmt: z.string().nullish(),
    date_paid_gmt: z.string().nullish(),
    date_completed_gmt: z.string().nullish(),
    billing: WooAddressSchema.nullish(),
    shipping: WooAddressSchema.nullish(),
    line_items: z.array(WooLineItemSchema).default([]),
    coupon_lines: z.array(z.object({ code: z.string() }).loose()).default([]),
    /** `{ id, reason, total }` per refund; `total` is negative in real deliveries ("-10.00"). */
    refunds: z.array(z.object({ id: Id, reason: z.string().nullish(), total: Amount }).loose()).default([]),
  })
  .loose();
export type WooOrder = z.infer<typeof WooOrderSchema>;

export const WooCustomerSchema = z
  .object({
    id: Id,
    email: z.string().nullish(),
    first_name: z.string().nullish(),
    last_name: z.string().nullish(),
    username: z.string().nullish(),
    role: z.string().nullish(),
    date_created_gmt: z.string().nullish(),
    date_modified_gmt: z.string().nullish(),
    billing: WooAddressSchema.nullish(),
  })
  .loose();
export type WooCustomer = z.infer<typeof WooCustomerSchema>;

/** What `parse` hands to `normalize`. */
export type WooDelivery =
  | { readonly kind: 'ping'; readonly webhookId: string }
  | { readonly kind: 'order'; readonly order: WooOrder; readonly source?: string | undefined }
  | { readonly kind: 'customer'; readonly customer: WooCustomer; readonly source?: string | undefined }
  /** A body the hub does not map (product, coupon, `{ "id": N }` of a deletion, a custom action), named for `ignored`. */
  | { readonly kind: 'other'; readonly what: string };
