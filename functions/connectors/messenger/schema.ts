/**
 * Facebook Page webhook (`object: "page"`): Messenger conversations and lead
 * ads. Meta delivers them in the shape shared with Instagram, so the schema
 * lives in `../shared/meta-webhook.ts`; this module names it for Messenger.
 */
import type { RawRequest } from '../../shared/http.js';
import { parseMetaWebhook, type MetaWebhook } from '../shared/meta-webhook.js';

export type { LeadgenValue } from '../shared/meta-webhook.js';

export type MessengerWebhook = MetaWebhook;

/** Decodes the raw body (Graph ids kept exact) and validates it; throws `ValidationError`. */
export const parseMessengerWebhook = (req: RawRequest): MessengerWebhook =>
  parseMetaWebhook(req, 'Facebook Page webhook');
