/**
 * HubSpot webhook batch (contacts, deals, tickets) → hydration requests. Pure. HubSpot's payload holds
 * only object ids (no email, no phone), so no event can be built here: every
 * supported item becomes a `HydrationRequest` that `hydrate.ts` completes
 * from the CRM API after the acknowledgement. Everything else is listed in
 * `ignored` and still answered 200 (HubSpot retries any 4xx/5xx).
 */
import { createHash } from 'node:crypto';
import { fromUnixMillis } from '../shared/build-event.js';
import type { HydrationRequest, NormalizeContext, NormalizeResult } from '../types.js';
import type { HubSpotEvent, HubSpotWebhook } from './schema.js';

export const HUBSPOT = 'hubspot';

/** What to fetch: the contact itself, or the deal (or ticket) and then its contact. */
export type HubSpotHydrationKind = 'contact' | 'deal' | 'ticket';

/** What happened, carried in `params.change` to the hydrator. */
export type HubSpotChange = 'created' | 'updated' | 'consent' | 'stage_changed';

/** `objectTypeId` of generic `object.*` subscriptions (HubSpot's object type ids). */
const OBJECT_TYPES: Readonly<Record<string, string>> = { '0-1': 'contact', '0-3': 'deal', '0-5': 'ticket' };

/**
 * Ticket properties whose change the profile shows (status, subject,
 * priority); every other ticket property change (owner, last activity,
 * HubSpot's own bookkeeping) is listed in `ignored`.
 */
const TICKET_PROPERTIES: ReadonlySet<string> = new Set(['hs_pipeline_stage', 'subject', 'hs_ticket_priority']);

/** Contact properties that record an email opt-out: `hs_email_optout` and the per-subscription `hs_email_optout_<id>`. */
const isEmailOptOutProperty = (name: string | undefined): boolean =>
  name !== undefined && /^hs_email_optout(_\d+)?$/.test(name);

/** The deal property holding the pipeline stage. */
const DEAL_STAGE_PROPERTY = 'dealstage';

const digest = (value: string): string => createHash('sha256').update(value).digest('hex').slice(0, 24);

/**
 * HubSpot says `eventId` "is not guaranteed to be unique", so the dedup key
 * is the composite (portalId, subscriptionId, objectId, occurredAt,
 * propertyName, propertyValue). The value is hashed: it keeps the key short
 * (a property value can be long) and keeps customer data out of ids.
 * `attemptNumber` is left out, so a retry collapses into the first delivery.
 */
export const hubspotEventKey = (e: HubSpotEvent): string => {
  const base = `${e.portalId}:${e.subscriptionId}:${e.objectId}:${e.occurredAt}`;
  return e.propertyName === undefined ? base : `${base}:${e.propertyName}:${digest(e.propertyValue ?? '')}`;
};

/** `contact.propertyChange` → contact/propertyChange; `object.creation` + `0-3` → deal/creation. */
const classify = (e: HubSpotEvent): { object: string; action: string; type: string } => {
  const type = e.subscriptionType ?? e.eventType ?? '';
  const dot = type.indexOf('.');
  const prefix = dot < 0 ? type : type.slice(0, dot);
  const action = dot < 0 ? '' : type.slice(dot + 1);
  const object =
    prefix === 'object' ? (OBJECT_TYPES[e.objectTypeId ?? ''] ?? `object ${e.objectTypeId ?? '?'}`) : prefix;
  return { object, action, type };
};

type Decision = { kind: HubSpotHydrationKind; change: HubSpotChange } | { ignore: string };

const decide = (e: HubSpotEvent): Decision => {
  const { object, action, type } = classify(e);
  const what = `${type} ${object} ${e.objectId}`;
  if (object === 'contact') {
    if (action === 'creation') return { kind: 'contact', change: 'created' };
    if (action === 'propertyChange')
      return { kind: 'contact', change: isEmailOptOutProperty(e.propertyName) ? 'consent' : 'updated' };
    if (action === 'deletion' || action === 'privacyDeletion') {
      return { ignore: `${what}: deletions in HubSpot do not erase hub profiles (use the hub's erasure process)` };
    }
  }
  if (object === 'deal') {
    if (action === 'creation') return { kind: 'deal', change: 'created' };
    if (action === 'propertyChange') {
      return e.propertyName === DEAL_STAGE_PROPERTY
        ? { kind: 'deal', change: 'stage_changed' }
        : {
            ignore: `${what}: only changes of ${DEAL_STAGE_PROPERTY} are tracked (got ${e.propertyName ?? 'no property'})`,
          };
    }
  }
  if (object === 'ticket') {
    if (action === 'creation') return { kind: 'ticket', change: 'created' };
    if (action === 'propertyChange') {
      return e.propertyName !== undefined && TICKET_PROPERTIES.has(e.propertyName)
        ? { kind: 'ticket', change: 'updated' }
        : {
            ignore: `${what}: only changes of ${[...TICKET_PROPERTIES].join(', ')} are tracked (got ${e.propertyName ?? 'no property'})`,
          };
    }
  }
  return { ignore: `${what}: unsupported subscription type` };
};

const compact = (params: Record<string, string | undefined>): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) if (v !== undefined) out[k] = v;
  return out;
};

/** One hydration per supported event; duplicates inside one batch are dropped. */
export const normalizeHubSpot = (batch: HubSpotWebhook, ctx: NormalizeContext): NormalizeResult => {
  const hydrations: HydrationRequest[] = [];
  const ignored: string[] = [];
  const seen = new Set<string>();
  for (const e of batch) {
    const decision = decide(e);
    if ('ignore' in decision) {
      ignored.push(decision.ignore);
      continue;
    }
    const providerEventId = hubspotEventKey(e);
    if (seen.has(providerEventId)) {
      ignored.push(`${e.subscriptionType ?? e.eventType} ${e.objectId}: repeated in the same delivery`);
      continue;
    }
    seen.add(providerEventId);
    const occurredAt = fromUnixMillis(e.occurredAt);
    hydrations.push({
      connector: HUBSPOT,
      kind: decision.kind,
      params: compact({
        objectId: e.objectId,
        portalId: e.portalId,
        change: decision.change,
        propertyName: e.propertyName,
        propertyValue: e.propertyValue,
      }),
      providerEventId,
      ...(occurredAt ? { occurredAt } : {}),
      receivedAt: ctx.receivedAt,
    });
  }
  return { events: [], ignored, hydrations };
};
