/**
 * The senders: connectors the hub can write through, one `send.ts` in each
 * folder. The registry (`./index.ts`) merges each sender's secrets into its
 * connector's, so `GET /v1/connectors`, the local env and the Secrets
 * Manager secret describe one list.
 */
import { instagramSender } from './instagram/send.js';
import { mailgunSender } from './mailgun/send.js';
import { messengerSender } from './messenger/send.js';
import { sesSender } from './ses/send.js';
import type { Sender } from './shared/sender.js';
import { telegramSender } from './telegram/send.js';
import { twilioSender } from './twilio/send.js';
import { viberSender } from './viber/send.js';
import { whatsappSender } from './whatsapp/send.js';

export const SENDERS = {
  whatsapp: whatsappSender,
  telegram: telegramSender,
  viber: viberSender,
  messenger: messengerSender,
  instagram: instagramSender,
  twilio: twilioSender,
  mailgun: mailgunSender,
  ses: sesSender,
} as const satisfies Record<string, Sender>;

export type SenderName = keyof typeof SENDERS;

export const findSender = (connector: string): Sender | undefined =>
  Object.hasOwn(SENDERS, connector) ? SENDERS[connector as SenderName] : undefined;

export const listSenders = (): Sender[] => Object.values(SENDERS);

export type { Sender } from './shared/sender.js';
