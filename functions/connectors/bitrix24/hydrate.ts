/**
 * Completes a Bitrix24 hydration request: `crm.lead.get`, `crm.contact.get`
 * or `crm.deal.get` (+ `crm.contact.get` for the deal's contact). All fetches
 * finish before any event is built, so a failure publishes nothing.
 *
 * Identities are customer-level: `bitrix24:lead:<id>` and
 * `bitrix24:contact:<id>` (type `bitrix24`), plus every PHONE and EMAIL
 * value. A repeat lead names its contact (`CONTACT_ID`), which links the two.
 */
import type { HubEvent, Identity } from '../../events/hub-event.js';
import { buildEvent, fromDateString, truncate } from '../shared/build-event.js';
import { dealAmount, formatMoney } from '../shared/money.js';
import type { HydrateContext, HydrationRequest, NormalizeContext } from '../types.js';
import { Bitrix24Api } from './api.js';
import { BITRIX24 } from './normalize.js';
import type { Bitrix24Contact, Bitrix24Deal, Bitrix24Lead } from './schema.js';

type Person = Pick<Bitrix24Lead, 'NAME' | 'LAST_NAME' | 'PHONE' | 'EMAIL'>;

const text = (value: string | null | undefined): string | undefined => (value?.trim() ? value.trim() : undefined);

/** Identity value of a Bitrix24 entity: `lead:1001`, `contact:84`. */
const bitrix24Ref = (entity: 'lead' | 'contact', id: string): Identity => ({
  type: 'bitrix24',
  value: `${entity}:${id}`,
});

const channelIdentities = (person: Person): Identity[] => [
  ...(person.PHONE ?? []).flatMap((p): Identity[] =>
    text(p.VALUE) ? [{ type: 'phone', value: text(p.VALUE) as string }] : [],
  ),
  ...(person.EMAIL ?? []).flatMap((e): Identity[] =>
    text(e.VALUE) ? [{ type: 'email', value: text(e.VALUE) as string }] : [],
  ),
];

const traitsOf = (person: Person) => {
  const firstName = text(person.NAME);
  const lastName = text(person.LAST_NAME);
  return { firstName, lastName, name: [firstName, lastName].filter(Boolean).join(' ') || undefined };
};

const changeOf = (request: HydrationRequest): 'created' | 'updated' =>
  request.params.change === 'created' ? 'created' : 'updated';

const leadEvent = (request: HydrationRequest, lead: Bitrix24Lead, ctx: NormalizeContext): HubEvent | undefined => {
  const change = changeOf(request);
  const title = text(lead.TITLE) ?? `#${lead.ID}`;
  const status = text(lead.STATUS_ID);
  return buildEvent(
    {
      connector: BITRIX24,
      providerEventId: request.providerEventId,
      type: change === 'created' ? 'contact.created' : 'contact.updated',
      channel: 'crm',
      occurredAt: request.occurredAt,
      identities: [
        bitrix24Ref('lead', lead.ID),
        lead.CONTACT_ID ? bitrix24Ref('contact', lead.CONTACT_ID) : undefined,
        ...channelIdentities(lead),
      ],
      traits: traitsOf(lead),
      summary: `Bitrix24 lead «${truncate(title, 80)}» ${change}${status ? ` (status ${status})` : ''}`,
      data: { contactId: `lead:${lead.ID}`, ...(status ? { changes: { STATUS_ID: status } } : {}) },
    },
    ctx,
  );
};

const contactEvent = (
  request: HydrationRequest,
  contact: Bitrix24Contact,
  ctx: NormalizeContext,
): HubEvent | undefined => {
  const change = changeOf(request);
  return buildEvent(
    {
      connector: BITRIX24,
      providerEventId: request.providerEventId,
      type: change === 'created' ? 'contact.created' : 'contact.updated',
      channel: 'crm',
      occurredAt: request.occurredAt,
      identities: [bitrix24Ref('contact', contact.ID), ...channelIdentities(contact)],
      traits: traitsOf(contact),
      summary: `Bitrix24 contact ${change}`,
      data: { contactId: `contact:${contact.ID}` },
    },
    ctx,
  );
};

/**
 * `ONCRMDEALUPDATE` fires on every field edit, not only on stage moves, and
 * carries no "previous stage". So the event is keyed on the deal's current
 * stage and `MOVED_TIME` (when it entered that stage): every update that
 * did not move the deal collapses into the one event of the move.
 */
const bitrix24DealKey = (request: HydrationRequest, deal: Bitrix24Deal): string => {
  const movedAt = fromDateString(deal.MOVED_TIME);
  if (!movedAt) return request.providerEventId;
  return `${request.params.memberId ?? ''}:deal:${deal.ID}:stage:${deal.STAGE_ID}:${movedAt}`;
};

const dealEvent = (
  request: HydrationRequest,
  deal: Bitrix24Deal,
  contact: Bitrix24Contact | undefined,
  ctx: NormalizeContext,
): HubEvent | undefined => {
  const amount = dealAmount(deal.OPPORTUNITY, deal.CURRENCY_ID);
  const title = text(deal.TITLE) ?? `#${deal.ID}`;
  return buildEvent(
    {
      connector: BITRIX24,
      providerEventId: bitrix24DealKey(request, deal),
      type: 'deal.stage_changed',
      channel: 'crm',
      occurredAt: fromDateString(deal.MOVED_TIME) ?? request.occurredAt,
      identities: [
        contact ? bitrix24Ref('contact', contact.ID) : undefined,
        deal.LEAD_ID ? bitrix24Ref('lead', deal.LEAD_ID) : undefined,
        ...(contact ? channelIdentities(contact) : []),
      ],
      traits: contact ? traitsOf(contact) : {},
      summary: `Deal «${truncate(title, 80)}» in stage ${deal.STAGE_ID}${amount ? ` (${formatMoney(amount)})` : ''}`,
      data: { dealId: deal.ID, stage: deal.STAGE_ID, pipeline: deal.CATEGORY_ID, amount },
    },
    ctx,
  );
};

const one = (event: HubEvent | undefined): HubEvent[] => (event ? [event] : []);

/** `Connector.hydrate` for Bitrix24. */
export const hydrateBitrix24 = async (request: HydrationRequest, ctx: HydrateContext): Promise<HubEvent[]> => {
  const api = new Bitrix24Api(ctx.fetch, ctx.secrets);
  const id = String(request.params.id);
  const normalizeCtx: NormalizeContext = { defaultCountry: ctx.defaultCountry, receivedAt: request.receivedAt };
  if (request.kind === 'lead') {
    const lead = await api.getLead(id);
    return one(lead && leadEvent(request, lead, normalizeCtx));
  }
  if (request.kind === 'contact') {
    const contact = await api.getContact(id);
    return one(contact && contactEvent(request, contact, normalizeCtx));
  }
  if (request.kind === 'deal') {
    const deal = await api.getDeal(id);
    if (!deal) return [];
    // A deal with neither a contact nor a source lead cannot reach a profile.
    const contact = deal.CONTACT_ID ? await api.getContact(deal.CONTACT_ID) : undefined;
    if (!contact && !deal.LEAD_ID) return [];
    return one(dealEvent(request, deal, contact, normalizeCtx));
  }
  throw new Error(`Bitrix24 cannot hydrate "${request.kind}"`);
};
