/**
 * Completes Poster hooks from the Poster web API
 * (`GET {base}/{method}?token=…`, base default https://joinposter.com/api):
 *
 * - a closed receipt: `dash.getTransaction` (status, payments, client,
 *   products) → `dash.getTransactionProducts` (product names and SKUs) →
 *   `clients.getClient` (phone, email, loyalty card) → `purchase.completed`;
 * - a client added or changed: `clients.getClient` → `contact.created|updated`.
 *
 * Receipts without a client have nobody to attribute the purchase to and
 * yield no event. Sums are hundredths of the account currency ("in kopecks"
 * in the Poster docs), read from `settings.getCurrency` once per account.
 */
import type { HubEvent, Identity } from '../../events/hub-event.js';
import { ValidationError } from '../../shared/errors.js';
import { validate } from '../shared/body.js';
import { buildEvent, fromUnixMillis } from '../shared/build-event.js';
import type { HydrateContext, HydrationRequest } from '../types.js';
import { centsToMinor, currencyCode, formatMoney } from '../shared/money.js';
import { CONNECTOR, HYDRATION } from './normalize.js';
import {
  PosterClientSchema,
  PosterCurrencySchema,
  PosterTransactionProductSchema,
  PosterTransactionSchema,
  type PosterClient,
  type PosterTransaction,
  type PosterTransactionProduct,
} from './schema.js';
import * as z from 'zod';
import { vendorRequest } from '../shared/vendor-api.js';
import { POSTER_API_BASE_URL } from './meta.js';

export { POSTER_API_BASE_URL };

/** Poster error codes for an id that does not exist (any more): retrying cannot help. */
const NOT_FOUND_CODES = new Set([32, 404]);

const PosterErrorSchema = z
  .object({
    error: z.union([
      z.object({ code: z.number().optional(), message: z.string().optional() }).loose(),
      z.number(),
      z.string(),
    ]),
  })
  .loose();

/** GET `{base}/{method}`; the `response` field, or undefined when Poster says the id does not exist. */
const posterGet = async (ctx: HydrateContext, method: string, params: Record<string, string>): Promise<unknown> => {
  const token = ctx.secrets.apiToken;
  if (!token) throw new Error('Poster hydration needs the API token of the account (apiToken)');
  const base = (ctx.secrets.apiBaseUrl || POSTER_API_BASE_URL).replace(/\/+$/, '');
  const query = new URLSearchParams({ token, ...params });
  const res = await ctx.fetch(
    `${base}/${method}?${query.toString()}`,
    vendorRequest({ headers: { Accept: 'application/json' } }),
  );
  if (!res.ok) throw new Error(`Poster API answered ${res.status} for ${method}`);
  const json = (await res.json()) as Record<string, unknown>;
  const error = PosterErrorSchema.safeParse(json);
  if (error.success) {
    const e = error.data.error;
    const code = typeof e === 'object' ? e.code : Number(e);
    if (code !== undefined && NOT_FOUND_CODES.has(code)) return undefined;
    throw new Error(
      `Poster API error in ${method}: ${typeof e === 'object' ? `${e.code ?? ''} ${e.message ?? ''}`.trim() : String(e)}`,
    );
  }
  return json.response;
};

/** First element of a `response` array (getTransaction and getClient answer with a one-element list). */
const first = (response: unknown): unknown => (Array.isArray(response) ? response[0] : response);

/** Account currency by base URL and account; it practically never changes, so one call per warm Lambda. */
const currencyCache = new Map<string, string>();

const accountCurrency = async (ctx: HydrateContext, account: string): Promise<string> => {
  const key = `${ctx.secrets.apiBaseUrl ?? POSTER_API_BASE_URL}|${account}`;
  const cached = currencyCache.get(key);
  if (cached) return cached;
  const response = validate(
    PosterCurrencySchema,
    await posterGet(ctx, 'settings.getCurrency', {}),
    'Poster settings.getCurrency',
  );
  const code = currencyCode(response.currency_code_iso);
  if (!code)
    throw new Error(`Poster settings.getCurrency returned no ISO currency code (${response.currency_code_iso})`);
  currencyCache.set(key, code);
  return code;
};

const fetchClient = async (ctx: HydrateContext, clientId: string): Promise<PosterClient | undefined> => {
  const response = first(await posterGet(ctx, 'clients.getClient', { client_id: clientId }));
  return response === undefined ? undefined : validate(PosterClientSchema, response, `Poster client ${clientId}`);
};

const present = (value: string | null | undefined): string | undefined => (value?.trim() ? value.trim() : undefined);

/** Poster writes "0" where a card or client is absent. */
const presentId = (value: string | null | undefined): string | undefined => {
  const v = present(value);
  return v && v !== '0' ? v : undefined;
};

const clientIdentities = (client: PosterClient): (Identity | undefined)[] => {
  const phone = present(client.phone_number)
    ? `+${present(client.phone_number)?.replace(/^\+/, '')}`
    : present(client.phone);
  const card = presentId(client.card_number);
  const email = present(client.email);
  return [
    phone ? { type: 'phone', value: phone } : undefined,
    card ? { type: 'loyalty_card', value: card } : undefined,
    { type: 'poster', value: client.client_id },
    email ? { type: 'email', value: email } : undefined,
  ];
};

const clientTraits = (client: PosterClient) => ({
  firstName: present(client.firstname),
  lastName: present(client.lastname),
  loyaltyGroup: present(client.client_groups_name),
});

const cents = (value: string | undefined): number => {
  const n = Number(value ?? 0);
  return Number.isSafeInteger(n) ? n : 0;
};

/** What the guest settled: money (cash, card) plus bonuses, certificates, e-wallet and third-party payments. */
const settledCents = (t: PosterTransaction): number =>
  cents(t.payed_cash) +
  cents(t.payed_card) +
  cents(t.payed_bonus) +
  cents(t.payed_cert) +
  cents(t.payed_third_party) +
  cents(t.payed_ewallet);

const lineItems = (t: PosterTransaction, named: PosterTransactionProduct[], currency: string) =>
  t.products.flatMap((p) => {
    const quantity = Number(p.num);
    if (!(quantity > 0)) return [];
    const info = named.find(
      (n) => n.product_id === p.product_id && (n.modification_id ?? '0') === (p.modification_id ?? '0'),
    );
    const name =
      [present(info?.product_name), present(info?.modificator_name)].filter(Boolean).join(' — ') ||
      `Product ${p.product_id}`;
    const unitCents = p.product_price !== undefined ? Number(p.product_price) : undefined;
    const unitMinor =
      unitCents !== undefined && Number.isSafeInteger(unitCents) ? centsToMinor(unitCents, currency) : undefined;
    return [
      {
        sku: present(info?.product_code) ?? p.product_id,
        name,
        quantity,
        unitPrice: unitMinor === undefined ? undefined : { amountMinor: unitMinor, currency },
      },
    ];
  });

/** `purchase.completed` of a closed receipt with a client; [] for open, removed, unpaid or anonymous receipts. */
const hydrateTransaction = async (request: HydrationRequest, ctx: HydrateContext): Promise<HubEvent[]> => {
  const transactionId = String(request.params.transactionId ?? '');
  const account = String(request.params.account ?? '');
  if (!transactionId) throw new ValidationError('Poster transaction hydration needs transactionId');
  const response = first(
    await posterGet(ctx, 'dash.getTransaction', { transaction_id: transactionId, include_products: 'true' }),
  );
  if (response === undefined) return [];
  const t = validate(PosterTransactionSchema, response, `Poster transaction ${transactionId}`);
  const clientId = presentId(t.client_id);
  // Still open (1) or removed (3); closed without payment (pay_type 0: guest left, on the house, mistake).
  if (t.status !== '2' || t.pay_type === '0' || !clientId) return [];

  const [client, products, currency] = await Promise.all([
    fetchClient(ctx, clientId),
    posterGet(ctx, 'dash.getTransactionProducts', { transaction_id: transactionId }).then((r) =>
      r === undefined
        ? []
        : validate(z.array(PosterTransactionProductSchema), r, `Poster products of ${transactionId}`),
    ),
    accountCurrency(ctx, account),
  ]);
  const totalMinor = centsToMinor(settledCents(t), currency);
  if (totalMinor === undefined) throw new Error(`Poster transaction ${transactionId}: total out of range`);
  const total = { amountMinor: totalMinor, currency };
  const items = lineItems(t, products, currency);
  const cardOnReceipt = presentId(t.card_number);
  const identities: (Identity | undefined)[] = client
    ? [...clientIdentities(client), cardOnReceipt ? { type: 'loyalty_card', value: cardOnReceipt } : undefined]
    : [{ type: 'poster', value: clientId }, cardOnReceipt ? { type: 'loyalty_card', value: cardOnReceipt } : undefined];
  const spot = presentId(t.spot_id);
  const event = buildEvent(
    {
      connector: CONNECTOR,
      // The receipt and its client, not the hook: `closed` and a later `changed` of one receipt are one purchase.
      providerEventId: `transaction:${account}:${transactionId}:client:${clientId}`,
      type: 'purchase.completed',
      channel: 'pos',
      occurredAt: fromUnixMillis(t.date_close) ?? request.occurredAt,
      identities,
      traits: client ? clientTraits(client) : {},
      summary: `Receipt #${transactionId} closed: ${formatMoney(total)}, ${items.length} item${items.length === 1 ? '' : 's'}`,
      data: {
        orderId: transactionId,
        orderNumber: transactionId,
        total,
        items,
        store: spot ? `${account}/spot/${spot}` : account || undefined,
      },
    },
    { receivedAt: request.receivedAt, defaultCountry: ctx.defaultCountry },
  );
  return event ? [event] : [];
};

const hydrateClient = async (request: HydrationRequest, ctx: HydrateContext): Promise<HubEvent[]> => {
  const clientId = String(request.params.clientId ?? '');
  if (!clientId) throw new ValidationError('Poster client hydration needs clientId');
  const client = await fetchClient(ctx, clientId);
  if (!client) return [];
  const created = request.params.action === 'added';
  const name = [present(client.firstname), present(client.lastname)].filter(Boolean).join(' ');
  const event = buildEvent(
    {
      connector: CONNECTOR,
      providerEventId: request.providerEventId,
      type: created ? 'contact.created' : 'contact.updated',
      channel: 'pos',
      occurredAt: request.occurredAt,
      identities: clientIdentities(client),
      traits: clientTraits(client),
      summary: `Poster client ${created ? 'added' : 'changed'}${name ? `: ${name}` : ''}`,
      data: { contactId: client.client_id },
    },
    { receivedAt: request.receivedAt, defaultCountry: ctx.defaultCountry },
  );
  return event ? [event] : [];
};

export const hydratePoster = async (request: HydrationRequest, ctx: HydrateContext): Promise<HubEvent[]> => {
  if (request.kind === HYDRATION.transaction) return hydrateTransaction(request, ctx);
  if (request.kind === HYDRATION.client) return hydrateClient(request, ctx);
  throw new ValidationError(`Poster cannot hydrate ${request.kind}`);
};
