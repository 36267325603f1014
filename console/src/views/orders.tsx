/**
 * Orders online and offline, read from the timeline's order events (the
 * profile keeps only totals): an order placed, then paid, then refunded is
 * one row showing its latest state. Till receipts (`pos`) are "in store".
 */
import { useAsync } from '../components/async.js';
import { Card, ChannelBadge, ErrorBox, Loading, Pill } from '../components/ui.js';
import { useApp } from '../context.js';
import { formatDateTime, formatMoney, type Money } from '../format.js';
import { useI18n } from '../i18n/index.js';
import type { MessageKey } from '../i18n/en.js';
import type { Profile, TimelineItem, TimelinePage } from '../types.js';

const ORDER_TYPES = [
  'order.placed',
  'order.paid',
  'purchase.completed',
  'order.ready_for_pickup',
  'order.fulfilled',
  'order.refunded',
  'order.cancelled',
];
/** Later states win: a refund after payment shows as refunded, a cancellation over everything. */
const RANK: Record<string, number> = {
  'order.placed': 0,
  'order.paid': 1,
  'purchase.completed': 1,
  'order.ready_for_pickup': 2,
  'order.fulfilled': 3,
  'order.refunded': 4,
  'order.cancelled': 5,
};
/** Steps that name only the shipped or picked-up items: the row keeps the order's own items. */
const PARTIAL_ITEMS = new Set(['order.ready_for_pickup', 'order.fulfilled', 'order.refunded']);

interface OrderData {
  readonly orderId?: string;
  readonly orderNumber?: string;
  readonly total?: Money;
  readonly refunded?: Money;
  readonly items?: { name: string; quantity: number }[];
  readonly promoCodes?: string[];
  readonly store?: string;
}

interface OrderRow {
  readonly key: string;
  readonly at: string;
  readonly channel: string;
  readonly status: string;
  readonly data: OrderData;
}

/** One row per connector + order id, newest first. */
export const groupOrders = (items: readonly TimelineItem[]): OrderRow[] => {
  const byKey = new Map<string, OrderRow>();
  for (const item of items) {
    const data = item.data as OrderData;
    const key = `${item.connector}:${data.orderId ?? item.eventId}`;
    const seen = byKey.get(key);
    const placedAt = seen && seen.at < item.occurredAt ? seen.at : item.occurredAt;
    const newer = !seen || (RANK[item.type] ?? 0) >= (RANK[seen.status] ?? 0);
    const merged = newer ? { ...(seen?.data ?? {}), ...data } : { ...data, ...(seen as OrderRow).data };
    // A shipment, pickup or refund lists only its own items; the order's lines stay the ones it was placed with.
    const lines = PARTIAL_ITEMS.has(item.type) && seen?.data.items?.length ? seen.data.items : merged.items;
    byKey.set(key, {
      key,
      at: placedAt,
      channel: item.channel,
      status: newer ? item.type : (seen as OrderRow).status,
      data: lines ? { ...merged, items: lines } : merged,
    });
  }
  return [...byKey.values()].sort((a, b) => b.at.localeCompare(a.at));
};

export const Orders = ({ profile }: { profile: Profile }) => {
  const { api } = useApp();
  const { t, locale } = useI18n();
  const [state, reload] = useAsync(
    () =>
      api.get<TimelinePage>(
        `/v1/customers/${encodeURIComponent(profile.customerId)}/timeline?limit=100&type=${ORDER_TYPES.join(',')}`,
      ),
    [profile.customerId, profile.eventCount],
  );
  return (
    <Card title={t('section.orders')} wide>
      {state.status === 'loading' && <Loading />}
      {state.status === 'error' && <ErrorBox error={state.error} onRetry={reload} />}
      {state.status === 'ok' &&
        (state.value.items.length === 0 ? (
          <p class="muted">{t('orders.none')}</p>
        ) : (
          <table class="table">
            <thead>
              <tr>
                <th scope="col">{t('orders.date')}</th>
                <th scope="col">{t('orders.where')}</th>
                <th scope="col">{t('orders.number')}</th>
                <th scope="col">{t('orders.status')}</th>
                <th scope="col" class="num">
                  {t('orders.total')}
                </th>
                <th scope="col">{t('orders.items')}</th>
                <th scope="col">{t('orders.promo')}</th>
              </tr>
            </thead>
            <tbody>
              {groupOrders(state.value.items).map((o) => (
                <tr key={o.key}>
                  <td>{formatDateTime(o.at, locale)}</td>
                  <td>
                    <span class="where">{t(o.channel === 'pos' ? 'orders.offline' : 'orders.online')}</span>{' '}
                    <ChannelBadge channel={o.channel} />
                  </td>
                  <td>
                    <code>{o.data.orderNumber ?? o.data.orderId ?? '—'}</code>
                  </td>
                  <td>
                    <Pill
                      tone={
                        o.status === 'order.refunded' || o.status === 'order.cancelled'
                          ? 'warn'
                          : o.status === 'order.placed'
                            ? 'muted'
                            : 'ok'
                      }
                    >
                      {t(`orders.status.${o.status}` as MessageKey)}
                    </Pill>
                  </td>
                  <td class="num">{o.data.total ? formatMoney(o.data.total, locale) : '—'}</td>
                  <td class="small">
                    {(o.data.items ?? [])
                      .map((i) => `${i.name}${i.quantity !== 1 ? ` × ${i.quantity}` : ''}`)
                      .join(', ')}
                  </td>
                  <td>
                    {(o.data.promoCodes ?? []).map((code) => (
                      <code key={code} class="promo">
                        {code}
                      </code>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
      {profile.promoCodes.length > 0 && (
        <p class="small">
          <span class="muted">{t('section.promoCodes')}: </span>
          {profile.promoCodes.map((code) => (
            <code key={code} class="promo">
              {code}
            </code>
          ))}
        </p>
      )}
    </Card>
  );
};
