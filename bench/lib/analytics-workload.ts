/**
 * The analytics workload: a year of lake rows for N customers, shaped by the
 * end-to-end workload generator. `planStream` decides each customer's
 * journey (WhatsApp, Telegram, call, lead, shop; the merge journeys), and
 * `touchEvents` — the connectors' own normalizers — gives each kind of touch
 * its real event (type, channel, connector, data). Every customer then lives
 * for a year around a seeded first day: messages in and replies out with
 * receipts, calls (some missed, some called back), leads with UTM sources,
 * orders paid and sometimes refunded, surveys. Merge journeys start on a
 * second profile that is merged later; one customer in a thousand is erased.
 * Deterministic per seed; rows are built, not parsed (a million zod parses
 * would dominate the phase).
 */
import { eventRow, erasureRow, mergeRow } from '../../functions/analytics/lake-row.js';
import type { LakeRow } from '../../functions/analytics/lake-schema.js';
import type { Channel, HubEvent, HubEventType } from '../../functions/events/hub-event.js';
import { customer, planStream, prng, touchEvents, type Journey, type Touch } from './workload.js';

const DAY = 86_400_000;
const MINUTE = 60_000;

export interface AnalyticsWorkload {
  readonly rows: LakeRow[];
  /** Hub events among the rows (the rest are merge and erasure records). */
  readonly events: number;
  readonly customers: number;
  readonly from: Date;
  readonly to: Date;
}

/** The connector-normalized event of each touch, used as the template of its kind. */
const templates = (): Record<Touch, HubEvent> => {
  const touches: Touch[] = ['whatsapp', 'telegram', 'marquiz', 'binotel', 'ringostat', 'shopify'];
  const out = {} as Record<Touch, HubEvent>;
  touches.forEach((touch, i) => {
    const [event] = touchEvents(touch, customer(39, i), 39_000_000 + i, Date.parse('2024-01-01T00:00:00Z'), 'tpl');
    if (!event) throw new Error(`${touch}: the fixture yields no event`);
    out[touch] = event;
  });
  return out;
};

const MAIN_TOUCH: Record<Journey, Touch> = {
  whatsapp: 'whatsapp',
  'telegram-merge': 'telegram',
  telegram: 'telegram',
  'shop-merge': 'shopify',
  call: 'binotel',
  lead: 'marquiz',
};

const UTM_SOURCES = ['google', 'facebook', 'instagram', undefined] as const;

/**
 * About `events` hub events for `customers` customers over the year before
 * `to` (deterministic for a seed).
 */
export const analyticsWorkload = (opts: {
  customers: number;
  events: number;
  seed?: number;
  to?: Date;
}): AnalyticsWorkload => {
  const to = opts.to ?? new Date('2025-01-01T00:00:00.000Z');
  const from = new Date(to.getTime() - 365 * DAY);
  const rand = prng(opts.seed ?? 15);
  const tpl = templates();
  const journeys = new Map<number, Journey>();
  for (const step of planStream(opts.customers, opts.seed ?? 15)) journeys.set(step.customer, step.journey);
  const perCustomer = opts.events / opts.customers;
  const rows: LakeRow[] = [];
  let events = 0;
  let seq = 0;

  for (let c = 0; c < opts.customers; c++) {
    const journey = journeys.get(c) ?? 'whatsapp';
    const main = tpl[MAIN_TOUCH[journey]];
    const messaging = journey === 'telegram' || journey === 'telegram-merge' ? tpl.telegram : tpl.whatsapp;
    const id = `cus_b${c}`;
    // Merge journeys: the first touches land on a second profile, merged into the first after a few days.
    const merged = journey === 'telegram-merge' || journey === 'shop-merge';
    const alias = `cus_b${c}x`;
    let t = from.getTime() + Math.floor(rand() * 300 * DAY);
    const mergeAt = t + Math.floor(rand() * 5 * DAY);
    const budget = Math.max(2, Math.round(perCustomer * (0.5 + rand())));
    const push = (
      template: HubEvent,
      type: HubEventType,
      at: number,
      data: Record<string, unknown>,
      channel: Channel = template.channel,
    ) => {
      if (at >= to.getTime()) return;
      const event = {
        ...template,
        id: `evt_${(seq++).toString(16).padStart(32, '0')}`,
        type,
        channel,
        occurredAt: new Date(at).toISOString(),
        data: { ...(template.data as Record<string, unknown>), ...data },
      } as HubEvent;
      rows.push(eventRow(event, merged && at < mergeAt ? alias : id, new Date(at + 1000)));
      events++;
    };
    let made = 0;
    let orders = 0;
    while (made < budget) {
      const r = rand();
      if (r < 0.45) {
        // A message in, usually answered; the answer usually delivered and often read.
        push(messaging, 'message.received', t, { direction: 'inbound', messageId: `m${seq}` });
        made++;
        if (rand() < 0.75) {
          const out = `o${seq}`;
          const sentAt = t + Math.floor(rand() * 120) * MINUTE;
          push(messaging, 'message.sent', sentAt, { direction: 'outbound', messageId: out });
          made++;
          if (rand() < 0.85) {
            push(messaging, rand() < 0.6 ? 'message.read' : 'message.delivered', sentAt + 5 * MINUTE, {
              direction: 'outbound',
              messageId: out,
            });
            made++;
          }
        }
      } else if (r < 0.6) {
        const missed = rand() < 0.25;
        push(tpl.binotel, missed ? 'call.missed' : 'call.completed', t, {
          direction: 'inbound',
          callId: `c${seq}`,
          durationSec: missed ? 0 : 120,
        });
        made++;
        if (missed && rand() < 0.7) {
          push(tpl.binotel, 'call.completed', t + Math.floor(rand() * 40) * MINUTE, {
            direction: 'outbound',
            callId: `c${seq}`,
            durationSec: 60,
          });
          made++;
        }
      } else if (r < 0.7) {
        const source = UTM_SOURCES[Math.floor(rand() * UTM_SOURCES.length)];
        push(tpl.marquiz, 'lead.submitted', t, { ...(source ? { utm: { source } } : { utm: undefined }) });
        made++;
      } else if (r < 0.88) {
        const orderId = `B${c}-${orders++}`;
        const total = { amountMinor: 10_000 + Math.floor(rand() * 500) * 100, currency: rand() < 0.9 ? 'UAH' : 'USD' };
        const shop = main === tpl.shopify || rand() < 0.5;
        push(
          tpl.shopify,
          shop ? 'order.placed' : 'purchase.completed',
          t,
          { orderId, total },
          shop ? 'ecommerce' : 'pos',
        );
        made++;
        if (shop) {
          push(tpl.shopify, 'order.paid', t + 10 * MINUTE, { orderId, total }, 'ecommerce');
          made++;
        }
        if (rand() < 0.05) {
          push(tpl.shopify, 'order.refunded', t + 3 * DAY, { orderId, total, refunded: total }, 'ecommerce');
          made++;
        }
      } else {
        const nps = rand() < 0.66;
        push(
          tpl.marquiz,
          'form.submitted',
          t,
          {
            score: nps
              ? { kind: 'nps', value: Math.floor(rand() * 11) }
              : { kind: 'csat', value: 1 + Math.floor(rand() * 5) },
          },
          'web',
        );
        made++;
      }
      t += Math.floor(rand() * 20 * DAY) + MINUTE;
    }
    if (merged) rows.push(mergeRow(`evt_merge_${c}`, new Date(mergeAt), id, [alias]));
    if (c % 1000 === 999)
      rows.push(erasureRow(`evt_erase_${c}`, new Date(to.getTime() - DAY), id, merged ? [alias] : []));
  }
  return { rows, events, customers: opts.customers, from, to };
};
