/**
 * Every error class of the code base extends `HubError`, so each carries a
 * status and a stable code and the edge maps it the same way. Scans the
 * source tree (functions, bin, lib, scripts, bench; tests may throw what
 * they like) for `class X extends Y` and follows each chain.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOTS = ['functions', 'bin', 'lib', 'scripts', 'bench'];

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'fixtures' || name === 'node_modules' ? [] : sourceFiles(path);
    return /\.(ts|mts)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });

/** Class name → [parent, file], from every `class X extends Y` in the files. */
const classParents = (files: readonly string[]): Map<string, { parent: string; file: string }> => {
  const parents = new Map<string, { parent: string; file: string }>();
  for (const file of files)
    for (const m of readFileSync(file, 'utf8').matchAll(/\bclass\s+(\w+)(?:<[^>]*>)?\s+extends\s+([\w.]+)/g))
      parents.set(m[1] as string, { parent: m[2] as string, file });
  return parents;
};

/** Error classes whose chain reaches the built-in `Error` without passing `HubError`. */
const strayErrors = (parents: Map<string, { parent: string; file: string }>): string[] =>
  [...parents.entries()].flatMap(([name, { file }]) => {
    if (name === 'HubError') return [];
    const chain: string[] = [name];
    for (let current = name; parents.has(current); ) {
      current = parents.get(current)?.parent ?? '';
      chain.push(current);
      if (current === 'HubError') return [];
    }
    return /Error$/.test(chain.at(-1) ?? '') ? [`${file}: ${chain.join(' → ')}`] : [];
  });

describe('Errors: one hierarchy', () => {
  it('every error class extends HubError', () => {
    const files = ROOTS.flatMap(sourceFiles);
    expect(files.length).toBeGreaterThan(100);
    expect(strayErrors(classParents(files))).toEqual([]);
  });

  it('finds an error class that does not (the check itself can fail)', () => {
    const parents = new Map([
      ['HubError', { parent: 'Error', file: 'a.ts' }],
      ['GoodError', { parent: 'HubError', file: 'a.ts' }],
      ['BadError', { parent: 'Error', file: 'b.ts' }],
      ['WorseError', { parent: 'TypeError', file: 'b.ts' }],
      ['Store', { parent: 'BaseStore', file: 'c.ts' }],
    ]);
    expect(strayErrors(parents)).toEqual(['b.ts: BadError → Error', 'b.ts: WorseError → TypeError']);
  });
});
