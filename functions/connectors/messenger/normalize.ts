/**
 * Facebook Page webhook (`object: "page"`) → hub events. Pure. Messenger
 * conversations (`messaging[]`, `standby[]`) become message events through
 * the Meta messaging normalizer shared with Instagram; lead ads
 * (`changes[].field == "leadgen"`) become hydration requests, fetched later
 * by `hydrateLeadgen`. Everything else is acknowledged and listed in `ignored`.
 */
import { foreignObject, normalizeMessagingEntries, type MetaPlatform } from '../shared/meta-messaging.js';
import type { HydrationRequest, NormalizeContext, NormalizeResult } from '../types.js';
import { leadgenHydration } from './leadgen.js';
import type { MessengerWebhook } from './schema.js';

const MESSENGER_PLATFORM: MetaPlatform = {
  connector: 'messenger',
  object: 'page',
  channel: 'messenger',
  identityType: 'messenger',
};

export const normalizeMessenger = (payload: MessengerWebhook, ctx: NormalizeContext): NormalizeResult => {
  const foreign = foreignObject(payload, MESSENGER_PLATFORM);
  if (foreign) return { events: [], ignored: [foreign] };
  const { events, ignored } = normalizeMessagingEntries(payload, MESSENGER_PLATFORM, ctx);
  const hydrations: HydrationRequest[] = [];
  for (const entry of payload.entry) {
    for (const change of entry.changes ?? []) {
      if (change.field === 'leadgen' && change.value) hydrations.push(leadgenHydration(change.value, ctx));
      else ignored.push(`unsupported Page webhook field: ${change.field}`);
    }
  }
  return hydrations.length ? { events, ignored, hydrations } : { events, ignored };
};
