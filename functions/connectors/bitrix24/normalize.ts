/**
 * Bitrix24 outbound-webhook event → one hydration request. Pure. The event
 * carries only the entity id (`data[FIELDS][ID]`), so the lead, contact or
 * deal is fetched by the hydrator through the portal's inbound webhook.
 */
import { fromUnixSeconds } from '../shared/build-event.js';
import type { NormalizeContext, NormalizeResult } from '../types.js';
import type { Bitrix24Event } from './schema.js';

export const BITRIX24 = 'bitrix24';

export type Bitrix24Entity = 'lead' | 'contact' | 'deal';

/** Event code → what to fetch and what happened. */
const BITRIX24_EVENTS: Readonly<Record<string, { kind: Bitrix24Entity; change: 'created' | 'updated' }>> = {
  ONCRMLEADADD: { kind: 'lead', change: 'created' },
  ONCRMLEADUPDATE: { kind: 'lead', change: 'updated' },
  ONCRMCONTACTADD: { kind: 'contact', change: 'created' },
  ONCRMCONTACTUPDATE: { kind: 'contact', change: 'updated' },
  ONCRMDEALADD: { kind: 'deal', change: 'created' },
  ONCRMDEALUPDATE: { kind: 'deal', change: 'updated' },
};

/**
 * Dedup key: (portal, event, entity id, `ts`), Bitrix24 has no event id. The
 * portal (`auth[member_id]`) keeps two portals posting to one hub apart.
 */
const bitrix24EventKey = (event: Bitrix24Event, id: string): string =>
  `${event.auth?.member_id ?? event.auth?.domain ?? ''}:${event.event.toUpperCase()}:${id}:${event.ts ?? ''}`;

export const normalizeBitrix24 = (event: Bitrix24Event, ctx: NormalizeContext): NormalizeResult => {
  const code = event.event.toUpperCase();
  const id = event.data?.FIELDS?.ID;
  if (/DELETE$/.test(code)) {
    return { events: [], ignored: [`${code}${id ? ` ${id}` : ''}: deletions in Bitrix24 do not erase hub profiles`] };
  }
  const mapped = BITRIX24_EVENTS[code];
  if (!mapped) return { events: [], ignored: [`${code}: unsupported event`] };
  if (!id) return { events: [], ignored: [`${code}: no data[FIELDS][ID]`] };
  const occurredAt = fromUnixSeconds(event.ts);
  return {
    events: [],
    ignored: [],
    hydrations: [
      {
        connector: BITRIX24,
        kind: mapped.kind,
        params: {
          id,
          change: mapped.change,
          event: code,
          ...(event.auth?.member_id ? { memberId: event.auth.member_id } : {}),
        },
        providerEventId: bitrix24EventKey(event, id),
        ...(occurredAt ? { occurredAt } : {}),
        receivedAt: ctx.receivedAt,
      },
    ],
  };
};
