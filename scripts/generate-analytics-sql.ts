/** `npm run analytics:sql`: regenerates functions/analytics/sql.generated.ts from analytics/*.sql. */
import { writeFileSync } from 'node:fs';
import { GENERATED_PATH, renderBundle } from '../analytics/bundle.js';

writeFileSync(GENERATED_PATH, renderBundle());
console.log(`Wrote ${GENERATED_PATH}`);
