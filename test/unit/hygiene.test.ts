/**
 * Source hygiene: comments explain the code in its own terms, not by the
 * tracker ("(issue 5)" means nothing to a reader without the tracker), and
 * nothing in the repository points at a path on one machine.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const tracked = (...globs: string[]): string[] =>
  execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', ...globs], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);

/** `(issue 5)`, `(issue 9 item 12)`, `issue #3`: references to the tracker. */
const TRACKER_REFERENCE = /\bissues? #?\d+\b/i;

/** Absolute paths of a developer's machine or this workplace. */
const MACHINE_PATH = /(?:^|[\s"'(`])\/(?:work|home|Users|root|tmp\/bash_jobs)\/[\w.-]+/m;

const hits = (files: readonly string[], pattern: RegExp): string[] =>
  files.flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((line, i) => (pattern.test(line) ? [`${file}:${i + 1}: ${line.trim().slice(0, 120)}`] : [])),
  );

describe('Hygiene', () => {
  // This file names the patterns it looks for.
  const code = tracked('*.ts', '*.mts', '*.mjs', '*.jsonc', '.ci/run').filter(
    (f) => !f.includes('/fixtures/') && f !== 'test/unit/hygiene.test.ts',
  );

  it('no comment refers to the issue tracker', () => {
    expect(code.length).toBeGreaterThan(100);
    // The check itself sees a reference.
    expect(TRACKER_REFERENCE.test('// Publishes customer.merged (issue 5).')).toBe(true);
    expect(hits(code, TRACKER_REFERENCE)).toEqual([]);
  });

  it('no file names a path on one machine (fixture manifests cite vendor URLs)', () => {
    const files = [...code, ...tracked('*.json', '*.md')].filter((f) => f !== 'package-lock.json');
    expect(MACHINE_PATH.test(`"source": "/${'work'}/shared/vendor-webhooks/x.md"`)).toBe(true);
    expect(hits(files, MACHINE_PATH)).toEqual([]);
  });
});
