/**
 * Sending to Messenger through Meta's Send API (`../shared/meta-send.ts`):
 * text up to 2000 characters, with a message tag outside the 24 h window.
 * Receipts come back on the Page webhook as `delivery` (mids or a
 * watermark) and `read` (a watermark).
 */
import { metaSender } from '../shared/meta-send.js';
import { messengerSenderSecrets } from './meta.js';

/** Messenger text messages must be UTF-8 and at most 2000 characters. */
const MESSENGER_TEXT_LIMIT = 2000;

export const messengerSender = metaSender({
  connector: 'messenger',
  channel: 'messenger',
  vendor: 'Messenger',
  textLimit: { max: MESSENGER_TEXT_LIMIT, unit: 'characters' },
  secrets: messengerSenderSecrets,
});
