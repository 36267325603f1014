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

/** `Connector.hydrate` for Kommo. */
export const hydrateKommo = async (request: HydrationRequest, ctx: HydrateContext): Promise<HubEvent[]> => {
  const api = new KommoApi(ctx.fetch, ctx.secrets);
  const normalizeCtx = { ...ctx, receivedAt: request.receivedAt };
  if (request.kind === 'contact') return hydrateContact(request, api, normalizeCtx);
  if (request.kind === 'lead') return hydrateLead(request, api, normalizeCtx);
  throw new Error(`Kommo cannot hydrate "${request.kind}"`);
};
