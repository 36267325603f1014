/**
 * Identity normalization: the same person written three ways must become one
 * key. Phones are E.164 (libphonenumber-js, national numbers read in the
 * configured default country), emails trimmed and lowercased, platform ids
 * kept verbatim as strings (Telegram and Viber ids exceed JS-safe integers).
 *
 * libphonenumber's `min` metadata (83 KB, against 157 KB for `max`): every
 * Lambda that normalizes identities reads it at init, and E.164, validity by
 * national pattern and possible length are all this module asks of it (the
 * number-type patterns only `max` has are never used; a test holds min to
 * max's readings).
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/min';
import { IdentityTypeSchema, type Identity } from '../events/hub-event.js';

export type { CountryCode };

/** Default country for national phone numbers such as `050 111 22 33`. */
const DEFAULT_COUNTRY: CountryCode = 'UA';

/**
 * Returns the E.164 form of a phone number, or undefined when it cannot be a
 * phone number. Digits-only international input without `+` (WhatsApp's
 * `380501112233`) is tried as international too, so both spellings land on
 * one identity. A number libphonenumber calls *valid* wins; otherwise one of
 * a *possible* length is kept, because vendors vouch for numbers (test
 * ranges, newly allocated blocks) that the metadata does not know yet, and
 * dropping them would split a customer in two.
 */
export const normalizePhone = (raw: string, defaultCountry: CountryCode = DEFAULT_COUNTRY): string | undefined => {
  const trimmed = raw.trim();
  if (!trimmed || /[a-z]/i.test(trimmed.replace(/ext\.?\s*\d+$/i, ''))) return undefined;
  const digits = trimmed.replace(/[^\d+]/g, '');
  const candidates =
    trimmed.startsWith('+') || trimmed.startsWith('00') ? [trimmed.replace(/^00/, '+')] : [trimmed, `+${digits}`];
  const parsed = candidates.map((candidate) =>
    candidate.startsWith('+')
      ? parsePhoneNumberFromString(candidate)
      : parsePhoneNumberFromString(candidate, defaultCountry),
  );
  return (parsed.find((p) => p?.isValid()) ?? parsed.find((p) => p?.isPossible()))?.number;
};

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const normalizeEmail = (raw: string): string | undefined => {
  const email = raw.trim().toLowerCase();
  return EMAIL.test(email) && email.length <= 320 ? email : undefined;
};

/** `@Olena_K`, `t.me/olena_k` → `olena_k` (Telegram usernames are case-insensitive, 5–32 chars). */
export const normalizeTelegramUsername = (raw: string): string | undefined => {
  const name = raw
    .trim()
    .replace(/^(https?:\/\/)?(t\.me\/|telegram\.me\/)/i, '')
    .replace(/^@/, '')
    .toLowerCase();
  return /^[a-z][a-z0-9_]{4,31}$/.test(name) ? name : undefined;
};

/** Normalizes one identity; undefined when the value is not usable for linking. */
const normalizeIdentity = (identity: Identity, defaultCountry: CountryCode = DEFAULT_COUNTRY): Identity | undefined => {
  const { type } = identity;
  const value =
    type === 'phone'
      ? normalizePhone(identity.value, defaultCountry)
      : type === 'email'
        ? normalizeEmail(identity.value)
        : type === 'telegram_username'
          ? normalizeTelegramUsername(identity.value)
          : identity.value.trim() || undefined;
  if (!value) return undefined;
  return identity.source ? { type, value, source: identity.source } : { type, value };
};

/** Normalizes, drops unusable values and de-duplicates by `type:value`, keeping order. */
export const normalizeIdentities = (
  identities: readonly Identity[],
  defaultCountry: CountryCode = DEFAULT_COUNTRY,
): Identity[] => {
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

/** Why a `type:value` string is not a usable identity, in words a caller can act on. */
export type IdentityKeyProblem = { readonly problem: string };

/**
 * Parses and normalizes `type:value` (`phone:050 111 22 33` → `phone:+380501112233`),
 * the form operators write identities in: lookups, unmerge requests, the do-not-link list.
 */
export const parseIdentityKey = (
  raw: string,
  defaultCountry: CountryCode = DEFAULT_COUNTRY,
): Identity | IdentityKeyProblem => {
  const sep = raw.indexOf(':');
  const type = IdentityTypeSchema.safeParse(raw.slice(0, sep).trim());
  if (sep < 1 || !type.success) {
    return { problem: `identity must be <type>:<value> with type one of ${IdentityTypeSchema.options.join(', ')}` };
  }
  const identity = normalizeIdentity({ type: type.data, value: raw.slice(sep + 1) }, defaultCountry);
  return identity ?? { problem: `"${raw.slice(sep + 1)}" is not a valid ${type.data}` };
};

/** `type:value`, the form used in lookups (`?identity=phone:+380…`) and store keys. */
export const identityKey = (identity: Pick<Identity, 'type' | 'value'>): string => `${identity.type}:${identity.value}`;
