/**
 * Facebook lead ads: the Page webhook (`changes[].field == "leadgen"`) only
 * names the lead, so `normalize` asks for a hydration and `hydrateLeadgen`
 * fetches the answers from the Graph API (`GET /{leadgen_id}`) afterwards.
 */
import * as z from 'zod';
import type { HubEvent, Identity } from '../../events/hub-event.js';
import { validate } from '../shared/body.js';
import { buildEvent, fromDateString, fromUnixSeconds } from '../shared/build-event.js';
import { hmac } from '../shared/signature.js';
import type { HydrateContext, HydrationRequest, NormalizeContext } from '../types.js';
import type { LeadgenValue } from './schema.js';
import { vendorRequest } from '../shared/vendor-api.js';

const CONNECTOR = 'messenger';
const LEADGEN_KIND = 'leadgen';

/** Graph API root, pinned to a version so field semantics don't change under us. */
export const DEFAULT_GRAPH_API_BASE_URL = 'https://graph.facebook.com/v21.0';

/** The hydration a `leadgen` change asks for; `leadgen:<leadgen_id>` is the dedup key. */
export const leadgenHydration = (value: LeadgenValue, ctx: NormalizeContext): HydrationRequest => {
  const params: Record<string, string> = { leadgenId: value.leadgen_id };
  if (value.form_id) params.formId = value.form_id;
  if (value.page_id) params.pageId = value.page_id;
  if (value.ad_id && value.ad_id !== '0') params.adId = value.ad_id;
  const occurredAt = fromUnixSeconds(value.created_time);
  return {
    connector: CONNECTOR,
    kind: LEADGEN_KIND,
    params,
    providerEventId: `leadgen:${value.leadgen_id}`,
    ...(occurredAt ? { occurredAt } : {}),
    receivedAt: ctx.receivedAt,
  };
};

/** The Graph API Lead object (`GET /{leadgen_id}`), as much as the hub reads. */
const GraphLeadSchema = z
  .object({
    id: z.string(),
    /** ISO 8601 with a `+0000` offset. */
    created_time: z.string().optional(),
    form_id: z.string().optional(),
    field_data: z.array(z.object({ name: z.string(), values: z.array(z.string()).default([]) }).loose()).default([]),
  })
  .loose();
export type GraphLead = z.infer<typeof GraphLeadSchema>;

const EMAIL_FIELD = /e-?mail/i;
const PHONE_FIELD = /phone|mobile/i;

const firstValue = (lead: GraphLead, name: string): string | undefined =>
  lead.field_data.find((f) => f.name === name)?.values.find((v) => v.trim() !== '');

/**
 * Standard lead-form keys (`email`, `phone_number`, `full_name`, …) and
 * custom questions whose key names an email or phone. `buildEvent` drops
 * values that are not a valid email or phone number.
 */
const leadIdentities = (lead: GraphLead): Identity[] => {
  const identities: Identity[] = [];
  for (const field of lead.field_data) {
    const type = EMAIL_FIELD.test(field.name) ? 'email' : PHONE_FIELD.test(field.name) ? 'phone' : undefined;
    if (!type) continue;
    for (const value of field.values) if (value.trim()) identities.push({ type, value });
  }
  return identities;
};

/**
 * A fetched lead as `lead.submitted`. Channel `web`: the customer filled in a
 * form (on Facebook or Instagram), not a Messenger conversation, and lead
 * ads carry no PSID, so nothing links it to the Messenger channel. Returns
 * no event when the form collected neither a valid email nor a phone.
 */
const leadEvent = (lead: GraphLead, request: HydrationRequest, ctx: NormalizeContext): HubEvent | undefined => {
  const first = firstValue(lead, 'first_name');
  const last = firstValue(lead, 'last_name');
  const name = firstValue(lead, 'full_name') ?? ([first, last].filter(Boolean).join(' ') || undefined);
  const formId = lead.form_id ?? (request.params.formId === undefined ? undefined : String(request.params.formId));
  return buildEvent(
    {
      connector: CONNECTOR,
      providerEventId: request.providerEventId,
      type: 'lead.submitted',
      channel: 'web',
      occurredAt: fromDateString(lead.created_time) ?? request.occurredAt,
      identities: leadIdentities(lead),
      traits: { name, firstName: first, lastName: last, city: firstValue(lead, 'city') },
      summary: 'Facebook lead ad form submitted',
      data: {
        formId,
        answers: lead.field_data.map((f) => ({ question: f.name, answer: f.values.join(', ') })),
      },
    },
    { receivedAt: request.receivedAt, defaultCountry: ctx.defaultCountry },
  );
};

/** Graph API error body: `{ "error": { "message", "type", "code" } }`. */
const graphError = async (res: Response): Promise<string> => {
  try {
    const body = (await res.json()) as { error?: { message?: string; code?: number } };
    return body.error?.message ? `${body.error.message} (code ${body.error.code ?? '?'})` : res.statusText;
  } catch {
    return res.statusText;
  }
};

/**
 * Fetches the lead and returns its `lead.submitted` event. Throws (so the
 * hydrator retries, then dead-letters) when no token is configured or the
 * Graph API fails; the error never contains the token. Adds
 * `appsecret_proof` when the app secret is known, which apps with
 * "Require App Secret" enabled demand on every call.
 */
export const hydrateLeadgen = async (request: HydrationRequest, ctx: HydrateContext): Promise<HubEvent[]> => {
  if (request.kind !== LEADGEN_KIND) throw new Error(`The messenger connector cannot hydrate "${request.kind}"`);
  const token = ctx.secrets.apiToken;
  if (!token) throw new Error('No Graph API token (apiToken) is configured for messenger; cannot fetch the lead');
  const leadgenId = String(request.params.leadgenId ?? '');
  if (!/^\d+$/.test(leadgenId)) throw new Error(`Invalid leadgen id "${leadgenId}"`);
  const base = (ctx.secrets.apiBaseUrl || DEFAULT_GRAPH_API_BASE_URL).replace(/\/+$/, '');
  const query = new URLSearchParams({ access_token: token });
  if (ctx.secrets.secret) query.set('appsecret_proof', hmac('sha256', ctx.secrets.secret, token, 'hex'));
  const res = await ctx.fetch(
    `${base}/${leadgenId}?${query.toString()}`,
    vendorRequest({ headers: { accept: 'application/json' } }),
  );
  if (!res.ok) throw new Error(`Graph API answered ${res.status} for lead ${leadgenId}: ${await graphError(res)}`);
  const lead = validate(GraphLeadSchema, await res.json(), 'Graph API lead');
  const event = leadEvent(lead, request, { receivedAt: request.receivedAt, defaultCountry: ctx.defaultCountry });
  return event ? [event] : [];
};
