/**
 * What a Lambda cold start reads, from esbuild's graph of
 * each entry built exactly as the stack builds it (`lib/bundling.ts`): no
 * connector module (only the registry's metadata), no zod locale but the
 * default one, libphonenumber's min metadata, no CommonJS form parser in the API. The timings are the
 * benchmark's (`bench/bundles.ts`); this pins the structure they depend on.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticOutputs } from '../../bench/bundles.js';
import { listConnectors } from '../../functions/connectors/index.js';
import { lambdaBuildOptions, PROJECT_ROOT } from '../../lib/bundling.js';

const ENTRIES_DIR = join(PROJECT_ROOT, 'functions/runtime/aws');
const entries = readdirSync(ENTRIES_DIR)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => basename(f, '.ts'));

/** Source modules in the files init reads, and in the whole bundle. */
interface Graph {
  readonly atInit: string[];
  readonly all: string[];
}

/**
 * What every function may read of the connectors at init: the registry's metadata, and the secret
 * minimums its specs name (`shared/secret-strength.ts`: no runtime import, no vendor code).
 */
const REGISTRY_METADATA =
  /^functions\/connectors\/(?:[^/]+\/meta\.ts|shared\/(?:secret-env|meta-send-secrets|secret-strength)\.ts)$/;
/** Functions that send or plan messages (automations queue theirs as the API does): they read the senders (`<name>/send.ts`) at init, still no webhook code. */
const SENDING_FUNCTIONS = new Set(['api', 'sender', 'automations']);
const SENDER_CODE =
  /^functions\/connectors\/(?:[^/]+\/send\.ts|shared\/(?:sender|meta-send|json-integers|build-event)\.ts)$/;

const graphs = new Map<string, Graph>();
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'omnihub-cold-start-'));
  await Promise.all(
    entries.map(async (name) => {
      const meta: Metafile = (
        await build({ ...lambdaBuildOptions(join(ENTRIES_DIR, `${name}.ts`), join(dir, name)), write: false })
      ).metafile;
      const inputsOf = (files: string[]) => [
        ...new Set(files.flatMap((f) => Object.keys(meta.outputs[f]?.inputs ?? {}))),
      ];
      graphs.set(name, { atInit: inputsOf(staticOutputs(meta)), all: inputsOf(Object.keys(meta.outputs)) });
    }),
  );
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Cold start: what init reads', () => {
  it.each(entries)('%s initialises no connector module, only the registry metadata', (name) => {
    // Prepare
    const { atInit } = graphs.get(name) as Graph;
    const sends = SENDING_FUNCTIONS.has(name);

    // Assess
    const connectorCode = atInit.filter(
      (m) => /^functions\/connectors\/[^/]+\//.test(m) && !REGISTRY_METADATA.test(m) && !(sends && SENDER_CODE.test(m)),
    );
    expect(connectorCode).toEqual([]);
  });

  it('keeps every connector module in the webhook functions, loaded on first use', () => {
    for (const name of ['ingest', 'hydrator']) {
      // Prepare
      const { all, atInit } = graphs.get(name) as Graph;

      // Assess
      for (const c of listConnectors()) {
        expect(all, `${name} bundles ${c.name}`).toContain(`functions/connectors/${c.name}/index.ts`);
        expect(atInit, `${name} reads ${c.name} at init`).not.toContain(`functions/connectors/${c.name}/index.ts`);
      }
    }
  });

  it.each(entries)('%s bundles zod by namespace import: no locale but the default one', (name) => {
    // Prepare
    const locales = (graphs.get(name) as Graph).all.filter((m) => /node_modules\/zod\/.*\/locales\/(?!en\.js)/.test(m));

    // Assess
    expect(locales).toEqual([]);
  });

  it.each(entries)('%s bundles the min phone metadata, not the full one', (name) => {
    // Prepare
    const metadata = (graphs.get(name) as Graph).all.filter((m) => /libphonenumber-js\/metadata\.\w+\.json/.test(m));

    // Assess
    expect(metadata.filter((m) => !/metadata\.min\.json/.test(m))).toEqual([]);
  });

  it.each(entries)('%s loads undici (the outbound guard agent) on its first outbound request, not at init', (name) => {
    // Assess
    expect((graphs.get(name) as Graph).atInit.filter((m) => m.includes('node_modules/undici/'))).toEqual([]);
  });

  it('keeps the form parser (qs) out of the api function', () => {
    // Assess
    expect((graphs.get('api') as Graph).atInit.filter((m) => m.includes('node_modules/qs/'))).toEqual([]);
  });
});
