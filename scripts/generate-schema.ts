/**
 * Generates the subscriber-facing contract from the one zod module:
 * `docs/hub-event.schema.json` (JSON Schema) and `docs/event-catalogue.md`.
 * Run with `npm run schema`; a test fails when the committed files are stale.
 */
import { writeFileSync } from 'node:fs';
import { renderCatalogue, renderJsonSchema } from '../functions/events/json-schema.js';

writeFileSync('docs/hub-event.schema.json', renderJsonSchema());
writeFileSync('docs/event-catalogue.md', renderCatalogue());
console.log('Wrote docs/hub-event.schema.json and docs/event-catalogue.md');
