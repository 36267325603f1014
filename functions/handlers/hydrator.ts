/**
 * Hydrator: completes thin webhooks. The ingest acknowledged the vendor with
 * only an object id in hand (HubSpot, Bitrix24, Kommo, Poster); here, off the
 * vendor's clock, the connector fetches the details from the vendor's API and
 * the complete events are published. A failed fetch fails only its record,
 * which SQS retries and finally dead-letters; event ids are deterministic, so
 * a retry after a partial publish is harmless.
 */
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { loadConnector } from '../connectors/index.js';
import type { HydrationRequest } from '../connectors/types.js';
import { parseHubEvent, SOURCE_PREFIX } from '../events/hub-event.js';
import type { BusEntry } from '../events/envelope.js';
import { HYDRATION_DETAIL_TYPE } from '../events/rules.js';
import type { EventPublisher, SecretStore } from '../ports.js';
import type { CountryCode } from '../domain/identity.js';
import { logger } from '../shared/logger.js';
import { processBatch } from './batch.js';
import { outboundFetch } from '../shared/outbound-fetch.js';
import { OUTBOUND_AWS } from '../shared/outbound-url.js';

/** Without an injected client: the strict outbound policy (public https hosts only), never the bare fetch. */
const defaultFetch = outboundFetch({ policy: OUTBOUND_AWS });

export const toHydrationEntry = (request: HydrationRequest): BusEntry => ({
  source: `${SOURCE_PREFIX}${request.connector}`,
  detailType: HYDRATION_DETAIL_TYPE,
  detail: request,
});

export interface HydratorDeps {
  readonly publisher: EventPublisher;
  readonly secrets: SecretStore;
  readonly defaultCountry: CountryCode;
  readonly fetch?: typeof fetch;
}

export const createHydratorHandler = (deps: HydratorDeps) => {
  const recordHandler = async (record: SQSRecord): Promise<void> => {
    const request = (JSON.parse(record.body) as { detail: HydrationRequest }).detail;
    // The connector's module loads on its first hydration in this environment.
    const connector = await loadConnector(request.connector);
    if (!connector?.hydrate) throw new Error(`Connector ${request.connector} cannot hydrate ${request.kind}`);
    const secrets = await deps.secrets.get(connector.name);
    const events = (
      await connector.hydrate(request, {
        secrets,
        defaultCountry: deps.defaultCountry,
        fetch: deps.fetch ?? defaultFetch,
      })
    ).map(parseHubEvent);
    await deps.publisher.publish(events);
    logger.info('thin webhook hydrated', {
      connector: connector.name,
      kind: request.kind,
      eventIds: events.map((e) => e.id),
    });
  };
  return middy<SQSEvent, SQSBatchResponse>().handler((event: SQSEvent, context: Context) =>
    processBatch(event, context, recordHandler),
  );
};
