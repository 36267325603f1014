/**
 * Completes refunds/create and fulfillments/create|update deliveries: they
 * name their order but no customer, so the order is fetched from the Admin REST API
 * (`GET /admin/api/<version>/orders/<id>.json`) for the buyer's email, phone
 * and customer id. Runs in the hydrator, after Shopify got its 200.
 */
import { ValidationError } from '../../shared/errors.js';
import type { HubEvent } from '../../events/hub-event.js';
import { buildEvent } from '../shared/build-event.js';
import { validate } from '../shared/body.js';
import type { HydrateContext, HydrationRequest } from '../types.js';
import { currencyCode, decimalToMinor, formatMoney } from '../shared/money.js';
import { CONNECTOR, FULFILLMENT_HYDRATION, fulfillmentEvents, orderIdentities, REFUND_HYDRATION } from './normalize.js';
import { FulfillmentSchema, OrderSchema, parseLosslessJson, type ShopifyOrder } from './schema.js';
import * as z from 'zod';
import { vendorRequest } from '../shared/vendor-api.js';
import { SHOPIFY_API_VERSION } from './meta.js';

export { SHOPIFY_API_VERSION };

/** Only what the refund event needs; keeps the response small and the scope `read_orders`. */
const ORDER_FIELDS =
  'id,admin_graphql_api_id,name,order_number,email,contact_email,phone,currency,total_price,total_price_set,customer,billing_address,shipping_address';

const ItemsSchema = z.array(
  z.object({
    sku: z.string().optional(),
    name: z.string(),
    quantity: z.number().positive(),
    unitPrice: z.object({ amountMinor: z.number().int(), currency: z.string() }).optional(),
  }),
);

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value ? value : typeof value === 'number' ? String(value) : undefined;

/** `https://<shop>/admin/api/<version>`, unless `apiBaseUrl` points elsewhere (tests, proxies). */
const adminBaseUrl = (request: HydrationRequest, apiBaseUrl: string | undefined): string => {
  if (apiBaseUrl) return apiBaseUrl.replace(/\/+$/, '');
  const shop = text(request.params.shopDomain);
  if (!shop || !/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/i.test(shop)) {
    throw new Error(
      `Shopify refund ${text(request.params.refundId)}: no *.myshopify.com shop domain to call the Admin API on`,
    );
  }
  return `https://${shop}/admin/api/${SHOPIFY_API_VERSION}`;
};

const fetchOrder = async (request: HydrationRequest, ctx: HydrateContext, orderId: string) => {
  const token = ctx.secrets.apiToken;
  if (!token)
    throw new Error(
      'Shopify refunds and fulfillments need the Admin API access token (apiToken, scope read_orders) to find the customer',
    );
  const url = `${adminBaseUrl(request, ctx.secrets.apiBaseUrl)}/orders/${encodeURIComponent(orderId)}.json?fields=${ORDER_FIELDS}`;
  const res = await ctx.fetch(
    url,
    vendorRequest({ headers: { 'X-Shopify-Access-Token': token, Accept: 'application/json' } }),
  );
  // A deleted order has nobody to attribute the refund to; retrying cannot help.
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`Shopify Admin API answered ${res.status} for order ${orderId}`);
  const json = parseLosslessJson(await res.text()) as { order?: unknown };
  return validate(OrderSchema, json.order, `Shopify order ${orderId}`);
};

/** The order's total in shop money, else `fallback`. */
const orderTotal = (order: ShopifyOrder, fallback?: { amountMinor: number; currency: string }) => {
  const currency = currencyCode(order.total_price_set?.shop_money?.currency_code) ?? currencyCode(order.currency);
  const minor = currency
    ? decimalToMinor(order.total_price_set?.shop_money?.amount ?? order.total_price, currency)
    : undefined;
  return minor === undefined || !currency ? fallback : { amountMinor: minor, currency };
};

const nameOf = (order: ShopifyOrder, orderId: string): string =>
  order.name ??
  (order.order_number !== null && order.order_number !== undefined ? String(order.order_number) : orderId);

/** The `order.fulfilled` / `order.ready_for_pickup` events of a fulfillment, with the buyer of its order. */
const hydrateFulfillment = async (request: HydrationRequest, ctx: HydrateContext): Promise<HubEvent[]> => {
  const orderId = text(request.params.orderId);
  const raw = text(request.params.fulfillment);
  if (!orderId || !raw) throw new ValidationError('Shopify fulfillment hydration needs orderId and fulfillment');
  const fulfillment = validate(FulfillmentSchema, JSON.parse(raw), 'Shopify fulfillment');
  const order = await fetchOrder(request, ctx, orderId);
  if (!order) return [];
  const total = orderTotal(order);
  if (!total) return [];
  const known = {
    orderId,
    name: nameOf(order, orderId),
    total,
    items: [],
    identities: orderIdentities(order),
    traits: { firstName: order.customer?.first_name ?? undefined, lastName: order.customer?.last_name ?? undefined },
  };
  return fulfillmentEvents(fulfillment, known, text(request.params.shopDomain), {
    receivedAt: request.receivedAt,
    defaultCountry: ctx.defaultCountry,
  }).events;
};

/** The `order.refunded` event of a refund (or the lifecycle events of a fulfillment), with the customer of its order. */
export const hydrateShopify = async (request: HydrationRequest, ctx: HydrateContext): Promise<HubEvent[]> => {
  if (request.kind === FULFILLMENT_HYDRATION) return hydrateFulfillment(request, ctx);
  if (request.kind !== REFUND_HYDRATION) throw new ValidationError(`Shopify cannot hydrate ${request.kind}`);
  const orderId = text(request.params.orderId);
  const currency = currencyCode(text(request.params.currency));
  const refundedMinor = request.params.refundedMinor;
  if (!orderId || !currency || typeof refundedMinor !== 'number')
    throw new ValidationError('Shopify refund hydration needs orderId, currency and refundedMinor');
  const order = await fetchOrder(request, ctx, orderId);
  if (!order) return [];

  const refunded = { amountMinor: refundedMinor, currency };
  const total = orderTotal(order, refunded) ?? refunded;
  const items = ItemsSchema.safeParse(JSON.parse(text(request.params.items) ?? '[]'));
  const orderName =
    order.name ??
    (order.order_number !== null && order.order_number !== undefined ? String(order.order_number) : undefined);
  const event = buildEvent(
    {
      connector: CONNECTOR,
      providerEventId: request.providerEventId,
      type: 'order.refunded',
      channel: 'ecommerce',
      occurredAt: request.occurredAt,
      identities: orderIdentities(order),
      traits: { firstName: order.customer?.first_name ?? undefined, lastName: order.customer?.last_name ?? undefined },
      summary: `Order ${orderName ?? orderId} refunded: ${formatMoney(refunded)}`,
      data: {
        orderId,
        orderNumber: orderName ?? undefined,
        total,
        items: items.success ? items.data : [],
        store: text(request.params.shopDomain),
        refunded,
      },
    },
    { receivedAt: request.receivedAt, defaultCountry: ctx.defaultCountry },
  );
  return event ? [event] : [];
};
