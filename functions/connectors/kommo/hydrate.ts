/**
 * Completes a Kommo hydration request from API v4: a contact is fetched as
 * is; a lead is fetched with its contacts and the main contact is fetched
 * next. All fetches finish before any event is built, so a failure
 * publishes nothing. Stage, pipeline and budget come from the webhook (the
 * state at the time of the event), the customer from the API.
 */
import type { HubEvent, Identity } from '../../events/hub-event.js';
import { buildEvent, truncate } from '../shared/build-event.js';
import { dealAmount, formatMoney } from '../shared/money.js';
import type { HydrateContext, HydrationRequest, NormalizeContext } from '../types.js';
import { KommoApi } from './api.js';
import { KOMMO } from './normalize.js';
import type { KommoContact } from './schema.js';
import { KOMMO_DEFAULT_CURRENCY } from './meta.js';

export { KOMMO_DEFAULT_CURRENCY };

/** Kommo's system stages, present in every pipeline. */
const SYSTEM_STAGES: Readonly<Record<string, string>> = { '142': 'won', '143': 'lost' };

const text = (value: string | null | undefined): string | undefined => (value?.trim() ? value.trim() : undefined);

const param = (request: HydrationRequest, name: string): string | undefined => {
  const value = request.params[name];
  return value === undefined || value === '' ? undefined : String(value);
};

/** `kommo:<id>`, then the values of the built-in PHONE and EMAIL fields. */
const kommoContactIdentities = (contact: KommoContact): Identity[] => {
  const identities: Identity[] = [{ type: 'kommo', value: String(contact.id) }];
  for (const field of contact.custom_fields_values ?? []) {
    const type = field.field_code === 'PHONE' ? 'phone' : field.field_code === 'EMAIL' ? 'email' : undefined;
    if (!type) continue;
    for (const v of field.values ?? []) {
      if (v.value !== null && v.value !== undefined && String(v.value).trim())
        identities.push({ type, value: String(v.value).trim() });
    }
  }
  return identities;
};

const traitsOf = (contact: KommoContact) => ({
  firstName: text(contact.first_name),
  lastName: text(contact.last_name),
  name: text(contact.name),
});

const stageLabel = (stage: string): string => (SYSTEM_STAGES[stage] ? `${stage} (${SYSTEM_STAGES[stage]})` : stage);

const hydrateContact = async (request: HydrationRequest, api: KommoApi, ctx: NormalizeContext): Promise<HubEvent[]> => {
  const contact = await api.getContact(String(request.params.id));
  if (!contact) return [];
  const created = request.params.change === 'created';
  const event = buildEvent(
    {
      connector: KOMMO,
      providerEventId: request.providerEventId,
      type: created ? 'contact.created' : 'contact.updated',
      channel: 'crm',
      occurredAt: request.occurredAt,
      identities: kommoContactIdentities(contact),
      traits: traitsOf(contact),
      summary: `Kommo contact ${created ? 'created' : 'updated'}`,
      data: { contactId: String(contact.id) },
    },
    ctx,
  );
  return event ? [event] : [];
};

/** A lead without contacts cannot reach a profile and yields no event (nothing to retry). */
const hydrateLead = async (
  request: HydrationRequest,
  api: KommoApi,
  ctx: HydrateContext & NormalizeContext,
): Promise<HubEvent[]> => {
  const lead = await api.getLead(String(request.params.id));
  const contacts = lead?._embedded?.contacts ?? [];
  const main = contacts.find((c) => c.is_main) ?? contacts[0];
  if (!lead || !main) return [];
  const contact = await api.getContact(String(main.id));
  const stage =
    param(request, 'statusId') ??
    (lead.status_id === null || lead.status_id === undefined ? undefined : String(lead.status_id));
  if (!contact || !stage) return [];
  const previousStage = param(request, 'oldStatusId');
  const pipeline =
    param(request, 'pipelineId') ??
    (lead.pipeline_id === null || lead.pipeline_id === undefined ? undefined : String(lead.pipeline_id));
  const amount = dealAmount(param(request, 'price') ?? lead.price, ctx.secrets.currency || KOMMO_DEFAULT_CURRENCY);
  const name = param(request, 'name') ?? text(lead.name);
  const label = name ? `Lead «${truncate(name, 80)}»` : `Lead ${lead.id}`;
  const move =
    request.params.change === 'created'
      ? `created in stage ${stageLabel(stage)}`
      : `moved to stage ${stageLabel(stage)}${previousStage ? ` from ${stageLabel(previousStage)}` : ''}`;
  const event = buildEvent(
    {
      connector: KOMMO,
      providerEventId: request.providerEventId,
      type: 'deal.stage_changed',
      channel: 'crm',
      occurredAt: request.occurredAt,
      identities: kommoContactIdentities(contact),
      traits: traitsOf(contact),
      summary: `${label} ${move}${amount ? ` (${formatMoney(amount)})` : ''}`,
      data: { dealId: String(lead.id), stage, previousStage, pipeline, amount },
    },
    ctx,
  );
  return event ? [event] : [];
};

/** Kommo note types (`note_type`) that say how the customer got in touch. */
const NOTE_VIA: Readonly<Record<string, string>> = {
  '4': 'note',
  common: 'note',
  '10': 'voice',
  call_in: 'voice',
  '11': 'voice',
  call_out: 'voice',
  '102': 'sms',
  sms_in: 'sms',
  '103': 'sms',
  sms_out: 'sms',
};

/** The contact a note is about: the contact itself, or the lead's main contact. */
const noteContact = async (request: HydrationRequest, api: KommoApi): Promise<KommoContact | undefined> => {
  const id = String(request.params.elementId);
  if (request.params.element === 'contact') return api.getContact(id);
  const lead = await api.getLead(id);
  const contacts = lead?._embedded?.contacts ?? [];
  const main = contacts.find((c) => c.is_main) ?? contacts[0];
  return main ? api.getContact(String(main.id)) : undefined;
};

/**
 * A note on a contact or lead → `ticket.created` on the help desk channel:
 * Kommo has no tickets, and a support team using it records the customer's
 * request as a note. A note is a finished record (Kommo has no state to
 * close it with later), so its status is `closed` (the help desk's word
 * `note` in `vendorStatus`): it shows in the timeline and the profile's
 * tickets, never as a ticket left open forever. A note whose contact or
 * lead is gone, or a lead without contacts, yields nothing.
 */
const hydrateNote = async (request: HydrationRequest, api: KommoApi, ctx: NormalizeContext): Promise<HubEvent[]> => {
  const contact = await noteContact(request, api);
  if (!contact) return [];
  const text = param(request, 'text');
  const subject = text ? truncate(text.split('\n')[0] ?? text, 120) : undefined;
  const on = request.params.element === 'lead' ? `lead ${String(request.params.elementId)}` : 'the contact';
  const event = buildEvent(
    {
      connector: KOMMO,
      providerEventId: request.providerEventId,
      type: 'ticket.created',
      channel: 'helpdesk',
      occurredAt: request.occurredAt,
      identities: kommoContactIdentities(contact),
      traits: traitsOf(contact),
      summary: `Kommo note on ${on}${subject ? `: ${subject}` : ''}`,
      data: {
        ticketId: `note:${String(request.params.noteId)}`,
        status: 'closed',
        vendorStatus: 'note',
        subject,
        via: NOTE_VIA[param(request, 'noteType') ?? ''],
      },
    },
    ctx,
  );
  return event ? [event] : [];
};

/** `Connector.hydrate` for Kommo. */
export const hydrateKommo = async (request: HydrationRequest, ctx: HydrateContext): Promise<HubEvent[]> => {
  const api = new KommoApi(ctx.fetch, ctx.secrets);
  const normalizeCtx = { ...ctx, receivedAt: request.receivedAt };
  if (request.kind === 'contact') return hydrateContact(request, api, normalizeCtx);
  if (request.kind === 'lead') return hydrateLead(request, api, normalizeCtx);
  if (request.kind === 'note') return hydrateNote(request, api, normalizeCtx);
  throw new Error(`Kommo cannot hydrate "${request.kind}"`);
};
