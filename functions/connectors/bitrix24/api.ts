/**
 * Bitrix24 REST reads through an inbound webhook: `apiBaseUrl` is the
 * webhook URL Bitrix24 shows (`https://<portal>.bitrix24.ua/rest/<user>/<key>/`),
 * which already carries the credential, so there is no separate token and the
 * URL must be kept secret (it never appears in errors or logs).
 *
 * "Not found" means the entity was deleted since the event: `undefined`,
 * nothing to retry. Anything else (network, timeout, QUERY_LIMIT_EXCEEDED,
 * 401 for a revoked webhook, 5xx, an unexpected body) throws, so the
 * hydrator queue retries and finally dead-letters the request.
 */
import type { z } from 'zod';
import { describeIssues } from '../shared/body.js';
import type { ConnectorSecrets } from '../types.js';
import {
  Bitrix24ContactSchema,
  Bitrix24DealSchema,
  Bitrix24LeadSchema,
  Bitrix24ResponseSchema,
  type Bitrix24Contact,
  type Bitrix24Deal,
  type Bitrix24Lead,
} from './schema.js';
import { vendorRequest } from '../shared/vendor-api.js';

const TIMEOUT_MS = 10_000;

export class Bitrix24Api {
  private readonly baseUrl: string;

  constructor(
    private readonly fetchFn: typeof fetch,
    secrets: ConnectorSecrets,
  ) {
    if (!secrets.apiBaseUrl) {
      throw new Error(
        'Bitrix24 apiBaseUrl (inbound webhook URL with the crm scope) is not configured; cannot fetch CRM entities',
      );
    }
    this.baseUrl = secrets.apiBaseUrl.endsWith('/') ? secrets.apiBaseUrl : `${secrets.apiBaseUrl}/`;
  }

  getLead(id: string): Promise<Bitrix24Lead | undefined> {
    return this.call('crm.lead.get', id, Bitrix24LeadSchema);
  }

  getContact(id: string): Promise<Bitrix24Contact | undefined> {
    return this.call('crm.contact.get', id, Bitrix24ContactSchema);
  }

  getDeal(id: string): Promise<Bitrix24Deal | undefined> {
    return this.call('crm.deal.get', id, Bitrix24DealSchema);
  }

  private async call<T>(method: string, id: string, schema: z.ZodType<T>): Promise<T | undefined> {
    const res = await this.fetchFn(
      `${this.baseUrl}${method}.json?id=${encodeURIComponent(id)}`,
      vendorRequest({ headers: { accept: 'application/json' }, signal: AbortSignal.timeout(TIMEOUT_MS) }),
    );
    let body: unknown;
    try {
      body = await res.json();
    } catch (err) {
      throw new Error(`Bitrix24 ${method} failed with HTTP ${res.status} and a body that is not JSON`, { cause: err });
    }
    const envelope = Bitrix24ResponseSchema.safeParse(body);
    if (!envelope.success)
      throw new Error(`Bitrix24 ${method} returned an unexpected body: ${describeIssues(envelope.error)}`);
    const { result, error, error_description: description } = envelope.data;
    if (!res.ok || error !== undefined || result === undefined) {
      if (/not found/i.test(description ?? '')) return undefined;
      throw new Error(
        `Bitrix24 ${method} failed with HTTP ${res.status}: ${error || 'error'} ${description ?? ''}`.trim(),
      );
    }
    const parsed = schema.safeParse(result);
    if (!parsed.success)
      throw new Error(`Bitrix24 ${method} returned an unexpected entity: ${describeIssues(parsed.error)}`);
    return parsed.data;
  }
}
