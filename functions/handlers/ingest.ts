/**
 * Webhook ingest: authenticate → parse → normalize → publish → acknowledge.
 * The 2xx goes out only after the bus accepted every event, so an
 * acknowledged webhook is never lost; any failure before that is a 5xx and the
 * vendor redelivers (the deterministic event id makes that harmless).
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { findConnector } from '../connectors/index.js';
import type { Connector } from '../connectors/types.js';
import { parseHubEvent } from '../events/hub-event.js';
import type { EventPublisher, SecretStore } from '../ports.js';
import type { CountryCode } from '../domain/identity.js';
import {
  MethodNotAllowedError,
  NotConfiguredError,
  NotFoundError,
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
  readonly defaultCountry: CountryCode;
  readonly maxBodyBytes: number;
  readonly publicBaseUrl?: string;
  readonly now?: () => Date;
}

const missingRequiredSecret = (connector: Connector, secrets: Record<string, string | undefined>): boolean =>
  connector.secrets.some((spec) => spec.required && !secrets[spec.name]);

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
  return middy<APIGatewayProxyEventV2, HttpResponse>()
    .use(httpErrors({ now: () => now().getTime() }))
    .handler(async (event) => {
      const name = connectorNameOf(event);
      const connector = findConnector(name);
      if (!connector) throw new NotFoundError(`No connector named "${name ?? ''}"; GET /v1/connectors lists them`);
      const req = toRawRequest(event, { publicBaseUrl: deps.publicBaseUrl, maxBodyBytes: deps.maxBodyBytes });
      const secrets = await deps.secrets.get(connector.name);
      if (req.method === 'GET') return handshake(connector, req, secrets);
      if (missingRequiredSecret(connector, secrets)) throw new NotConfiguredError(connector.name);

      const verdict = await connector.verify(req, secrets, { now: now() });
      if (!verdict.ok) throw verdict.stale ? new StaleRequestError(verdict.reason) : new SignatureError(verdict.reason);

      const payload = connector.parse(req);
      const result = connector.normalize(payload, {
        receivedAt: now().toISOString(),
        defaultCountry: deps.defaultCountry,
      });
      // A normalizer bug must not publish a malformed event: fail with 5xx and let the vendor retry after the fix.
      const events = result.events.map(parseHubEvent);
      await deps.publisher.publish(events);
      if (result.hydrations?.length) await deps.publisher.putEntries(result.hydrations.map(toHydrationEntry));

      logger.info('webhook accepted', {
        connector: connector.name,
        eventIds: events.map((e) => e.id),
        types: events.map((e) => e.type),
        hydrations: result.hydrations?.length ?? 0,
        ignored: result.ignored,
      });
      return (
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
