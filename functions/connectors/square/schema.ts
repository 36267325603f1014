/**
 * Square webhook notifications, written from the Square API reference
 * (https://developer.squareup.com/reference/square/webhooks) and the
 * payment.created / payment.updated examples. Every notification has the
 * same envelope; `data.object` holds the changed resource under its type
 * name (`payment`, `refund`, `order_created`, `customer`). Objects are
 * `.loose()`; money is already in minor units (`{ amount, currency }`).
 */
import * as z from 'zod';

const SquareMoneySchema = z.object({ amount: z.number().int(), currency: z.string() }).loose();
export type SquareMoney = z.infer<typeof SquareMoneySchema>;

export const SquarePaymentSchema = z
  .object({
    id: z.string().min(1),
    status: z.string(),
    created_at: z.string().optional(),
    updated_at: z.string().optional(),
    amount_money: SquareMoneySchema.optional(),
    total_money: SquareMoneySchema.optional(),
    refunded_money: SquareMoneySchema.optional(),
    /** CARD, CASH, EXTERNAL, WALLET, BANK_ACCOUNT, BUY_NOW_PAY_LATER, SQUARE_ACCOUNT. */
    source_type: z.string().optional(),
    card_details: z
      .object({
        status: z.string().optional(),
        /** KEYED, SWIPED, EMV, ON_FILE, CONTACTLESS. */
        entry_method: z.string().optional(),
      })
      .loose()
      .optional(),
    location_id: z.string().optional(),
    order_id: z.string().optional(),
    customer_id: z.string().optional(),
    buyer_email_address: z.string().optional(),
    receipt_number: z.string().optional(),
    receipt_url: z.string().optional(),
  })
  .loose();
export type SquarePayment = z.infer<typeof SquarePaymentSchema>;

export const SquareRefundSchema = z
  .object({
    id: z.string().min(1),
    status: z.string(),
    amount_money: SquareMoneySchema,
    payment_id: z.string().optional(),
    order_id: z.string().optional(),
    location_id: z.string().optional(),
    reason: z.string().optional(),
    created_at: z.string().optional(),
    updated_at: z.string().optional(),
  })
  .loose();
export type SquareRefund = z.infer<typeof SquareRefundSchema>;

/** `order.created` carries only the id and state: the order is fetched. */
export const SquareOrderCreatedSchema = z
  .object({
    order_id: z.string().min(1),
    location_id: z.string().optional(),
    state: z.string().optional(),
    version: z.number().optional(),
    created_at: z.string().optional(),
  })
  .loose();
export type SquareOrderCreated = z.infer<typeof SquareOrderCreatedSchema>;

/** `order.updated`: the order's id, version and new state (`OPEN`, `COMPLETED`, `CANCELED`, `DRAFT`); the order is fetched. */
export const SquareOrderUpdatedSchema = SquareOrderCreatedSchema.extend({ updated_at: z.string().optional() });
export type SquareOrderUpdated = z.infer<typeof SquareOrderUpdatedSchema>;

/**
 * `order.fulfillment.updated`: which fulfillments changed state
 * (`PROPOSED` → `RESERVED` → `PREPARED` → `COMPLETED`, or `CANCELED` /
 * `FAILED`); `old_state` is absent for a fulfillment created in this version.
 */
export const SquareOrderFulfillmentUpdatedSchema = SquareOrderUpdatedSchema.extend({
  fulfillment_update: z
    .array(
      z
        .object({
          fulfillment_uid: z.string().min(1),
          old_state: z.string().optional(),
          new_state: z.string().optional(),
        })
        .loose(),
    )
    .default([]),
});
export type SquareOrderFulfillmentUpdated = z.infer<typeof SquareOrderFulfillmentUpdatedSchema>;

export const SquareCustomerSchema = z
  .object({
    id: z.string().min(1),
    given_name: z.string().optional(),
    family_name: z.string().optional(),
    email_address: z.string().optional(),
    phone_number: z.string().optional(),
    created_at: z.string().optional(),
    updated_at: z.string().optional(),
    version: z.number().optional(),
  })
  .loose();
export type SquareCustomer = z.infer<typeof SquareCustomerSchema>;

const SquareOrderLineItemSchema = z
  .object({
    name: z.string().optional(),
    variation_name: z.string().optional(),
    catalog_object_id: z.string().optional(),
    /** A decimal string: "1", "0.5" (sold by weight). */
    quantity: z.string(),
    base_price_money: SquareMoneySchema.optional(),
  })
  .loose();

const RecipientSchema = z
  .object({
    customer_id: z.string().optional(),
    email_address: z.string().optional(),
    phone_number: z.string().optional(),
    display_name: z.string().optional(),
  })
  .loose();

/** An order as `GET /v2/orders/{id}` returns it. */
export const SquareOrderSchema = z
  .object({
    id: z.string().min(1),
    location_id: z.string().optional(),
    customer_id: z.string().optional(),
    state: z.string().optional(),
    created_at: z.string().optional(),
    reference_id: z.string().optional(),
    total_money: SquareMoneySchema.optional(),
    line_items: z.array(SquareOrderLineItemSchema).default([]),
    discounts: z.array(z.object({ name: z.string().optional() }).loose()).default([]),
    fulfillments: z
      .array(
        z
          .object({
            uid: z.string().optional(),
            /** `PICKUP`, `SHIPMENT`, `DELIVERY`, `DIGITAL`, `SIMPLE`. */
            type: z.string().optional(),
            state: z.string().optional(),
            pickup_details: z
              .object({ recipient: RecipientSchema.optional(), ready_at: z.string().optional() })
              .loose()
              .optional(),
            shipment_details: z
              .object({
                recipient: RecipientSchema.optional(),
                carrier: z.string().optional(),
                tracking_number: z.string().optional(),
                tracking_url: z.string().optional(),
              })
              .loose()
              .optional(),
            delivery_details: z.object({ recipient: RecipientSchema.optional() }).loose().optional(),
          })
          .loose(),
      )
      .default([]),
    source: z.object({ name: z.string().optional() }).loose().optional(),
    /** Refunds of the order's tenders so far (`PENDING`, `APPROVED`, `REJECTED`, `FAILED`). */
    refunds: z
      .array(
        z.object({ id: z.string().optional(), status: z.string().optional(), amount_money: SquareMoneySchema }).loose(),
      )
      .default([]),
  })
  .loose();
export type SquareOrder = z.infer<typeof SquareOrderSchema>;

export const SquareEnvelopeSchema = z
  .object({
    merchant_id: z.string().optional(),
    type: z.string().min(1),
    event_id: z.string().min(1),
    created_at: z.string().optional(),
    data: z
      .object({
        type: z.string().optional(),
        id: z.string().optional(),
        object: z.record(z.string(), z.unknown()).optional(),
      })
      .loose(),
  })
  .loose();
export type SquareEnvelope = z.infer<typeof SquareEnvelopeSchema>;

/** The resource of a notification the hub maps, validated by its type. */
export type SquareResource =
  | { readonly kind: 'payment'; readonly payment: SquarePayment }
  | { readonly kind: 'refund'; readonly refund: SquareRefund }
  | { readonly kind: 'order_created'; readonly order: SquareOrderCreated }
  | { readonly kind: 'order_updated'; readonly order: SquareOrderUpdated }
  | { readonly kind: 'order_fulfillment_updated'; readonly order: SquareOrderFulfillmentUpdated }
  | { readonly kind: 'customer'; readonly customer: SquareCustomer }
  | { readonly kind: 'other' };

export interface SquareNotification {
  readonly envelope: SquareEnvelope;
  readonly resource: SquareResource;
}
