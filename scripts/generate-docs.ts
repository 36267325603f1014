/**
 * Regenerates every generated document of the repository (`npm run docs`):
 * the regions of hand-written pages (docs/api.md's reference) and the
 * contracts of `npm run schema`. Each has a test that fails while it is stale
 * (test/unit/docs.test.ts, test/unit/api/openapi.test.ts, test/unit/events/json-schema.test.ts).
 */
import { writeFileSync } from 'node:fs';
import { GENERATED_DOCS } from './docs/generated.js';

for (const doc of GENERATED_DOCS) writeFileSync(doc.file, doc.render());
console.log(`Wrote ${GENERATED_DOCS.map((d) => d.file).join(', ')}`);
