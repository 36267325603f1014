/**
 * Binotel `apiCallSettings`: sent synchronously when a call starts, it may
 * be answered with the caller's card, which Binotel shows the operator
 * (`customerData.name`, a link `customerData.linkToCrmUrl` titled
 * `linkToCrmTitle`, and a `description` line). The reply shape follows
 * integrations that answer it (../shared/vendor-webhooks/more-vendors.md §8);
 * an unknown caller gets the plain acknowledgement.
 */
import type { CallerCard } from '../../domain/caller.js';
import { normalizePhone } from '../../domain/identity.js';
import type { Money } from '../../events/hub-event.js';
import { type HttpResponse, jsonResponse } from '../../shared/http.js';
import type { AnswerContext } from '../types.js';
import type { BinotelWebhook } from './schema.js';

const money = ({ amountMinor, currency }: Money): string => `${(amountMinor / 100).toFixed(2)} ${currency}`;

/** One line for the operator: what she is worth and what she is waiting for. */
const describeCaller = (card: CallerCard): string =>
  [
    card.lifetimeValue ? `LTV ${money(card.lifetimeValue)}` : undefined,
    card.orderCount ? `${card.orderCount} order(s)` : undefined,
    card.openLeads ? `${card.openLeads} open lead(s)` : undefined,
    card.openTickets ? `${card.openTickets} open ticket(s)` : undefined,
    card.lastInteraction?.summary ? `last: ${card.lastInteraction.summary}` : undefined,
  ]
    .filter(Boolean)
    .join('; ');

/** The `apiCallSettings` reply for a known caller; undefined for any other request or an unknown number. */
export const answerBinotel = async (payload: BinotelWebhook, ctx: AnswerContext): Promise<HttpResponse | undefined> => {
  if (payload.requestType !== 'apiCallSettings') return undefined;
  const raw = (payload as { externalNumber?: unknown }).externalNumber;
  const phone = typeof raw === 'string' ? normalizePhone(raw, ctx.defaultCountry) : undefined;
  if (!phone) return undefined;
  const card = await ctx.callers.lookup(phone);
  if (!card) return undefined;
  const description = describeCaller(card);
  return jsonResponse(200, {
    customerData: {
      name: card.name ?? phone,
      ...(card.consoleUrl ? { linkToCrmUrl: card.consoleUrl, linkToCrmTitle: 'Omnihub' } : {}),
      ...(description ? { description } : {}),
    },
  });
};
