/**
 * Completes a HubSpot hydration request from the CRM API: the contact (or
 * the deal or ticket and its first associated contact) is fetched first, and only then
 * are events built, so a failed fetch publishes nothing and the retry starts
 * clean. Event ids come from the webhook's composite key, so a retry after a
 * partial publish yields the same ids.
 */
import type { HubEvent, Identity, TicketStatus } from '../../events/hub-event.js';
import { buildEvent, truncate } from '../shared/build-event.js';
import type { HydrateContext, HydrationRequest, NormalizeContext } from '../types.js';
import { HubSpotApi } from './api.js';
import { dealAmount, formatMoney } from '../shared/money.js';
import { HUBSPOT, type HubSpotChange } from './normalize.js';
import type { HubSpotContact, HubSpotTicket } from './schema.js';

const text = (value: string | null | undefined): string | undefined => (value?.trim() ? value.trim() : undefined);

const param = (request: HydrationRequest, name: string): string | undefined => {
  const value = request.params[name];
  return value === undefined ? undefined : String(value);
};

/** `hubspot:<id>`, then every email and phone the contact record holds. */
const hubspotContactIdentities = (contact: HubSpotContact): Identity[] => {
  const p = contact.properties;
  const identities: Identity[] = [{ type: 'hubspot', value: contact.id }];
  const email = text(p.email);
  if (email) identities.push({ type: 'email', value: email });
  for (const key of ['phone', 'mobilephone', 'hs_whatsapp_phone_number']) {
    const phone = text(p[key]);
    if (phone) identities.push({ type: 'phone', value: phone });
  }
  return identities;
};

const contactTraits = (contact: HubSpotContact) => {
  const firstName = text(contact.properties.firstname);
  const lastName = text(contact.properties.lastname);
  return { firstName, lastName, name: [firstName, lastName].filter(Boolean).join(' ') || undefined };
};

const contactEvent = (
  request: HydrationRequest,
  contact: HubSpotContact,
  ctx: NormalizeContext,
): HubEvent | undefined => {
  const change = param(request, 'change') as HubSpotChange | undefined;
  const propertyName = param(request, 'propertyName');
  const propertyValue = param(request, 'propertyValue');
  const common = {
    connector: HUBSPOT,
    providerEventId: request.providerEventId,
    channel: 'crm' as const,
    occurredAt: request.occurredAt,
    identities: hubspotContactIdentities(contact),
    traits: contactTraits(contact),
  };
  if (change === 'consent') {
    const optedOut = propertyValue?.toLowerCase() === 'true';
    return buildEvent(
      {
        ...common,
        type: optedOut ? 'consent.revoked' : 'consent.granted',
        summary: optedOut ? 'Opted out of marketing email in HubSpot' : 'Opted back in to marketing email in HubSpot',
        data: {
          channel: 'email',
          purpose: 'marketing',
          reason: `HubSpot ${propertyName ?? 'hs_email_optout'}=${propertyValue ?? ''}`,
        },
      },
      ctx,
    );
  }
  if (change === 'updated') {
    return buildEvent(
      {
        ...common,
        type: 'contact.updated',
        summary: propertyName
          ? `HubSpot contact updated: ${propertyName} → ${truncate(propertyValue ?? '(empty)', 80)}`
          : 'HubSpot contact updated',
        data: {
          contactId: contact.id,
          ...(propertyName ? { changes: { [propertyName]: propertyValue ?? null } } : {}),
        },
      },
      ctx,
    );
  }
  return buildEvent(
    { ...common, type: 'contact.created', summary: 'Contact created in HubSpot', data: { contactId: contact.id } },
    ctx,
  );
};

const hydrateContact = async (
  request: HydrationRequest,
  api: HubSpotApi,
  ctx: NormalizeContext,
): Promise<HubEvent[]> => {
  const contact = await api.getContact(String(request.params.objectId));
  const event = contact && contactEvent(request, contact, ctx);
  return event ? [event] : [];
};

/**
 * A deal event belongs to the deal's first associated contact; a deal with
 * none cannot reach a profile and yields no event (nothing to retry).
 */
const hydrateDeal = async (
  request: HydrationRequest,
  api: HubSpotApi,
  ctx: HydrateContext & NormalizeContext,
): Promise<HubEvent[]> => {
  const deal = await api.getDeal(String(request.params.objectId));
  const contactId = deal?.associations?.contacts?.results[0]?.id;
  if (!deal || !contactId) return [];
  const contact = await api.getContact(contactId);
  const p = deal.properties;
  const stage = param(request, 'propertyValue') ?? text(p.dealstage);
  if (!contact || !stage) return [];
  const amount = dealAmount(text(p.amount), text(p.deal_currency_code) ?? ctx.secrets.currency);
  const name = text(p.dealname);
  const label = name ? `Deal «${truncate(name, 80)}»` : `Deal ${deal.id}`;
  const verb = param(request, 'change') === 'created' ? 'created in stage' : 'moved to stage';
  const event = buildEvent(
    {
      connector: HUBSPOT,
      providerEventId: request.providerEventId,
      type: 'deal.stage_changed',
      channel: 'crm',
      occurredAt: request.occurredAt,
      identities: hubspotContactIdentities(contact),
      traits: contactTraits(contact),
      summary: `${label} ${verb} ${stage}${amount ? ` (${formatMoney(amount)})` : ''}`,
      data: { dealId: deal.id, stage, pipeline: text(p.pipeline), amount },
    },
    ctx,
  );
  return event ? [event] : [];
};

/**
 * The stages of HubSpot's default ticket pipeline (`0`) in the hub's ticket
 * vocabulary (Zendesk's): New, Waiting on contact (the customer owes an
 * answer: pending), Waiting on us (open), Closed.
 */
const DEFAULT_TICKET_STAGES: Readonly<Record<string, { status: TicketStatus; label: string }>> = {
  '1': { status: 'new', label: 'New' },
  '2': { status: 'pending', label: 'Waiting on contact' },
  '3': { status: 'open', label: 'Waiting on us' },
  '4': { status: 'closed', label: 'Closed' },
};

const TICKET_PRIORITIES: Readonly<Record<string, 'low' | 'normal' | 'high' | 'urgent'>> = {
  LOW: 'low',
  MEDIUM: 'normal',
  HIGH: 'high',
  URGENT: 'urgent',
};

/**
 * A stage as a status: the default pipeline's stages by id; any other
 * pipeline's from its definition (`metadata.ticketState` CLOSED → closed,
 * else open, the stage label as `vendorStatus`). A stage the pipeline no
 * longer has reads as open under its id.
 */
const ticketStage = async (
  api: HubSpotApi,
  pipeline: string | undefined,
  stage: string,
): Promise<{ status: TicketStatus; label: string }> => {
  if ((pipeline ?? '0') === '0' && DEFAULT_TICKET_STAGES[stage]) return DEFAULT_TICKET_STAGES[stage];
  const definition = pipeline ? await api.getTicketPipeline(pipeline) : undefined;
  const found = definition?.stages.find((s) => s.id === stage);
  return {
    status: found?.metadata?.ticketState?.toUpperCase() === 'CLOSED' ? 'closed' : 'open',
    label: found?.label ?? stage,
  };
};

/**
 * `ticket.created` / `ticket.updated` / `ticket.solved` for the ticket's
 * first associated contact (HubSpot's requester): the status is the stage
 * the webhook reported (a `hs_pipeline_stage` change carries it) or the
 * ticket's current one. A ticket with no contact cannot reach a profile and
 * yields no event (nothing to retry).
 */
const hydrateTicket = async (
  request: HydrationRequest,
  api: HubSpotApi,
  ctx: HydrateContext & NormalizeContext,
): Promise<HubEvent[]> => {
  const ticket: HubSpotTicket | undefined = await api.getTicket(String(request.params.objectId));
  const contactId = ticket?.associations?.contacts?.results[0]?.id;
  if (!ticket || !contactId) return [];
  const contact = await api.getContact(contactId);
  if (!contact) return [];
  const p = ticket.properties;
  const propertyName = param(request, 'propertyName');
  const reportedStage = propertyName === 'hs_pipeline_stage' ? param(request, 'propertyValue') : undefined;
  const stage = reportedStage ?? text(p.hs_pipeline_stage);
  if (!stage) return [];
  const { status, label } = await ticketStage(api, text(p.hs_pipeline), stage);
  const created = param(request, 'change') === 'created';
  const type = created ? 'ticket.created' : status === 'closed' ? 'ticket.solved' : 'ticket.updated';
  const subject = text(p.subject);
  const portalId = param(request, 'portalId');
  const what = created ? 'opened' : type === 'ticket.solved' ? 'closed' : `updated (${label})`;
  const event = buildEvent(
    {
      connector: HUBSPOT,
      providerEventId: request.providerEventId,
      type,
      channel: 'helpdesk',
      occurredAt: request.occurredAt,
      identities: hubspotContactIdentities(contact),
      traits: contactTraits(contact),
      summary: `HubSpot ticket #${ticket.id} ${what}${subject ? `: ${truncate(subject, 120)}` : ''}`,
      data: {
        ticketId: ticket.id,
        status,
        vendorStatus: label,
        subject: subject ? truncate(subject, 500) : undefined,
        priority: TICKET_PRIORITIES[text(p.hs_ticket_priority)?.toUpperCase() ?? ''],
        via: text(p.source_type)?.toLowerCase(),
        url: portalId ? `https://app.hubspot.com/contacts/${portalId}/record/0-5/${ticket.id}` : undefined,
      },
    },
    ctx,
  );
  return event ? [event] : [];
};

/** `Connector.hydrate` for HubSpot. */
export const hydrateHubSpot = async (request: HydrationRequest, ctx: HydrateContext): Promise<HubEvent[]> => {
  const api = new HubSpotApi(ctx.fetch, ctx.secrets);
  const normalizeCtx = { ...ctx, receivedAt: request.receivedAt };
  if (request.kind === 'contact') return hydrateContact(request, api, normalizeCtx);
  if (request.kind === 'deal') return hydrateDeal(request, api, normalizeCtx);
  if (request.kind === 'ticket') return hydrateTicket(request, api, normalizeCtx);
  throw new Error(`HubSpot cannot hydrate "${request.kind}"`);
};
