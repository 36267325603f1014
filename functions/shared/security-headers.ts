/**
 * The security headers of the console and the API, written once: the local
 * server sends them itself and the CDK stack puts the same values into the
 * CloudFront response headers policy, so `npm start` is as strict as AWS.
 */

export interface ConsoleCspOptions {
  /**
   * Origins the page may call besides its own: the console API and the
   * Cognito domain on AWS; nothing locally. @default []
   */
  readonly connect?: readonly string[];
}

/**
 * Content Security Policy of the console page. No `unsafe-inline` anywhere:
 * the page has no inline script or style, so an injected `<script>` or
 * `onerror=` attribute cannot run even if rendering ever failed to escape it.
 * `frame-ancestors 'none'` refuses framing (clickjacking).
 */
export const consoleCsp = (options: ConsoleCspOptions = {}): string =>
  [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${["'self'", ...(options.connect ?? [])].join(' ')}`,
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');

/** CSP of API responses: JSON is never a document, so nothing may load from it and nobody may frame it. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/** Headers every response carries, page and API alike. */
export const COMMON_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
};

/** HSTS for the HTTPS deployment (CloudFront); meaningless and so not sent over local plain HTTP. */
export const HSTS = 'max-age=63072000; includeSubDomains';
