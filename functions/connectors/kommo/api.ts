/**
 * Kommo API v4 reads (`Authorization: Bearer <long-lived token>`) on the
 * account's own host, `apiBaseUrl` = `https://<subdomain>.kommo.com` (or
 * `https://<subdomain>.amocrm.ru`). The host is configured, never taken from
 * the webhook's `account[_links][self]`: the webhook is unsigned and the
 * token must only ever go to the account it belongs to.
 *
 * 204 (Kommo's "no such entity") and 404 mean deleted since the webhook:
 * `undefined`, nothing to retry. Anything else throws, so the hydrator
 * queue retries and finally dead-letters the request.
 */
import type { z } from 'zod';
import { getWithBearer } from '../shared/vendor-api.js';
import type { ConnectorSecrets } from '../types.js';
import { KommoContactSchema, KommoLeadSchema, type KommoContact, type KommoLead } from './schema.js';

export class KommoApi {
  private readonly baseUrl: string;
  private readonly token: string;

  constructor(
    private readonly fetchFn: typeof fetch,
    secrets: ConnectorSecrets,
  ) {
    if (!secrets.apiBaseUrl)
      throw new Error(
        'Kommo apiBaseUrl (https://<subdomain>.kommo.com) is not configured; cannot fetch leads and contacts',
      );
    if (!secrets.apiToken)
      throw new Error('Kommo apiToken (long-lived token) is not configured; cannot fetch leads and contacts');
    this.baseUrl = secrets.apiBaseUrl.replace(/\/+$/, '');
    this.token = secrets.apiToken;
  }

  getContact(id: string): Promise<KommoContact | undefined> {
    return this.get(`/api/v4/contacts/${encodeURIComponent(id)}`, KommoContactSchema);
  }

  getLead(id: string): Promise<KommoLead | undefined> {
    return this.get(`/api/v4/leads/${encodeURIComponent(id)}?with=contacts`, KommoLeadSchema);
  }

  private get<T>(path: string, schema: z.ZodType<T>): Promise<T | undefined> {
    // 204 is how Kommo answers for an id it does not have.
    return getWithBearer(this.fetchFn, {
      vendor: 'Kommo',
      baseUrl: this.baseUrl,
      path,
      token: this.token,
      schema,
      goneStatuses: [204, 404],
    });
  }
}
