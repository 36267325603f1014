/**
 * Amazon SNS message signatures, per "Verifying the signatures of Amazon SNS
 * messages": the string to sign is `Key\nValue\n` for fixed keys in byte
 * order (different for notifications and (un)subscribe confirmations),
 * signed with SHA1withRSA (`SignatureVersion` 1) or SHA256withRSA (2) by the
 * key of the X.509 certificate at `SigningCertURL`. That URL is attacker
 * controlled, so it is validated before anything is fetched (https, an SNS
 * host, a `.pem` path, no credentials or port), and fetched certificates are
 * cached in a bounded map so a burst of deliveries costs one fetch.
 */
import { createSign, createVerify, generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import type { SnsMessageType } from './schema.js';

/** SNS endpoints, including the China partition (`sns.cn-north-1.amazonaws.com.cn`). */
export const SNS_HOST = /^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;

/** Path of SNS signing certificates: `/SimpleNotificationService-<hex>.pem`. */
const CERT_PATH = /^\/SimpleNotificationService-[A-Za-z0-9_-]+\.pem$/;

/**
 * Common names SNS signing certificates carry: `sns.amazonaws.com` in most
 * regions, `sns-signing.<region>.amazonaws.com` in opt-in regions,
 * `sns-<region>.amazonaws.com(.cn)` in GovCloud and China (AWS SDK for Java
 * v2 `SnsHostProvider`).
 */
const CERT_COMMON_NAME = /^sns(?:-signing\.[a-z0-9-]+|-[a-z0-9-]+)?\.amazonaws\.com(?:\.cn)?$/;

/** Node's names of the algorithms behind `SignatureVersion`. */
export const SNS_SIGNATURE_ALGORITHMS: Readonly<Record<string, string>> = { '1': 'RSA-SHA1', '2': 'RSA-SHA256' };

const NOTIFICATION_KEYS = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] as const;
const CONFIRMATION_KEYS = ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'] as const;

const KEYS_TO_SIGN: Readonly<Record<SnsMessageType, readonly string[]>> = {
  Notification: NOTIFICATION_KEYS,
  SubscriptionConfirmation: CONFIRMATION_KEYS,
  UnsubscribeConfirmation: CONFIRMATION_KEYS,
};

/**
 * The canonical string SNS signs, or undefined for an unknown `Type` or a
 * missing field. `Subject` is included only when present; every other key
 * is required.
 */
export const snsStringToSign = (message: Readonly<Record<string, unknown>>): string | undefined => {
  const type = message.Type;
  if (typeof type !== 'string' || !Object.hasOwn(KEYS_TO_SIGN, type)) return undefined;
  let out = '';
  for (const key of KEYS_TO_SIGN[type as SnsMessageType]) {
    const value = message[key];
    if (key === 'Subject' && (value === undefined || value === null)) continue;
    if (typeof value !== 'string') return undefined;
    out += `${key}\n${value}\n`;
  }
  return out;
};

/**
 * A URL on an Amazon SNS endpoint, or the reason it is not one. Used for
 * `SigningCertURL` (before fetching) and `SubscribeURL` (before confirming).
 */
export const snsEndpointUrl = (raw: string | undefined): URL | string => {
  if (!raw) return 'the URL is missing';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'the URL is not valid';
  }
  if (url.protocol !== 'https:') return 'the URL must use https';
  if (url.username || url.password) return 'the URL must not carry credentials';
  if (url.port) return 'the URL must use the default https port';
  if (!SNS_HOST.test(url.hostname)) return `${url.hostname.slice(0, 100)} is not an Amazon SNS host`;
  return url;
};

/** `SigningCertURL` validated: an SNS host and a `SimpleNotificationService-*.pem` path, nothing else. */
export const signingCertUrl = (raw: string | undefined): URL | string => {
  const url = snsEndpointUrl(raw);
  if (typeof url === 'string') return `SigningCertURL: ${url}`;
  if (!CERT_PATH.test(url.pathname) || url.search || url.hash) return 'SigningCertURL is not an SNS certificate path';
  return url;
};

/** Strict base64 (Node's decoder silently skips bad characters, which would hide a tampered signature). */
export const decodeBase64Strict = (value: string): Buffer | undefined =>
  value.length > 0 && value.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(value)
    ? Buffer.from(value, 'base64')
    : undefined;

// ------------------------------------------------------------------ certificates

/** Fetches the PEM at a validated `SigningCertURL`. Injected so tests never touch the network. */
export type CertificateFetcher = (url: string) => Promise<string>;

/**
 * The certificate could not be obtained. `permanent` (404, not a
 * certificate, wrong subject) refuses the delivery; otherwise (network,
 * 5xx) verify rethrows so the hub answers 5xx and SNS retries, because SNS
 * treats any 4xx as delivered and would drop the message.
 */
export class CertificateUnavailableError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

const MAX_CERT_BYTES = 64 * 1024;
const CERT_FETCH_TIMEOUT_MS = 5_000;

/** The production fetcher: HTTPS GET, no redirects (they could leave the SNS host), 5 s, 64 KiB. */
export const fetchSnsCertificate: CertificateFetcher = async (url) => {
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(CERT_FETCH_TIMEOUT_MS) });
  } catch (err) {
    throw new CertificateUnavailableError(`Could not fetch the SNS signing certificate ${url}`, false, { cause: err });
  }
  if (res.status >= 400 && res.status < 500) {
    throw new CertificateUnavailableError(`The SNS signing certificate ${url} answered ${res.status}`, true);
  }
  if (!res.ok)
    throw new CertificateUnavailableError(`The SNS signing certificate ${url} answered ${res.status}`, false);
  const pem = await res.text();
  if (pem.length > MAX_CERT_BYTES) throw new CertificateUnavailableError(`${url} is too large for a certificate`, true);
  return pem;
};

/** A verification key with the validity period of the certificate it came from. */
export interface TrustedKey {
  readonly key: KeyObject;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
}

const commonName = (subject: string): string | undefined =>
  subject
    .split('\n')
    .map((line) => /^CN=(.*)$/.exec(line.trim())?.[1])
    .find((cn) => cn !== undefined);

/** Parses a fetched PEM; anything that is not an SNS signing certificate is a permanent failure. */
export const trustedKeyFromPem = (pem: string, url: string): TrustedKey => {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch (err) {
    throw new CertificateUnavailableError(`${url} is not an X.509 certificate`, true, { cause: err });
  }
  const cn = commonName(cert.subject);
  if (!cn || !CERT_COMMON_NAME.test(cn)) {
    throw new CertificateUnavailableError(`${url} is not an SNS signing certificate (subject CN=${cn ?? '?'})`, true);
  }
  return { key: cert.publicKey, notBefore: new Date(cert.validFrom), notAfter: new Date(cert.validTo) };
};

/** Default number of certificate URLs kept; SNS uses one per region and rotation, so a handful. */
export const DEFAULT_CERT_CACHE_SIZE = 16;

/**
 * Bounded LRU of verification keys by certificate URL. Stores the promise,
 * so concurrent deliveries share one fetch; a failed fetch is not cached.
 */
export class SigningKeyCache {
  private readonly entries = new Map<string, Promise<TrustedKey>>();

  constructor(
    private readonly fetcher: CertificateFetcher,
    private readonly maxEntries = DEFAULT_CERT_CACHE_SIZE,
  ) {}

  /** Number of cached URLs (for tests of the bound). */
  get size(): number {
    return this.entries.size;
  }

  /**
   * Stores a key for a URL without fetching. Only `signSample` uses it, for
   * the key it generated in this process (see README: nothing is weakened).
   */
  trust(url: string, key: KeyObject): void {
    this.remember(url, Promise.resolve({ key }));
  }

  get(url: string): Promise<TrustedKey> {
    const cached = this.entries.get(url);
    if (cached) {
      this.remember(url, cached);
      return cached;
    }
    const pending = this.fetcher(url).then((pem) => trustedKeyFromPem(pem, url));
    this.remember(url, pending);
    pending.catch(() => {
      if (this.entries.get(url) === pending) this.entries.delete(url);
    });
    return pending;
  }

  private remember(url: string, entry: Promise<TrustedKey>): void {
    this.entries.delete(url);
    this.entries.set(url, entry);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }
}

/** True when `signature` is SNS's signature of `stringToSign` under `key`; never throws. */
export const verifySnsSignature = (
  stringToSign: string,
  signature: Buffer,
  algorithm: string,
  key: KeyObject,
): boolean => {
  try {
    return createVerify(algorithm).update(stringToSign, 'utf8').verify(key, signature);
  } catch {
    return false;
  }
};

// ------------------------------------------------------------------ samples

/**
 * Certificate URL of samples signed by `signSample`. It has the shape of an
 * SNS URL so samples pass every check; AWS serves nothing there, so only a
 * process that generated the sample key (and primed its own cache) can
 * verify such a message.
 */
export const SAMPLE_CERT_URL = 'https://sns.eu-central-1.amazonaws.com/SimpleNotificationService-omnihub-sample.pem';

let sampleKeys: { readonly privateKey: KeyObject; readonly publicKey: KeyObject } | undefined;

/**
 * The RSA key pair samples are signed with: generated on first use, held in
 * this process's memory only, never written anywhere. There is no
 * well-known test key that a production hub would accept.
 */
export const sampleSigningKeys = (): { readonly privateKey: KeyObject; readonly publicKey: KeyObject } => {
  sampleKeys ??= generateKeyPairSync('rsa', { modulusLength: 2048 });
  return sampleKeys;
};

/** Signs a canonical string the way SNS does, base64. */
export const signSnsString = (stringToSign: string, algorithm: string, privateKey: KeyObject): string =>
  createSign(algorithm).update(stringToSign, 'utf8').sign(privateKey, 'base64');
