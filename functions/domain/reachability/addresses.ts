/**
 * Where a message to the customer goes on each channel: the identity of the
 * profile that addresses her there. Pure.
 */
import type { Identity, IdentityType } from '../../events/hub-event.js';
import type { Profile } from '../profile.js';
import type { OutboundChannel } from './types.js';

/**
 * Identity types that address a channel, best first. WhatsApp takes her
 * `wa_id` (a number WhatsApp confirmed) before a plain phone number, which
 * the Cloud API also accepts but which may not be on WhatsApp (131026).
 */
const ADDRESS_TYPES: Readonly<Record<OutboundChannel, readonly IdentityType[]>> = {
  whatsapp: ['whatsapp', 'phone'],
  telegram: ['telegram'],
  viber: ['viber'],
  messenger: ['messenger'],
  instagram: ['instagram'],
  sms: ['phone'],
  email: ['email'],
};

/** The connector whose identities address each channel best (a phone Twilio saw is one that takes SMS). */
const PREFERRED_SOURCE: Readonly<Record<OutboundChannel, string>> = {
  whatsapp: 'whatsapp',
  telegram: 'telegram',
  viber: 'viber',
  messenger: 'messenger',
  instagram: 'instagram',
  sms: 'twilio',
  email: 'mailgun',
};

/**
 * The identity to send to on `channel`, or undefined when she has none.
 * Within a type, one reported by the channel's own connector wins, then the
 * first in the profile's (sorted, hence stable) order.
 */
export const addressFor = (profile: Pick<Profile, 'identities'>, channel: OutboundChannel): Identity | undefined => {
  for (const type of ADDRESS_TYPES[channel]) {
    const candidates = profile.identities.filter((i) => i.type === type);
    const best = candidates.find((i) => i.source === PREFERRED_SOURCE[channel]) ?? candidates[0];
    if (best) return best;
  }
  return undefined;
};
