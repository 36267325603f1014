/**
 * The HubSpot CRM API v3 reads the hydrator needs, authenticated with a
 * private app access token (`Authorization: Bearer …`, scopes
 * `crm.objects.contacts.read`, `crm.objects.deals.read` and, for tickets,
 * `tickets`).
 *
 * A 404 means the object is gone (deleted or merged away since the webhook):
 * `undefined`, nothing to retry. Every other failure — network, timeout,
 * 401/403 (token revoked or missing a scope), 429, 5xx, an unexpected body —
 * throws, so the hydrator queue retries and finally dead-letters the request
 * for an operator to redrive once the cause is fixed.
 */
import type { z } from 'zod';
import { getWithBearer } from '../shared/vendor-api.js';
import type { ConnectorSecrets } from '../types.js';
import {
  HubSpotContactSchema,
  HubSpotDealSchema,
  HubSpotPipelineSchema,
  HubSpotTicketSchema,
  type HubSpotContact,
  type HubSpotDeal,
  type HubSpotPipeline,
  type HubSpotTicket,
} from './schema.js';
import { HUBSPOT_API_BASE_URL } from './meta.js';

export { HUBSPOT_API_BASE_URL };

/** Contact properties read: every identifier HubSpot keeps, and the name. */
const HUBSPOT_CONTACT_PROPERTIES = [
  'email',
  'phone',
  'mobilephone',
  'firstname',
  'lastname',
  'hs_whatsapp_phone_number',
] as const;

const HUBSPOT_DEAL_PROPERTIES = ['dealstage', 'pipeline', 'amount', 'deal_currency_code', 'dealname'] as const;

/** Ticket properties read: what the profile keeps of a ticket. */
const HUBSPOT_TICKET_PROPERTIES = [
  'subject',
  'hs_pipeline',
  'hs_pipeline_stage',
  'hs_ticket_priority',
  'source_type',
  'closed_date',
] as const;

export class HubSpotApi {
  private readonly baseUrl: string;
  private readonly token: string;

  constructor(
    private readonly fetchFn: typeof fetch,
    secrets: ConnectorSecrets,
  ) {
    if (!secrets.apiToken)
      throw new Error('HubSpot apiToken (private app access token) is not configured; cannot fetch contacts');
    this.token = secrets.apiToken;
    this.baseUrl = (secrets.apiBaseUrl || HUBSPOT_API_BASE_URL).replace(/\/+$/, '');
  }

  getContact(id: string): Promise<HubSpotContact | undefined> {
    return this.get(
      `/crm/v3/objects/contacts/${encodeURIComponent(id)}?properties=${HUBSPOT_CONTACT_PROPERTIES.join(',')}`,
      HubSpotContactSchema,
    );
  }

  getDeal(id: string): Promise<HubSpotDeal | undefined> {
    return this.get(
      `/crm/v3/objects/deals/${encodeURIComponent(id)}?associations=contacts&properties=${HUBSPOT_DEAL_PROPERTIES.join(',')}`,
      HubSpotDealSchema,
    );
  }

  getTicket(id: string): Promise<HubSpotTicket | undefined> {
    return this.get(
      `/crm/v3/objects/tickets/${encodeURIComponent(id)}?associations=contacts&properties=${HUBSPOT_TICKET_PROPERTIES.join(',')}`,
      HubSpotTicketSchema,
    );
  }

  /** A ticket pipeline's stages (labels and open/closed state), for stages of pipelines other than the default. */
  getTicketPipeline(id: string): Promise<HubSpotPipeline | undefined> {
    return this.get(`/crm/v3/pipelines/tickets/${encodeURIComponent(id)}`, HubSpotPipelineSchema);
  }

  private get<T>(path: string, schema: z.ZodType<T>): Promise<T | undefined> {
    return getWithBearer(this.fetchFn, { vendor: 'HubSpot', baseUrl: this.baseUrl, path, token: this.token, schema });
  }
}
