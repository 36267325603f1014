/**
 * Identity normalization: the same person written three ways must become one
 * key. Phones are E.164 (libphonenumber-js, national numbers read in the
 * configured default country), emails trimmed and lowercased, platform ids
 * kept verbatim as strings (Telegram and Viber ids exceed JS-safe integers).
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import type { Identity } from '../events/hub-event.js';

export type { CountryCode };

/** Default country for national phone numbers such as `050 111 22 33`. */
export const DEFAULT_COUNTRY: CountryCode = 'UA';

/**
 * Returns the E.164 form of a phone number, or undefined when it is not a
 * valid number. Digits-only international input without `+` (WhatsApp's
 * `380501112233`) is tried as international first when it is not a valid
 * national number, so both spellings land on one identity.
 */
export const normalizePhone = (raw: string, defaultCountry: CountryCode = DEFAULT_COUNTRY): string | undefined => {
  const trimmed = raw.trim();
  if (!trimmed) return undefined;
  const digits = trimmed.replace(/[^\d+]/g, '');
  const candidates = trimmed.startsWith('+') || trimmed.startsWith('00')
    ? [trimmed.replace(/^00/, '+')]
    : [trimmed, `+${digits}`];
  for (const candidate of candidates) {
    const parsed = candidate.startsWith('+')
      ? parsePhoneNumberFromString(candidate)
      : parsePhoneNumberFromString(candidate, defaultCountry);
    if (parsed?.isValid()) return parsed.number;
  }
  return undefined;
};

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const normalizeEmail = (raw: string): string | undefined => {
  const email = raw.trim().toLowerCase();
  return EMAIL.test(email) && email.length <= 320 ? email : undefined;
};

/** Normalizes one identity; undefined when the value is not usable for linking. */
export const normalizeIdentity = (identity: Identity, defaultCountry: CountryCode = DEFAULT_COUNTRY): Identity | undefined => {
  const { type } = identity;
  const value =
    type === 'phone'
      ? normalizePhone(identity.value, defaultCountry)
      : type === 'email'
        ? normalizeEmail(identity.value)
        : identity.value.trim() || undefined;
  if (!value) return undefined;
  return identity.source ? { type, value, source: identity.source } : { type, value };
};

/** Normalizes, drops unusable values and de-duplicates by `type:value`, keeping order. */
export const normalizeIdentities = (identities: readonly Identity[], defaultCountry: CountryCode = DEFAULT_COUNTRY): Identity[] => {
  const seen = new Set<string>();
  const out: Identity[] = [];
  for (const identity of identities) {
    const normalized = normalizeIdentity(identity, defaultCountry);
    if (!normalized) continue;
    const key = identityKey(normalized);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(normalized);
  }
  return out;
};

/** `type:value`, the form used in lookups (`?identity=phone:+380…`) and store keys. */
export const identityKey = (identity: Pick<Identity, 'type' | 'value'>): string => `${identity.type}:${identity.value}`;

