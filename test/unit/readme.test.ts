import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { listConnectors } from '../../functions/connectors/index.js';
import { renderReadme } from '../../functions/shared/readme.js';

describe('README.md', () => {
  it('has the current connector sections and deployment guide (run `npm run docs`)', () => {
    expect(readFileSync('README.md', 'utf8')).toBe(renderReadme(process.cwd()));
  });
  it('has a section for every registered connector', () => {
    const readme = readFileSync('README.md', 'utf8');
    for (const c of listConnectors()) expect(readme).toContain(`### ${c.name}\n`);
  });
  it('names the two commands a new user needs', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm test');
  });
});
