/**
 * Minimum strength of the secrets the hub authenticates with. A secret the operator chooses — a URL token, a Telegram
 * `secret_token`, a Meta verify token, a Typeform or website signing secret —
 * can be as weak as whoever typed it, so it must hold at least
 * `MIN_SECRET_BYTES` bytes (the Standard Webhooks minimum, 192 bits: out of
 * reach of online guessing and of offline brute force of a captured HMAC).
 * A vendor-issued secret gets the same minimum only where the vendor's
 * format guarantees it (Meta app secrets, Twilio auth tokens, HubSpot client
 * secrets, Viber tokens, Shopify secrets), so a truncated paste is caught
 * without refusing a genuine key; where the vendor documents no length
 * (Mailgun, Poster, Bitrix24) or issues shorter keys (Square: 22 characters)
 * the hub takes what the vendor gives. Each connector's `SecretSpec` says
 * which applies; the ingest handler, `GET /v1/connectors` and `npm start`
 * all read it from here.
 */
import type { ConnectorSecrets, SecretSpec } from '../types.js';

/** Bytes an operator-chosen secret must hold at least. */
export const MIN_SECRET_BYTES = 24;

/** `SecretSpec` fields of a secret the operator chooses (or the vendor guarantees ≥ 24 bytes). */
export const STRONG_SECRET = { minBytes: MIN_SECRET_BYTES } as const;

/** A configured secret that is too weak to be used. */
export interface WeakSecret {
  readonly connector: string;
  /** Key in the connector's secret (Secrets Manager JSON). */
  readonly name: string;
  /** Local environment variable. */
  readonly env: string;
  readonly bytes: number;
  readonly minBytes: number;
}

/** Length of a secret's key material: its UTF-8 bytes unless the spec decodes it (a base64 key). */
const secretBytes = (spec: Pick<SecretSpec, 'keyBytes'>, value: string): number =>
  spec.keyBytes ? spec.keyBytes(value) : Buffer.byteLength(value, 'utf8');

/** The set secrets of `connector` that are shorter than their spec allows (unset ones are another problem). */
export const weakSecrets = (
  connector: { readonly name: string; readonly secrets: readonly SecretSpec[] },
  secrets: ConnectorSecrets,
): WeakSecret[] =>
  connector.secrets.flatMap((spec) => {
    const value = secrets[spec.name];
    if (!value || spec.minBytes === undefined) return [];
    const bytes = secretBytes(spec, value);
    return bytes < spec.minBytes
      ? [{ connector: connector.name, name: spec.name, env: spec.env, bytes, minBytes: spec.minBytes }]
      : [];
  });

/** One line per weak secret, naming where it is set and never its value. */
export const describeWeakSecret = (w: WeakSecret): string =>
  `${w.connector}: "${w.name}" (locally ${w.env}) holds ${w.bytes} bytes; at least ${w.minBytes} are required — use e.g. \`openssl rand -base64 32\``;
