/** Every generated document is what its generator renders today (run `npm run docs` to refresh). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GENERATED_DOCS } from '../../scripts/docs/generated.js';
import { replaceRegion } from '../../scripts/docs/markers.js';

describe('generated docs', () => {
  for (const doc of GENERATED_DOCS) {
    it(`${doc.file} is current (run \`npm run docs\`)`, () => {
      expect(readFileSync(doc.file, 'utf8')).toBe(doc.render());
    });
  }

  it('a generated region without its markers is an error, not a silent no-op', () => {
    expect(() => replaceRegion('# Title\n', 'api-reference', 'x', 'docs/x.md')).toThrow(
      'docs/x.md lacks the <!-- api-reference:begin --> … <!-- api-reference:end --> markers',
    );
  });
});
