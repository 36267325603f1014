/**
 * `POST /v1/imports`: one batch of a bulk import, as `omnihub import`
 * planned it (functions/domain/import.ts), published to the bus like a
 * webhook's events — the profile writer then applies them exactly as live
 * events, merges included. Only import events are accepted (connector
 * `import`, types `contact.imported` and `order.placed`), each validated by
 * the event contract; a bad batch is refused whole, nothing half-published.
 * A re-sent batch changes nothing (the ids are deterministic).
 */
import * as z from 'zod';
import { IMPORT_CONNECTOR, IMPORT_EVENT_TYPES } from '../../domain/import.js';
import { HubEventSchema, parseHubEvent } from '../../events/hub-event.js';
import { type RouteContracts, respond } from './contract.js';
import type { ApiDeps } from './deps.js';
import { parseBody } from './request.js';
import type { ApiRoutes } from './types.js';

/** Events per request: ~700 bytes each keeps a batch well under the 256 KiB body limit. */
export const MAX_IMPORT_BATCH = 250;

const ImportEventSchema = z
  .unknown()
  .refine(
    (e) =>
      typeof e === 'object' &&
      e !== null &&
      (e as { connector?: unknown }).connector === IMPORT_CONNECTOR &&
      (IMPORT_EVENT_TYPES as readonly unknown[]).includes((e as { type?: unknown }).type),
    { error: `only import events: connector "${IMPORT_CONNECTOR}", type ${IMPORT_EVENT_TYPES.join(' or ')}` },
  )
  .pipe(HubEventSchema)
  .meta({ description: 'A hub event of connector `import` (docs/hub-event.schema.json)' });

const ImportBatchSchema = z
  .object({
    events: z.array(ImportEventSchema).min(1).max(MAX_IMPORT_BATCH),
  })
  .strict();

export const importContracts = {
  'POST /v1/imports': {
    summary: 'Publish one batch of a bulk import (omnihub import)',
    description:
      "The events `omnihub import` planned from a spreadsheet or CRM export, published to the bus like a webhook's and applied by the profile writer as live events are (identity resolution, merges). Deterministic ids make a re-sent batch change nothing. docs/import.md.",
    body: ImportBatchSchema,
    status: 202,
    response: z.object({ accepted: z.number().int().meta({ description: 'Events published' }) }),
    responseDescription: 'Published; the profile writer applies them shortly',
    errors: [400, 413],
  },
} as const satisfies RouteContracts<'POST /v1/imports'>;

export const importRoutes = (deps: ApiDeps): ApiRoutes<'POST /v1/imports'> => ({
  'POST /v1/imports': async (event) => {
    const contract = importContracts['POST /v1/imports'];
    const { events } = parseBody(contract.body, event, 'import batch');
    await deps.publisher.publish(events.map(parseHubEvent));
    return respond(contract, { accepted: events.length });
  },
});
