/**
 * Webhook ingest: authenticate → parse → normalize → publish → acknowledge.
 * The 2xx goes out only after the bus accepted every event, so an
 * acknowledged webhook is never lost; any failure before that is a 5xx and the
 * vendor redelivers (the deterministic event id makes that harmless).
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { loadConnector } from '../connectors/index.js';
import { describeWeakSecret, weakSecrets } from '../connectors/shared/secret-strength.js';
import type { Connector } from '../connectors/types.js';
import { parseHubEvent } from '../events/hub-event.js';
import type { CallerDirectory, EventPublisher, ReplayGuard, SecretProblemLog, SecretStore } from '../ports.js';
import type { CountryCode } from '../domain/identity.js';
import {
  MethodNotAllowedError,
  NotConfiguredError,
  NotFoundError,
  ReplayedRequestError,
  RequestInFlightError,
  SignatureError,
  StaleRequestError,
  ValidationError,
} from '../shared/errors.js';
import { HTTP_ROUTES, matchRoute } from '../shared/routes.js';
import { jsonResponse, toRawRequest, type HttpResponse, type RawRequest } from '../shared/http.js';
import { logger } from '../shared/logger.js';
import { httpErrors } from './middleware.js';
import { toHydrationEntry } from './hydrator.js';

export interface IngestDeps {
  readonly publisher: EventPublisher;
  readonly secrets: SecretStore;
  /** One-time values of connectors with `replay` (Mailgun tokens). */
  readonly replayGuard: ReplayGuard;
  /** Where a secret found too short is reported for `GET /v1/connectors` (AWS: the api reads no values). */
  readonly secretProblems?: SecretProblemLog;
  readonly defaultCountry: CountryCode;
  readonly maxBodyBytes: number;
  readonly publicBaseUrl?: string;
  readonly now?: () => Date;
  /** Caller recognition for connectors with `answer` (Binotel `apiCallSettings`); omitted → they only acknowledge. */
  readonly callers?: CallerDirectory;
  /** Time a synchronous answer may take before the plain acknowledgement goes out instead. @default ANSWER_BUDGET_MS */
  readonly answerBudgetMs?: number;
}

/**
 * How long a vendor waiting on a synchronous answer is kept waiting at most:
 * a ringing phone must not wait on the customer view. Past it the plain
 * acknowledgement goes out (the call still rings, without the card).
 */
const ANSWER_BUDGET_MS = 1500;

/** The connector's synchronous answer, or undefined when it has none, fails or is late (logged, never thrown). */
const answerOf = async (
  connector: Connector,
  payload: unknown,
  deps: IngestDeps,
): Promise<HttpResponse | undefined> => {
  if (!connector.answer || !deps.callers) return undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      connector.answer(payload, { callers: deps.callers, defaultCountry: deps.defaultCountry }),
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => {
          logger.warn('synchronous answer too slow; acknowledged without it', { connector: connector.name });
          resolve(undefined);
        }, deps.answerBudgetMs ?? ANSWER_BUDGET_MS);
      }),
    ]);
  } catch (err) {
    logger.warn('synchronous answer failed; acknowledged without it', {
      connector: connector.name,
      error: (err as Error).name,
    });
    return undefined;
  } finally {
    clearTimeout(timer);
  }
};

const missingRequiredSecret = (connector: Connector, secrets: Record<string, string | undefined>): boolean =>
  connector.secrets.some((spec) => spec.required && !secrets[spec.name]);

/**
 * How long a claim holds before another request may take the value over if
 * the holder never commits or releases (a crashed or timed-out invocation).
 * Longer than any ingest invocation (10 s Lambda timeout) and shorter than
 * any vendor's first retry (Mailgun: 5 minutes), so a genuine retry after a
 * crash finds the value free.
 */
export const REPLAY_LEASE_SECONDS = 60;

/**
 * Runs `work` holding the request's one-time value, when its connector has
 * one: a replay (the value was acknowledged before) or a concurrent request
 * with the same value is refused without running it. If `work` fails the
 * value is released — the vendor's retry carries it and must go through —
 * and once it succeeded the value is remembered until its signature expires.
 */
const onlyOnce = async <T>(
  connector: Connector,
  req: RawRequest,
  guard: ReplayGuard,
  work: () => Promise<T>,
): Promise<T> => {
  const value = connector.replay?.key(req);
  if (!value) return work();
  const claim = await guard.claim(`${connector.name}\n${value.key}`, { leaseSeconds: REPLAY_LEASE_SECONDS });
  if (claim.status !== 'first') {
    throw claim.status === 'used'
      ? new ReplayedRequestError(
          `This ${connector.name} request was already accepted once; its signature cannot be used again`,
          connector.replay?.replayStatus,
        )
      : new RequestInFlightError(`A ${connector.name} request with the same signature is being processed; retry later`);
  }
  let out: T;
  try {
    out = await work();
  } catch (err) {
    await claim
      .release()
      .catch((e: unknown) =>
        logger.warn('replay guard release failed', { connector: connector.name, error: e as Error }),
      );
    throw err;
  }
  // The events are on the bus, so the acknowledgement stands even if remembering the value fails
  // (the lease then frees it early, and a replay collapses into the same event ids anyway).
  await claim
    .commit(value.expiresAt)
    .catch((e: unknown) => logger.warn('replay guard commit failed', { connector: connector.name, error: e as Error }));
  return out;
};

/** parse → normalize → publish: once this resolves the webhook is durable. */
const publishWebhook = async (connector: Connector, req: RawRequest, deps: IngestDeps, now: () => Date) => {
  const payload = connector.parse(req);
  const result = connector.normalize(payload, { receivedAt: now().toISOString(), defaultCountry: deps.defaultCountry });
  // A normalizer bug must not publish a malformed event: fail with 5xx and let the vendor retry after the fix.
  const events = result.events.map(parseHubEvent);
  await deps.publisher.publish(events);
  if (result.hydrations?.length) await deps.publisher.putEntries(result.hydrations.map(toHydrationEntry));
  return { payload, result, events };
};

/** A connector's secret problems are reported at most this often per execution environment. */
const SECRET_PROBLEM_REPORT_INTERVAL_MS = 60_000;

/** Reports secret problems for `GET /v1/connectors`, at most once a minute per connector; never fails a request. */
const secretProblemReporter = (log: SecretProblemLog | undefined, now: () => Date) => {
  const last = new Map<string, number>();
  return async (connector: string, problems: readonly string[]): Promise<void> => {
    const at = now();
    const previous = last.get(connector);
    if (!log || (previous !== undefined && at.getTime() - previous < SECRET_PROBLEM_REPORT_INTERVAL_MS)) return;
    last.set(connector, at.getTime());
    await log.report(connector, problems, at).catch((e: unknown) => {
      last.delete(connector);
      logger.warn('secret problem report failed', { connector, error: e as Error });
    });
  };
};

const handshake = (
  connector: Connector,
  req: RawRequest,
  secrets: Record<string, string | undefined>,
): HttpResponse => {
  const response = connector.handshake?.(req, secrets);
  if (!response) throw new MethodNotAllowedError(`Connector ${connector.name} accepts webhooks with POST only`);
  return response;
};

const WEBHOOK_ROUTES = HTTP_ROUTES.filter((r) => r.fn === 'ingest');

/**
 * The `{connector}` of a webhook: API Gateway's path parameter, or, behind a
 * Lambda function URL (which routes nothing: every path and method arrives),
 * the path matched against the webhook routes of the route table.
 */
const connectorNameOf = (event: APIGatewayProxyEventV2): string | undefined => {
  if (event.pathParameters?.connector !== undefined) return event.pathParameters.connector;
  let match: ReturnType<typeof matchRoute>;
  try {
    match = matchRoute(event.requestContext?.http?.method ?? 'GET', event.rawPath, WEBHOOK_ROUTES);
  } catch {
    throw new ValidationError('The request path is not valid percent-encoding');
  }
  if (match.route) return match.pathParameters.connector;
  if (match.methodMismatch) throw new MethodNotAllowedError('Webhooks accept POST (and GET for handshakes) only');
  throw new NotFoundError('Webhooks are served at /webhooks/{connector}; GET /v1/connectors lists them');
};

export const createIngestHandler = (deps: IngestDeps) => {
  const now = deps.now ?? (() => new Date());
  const reportSecretProblems = secretProblemReporter(deps.secretProblems, now);
  return middy<APIGatewayProxyEventV2, HttpResponse>()
    .use(httpErrors({ now: () => now().getTime() }))
    .handler(async (event) => {
      const name = connectorNameOf(event);
      // An unknown name loads nothing; a known one loads its module on its first webhook here.
      const pending = loadConnector(name);
      if (!pending) throw new NotFoundError(`No connector named "${name ?? ''}"; GET /v1/connectors lists them`);
      const connector = await pending;
      const req = toRawRequest(event, { publicBaseUrl: deps.publicBaseUrl, maxBodyBytes: deps.maxBodyBytes });
      const secrets = await deps.secrets.get(connector.name);
      // A secret set too short fails closed like a missing one: the operator sees which in the
      // (rate-limited) WARN and in GET /v1/connectors; the caller only that the connector is not configured.
      const weak = weakSecrets(connector, secrets).map(describeWeakSecret);
      if (weak.length) {
        await reportSecretProblems(connector.name, weak);
        throw new NotConfiguredError(connector.name, weak);
      }
      if (req.method === 'GET') return handshake(connector, req, secrets);
      if (missingRequiredSecret(connector, secrets)) throw new NotConfiguredError(connector.name);

      const verdict = await connector.verify(req, secrets, { now: now() });
      if (!verdict.ok) throw verdict.stale ? new StaleRequestError(verdict.reason) : new SignatureError(verdict.reason);

      const { payload, result, events } = await onlyOnce(connector, req, deps.replayGuard, () =>
        publishWebhook(connector, req, deps, now),
      );

      logger.info('webhook accepted', {
        connector: connector.name,
        eventIds: events.map((e) => e.id),
        types: events.map((e) => e.type),
        hydrations: result.hydrations?.length ?? 0,
        ignored: result.ignored,
      });
      return (
        (await answerOf(connector, payload, deps)) ??
        connector.acknowledge?.(result, payload) ??
        jsonResponse(200, {
          status: 'accepted',
          eventIds: events.map((e) => e.id),
          ...(result.hydrations?.length ? { pendingFetches: result.hydrations.length } : {}),
          ignored: result.ignored,
        })
      );
    });
};
