/**
 * What a person typed into the console's one search box, read as the
 * identities it could be. A manager pastes whatever she has — `050 111 22 33`,
 * `+380501112233`, `olena@example.com`, `telegram:123`, `@olena_k`, a customer
 * id — and the hub decides the type, so nobody has to know the `type:value`
 * syntax. Pure: the API looks each candidate up and keeps what matches.
 */
import { IdentityTypeSchema, type Identity } from '../events/hub-event.js';
import {
  type CountryCode,
  normalizeEmail,
  normalizePhone,
  normalizeTelegramUsername,
  parseIdentityKey,
} from './identity.js';

/** A search is at most this long: anything longer is not an identifier. */
export const MAX_SEARCH_LENGTH = 320;

export type SearchPlan =
  /** The text is a customer id (merged ids are followed by the store). */
  | { readonly kind: 'customer'; readonly customerId: string }
  /** Identities to look up, most likely first. */
  | { readonly kind: 'identities'; readonly identities: readonly Identity[] }
  /** Nothing the hub could look up, with why. */
  | { readonly kind: 'invalid'; readonly problem: string };

const CUSTOMER_ID = /^cus_[a-z0-9]{6,64}$/;
/** Digits and the punctuation people write phone numbers with. */
const PHONE_LIKE = /^\+?[\d\s().\-/]+$/;
/** Messenger and platform ids are opaque tokens: no spaces, bounded length. */
const TOKEN = /^[A-Za-z0-9_=+/.-]{1,128}$/;

/** Platform-id types a bare token may be, in the order they are tried. */
const BARE_TOKEN_TYPES = ['viber', 'instagram', 'messenger', 'site', 'loyalty_card'] as const;
/** Bare digits may be a messenger id or a card number as well as a phone. */
const BARE_DIGIT_TYPES = ['telegram', 'loyalty_card', 'messenger', 'instagram'] as const;

/** Reads free text as a customer id, one typed identity, or the identities it may be. */
export const planSearch = (raw: string, defaultCountry: CountryCode): SearchPlan => {
  const text = raw.trim();
  if (!text) return { kind: 'invalid', problem: 'Type a phone, email, messenger id or customer id' };
  if (text.length > MAX_SEARCH_LENGTH) return { kind: 'invalid', problem: `At most ${MAX_SEARCH_LENGTH} characters` };
  if (CUSTOMER_ID.test(text)) return { kind: 'customer', customerId: text };

  // `telegram:123`, `phone:050 …`: the person said which type.
  const sep = text.indexOf(':');
  if (sep > 0 && IdentityTypeSchema.safeParse(text.slice(0, sep).trim().toLowerCase()).success) {
    const parsed = parseIdentityKey(
      `${text.slice(0, sep).trim().toLowerCase()}:${text.slice(sep + 1)}`,
      defaultCountry,
    );
    return 'problem' in parsed
      ? { kind: 'invalid', problem: parsed.problem }
      : { kind: 'identities', identities: [parsed] };
  }

  if (text.includes('@') && !text.startsWith('@')) {
    const email = normalizeEmail(text);
    return email
      ? { kind: 'identities', identities: [{ type: 'email', value: email }] }
      : { kind: 'invalid', problem: `"${text}" is not a valid email address` };
  }

  const identities: Identity[] = [];
  if (PHONE_LIKE.test(text)) {
    const phone = normalizePhone(text, defaultCountry);
    if (phone) identities.push({ type: 'phone', value: phone });
    const digits = text.replace(/\D/g, '');
    if (/^\d+$/.test(text) && digits.length > 0)
      for (const type of BARE_DIGIT_TYPES) identities.push({ type, value: digits });
  } else {
    const username = normalizeTelegramUsername(text);
    if (username) identities.push({ type: 'telegram_username', value: username });
    if (TOKEN.test(text)) for (const type of BARE_TOKEN_TYPES) identities.push({ type, value: text });
  }
  return identities.length
    ? { kind: 'identities', identities }
    : { kind: 'invalid', problem: `"${text}" is not a phone, email, messenger id or customer id` };
};
