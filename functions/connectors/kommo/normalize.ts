/**
 * Kommo webhook → hydration requests. Pure. A lead event names the lead and
 * its new stage but not the customer, a note names the contact or lead it
 * is attached to, and a contact event's copy of the
 * contact is the legacy v2 shape; so every tracked item is completed from
 * API v4 by the hydrator, and every other entity/action is listed in
 * `ignored` (still answered 200).
 */
import { fromUnixSeconds } from '../shared/build-event.js';
import type { HydrationRequest, NormalizeContext, NormalizeResult } from '../types.js';
import { KommoNoteItemsSchema, type KommoItem, type KommoNote, type KommoWebhook } from './schema.js';

export const KOMMO = 'kommo';

/** Entity → action → what happened. Everything not listed is acknowledged and ignored. */
const KOMMO_TRACKED: Readonly<Record<string, Readonly<Record<string, 'created' | 'stage_changed' | 'updated'>>>> = {
  leads: { add: 'created', status: 'stage_changed' },
  contacts: { add: 'created', update: 'updated' },
};

/** Entities whose notes become ticket events: the note names a contact, or a lead whose main contact is fetched. */
const NOTE_ENTITIES: ReadonlySet<string> = new Set(['contacts', 'leads']);

/** Kommo's `element_type` codes of the entities a note can be attached to. */
const NOTE_ELEMENTS: Readonly<Record<string, 'contact' | 'lead'>> = { '1': 'contact', '2': 'lead' };

/** Longest note text carried to the hydrator (the ticket subject is cut shorter still). */
const MAX_NOTE_TEXT = 500;

/**
 * A note on a contact or lead → hydration `note` (the requester is the
 * contact, or the lead's main contact), keyed on account + note id: Kommo
 * sends a note once, and a redelivery carries the same id.
 */
const noteHydration = (account: string, note: KommoNote, ctx: NormalizeContext): HydrationRequest | string => {
  const element = NOTE_ELEMENTS[note.element_type];
  if (!element) return `note ${note.id}: attached to element type ${note.element_type} (not a contact or lead)`;
  const occurredAt = fromUnixSeconds(note.date_create ?? note.created_at);
  return {
    connector: KOMMO,
    kind: 'note',
    params: compact({
      noteId: note.id,
      noteType: note.note_type,
      element,
      elementId: note.element_id,
      text: note.text?.trim() ? note.text.trim().slice(0, MAX_NOTE_TEXT) : undefined,
    }),
    providerEventId: [account, 'note', note.id].join(':'),
    ...(occurredAt ? { occurredAt } : {}),
    receivedAt: ctx.receivedAt,
  };
};

/** Entity → hydration kind. */
const KINDS: Readonly<Record<string, 'lead' | 'contact'>> = { leads: 'lead', contacts: 'contact' };

const stampOf = (item: KommoItem): string | undefined =>
  item.last_modified ?? item.updated_at ?? item.date_create ?? item.created_at;

/**
 * Dedup key: account, entity, action, id, (for leads) the new stage, and the
 * item's modification time (`last_modified`, else `updated_at`, else the
 * creation time). Kommo sends no event id.
 */
const kommoEventKey = (account: string, entity: string, action: string, item: KommoItem): string =>
  [account, entity, action, item.id, ...(entity === 'leads' ? [item.status_id ?? ''] : []), stampOf(item) ?? ''].join(
    ':',
  );

const compact = (params: Record<string, string | number | undefined>): Record<string, string | number> => {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(params)) if (v !== undefined) out[k] = v;
  return out;
};

export const normalizeKommo = (webhook: KommoWebhook, ctx: NormalizeContext): NormalizeResult => {
  const account = (webhook.account.id ?? webhook.account.subdomain) as string;
  const hydrations: HydrationRequest[] = [];
  const ignored: string[] = [];
  for (const [entity, actions] of Object.entries(webhook)) {
    if (entity === 'account') continue;
    if (!actions || typeof actions !== 'object' || Array.isArray(actions)) {
      ignored.push(`${entity}: unsupported`);
      continue;
    }
    for (const [action, items] of Object.entries(actions as Record<string, unknown>)) {
      if (action === 'note' && NOTE_ENTITIES.has(entity)) {
        const notes = KommoNoteItemsSchema.safeParse(items);
        if (!notes.success) {
          ignored.push(`${entity}[note]: not a note (no note id, element_id or element_type)`);
          continue;
        }
        for (const note of notes.data) {
          const result = noteHydration(account, note, ctx);
          if (typeof result === 'string') ignored.push(result);
          else hydrations.push(result);
        }
        continue;
      }
      const change = KOMMO_TRACKED[entity]?.[action];
      const kind = KINDS[entity];
      if (!change || !kind) {
        ignored.push(`${entity}[${action}]: not tracked`);
        continue;
      }
      for (const item of items as KommoItem[]) {
        const occurredAt = fromUnixSeconds(stampOf(item));
        hydrations.push({
          connector: KOMMO,
          kind,
          params: compact({
            id: item.id,
            change,
            ...(kind === 'lead'
              ? {
                  statusId: item.status_id,
                  oldStatusId: item.old_status_id,
                  pipelineId: item.pipeline_id,
                  oldPipelineId: item.old_pipeline_id,
                  price: item.price,
                  name: item.name,
                }
              : {}),
          }),
          providerEventId: kommoEventKey(account, entity, action, item),
          ...(occurredAt ? { occurredAt } : {}),
          receivedAt: ctx.receivedAt,
        });
      }
    }
  }
  return { events: [], ignored, hydrations };
};
