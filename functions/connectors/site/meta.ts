/**
 * Website (Standard Webhooks): what the hub knows about this connector without loading it (the
 * registry, the stack, the docs and `GET /v1/connectors` read only this).
 */
import { STRONG_SECRET } from '../shared/secret-strength.js';
import type { ConnectorMeta } from '../types.js';

/** Prefix of a serialized symmetric secret (`whsec_<base64>`). */
export const SITE_SECRET_PREFIX = 'whsec_';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Bytes of key material in a configured secret, read the way
 * `standardWebhook` (./signature.ts) reads it; here, not there, so the
 * registry's metadata can check the secret's strength without loading the
 * Standard Webhooks library: the base64 after `whsec_`, else base64 when
 * the text is base64, else its raw UTF-8 bytes.
 */
export const siteKeyBytes = (secret: string): number => {
  if (secret.startsWith(SITE_SECRET_PREFIX))
    return Buffer.from(secret.slice(SITE_SECRET_PREFIX.length), 'base64').length;
  return BASE64.test(secret) ? Buffer.from(secret, 'base64').length : Buffer.byteLength(secret, 'utf8');
};

export const siteMeta = {
  name: 'site',
  displayName: 'Website (Standard Webhooks)',
  channel: 'web',
  docsUrl: 'https://www.standardwebhooks.com/',
  secrets: [
    {
      name: 'secret',
      env: 'OMNIHUB_SECRET_SITE',
      description:
        'Standard Webhooks signing secret `whsec_<base64 of 32 random bytes>`, shared with the website backend that signs each POST',
      required: true,
      ...STRONG_SECRET,
      keyBytes: siteKeyBytes,
      rotation: {
        by: 'operator',
        how: 'Generate a new `whsec_` key (32 random bytes) and give it to the website backend, which signs with both keys meanwhile (Standard Webhooks allows several signatures); put it, then let the backend drop the old key.',
      },
    },
  ],
  hydrates: false,
} as const satisfies ConnectorMeta;
