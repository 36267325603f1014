/**
 * Generates the published contracts from the zod modules they are defined in:
 * `docs/hub-event.schema.json` (JSON Schema of every event on the bus),
 * `docs/event-catalogue.md`, and `docs/openapi.json` (the API, from the route
 * table and the contracts beside each handler). Run with `npm run schema`;
 * a test fails when a committed file is stale.
 */
import { writeFileSync } from 'node:fs';
import { renderCatalogue, renderJsonSchema } from '../functions/events/json-schema.js';
import { renderOpenApi } from '../functions/handlers/api/openapi.js';

const outputs = {
  'docs/hub-event.schema.json': renderJsonSchema(),
  'docs/event-catalogue.md': renderCatalogue(),
  'docs/openapi.json': renderOpenApi(),
};
for (const [file, text] of Object.entries(outputs)) writeFileSync(file, text);
console.log(`Wrote ${Object.keys(outputs).join(', ')}`);
