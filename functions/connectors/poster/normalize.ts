/**
 * Poster webhooks → hydration requests. Pure. A Poster hook carries no
 * customer at all (only `object` + `object_id`), so nothing becomes an event
 * here: closed receipts and client changes are queued for `hydrate`, which
 * fetches them from the Poster API after the hook was acknowledged.
 */
import { fromUnixSeconds } from '../shared/build-event.js';
import type { HydrationRequest, NormalizeContext, NormalizeResult } from '../types.js';
import { PosterTransactionDataSchema, type PosterWebhook } from './schema.js';

export const CONNECTOR = 'poster';

export const HYDRATION = { transaction: 'transaction', client: 'client' } as const;

/**
 * `transactions_history.type_history` values of a `transaction` hook that
 * edit a bill still open at the till (dash.getTransactionHistory docs, plus
 * the delivery/status kinds seen in real hooks). They say nothing about a
 * purchase, and fetching the receipt for each would cost an API call per
 * scanned item; `close`, `setclient` and anything unknown are fetched.
 */
const OPEN_BILL_EDITS = new Set([
  'open',
  'additem',
  'deleteitem',
  'changeitemcount',
  'settable',
  'sendtokitchen',
  'comment',
  'print',
  'delete',
  'changedeliveryinfo',
  'changeorderstatus',
]);

/** The history kind in a transaction hook's `data`, when it has one. */
const historyKind = (data: string | null | undefined): string | undefined => {
  if (!data) return undefined;
  try {
    const parsed = PosterTransactionDataSchema.safeParse(JSON.parse(data));
    return parsed.success ? parsed.data.transactions_history?.type_history : undefined;
  } catch {
    return undefined;
  }
};

/** Poster's own identity of one hook: redeliveries repeat all four fields. */
const hookId = (hook: PosterWebhook): string => `${hook.object}:${hook.object_id}:${hook.action}:${hook.time}`;

const request = (
  hook: PosterWebhook,
  kind: string,
  params: HydrationRequest['params'],
  ctx: NormalizeContext,
): HydrationRequest => {
  const occurredAt = fromUnixSeconds(hook.time);
  return {
    connector: CONNECTOR,
    kind,
    params: { account: String(hook.account), ...params },
    providerEventId: hookId(hook),
    ...(occurredAt ? { occurredAt } : {}),
    receivedAt: ctx.receivedAt,
  };
};

const normalizeTransaction = (hook: PosterWebhook, ctx: NormalizeContext): NormalizeResult => {
  const id = String(hook.object_id);
  if (hook.action !== 'closed' && hook.action !== 'changed') {
    return { events: [], ignored: [`transaction ${id} ${hook.action}: not a closed receipt`] };
  }
  const kind = historyKind(hook.data);
  if (hook.action === 'changed' && kind && OPEN_BILL_EDITS.has(kind)) {
    return {
      events: [],
      ignored: [`transaction ${id} changed (${kind}): an edit of an open bill, not a closed receipt`],
    };
  }
  return { events: [], ignored: [], hydrations: [request(hook, HYDRATION.transaction, { transactionId: id }, ctx)] };
};

const normalizeClient = (hook: PosterWebhook, ctx: NormalizeContext): NormalizeResult => {
  const id = String(hook.object_id);
  if (hook.action !== 'added' && hook.action !== 'changed') {
    return { events: [], ignored: [`client ${id} ${hook.action}: only added and changed clients are fetched`] };
  }
  return {
    events: [],
    ignored: [],
    hydrations: [request(hook, HYDRATION.client, { clientId: id, action: hook.action }, ctx)],
  };
};

export const normalizePoster = (hook: PosterWebhook, ctx: NormalizeContext): NormalizeResult => {
  if (hook.object === 'transaction') return normalizeTransaction(hook, ctx);
  if (hook.object === 'client') return normalizeClient(hook, ctx);
  return { events: [], ignored: [`unsupported object: ${hook.object} ${hook.action} (${hook.object_id})`] };
};
