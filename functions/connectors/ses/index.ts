/**
 * Amazon SES email receiving, delivered by an SNS topic to an HTTPS
 * subscription: receipt notifications become `email.received`, the SNS
 * subscription handshake is confirmed by the hydrator. Setup: ./README.md.
 */
import type { HubEvent } from '../../events/hub-event.js';
import type { RawRequest } from '../../shared/http.js';
import { parseJson, validate } from '../shared/body.js';
import {
  defineConnector,
  type ConnectorSecrets,
  type HydrateContext,
  type HydrationRequest,
  type VerifyContext,
  type VerifyResult,
} from '../types.js';
import { normalizeSes, SUBSCRIPTION_CONFIRMATION_KIND } from './normalize.js';
import { SesReceivedNotificationSchema, SnsEnvelopeSchema, type SesPayload, type SnsEnvelope } from './schema.js';
import {
  CertificateUnavailableError,
  decodeBase64Strict,
  fetchSnsCertificate,
  SAMPLE_CERT_URL,
  sampleSigningKeys,
  signingCertUrl,
  SigningKeyCache,
  signSnsString,
  snsEndpointUrl,
  SNS_SIGNATURE_ALGORITHMS,
  snsStringToSign,
  verifySnsSignature,
  type CertificateFetcher,
  type TrustStore,
} from './signature.js';
import { sesMeta } from './meta.js';

/**
 * Oldest SNS `Timestamp` accepted: SNS retries an HTTPS delivery for at most
 * 3,600 s (a hard limit of the delivery policy), plus 5 minutes for
 * latency and clock skew. Retries carry the original signed `Timestamp`, so
 * a shorter window would refuse SNS's own late retries.
 */
export const SNS_MAX_AGE_SECONDS = 3600 + 300;

/** A `Timestamp` further in the future than this is refused (clock skew allowance). */
export const SNS_MAX_FUTURE_SKEW_SECONDS = 300;

/** Headers SNS sets on every HTTP delivery; the type must match the body. */
const SNS_HEADERS = {
  type: 'x-amz-sns-message-type',
  messageId: 'x-amz-sns-message-id',
  topicArn: 'x-amz-sns-topic-arn',
} as const;

/** `secret` holds the expected TopicArn; several (one per region) may be given, comma or space separated. */
const expectedTopicArns = (secret: string | undefined): string[] =>
  (secret ?? '')
    .split(/[\s,]+/)
    .map((arn) => arn.trim())
    .filter(Boolean);

const fail = (reason: string): VerifyResult => ({ ok: false, reason });

/** Request values quoted in a 401 reason are capped: the reason goes back to the caller and into logs. */
const shown = (value: string): string => (value.length > 120 ? `${value.slice(0, 119)}…` : value);

const decodeEnvelope = (body: Buffer): SnsEnvelope | string => {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return 'the body is not an SNS JSON message';
  }
  const parsed = SnsEnvelopeSchema.safeParse(json);
  return parsed.success ? parsed.data : 'the body is not an SNS message (required fields missing)';
};

/** `parse`: the envelope, then the SES receipt inside `Message` when there is one. */
const parseSes = (req: RawRequest): SesPayload => {
  const envelope = validate(SnsEnvelopeSchema, parseJson(req), 'SNS message');
  if (envelope.Type !== 'Notification') return { envelope };
  let message: unknown;
  try {
    message = JSON.parse(envelope.Message);
  } catch {
    return { envelope, skipped: `SNS notification ${envelope.MessageId} is not JSON, so not an SES receipt` };
  }
  const type =
    typeof message === 'object' && message !== null
      ? (message as { notificationType?: unknown }).notificationType
      : undefined;
  if (typeof type !== 'string')
    return { envelope, skipped: `SNS notification ${envelope.MessageId} is not an SES notification` };
  if (type !== 'Received')
    return { envelope, skipped: `SES notificationType ${type} is not handled (only email receiving)` };
  return { envelope, received: validate(SesReceivedNotificationSchema, message, 'SES receipt notification') };
};

/**
 * Confirms an SNS subscription: a GET of the signed `SubscribeURL`, after
 * checking it is an SNS `ConfirmSubscription` URL for the topic the verified
 * message named. Throws on anything else so the hydrator retries or
 * dead-letters it; returns no events.
 */
const confirmSubscription = async (request: HydrationRequest, ctx: HydrateContext): Promise<HubEvent[]> => {
  if (request.kind !== SUBSCRIPTION_CONFIRMATION_KIND) throw new Error(`ses cannot hydrate ${request.kind}`);
  const topicArn = String(request.params.topicArn ?? '');
  const url = snsEndpointUrl(String(request.params.subscribeUrl ?? ''));
  if (typeof url === 'string') throw new Error(`Refusing to confirm the SNS subscription: SubscribeURL: ${url}`);
  if (url.searchParams.get('Action') !== 'ConfirmSubscription' || url.searchParams.get('TopicArn') !== topicArn) {
    throw new Error(
      `Refusing to confirm the SNS subscription: SubscribeURL is not a ConfirmSubscription for ${topicArn}`,
    );
  }
  if (!expectedTopicArns(ctx.secrets.secret).includes(topicArn)) {
    throw new Error(`Refusing to confirm the SNS subscription: ${topicArn} is not the configured topic`);
  }
  const res = await ctx.fetch(url.toString(), {
    method: 'GET',
    redirect: 'error',
    signal: AbortSignal.timeout(10_000),
  });
  await res.text();
  if (!res.ok) throw new Error(`SNS ConfirmSubscription for ${topicArn} answered ${res.status}`);
  return [];
};

export interface SesConnectorOptions {
  /** How certificates are fetched. @default HTTPS GET with no redirects (`fetchSnsCertificate`) */
  readonly fetchCertificate?: CertificateFetcher;
  /** Certificate URLs kept in memory. @default 16 */
  readonly certificateCacheSize?: number;
  /**
   * What signing certificates must chain to. Tests pass a CA they made;
   * production never overrides it. @default Amazon Root CA 1–4 and the Amazon RSA 2048 issuing CAs
   */
  readonly trustStore?: TrustStore;
}

/**
 * Builds the connector with its own certificate cache. The registry uses the
 * defaults; tests pass a `fetchCertificate` that serves a local PEM (and can
 * assert it is never called for a foreign host).
 */
export const createSesConnector = (options: SesConnectorOptions = {}) => {
  const certificates = new SigningKeyCache(
    options.fetchCertificate ?? fetchSnsCertificate,
    options.certificateCacheSize,
    options.trustStore,
  );

  const verify = async (req: RawRequest, secrets: ConnectorSecrets, ctx: VerifyContext): Promise<VerifyResult> => {
    const topics = expectedTopicArns(secrets.secret);
    if (topics.length === 0) return fail('No expected SNS TopicArn is configured');
    const headerType = req.headers[SNS_HEADERS.type];
    if (!headerType) return fail(`${SNS_HEADERS.type} header is missing`);
    const envelope = decodeEnvelope(req.body);
    if (typeof envelope === 'string') return fail(envelope);
    if (headerType !== envelope.Type) return fail(`${SNS_HEADERS.type} does not match the message Type`);
    const headerTopic = req.headers[SNS_HEADERS.topicArn];
    const headerId = req.headers[SNS_HEADERS.messageId];
    if ((headerTopic && headerTopic !== envelope.TopicArn) || (headerId && headerId !== envelope.MessageId)) {
      return fail('SNS headers do not match the message');
    }
    if (!topics.includes(envelope.TopicArn))
      return fail(`TopicArn ${shown(envelope.TopicArn)} is not the configured topic`);
    const stringToSign = snsStringToSign(envelope);
    if (stringToSign === undefined)
      return fail(`Unsupported SNS message Type or missing signed field (${shown(envelope.Type)})`);
    const algorithm = SNS_SIGNATURE_ALGORITHMS[envelope.SignatureVersion];
    if (!algorithm) return fail(`Unsupported SignatureVersion ${shown(envelope.SignatureVersion)}`);
    const signature = decodeBase64Strict(envelope.Signature);
    if (!signature) return fail('Signature is not base64');
    const certUrl = signingCertUrl(envelope.SigningCertURL);
    if (typeof certUrl === 'string') return fail(certUrl);

    const sentAt = Date.parse(envelope.Timestamp);
    if (!Number.isFinite(sentAt)) return fail('Timestamp is not a date');
    const ageSec = (ctx.now.getTime() - sentAt) / 1000;
    if (ageSec > SNS_MAX_AGE_SECONDS || -ageSec > SNS_MAX_FUTURE_SKEW_SECONDS) {
      return {
        ok: false,
        stale: true,
        reason: `SNS Timestamp ${shown(envelope.Timestamp)} is outside the accepted window`,
      };
    }

    let trusted: Awaited<ReturnType<typeof certificates.get>>;
    try {
      trusted = await certificates.get(certUrl.toString());
    } catch (err) {
      // Transient (network, 5xx): rethrow so the hub answers 5xx and SNS retries.
      if (err instanceof CertificateUnavailableError && err.permanent) return fail(err.message);
      throw err;
    }
    if ((trusted.notBefore && ctx.now < trusted.notBefore) || (trusted.notAfter && ctx.now > trusted.notAfter)) {
      return fail('The SNS signing certificate (or a CA of its chain) is not valid at this time');
    }
    return verifySnsSignature(stringToSign, signature, algorithm, trusted.key)
      ? { ok: true }
      : fail('SNS signature does not match');
  };

  return defineConnector({
    ...sesMeta,
    verify,
    parse: parseSes,
    normalize: normalizeSes,
    hydrate: confirmSubscription,
    signSample: (sample, secrets) => {
      let message: Record<string, unknown>;
      try {
        const json: unknown = JSON.parse(sample.body.toString('utf8'));
        if (typeof json !== 'object' || json === null || Array.isArray(json)) return { url: sample.url, headers: {} };
        message = { ...(json as Record<string, unknown>) };
      } catch {
        return { url: sample.url, headers: {} };
      }
      // As SNS would send it for the configured topic, now, signed by this process's sample key.
      const topicArn = expectedTopicArns(secrets.secret)[0];
      if (topicArn) {
        const previous = message.TopicArn;
        if (typeof message.SubscribeURL === 'string' && typeof previous === 'string' && previous) {
          message.SubscribeURL = message.SubscribeURL.split(previous).join(topicArn);
        }
        message.TopicArn = topicArn;
      }
      message.Timestamp = sample.now.toISOString();
      message.SignatureVersion = message.SignatureVersion === '1' ? '1' : '2';
      message.SigningCertURL = SAMPLE_CERT_URL;
      const keys = sampleSigningKeys();
      certificates.trust(new URL(SAMPLE_CERT_URL).toString(), keys.publicKey);
      const stringToSign = snsStringToSign(message);
      const algorithm = SNS_SIGNATURE_ALGORITHMS[message.SignatureVersion as string] as string;
      if (stringToSign !== undefined) message.Signature = signSnsString(stringToSign, algorithm, keys.privateKey);
      const headers: Record<string, string> = {};
      if (typeof message.Type === 'string') headers[SNS_HEADERS.type] = message.Type;
      if (typeof message.MessageId === 'string') headers[SNS_HEADERS.messageId] = message.MessageId;
      if (typeof message.TopicArn === 'string') headers[SNS_HEADERS.topicArn] = message.TopicArn;
      return { url: sample.url, headers, body: Buffer.from(JSON.stringify(message, null, 2)) };
    },
  });
};

/** The registered connector: certificates fetched from AWS over HTTPS and cached in memory. */
export const sesConnector = createSesConnector();
