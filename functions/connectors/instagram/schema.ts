/**
 * Instagram messaging webhook (`object: "instagram"`). Meta delivers
 * Instagram conversations in the Messenger Platform's event shapes, so the
 * schema is the one shared with the Messenger connector
 * (`../shared/meta-webhook.ts`); this module names it for Instagram.
 */
import type { RawRequest } from '../../shared/http.js';
import { parseMetaWebhook, type MetaWebhook } from '../shared/meta-webhook.js';

export type InstagramWebhook = MetaWebhook;

/** Decodes and validates the raw body; throws `ValidationError`. */
export const parseInstagramWebhook = (req: RawRequest): InstagramWebhook => parseMetaWebhook(req, 'Instagram webhook');
