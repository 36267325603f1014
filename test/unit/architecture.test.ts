/**
 * The dependency arrows of the code base, checked on every import:
 * runtime → handlers → domain/events/connectors/subscriptions/outbound/shared, and
 * adapters implement `functions/ports.ts` without knowing who calls them.
 * A wrong-way import (an adapter reaching into a handler, a handler building
 * an AWS client) fails here before it blurs a seam.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

const sourceFiles = (dir: string): string[] =>
  readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) return name === 'fixtures' ? [] : sourceFiles(path);
    return /\.(ts|mts)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });

/** Every import specifier of a file: relative ones resolved to repository paths, packages as written. */
const importsOf = (file: string): string[] => {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specs = [
    ...text.matchAll(/(?:^|\s)(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((m) => (m[1] ?? m[2]) as string);
  return specs.map((spec) =>
    spec.startsWith('.') ? relative(ROOT, resolve(ROOT, dirname(file), spec)).replace(/\.js$/, '.ts') : spec,
  );
};

/** Layer of a repository path, by its folder under `functions/`. */
const layerOf = (path: string): string | undefined => {
  if (path === 'functions/ports.ts') return 'ports';
  const m = /^functions\/([^/]+)\//.exec(path);
  return m?.[1];
};

/** What each layer must never import (layers, or package prefixes). */
const FORBIDDEN: Record<string, readonly string[]> = {
  events: ['handlers', 'runtime', 'adapters', 'connectors', 'subscriptions', '@aws-sdk/', 'aws-cdk-lib'],
  // Metric definitions, lake rows and the SQL dialect: pure, the same for DuckDB and Athena.
  analytics: ['handlers', 'runtime', 'adapters', 'connectors', 'subscriptions', '@aws-sdk/', 'aws-cdk-lib', '@duckdb/'],
  domain: ['handlers', 'runtime', 'adapters', 'connectors', 'subscriptions', '@aws-sdk/', 'aws-cdk-lib'],
  shared: ['handlers', 'runtime', 'adapters', '@aws-sdk/', 'aws-cdk-lib'],
  connectors: ['handlers', 'runtime', 'adapters', '@aws-sdk/', 'aws-cdk-lib'],
  subscriptions: ['handlers', 'runtime', 'adapters', '@aws-sdk/', 'aws-cdk-lib'],
  outbound: ['handlers', 'runtime', 'adapters', '@aws-sdk/', 'aws-cdk-lib'],
  automations: ['handlers', 'runtime', 'adapters', '@aws-sdk/', 'aws-cdk-lib'],
  ports: ['handlers', 'runtime', 'adapters', '@aws-sdk/', 'aws-cdk-lib'],
  handlers: ['runtime', 'adapters', '@aws-sdk/', 'aws-cdk-lib'],
  adapters: ['handlers', 'runtime', 'aws-cdk-lib'],
};

const violations = (files: readonly string[], rules: Record<string, readonly string[]>): string[] =>
  files.flatMap((file) => {
    const forbidden = rules[layerOf(file) ?? ''] ?? [];
    return importsOf(file)
      .filter((target) =>
        forbidden.some((f) => (f.includes('/') || f.includes('-') ? target.startsWith(f) : layerOf(target) === f)),
      )
      .map((target) => `${file} → ${target}`);
  });

describe('Architecture: dependency direction', () => {
  it('no layer imports one above it', () => {
    // Prepare
    const files = sourceFiles('functions');

    // Act
    const found = violations(files, FORBIDDEN);

    // Assess
    expect(files.length).toBeGreaterThan(50);
    expect(found).toEqual([]);
  });

  it('the infrastructure code imports no handler, adapter or runtime module', () => {
    const found = [...sourceFiles('lib'), 'bin/hub.ts'].flatMap((file) =>
      importsOf(file)
        .filter((t) => ['handlers', 'adapters', 'runtime'].includes(layerOf(t) ?? ''))
        .map((t) => `${file} → ${t}`),
    );
    expect(found).toEqual([]);
  });

  it('detects a wrong-way import (the check itself can fail)', () => {
    // The local composition root imports handlers (allowed there): a rule forbidding it must see them.
    const found = violations(['functions/runtime/local/local-hub.ts'], { runtime: ['handlers'] });
    expect(found.some((v) => v.includes('→ functions/handlers/'))).toBe(true);
  });
});
