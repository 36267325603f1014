/**
 * Standard Webhooks signing (https://www.standardwebhooks.com), done with the
 * reference `standardwebhooks` library so a receiver verifying with the same
 * library (or any conforming one) accepts exactly what we send:
 *
 *   webhook-id:        stable per event (the hub event id), so a retry or a
 *                      redrive is recognisable and receivers can dedupe
 *   webhook-timestamp: seconds since the epoch, per attempt
 *   webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">
 */
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/** Prefix of a Standard Webhooks secret: `whsec_<base64 key>`. */
const WEBHOOK_SECRET_PREFIX = 'whsec_';

/** Standard Webhooks asks for 24–64 random bytes of key. */
const MIN_WEBHOOK_SECRET_BYTES = 24;

/** Bytes of key in a secret, `whsec_` or bare (both are base64 of the key). */
const webhookSecretBytes = (raw: string): number =>
  Buffer.from(toWebhookSecret(raw).slice(WEBHOOK_SECRET_PREFIX.length), 'base64').length;

/**
 * Why a subscription signing secret is too weak to sign with, or undefined.
 * A short key would let anyone who captured one delivery brute-force it and
 * sign forgeries the receiver trusts.
 */
export const weakWebhookSecret = (raw: string): string | undefined => {
  const bytes = webhookSecretBytes(raw);
  return bytes < MIN_WEBHOOK_SECRET_BYTES
    ? `the signing secret holds ${bytes} bytes of key; at least ${MIN_WEBHOOK_SECRET_BYTES} are required (generate one with \`openssl rand -base64 32\`)`
    : undefined;
};

/** A fresh 32-byte secret in the `whsec_…` form receivers paste into their verifier. */
export const generateWebhookSecret = (): string => `${WEBHOOK_SECRET_PREFIX}${randomBytes(32).toString('base64')}`;

/**
 * Accepts a secret with or without the `whsec_` prefix: Secrets Manager's
 * generated value is bare base64-safe text (`{"secret":"<32 chars>"}`).
 */
export const toWebhookSecret = (raw: string): string =>
  raw.startsWith(WEBHOOK_SECRET_PREFIX) ? raw : `${WEBHOOK_SECRET_PREFIX}${raw}`;

export interface SignInput {
  readonly secret: string;
  readonly id: string;
  readonly timestamp: Date;
  /** The exact body bytes that will be sent. */
  readonly payload: string;
}

/** The three Standard Webhooks headers for one attempt. */
export const signatureHeaders = ({ secret, id, timestamp, payload }: SignInput): Record<string, string> => ({
  'webhook-id': id,
  'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
  'webhook-signature': new Webhook(toWebhookSecret(secret)).sign(id, timestamp, payload),
});
