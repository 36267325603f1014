/**
 * Sending to Instagram Direct through Meta's Send API
 * (`../shared/meta-send.ts`) for a professional account linked to a Page:
 * the recipient is her IGSID, text is limited to 1000 bytes, and outside
 * the 24 h window only the HUMAN_AGENT tag (7 days) is available.
 *
 * https://developers.facebook.com/docs/messenger-platform/instagram/features/send-message
 */
import { metaSender } from '../shared/meta-send.js';
import { instagramSenderSecrets } from './meta.js';

/** Instagram text messages are limited to 1000 bytes of UTF-8. */
const INSTAGRAM_TEXT_LIMIT_BYTES = 1000;

export const instagramSender = metaSender({
  connector: 'instagram',
  channel: 'instagram',
  vendor: 'Instagram',
  textLimit: { max: INSTAGRAM_TEXT_LIMIT_BYTES, unit: 'bytes' },
  secrets: instagramSenderSecrets,
});
