/**
 * The README is the front door: at most 250 lines, the two commands a
 * newcomer needs, a row (and operator guide link) for every connector, and
 * every document it links exists. Its generated region is checked with the
 * other generated docs (test/unit/docs.test.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { listConnectors } from '../../functions/connectors/index.js';

const readme = readFileSync('README.md', 'utf8');

/** Relative link targets of a Markdown text (no anchors, no URLs). */
const localLinks = (markdown: string): string[] =>
  [...markdown.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)]
    .map((m) => m[1] as string)
    .filter((target) => !/^[a-z]+:/.test(target));

describe('README.md', () => {
  it('is at most 250 lines', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(250);
  });

  it('names the two commands: one runs the hub, one passes the tests', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toMatch(/^npm test\b/m);
  });

  it("links every connector's operator guide", () => {
    for (const c of listConnectors()) expect(readme).toContain(`](functions/connectors/${c.name}/README.md)`);
  });

  it('links the docs a newcomer needs, and every linked file exists', () => {
    for (const doc of [
      'configuration',
      'customer-view',
      'api',
      'subscriptions',
      'deploy',
      'security',
      'benchmarks',
      'architecture',
      'cli',
    ])
      expect(readme).toContain(`](docs/${doc}.md)`);
    const missing = localLinks(readme).filter((target) => !existsSync(target));
    expect(missing).toEqual([]);
  });

  it('every doc it links links only to files that exist', () => {
    const docs = localLinks(readme).filter((t) => t.startsWith('docs/') && t.endsWith('.md'));
    const missing = docs.flatMap((doc) =>
      localLinks(readFileSync(doc, 'utf8'))
        .map((target) => new URL(target, `file:///${doc}`).pathname.slice(1))
        .filter((target) => !existsSync(decodeURIComponent(target)))
        .map((target) => `${doc} → ${target}`),
    );
    expect(missing).toEqual([]);
  });
});
