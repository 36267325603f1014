/**
 * Builds a hub event from what a normalizer extracted: computes the
 * deterministic id, normalizes identities (E.164 phones, lowercased emails)
 * and bounds the summary. Returns undefined when no usable identity is left,
 * because an event nobody can be attributed to cannot reach a profile.
 */
import { hubEventId } from '../../events/event-id.js';
import {
  SCHEMA_VERSION,
  type Channel,
  type HubEvent,
  type HubEventType,
  type Identity,
  type Traits,
  type EVENT_DATA_SCHEMAS,
} from '../../events/hub-event.js';
import { normalizeIdentities } from '../../domain/identity.js';
import type { z } from 'zod';
import type { NormalizeContext } from '../types.js';

export interface EventDraft<T extends HubEventType> {
  readonly connector: string;
  readonly providerEventId: string;
  readonly type: T;
  readonly channel: Channel;
  /** ISO time from the payload; falls back to `receivedAt` when the vendor sends none. */
  readonly occurredAt?: string | undefined;
  readonly identities: readonly (Identity | undefined | false | null)[];
  readonly traits?: Record<string, string | number | boolean | null | undefined>;
  readonly summary: string;
  readonly data: z.input<(typeof EVENT_DATA_SCHEMAS)[T]>;
}

const compactTraits = (traits: EventDraft<HubEventType>['traits']): Traits => {
  const out: Traits = {};
  for (const [k, v] of Object.entries(traits ?? {})) if (v !== undefined && v !== '') out[k] = v;
  return out;
};

/** Truncates on a code-point boundary and adds an ellipsis. */
export const truncate = (text: string, max: number): string => {
  const chars = Array.from(text.replace(/\s+/g, ' ').trim());
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('')}…`;
};

/** Call length for summaries: `74` → `1m 14s`, `245` → `4m 5s`, `3725` → `1h 2m`. */
export const formatDuration = (seconds: number): string => {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h}h ${m}m`;
  return m > 0 ? `${m}m ${s}s` : `${s}s`;
};

export const buildEvent = <T extends HubEventType>(
  draft: EventDraft<T>,
  ctx: NormalizeContext,
): HubEvent | undefined => {
  const identities = normalizeIdentities(
    draft.identities
      .filter((i): i is Identity => Boolean(i))
      .map((i) => ({ ...i, source: i.source ?? draft.connector })),
    ctx.defaultCountry,
  );
  if (identities.length === 0) return undefined;
  return {
    schemaVersion: SCHEMA_VERSION,
    id: hubEventId(draft.connector, draft.providerEventId),
    connector: draft.connector,
    providerEventId: draft.providerEventId,
    type: draft.type,
    channel: draft.channel,
    occurredAt: draft.occurredAt ?? ctx.receivedAt,
    receivedAt: ctx.receivedAt,
    customer: { identities, traits: compactTraits(draft.traits) },
    summary: truncate(draft.summary, 280),
    data: draft.data,
  } as HubEvent;
};

/** Unix seconds (number or numeric string) → ISO; undefined when absent/invalid. */
export const fromUnixSeconds = (value: number | string | undefined): string | undefined => {
  const n = typeof value === 'string' ? Number(value) : value;
  return n !== undefined && Number.isFinite(n) && n > 0 && n < 8.64e12 ? new Date(n * 1000).toISOString() : undefined;
};

export const fromUnixMillis = (value: number | string | undefined): string | undefined => {
  const n = typeof value === 'string' ? Number(value) : value;
  // Beyond ±8.64e15 ms a Date is invalid; treat it as "no timestamp" rather than throwing.
  return n !== undefined && Number.isFinite(n) && n > 0 && n < 8.64e15 ? new Date(n).toISOString() : undefined;
};

/** A date string `Date.parse` reads (ISO 8601; RFC 2822 as Twilio sends) → ISO; undefined when absent or unreadable. */
export const fromDateString = (value: string | null | undefined): string | undefined => {
  const ms = value ? Date.parse(value) : Number.NaN;
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
};
