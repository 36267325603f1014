/**
 * Completes a HubSpot hydration request from the CRM API: the contact (or
 * the deal and its first associated contact) is fetched first, and only then
 * are events built, so a failed fetch publishes nothing and the retry starts
 * clean. Event ids come from the webhook's composite key, so a retry after a
 * partial publish yields the same ids.
 */
import type { HubEvent, Identity } from '../../events/hub-event.js';
import { buildEvent, truncate } from '../shared/build-event.js';
import type { HydrateContext, HydrationRequest, NormalizeContext } from '../types.js';
import { HubSpotApi } from './api.js';
import { dealAmount, formatMoney } from '../shared/money.js';
import { HUBSPOT, type HubSpotChange } from './normalize.js';
import type { HubSpotContact } from './schema.js';

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

/** `Connector.hydrate` for HubSpot. */
export const hydrateHubSpot = async (request: HydrationRequest, ctx: HydrateContext): Promise<HubEvent[]> => {
  const api = new HubSpotApi(ctx.fetch, ctx.secrets);
  const normalizeCtx = { ...ctx, receivedAt: request.receivedAt };
  if (request.kind === 'contact') return hydrateContact(request, api, normalizeCtx);
  if (request.kind === 'deal') return hydrateDeal(request, api, normalizeCtx);
  throw new Error(`HubSpot cannot hydrate "${request.kind}"`);
};
