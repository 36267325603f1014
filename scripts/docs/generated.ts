/**
 * The list of generated documents: each file and the function that renders
 * its current text. `npm run docs` writes them; `test/unit/docs.test.ts`
 * fails when a committed one differs.
 */
import { readFileSync } from 'node:fs';
import { renderAccessTable } from './access-table.js';
import { renderApiReference } from './api-reference.js';
import { renderConfiguration } from './configuration.js';
import { replaceRegion } from './markers.js';
import { renderSecretRotation } from './security.js';
import { renderConnectorTable, renderDeployGuide } from './readme.js';

export interface GeneratedDoc {
  readonly file: string;
  render(): string;
}

/** A hand-written page whose `marker` region is generated. */
const region = (file: string, marker: string, body: () => string): GeneratedDoc => ({
  file,
  render: () => replaceRegion(readFileSync(file, 'utf8'), marker, body(), file),
});

export const GENERATED_DOCS: readonly GeneratedDoc[] = [
  region('docs/api.md', 'api-reference', renderApiReference),
  region('docs/security.md', 'access-table', renderAccessTable),
  region('docs/security.md', 'secret-rotation', renderSecretRotation),
  { file: 'docs/configuration.md', render: renderConfiguration },
  region('README.md', 'connectors', renderConnectorTable),
  { file: 'docs/deploy.md', render: renderDeployGuide },
];
