/**
 * The console's build: what `npm start` serves and `cdk synth` uploads. The
 * JavaScript budget (150 KB gzipped) is a size, measured here on the real
 * production bundle; timings live in the benchmarks, not in tests.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildConsole, javascriptGzipBytes } from '../../console/build.js';
import { en } from '../../console/src/i18n/en.js';
import { ru } from '../../console/src/i18n/ru.js';
import { uk } from '../../console/src/i18n/uk.js';

const SRC = 'console/src';
const sources = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : [path];
  });

describe('Console: build', () => {
  const assets = buildConsole();

  it('stays under 150 KB of JavaScript gzipped', () => {
    // Act
    const bytes = javascriptGzipBytes(assets);

    // Assess
    expect(bytes).toBeGreaterThan(5_000);
    expect(bytes).toBeLessThan(150 * 1024);
  });

  it('writes one index.html that loads only content-hashed files, with no inline script or style', () => {
    // Prepare
    const html = assets.get('/index.html')?.body.toString('utf8') ?? '';

    // Assess
    const referenced = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
    expect(referenced).toHaveLength(2);
    for (const path of referenced) {
      expect(path).toMatch(/^\/assets\/(app|styles)-[A-Z0-9]{8}\.(js|css)$/);
      expect(assets.get(path as string)?.immutable).toBe(true);
    }
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=/i);
    expect(assets.get('/index.html')?.immutable).toBe(false);
  });

  it('never renders markup from data: no dangerouslySetInnerHTML or innerHTML in the console source', () => {
    const offenders = sources(SRC).filter((f) =>
      /dangerouslySetInnerHTML|\.innerHTML|insertAdjacentHTML|document\.write/.test(readFileSync(f, 'utf8')),
    );
    expect(offenders).toEqual([]);
  });
});

describe('Console: translations', () => {
  const plurals = (m: Record<string, unknown>) =>
    Object.entries(m)
      .filter(([, v]) => typeof v === 'object')
      .map(([k, v]) => [k, Object.keys(v as object).sort()]);

  it.each([
    ['uk', uk],
    ['ru', ru],
  ])('%s has every English key, and every plural its one/few/many/other forms', (_lang, messages) => {
    // Assess
    expect(Object.keys(messages).sort()).toEqual(Object.keys(en).sort());
    for (const [key, forms] of plurals(messages)) expect(forms, key as string).toEqual(['few', 'many', 'one', 'other']);
    for (const [key, value] of Object.entries(messages)) {
      const english = en[key as keyof typeof en];
      const placeholders = (v: unknown) => [...JSON.stringify(v).matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect(new Set(placeholders(value)), key).toEqual(new Set(placeholders(english)));
    }
  });
});
