/**
 * Amazon SNS message signatures, per "Verifying the signatures of Amazon SNS
 * messages": the string to sign is `Key\nValue\n` for fixed keys in byte
 * order (different for notifications and (un)subscribe confirmations),
 * signed with SHA1withRSA (`SignatureVersion` 1) or SHA256withRSA (2) by the
 * key of the X.509 certificate at `SigningCertURL`. That URL is attacker
 * controlled, so it is validated before anything is fetched (https, a
 * region-shaped SNS host, a `.pem` path, no credentials or port); the
 * certificate must chain to Amazon's roots (bundled in ./amazon-trust.ts) and
 * carry an SNS signing name. Verified keys are cached in a bounded map so a
 * burst of deliveries costs one fetch.
 */
import { createSign, createVerify, generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { AMAZON_ISSUING_CAS, AMAZON_ROOT_CAS } from './amazon-trust.js';
import type { SnsMessageType } from './schema.js';
import { HubError } from '../../shared/errors.js';

/**
 * The SNS regional endpoints `SigningCertURL` and `SubscribeURL` point to:
 * `sns.<region>.amazonaws.com` with a region id such as `us-east-1`,
 * `ap-southeast-7`, `us-gov-west-1`, and `sns.cn-<…>.amazonaws.com.cn` in the
 * China partition (the hosts the AWS SDK for Java v2 `SnsHostProvider`
 * resolves). Deliberately narrow: the old pattern
 * (`sns.<anything>.amazonaws.com`) also matched S3's legacy endpoints
 * `sns.s3.amazonaws.com` and `sns.s3-external-1.amazonaws.com` — a bucket
 * named `sns`, which anyone can create and fill with a certificate. FIPS
 * endpoints (`sns-fips.<region>.amazonaws.com`) serve the API, never
 * signing certificates, so they are refused like any other host; the ISO
 * partitions (`*.c2s.ic.gov`, …) are not supported.
 */
const SNS_HOST =
  /^sns\.(?:(?!cn-)[a-z]{2}(?:-gov)?-[a-z]+-\d{1,2}\.amazonaws\.com|cn-[a-z]+-\d{1,2}\.amazonaws\.com\.cn)$/;

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
export class CertificateUnavailableError extends HubError {
  constructor(
    message: string,
    readonly permanent: boolean,
    options?: { cause?: unknown },
  ) {
    // Transient: 502, so SNS redelivers (it drops a message answered with any 4xx).
    super(message, permanent ? 401 : 502, permanent ? 'invalid_signature' : 'certificate_unavailable', options);
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

/** A verification key with the validity period of the certificate chain it came from. */
export interface TrustedKey {
  readonly key: KeyObject;
  /** Latest `notBefore` of the chain. */
  readonly notBefore?: Date;
  /** Earliest `notAfter` of the chain: the key is trusted only while every certificate in it is valid. */
  readonly notAfter?: Date;
}

/**
 * What a certificate must chain to. `roots` are the trust anchors;
 * `intermediates` are issuing CAs known in advance (the SNS PEM holds only
 * the leaf, so the hub cannot build the chain without them).
 */
export interface TrustStore {
  readonly roots: readonly X509Certificate[];
  readonly intermediates: readonly X509Certificate[];
}

/** Every certificate of a PEM bundle, in order. */
const certificatesOf = (pem: string): X509Certificate[] =>
  (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((p) => new X509Certificate(p));

/** A trust store from PEM texts. */
export const trustStoreFromPems = (roots: readonly string[], intermediates: readonly string[] = []): TrustStore => ({
  roots: roots.flatMap(certificatesOf),
  intermediates: intermediates.flatMap(certificatesOf),
});

/** Amazon Root CA 1–4 and the Amazon RSA 2048 issuing CAs (./amazon-trust.ts). */
export const AMAZON_TRUST_STORE: TrustStore = trustStoreFromPems(AMAZON_ROOT_CAS, AMAZON_ISSUING_CAS);

const oneLine = (name: string): string => name.split('\n').join(', ');

/** `cert` names `issuer` as its issuer, is signed by its key, and `issuer` is a CA. */
const issuedBy = (cert: X509Certificate, issuer: X509Certificate): boolean =>
  issuer.ca && cert.checkIssued(issuer) && cert.verify(issuer.publicKey);

/** Longest chain accepted, leaf and root included (SNS: leaf → Amazon RSA 2048 Mxx → Amazon Root CA 1). */
const MAX_CHAIN_LENGTH = 4;

/**
 * The chain from `leaf` up to a root of `store`, using the store's
 * intermediates and `extra` (certificates that came with the leaf), or the
 * reason there is none. Signatures and CA flags only; validity dates are
 * checked at verification time against the chain's intersection.
 */
export const chainToRoot = (
  leaf: X509Certificate,
  store: TrustStore,
  extra: readonly X509Certificate[] = [],
): X509Certificate[] | string => {
  const chain = [leaf];
  for (let current = leaf; chain.length < MAX_CHAIN_LENGTH; ) {
    const root = store.roots.find((r) => issuedBy(current, r));
    if (root) return [...chain, root];
    const next = [...extra, ...store.intermediates].find((c) => !chain.includes(c) && issuedBy(current, c));
    if (!next) return `issued by "${oneLine(current.issuer)}", which does not chain to a trusted Amazon root`;
    chain.push(next);
    current = next;
  }
  return 'the certificate chain is too long';
};

/** The validity window every certificate of the chain shares. */
const chainValidity = (chain: readonly X509Certificate[]): { notBefore: Date; notAfter: Date } => ({
  notBefore: new Date(Math.max(...chain.map((c) => Date.parse(c.validFrom)))),
  notAfter: new Date(Math.min(...chain.map((c) => Date.parse(c.validTo)))),
});

const commonName = (subject: string): string | undefined =>
  subject
    .split('\n')
    .map((line) => /^CN=(.*)$/.exec(line.trim())?.[1])
    .find((cn) => cn !== undefined);

/**
 * Parses a fetched PEM and checks it is an SNS signing certificate that
 * chains to `store`; anything else is a permanent failure (401). A
 * self-signed certificate with the right name — what anyone serving a PEM
 * from a look-alike host could make — has no chain and is refused.
 */
const trustedKeyFromPem = (pem: string, url: string, store: TrustStore = AMAZON_TRUST_STORE): TrustedKey => {
  let certificates: X509Certificate[];
  try {
    certificates = certificatesOf(pem);
  } catch (err) {
    throw new CertificateUnavailableError(`${url} is not an X.509 certificate`, true, { cause: err });
  }
  const [leaf, ...extra] = certificates;
  if (!leaf) throw new CertificateUnavailableError(`${url} is not an X.509 certificate`, true);
  const cn = commonName(leaf.subject);
  if (!cn || !CERT_COMMON_NAME.test(cn)) {
    throw new CertificateUnavailableError(`${url} is not an SNS signing certificate (subject CN=${cn ?? '?'})`, true);
  }
  const chain = chainToRoot(leaf, store, extra);
  if (typeof chain === 'string') throw new CertificateUnavailableError(`The SNS certificate ${url} is ${chain}`, true);
  return { key: leaf.publicKey, ...chainValidity(chain) };
};

/** Default number of certificate URLs kept; SNS uses one per region and rotation, so a handful. */
const DEFAULT_CERT_CACHE_SIZE = 16;

/**
 * Bounded LRU of verification keys by certificate URL. Stores the promise,
 * so concurrent deliveries share one fetch; a failed fetch is not cached.
 */
export class SigningKeyCache {
  private readonly entries = new Map<string, Promise<TrustedKey>>();

  constructor(
    private readonly fetcher: CertificateFetcher,
    private readonly maxEntries = DEFAULT_CERT_CACHE_SIZE,
    private readonly store: TrustStore = AMAZON_TRUST_STORE,
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
    const pending = this.fetcher(url).then((pem) => trustedKeyFromPem(pem, url, this.store));
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
