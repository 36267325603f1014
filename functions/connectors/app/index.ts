/**
 * The company's mobile app backend: the website's format and signature
 * (Standard Webhooks, `../site/README.md`), every event on the `app`
 * channel, the app's user id as identity `app:<id>`, plus push
 * notification receipts (`message.delivered`, `message.read`).
 * Setup: ./README.md.
 */
import * as z from 'zod';
import { MessageDataSchema } from '../../events/hub-event.js';
import { normalizeFormat, siteSummary, type FormatProfile } from '../site/normalize.js';
import { envelope, SITE_EVENT_VARIANTS, type SiteEvent } from '../site/schema.js';
import { parseDelivery, signDeliverySample, verifyDelivery } from '../site/delivery.js';
import { defineConnector, type NormalizeResult } from '../types.js';
import { appMeta } from './meta.js';

const CONNECTOR = 'app';

/** A push notification the app's backend sent, as the device reported it. */
const PushDataSchema = MessageDataSchema.pick({ messageId: true, text: true, hubMessageId: true }).extend({
  direction: z.literal('outbound').default('outbound'),
  contentType: MessageDataSchema.shape.contentType.default('other'),
  /** The campaign or notification kind (`abandoned_cart`, `order_shipped`). */
  conversationId: z.string().optional(),
});

const AppEventSchema = z
  .discriminatedUnion('type', [
    ...SITE_EVENT_VARIANTS,
    z
      .object({ ...envelope, type: z.literal('message.delivered'), data: PushDataSchema })
      .describe('A push notification reached the device'),
    z
      .object({ ...envelope, type: z.literal('message.read'), data: PushDataSchema })
      .describe('The user opened a push notification'),
  ])
  .describe('A mobile app event posted to /webhooks/app, signed with Standard Webhooks');
type AppEvent = z.infer<typeof AppEventSchema>;

interface AppDelivery {
  readonly webhookId: string;
  readonly event: AppEvent;
}

const isPush = (event: AppEvent): event is Extract<AppEvent, { type: 'message.delivered' | 'message.read' }> =>
  event.type === 'message.delivered' || event.type === 'message.read';

const APP_PROFILE: FormatProfile<AppEvent> = {
  connector: CONNECTOR,
  idType: 'app',
  channel: () => 'app',
  summary: (event) =>
    isPush(event)
      ? `Push ${event.type === 'message.read' ? 'opened' : 'delivered'}${event.data.text ? `: ${event.data.text}` : ''}`
      : siteSummary(event as SiteEvent),
};

export const appConnector = defineConnector({
  ...appMeta,
  verify: verifyDelivery,
  parse: (req): AppDelivery => parseDelivery(req, AppEventSchema, 'App event'),
  normalize: ({ webhookId, event }: AppDelivery, ctx): NormalizeResult =>
    normalizeFormat(APP_PROFILE, webhookId, event, ctx),
  signSample: signDeliverySample,
});
