/**
 * Instagram webhook → hub events. Pure. Direct messages, echoes of the
 * business's replies, postbacks and `messaging_seen` receipts go through the
 * Meta messaging normalizer shared with Messenger, keyed by IGSID.
 * `changes[]` (comments, mentions, story insights) are acknowledged and
 * ignored: they are public activity, not conversations.
 */
import { foreignObject, normalizeMessagingEntries, type MetaPlatform } from '../shared/meta-messaging.js';
import type { NormalizeContext, NormalizeResult } from '../types.js';
import type { InstagramWebhook } from './schema.js';

const INSTAGRAM_PLATFORM: MetaPlatform = {
  connector: 'instagram',
  object: 'instagram',
  channel: 'instagram',
  identityType: 'instagram',
};

export const normalizeInstagram = (payload: InstagramWebhook, ctx: NormalizeContext): NormalizeResult => {
  const foreign = foreignObject(payload, INSTAGRAM_PLATFORM);
  if (foreign) return { events: [], ignored: [foreign] };
  const { events, ignored } = normalizeMessagingEntries(payload, INSTAGRAM_PLATFORM, ctx);
  for (const entry of payload.entry) {
    for (const change of entry.changes ?? []) ignored.push(`unsupported Instagram webhook field: ${change.field}`);
  }
  return { events, ignored };
};
