/**
 * The caller directory: a phone number (E.164) → the caller's card, for
 * `GET /v1/lookup` and the telephony webhooks that wait for it (Binotel
 * `apiCallSettings`). One key read of the caller card; where a fallback
 * store is given (the API, which may read the customer view), a number with
 * no card — a profile written before cards existed, or a card write a crash
 * cut short and no redelivery healed yet — is answered from the identity link
 * and the profile.
 */
import { type CallerCard, callerCardOfProfile, toCallerCard } from '../domain/caller.js';
import type { CallerDirectory, ProfileStore } from '../ports.js';

export interface CallerDirectoryDeps {
  /** `findCallerCard` answers; `findByIdentity`, when given, is the two-read fallback for a number with no card. */
  readonly store: Pick<ProfileStore, 'findCallerCard'> & Partial<Pick<ProfileStore, 'findByIdentity'>>;
  readonly traits?: { readonly lifespanYears?: number };
  /** The console's address, for the card's link; undefined leaves the link out. */
  readonly consoleUrl?: () => string | undefined;
}

export const createCallerDirectory = (deps: CallerDirectoryDeps): CallerDirectory => ({
  async lookup(phone: string): Promise<CallerCard | undefined> {
    const consoleBaseUrl = deps.consoleUrl?.();
    const options = {
      ...(deps.traits?.lifespanYears !== undefined ? { lifespanYears: deps.traits.lifespanYears } : {}),
      ...(consoleBaseUrl ? { consoleBaseUrl } : {}),
    };
    const card = await deps.store.findCallerCard(phone);
    if (card) return toCallerCard(card, options);
    const profile = await deps.store.findByIdentity?.({ type: 'phone', value: phone });
    return profile ? callerCardOfProfile(profile, options) : undefined;
  },
});
