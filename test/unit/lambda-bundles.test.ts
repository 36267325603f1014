/**
 * What the Lambda bundles hold of our own code: the pattern matcher is for
 * synth time, the local bus and the CLI, so no function bundles it (patterns
 * are validated by `cdk synth`; EventBridge matches on AWS). esbuild resolves
 * each entry's import graph as the CDK bundling does; packages stay external
 * because only our source files are in question.
 */
import { readdirSync } from 'node:fs';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

/**
 * The automation runner is the one function that matches patterns itself:
 * each automation's `when`/`unless` against every event of its rule, and the
 * customer's timeline against `unless` when a timer fires (the re-check that
 * makes an uncancellable SQS delay harmless) — EventBridge cannot do either.
 */
const MATCHES_PATTERNS = 'functions/runtime/aws/automations.ts';

const ENTRIES = readdirSync('functions/runtime/aws')
  .filter((f) => f.endsWith('.ts'))
  .map((f) => `functions/runtime/aws/${f}`)
  .filter((e) => e !== MATCHES_PATTERNS);

/** Source files of the repository that the entry's bundle contains. */
const bundledSources = async (entry: string): Promise<string[]> => {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'silent',
  });
  return Object.keys(result.metafile.inputs);
};

describe('Lambda bundles', () => {
  it('cover every Lambda entry', () => {
    expect(ENTRIES.map((e) => e.split('/').pop())).toEqual(
      expect.arrayContaining(['api.ts', 'dispatcher.ts', 'hydrator.ts', 'ingest.ts', 'profile-writer.ts']),
    );
  });

  it.each(ENTRIES)('%s does not bundle the pattern matcher', async (entry) => {
    // Act
    const sources = await bundledSources(entry);

    // Assess: the check sees the entry's own graph (it can fail), and the matcher is not in it.
    expect(sources).toContain(entry);
    expect(sources.filter((s) => /events\/pattern(-matcher|\/)/.test(s))).toEqual([]);
  });

  it.each(['bin/commands/subscriptions-test.ts', MATCHES_PATTERNS])(
    '%s does bundle it (the check detects the matcher where it is)',
    async (entry) => {
      const sources = await bundledSources(entry);
      expect(sources).toContain('functions/events/pattern-matcher.ts');
    },
  );
});
