/**
 * Phase 4: bundle size and cold start. Bundles every Lambda entry in
 * `functions/runtime/aws/` with the stack's own builder
 * (`lib/bundling.ts`: split ESM for node22, the `createRequire` banner, the
 * AWS SDK bundled, external source maps), and times its init — `import()` of
 * `index.mjs` in a fresh `node` process with the production `NODE_OPTIONS`,
 * which reads the statically imported chunks and none of the lazy ones —
 * beside a floor built and timed the same way: an empty handler that
 * constructs only the AWS SDK clients the function's init loads.
 *
 * A function that loads modules on first use (ingest and the hydrator load a
 * connector on its first webhook) also gets the time its largest lazy module
 * adds to its first invocation, so deferring work cannot hide it.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { lambdaBuildOptions } from '../lib/bundling.js';
import { isEntry, isQuick, progress, ROOT, runPhase } from './lib/phase.js';
import { median, round } from './lib/stats.js';
import { HubError } from '../functions/shared/errors.js';

const PHASE = 'bundles';

/** Client class of each SDK package, for the floor handler. */
const SDK_CLIENTS: Record<string, string> = {
  '@aws-sdk/client-dynamodb': 'DynamoDBClient',
  '@aws-sdk/client-eventbridge': 'EventBridgeClient',
  '@aws-sdk/client-secrets-manager': 'SecretsManagerClient',
  '@aws-sdk/client-sqs': 'SQSClient',
  '@aws-sdk/client-sns': 'SNSClient',
  '@aws-sdk/client-s3': 'S3Client',
  '@aws-sdk/client-ssm': 'SSMClient',
  '@aws-sdk/client-scheduler': 'SchedulerClient',
  '@aws-sdk/client-sesv2': 'SESv2Client',
};

interface Construct {
  /** SDK packages each function is granted a resource for in `lib/hub-stack.ts` (`bindTable`/`bindBus`/`bindSecrets`, a table name). */
  grants: Record<string, string[]>;
  nodeOptions: string | undefined;
  memoryByFunction: Record<string, number>;
  defaultMemory: number;
}

/** Reads the memory sizes, NODE_OPTIONS and grants the CDK code declares (the bundling options are imported, not read). */
const readConstruct = (): Construct => {
  const fn = readFileSync(join(ROOT, 'lib/constructs/hub-function.ts'), 'utf8');
  const defaultMemory = Number(/memorySize:\s*props\.memorySize\s*\?\?\s*(\d+)/.exec(fn)?.[1] ?? 256);
  const memoryByFunction: Record<string, number> = {};
  const libFiles = [
    join(ROOT, 'lib/hub-stack.ts'),
    ...readdirSync(join(ROOT, 'lib/constructs')).map((f) => join(ROOT, 'lib/constructs', f)),
  ];
  for (const file of libFiles) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/new HubFunction\(this,\s*'([^']+)',\s*\{([\s\S]*?)\n\s*\}\);/g)) {
      const memory = /memorySize:\s*(\d+)/.exec(m[2] ?? '')?.[1];
      memoryByFunction[m[1] as string] = memory ? Number(memory) : defaultMemory;
    }
  }
  const stack = readFileSync(join(ROOT, 'lib/hub-stack.ts'), 'utf8');
  const grants: Record<string, string[]> = {};
  const BIND_PACKAGE: Record<string, string> = {
    bindTable: '@aws-sdk/client-dynamodb',
    tableName: '@aws-sdk/client-dynamodb',
    bindBus: '@aws-sdk/client-eventbridge',
    bindSecrets: '@aws-sdk/client-secrets-manager',
  };
  for (const m of stack.matchAll(/const (\w+) = new HubFunction\(this,\s*'([^']+)'/g)) {
    const [, variable, id] = m as unknown as [string, string, string];
    const packages = new Set<string>();
    const uses = new RegExp(
      `\\b${variable}\\.(?:(bindTable|bindBus|bindSecrets)\\(|addEnvironment\\(ENV\\.(tableName)\\b)`,
      'g',
    );
    for (const b of stack.matchAll(uses)) packages.add(BIND_PACKAGE[(b[1] ?? b[2]) as string] as string);
    grants[id] = [...packages].sort();
  }
  return { grants, nodeOptions: /NODE_OPTIONS:\s*'([^']*)'/.exec(fn)?.[1], memoryByFunction, defaultMemory };
};

/** Output files an `import()` of `index.mjs` reads: the entry and the chunks it imports statically, transitively. */
export const staticOutputs = (metafile: Metafile): string[] => {
  const outputs = metafile.outputs;
  const entry = Object.keys(outputs).find((k) => k === 'index.mjs' || k.endsWith('/index.mjs'));
  if (!entry) throw new Error('no index.mjs in the bundle');
  const seen = new Set<string>();
  const stack = [entry];
  while (stack.length > 0) {
    const file = stack.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const imp of outputs[file]?.imports ?? [])
      if (imp.kind === 'import-statement' && !imp.external && outputs[imp.path]) stack.push(imp.path);
  }
  return [...seen];
};

/** Output files of modules loaded by a dynamic `import()` of the repository's own code (connector modules). */
const lazyModules = (metafile: Metafile, loaded: ReadonlySet<string>): { file: string; module: string }[] =>
  Object.entries(metafile.outputs)
    .filter(([file, o]) => !loaded.has(file) && o.entryPoint?.startsWith('functions/') && !file.endsWith('.map'))
    .map(([file, o]) => ({ file, module: o.entryPoint as string }));

/** Bytes of the output files a module's first load reads beyond `loaded`: the file and its static imports. */
const bytesBeyond = (metafile: Metafile, file: string, loaded: ReadonlySet<string>): number => {
  const seen = new Set<string>();
  const stack = [file];
  let bytes = 0;
  while (stack.length > 0) {
    const f = stack.pop() as string;
    if (seen.has(f) || loaded.has(f)) continue;
    seen.add(f);
    bytes += metafile.outputs[f]?.bytes ?? 0;
    for (const imp of metafile.outputs[f]?.imports ?? [])
      if (imp.kind === 'import-statement' && !imp.external && metafile.outputs[imp.path]) stack.push(imp.path);
  }
  return bytes;
};

/** `@aws-sdk/*` client packages whose code init loads (the static outputs). */
const sdkPackagesOf = (metafile: Metafile, files: readonly string[]): string[] => {
  const found = new Set<string>();
  for (const input of files.flatMap((f) => Object.keys(metafile.outputs[f]?.inputs ?? {}))) {
    const m = /node_modules\/(@aws-sdk\/(?:client-[a-z0-9-]+|lib-dynamodb))\//.exec(input);
    if (m) found.add(m[1] as string);
  }
  return [...found].sort();
};

/** Source of the floor: an empty handler constructing the same SDK clients. */
export const floorSource = (packages: readonly string[]): { source: string; unmapped: string[] } => {
  const lines: string[] = [];
  const made: string[] = [];
  const unmapped: string[] = [];
  for (const pkg of packages) {
    if (pkg === '@aws-sdk/lib-dynamodb') continue;
    const cls = SDK_CLIENTS[pkg];
    if (!cls) {
      unmapped.push(pkg);
      continue;
    }
    lines.push(`import { ${cls} } from '${pkg}';`);
    made.push(`new ${cls}({})`);
  }
  if (packages.includes('@aws-sdk/lib-dynamodb')) {
    lines.push(`import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';`);
    if (!packages.includes('@aws-sdk/client-dynamodb'))
      lines.push(`import { DynamoDBClient } from '@aws-sdk/client-dynamodb';`);
    made.push('DynamoDBDocumentClient.from(new DynamoDBClient({}))');
  }
  lines.push(`const clients = [${made.join(', ')}];`);
  lines.push('export const handler = async () => ({ statusCode: 200, body: String(clients.length) });');
  return { source: `${lines.join('\n')}\n`, unmapped };
};

/** Times the init (`import()` of index.mjs) and, given a second file, the first load of that lazy module after it. */
const RUNNER = `const t0 = performance.now();
await import(process.argv[2]);
const importMs = performance.now() - t0;
let lazyMs = null;
if (process.argv[3]) { const t1 = performance.now(); await import(process.argv[3]); lazyMs = performance.now() - t1; }
process.stdout.write(JSON.stringify({ importMs, lazyMs, rssMb: process.memoryUsage().rss / 1048576 }));
`;

/** Environment of a cold start: the names the Lambdas read at init, and no way out of the machine. */
const initEnv = (): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  // Any SDK call made at init fails fast on a closed local port instead of leaving the machine.
  AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
  OMNIHUB_TABLE_NAME: 'omnihub-bench',
  OMNIHUB_EVENT_BUS_NAME: 'omnihub-bench',
  OMNIHUB_SECRET_PREFIX: 'omnihub/bench/connectors/',
  OMNIHUB_DEFAULT_COUNTRY: 'UA',
  // Subscriptions (lib/constructs/subscriptions.ts): `omnihub-<stage>-sub-`.
  OMNIHUB_SUBSCRIPTION_PREFIX: 'omnihub-bench-sub-',
  OMNIHUB_SUBSCRIPTION_SECRET_PREFIX: 'omnihub/bench/subscriptions/',
  // The sender's queue and scheduler (lib/constructs/hub-outbound.ts): validated as ARNs, so not guessable.
  OMNIHUB_SENDER_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/omnihub-bench-sender',
  OMNIHUB_SENDER_QUEUE_ARN: 'arn:aws:sqs:us-east-1:123456789012:omnihub-bench-sender',
  OMNIHUB_SCHEDULE_GROUP: 'omnihub-bench',
  OMNIHUB_SCHEDULE_ROLE_ARN: 'arn:aws:iam::123456789012:role/omnihub-bench-scheduler',
  // The automations rule's queue (lib/constructs/hub-automations.ts): the runner's timers come back to it.
  OMNIHUB_AUTOMATIONS_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/omnihub-bench-automations',
  OMNIHUB_AUTOMATIONS_QUEUE_ARN: 'arn:aws:sqs:us-east-1:123456789012:omnihub-bench-automations',
  POWERTOOLS_SERVICE_NAME: 'omnihub',
});

interface InitSample {
  importMs: number;
  lazyMs: number | null;
}

const timeInit = (
  runner: string,
  bundle: string,
  nodeOptions: string[],
  env: NodeJS.ProcessEnv,
  lazy?: string,
): InitSample => {
  const files = [pathToFileURL(bundle).href, ...(lazy ? [pathToFileURL(lazy).href] : [])];
  const res = spawnSync(process.execPath, [...nodeOptions, runner, ...files], {
    env,
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (res.status !== 0)
    throw new InitError(
      `init failed (exit ${res.status}): ${(res.stderr || res.stdout || '').slice(0, 800)}`,
      res.stderr ?? '',
    );
  return JSON.parse(res.stdout) as InitSample;
};

class InitError extends HubError {
  constructor(
    message: string,
    readonly stderr: string,
  ) {
    super(message, 500, 'bench_init_failed');
  }
}

/**
 * The environment a bundle initialises with. Functions validate their
 * configuration at cold start; a variable this file does not know yet (a
 * function added since) is named in the error, so it is set to a dummy value
 * and the init retried, a few times at most.
 */
const envFor = (runner: string, bundle: string): { env: NodeJS.ProcessEnv; added: string[] } => {
  const env = initEnv();
  const added: string[] = [];
  for (let attempt = 0; attempt < 6; attempt++) {
    try {
      timeInit(runner, bundle, [], env);
      return { env, added };
    } catch (err) {
      if (!(err instanceof InitError)) throw err;
      // Only the names the config error says are unset: a minified bundle's stderr also quotes the source line,
      // which names every variable the function could read (numbers among them, which 'bench' would not pass).
      const missing = [
        ...new Set([...err.stderr.matchAll(/\b(OMNIHUB_[A-Z0-9_]+) is not set\b/g)].map((m) => m[1] as string)),
      ].filter((name) => env[name] === undefined);
      if (missing.length === 0) throw err;
      for (const name of missing) env[name] = name.endsWith('_URL') ? 'https://bench.invalid' : 'bench';
      added.push(...missing);
    }
  }
  throw new Error(`init of ${bundle} still fails after setting ${added.join(', ')}`);
};

/** Largest contributors to what init loads, by package (or repository folder). */
const topContributors = (metafile: Metafile, files: readonly string[], n = 6): { module: string; kib: number }[] => {
  const totals = new Map<string, number>();
  for (const [input, { bytesInOutput }] of files.flatMap((f) => Object.entries(metafile.outputs[f]?.inputs ?? {}))) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? input.split('/').slice(0, 2).join('/');
    totals.set(pkg, (totals.get(pkg) ?? 0) + bytesInOutput);
  }
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([module, bytes]) => ({ module, kib: Math.round(bytes / 1024) }));
};

export const runBundles = async () => {
  const repeats = isQuick() ? 3 : 7;
  const construct = readConstruct();
  const dir = mkdtempSync(join(tmpdir(), 'omnihub-bench-bundles-'));
  const runner = join(dir, 'runner.mjs');
  writeFileSync(runner, RUNNER);
  const prodFlags = (construct.nodeOptions ?? '').split(/\s+/).filter(Boolean);
  try {
    const entries = readdirSync(join(ROOT, 'functions/runtime/aws'))
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'))
      .sort();
    const functions = [];
    for (const file of entries) {
      const name = basename(file, '.ts');
      const outdir = join(dir, name);
      const floorDir = join(dir, `${name}-floor`);
      const out = join(outdir, 'index.mjs');
      const floorOut = join(floorDir, 'index.mjs');
      mkdirSync(floorDir, { recursive: true });
      try {
        // Paths in the metafile are relative to the repository (absWorkingDir), outputs included.
        const rel = (f: string) => join(ROOT, f);
        const real = (await build(lambdaBuildOptions(join(ROOT, 'functions/runtime/aws', file), outdir))).metafile;
        const initFiles = staticOutputs(real);
        const sdk = sdkPackagesOf(real, initFiles);
        const floor = floorSource(sdk);
        const floorEntry = join(floorDir, 'floor.mjs');
        writeFileSync(floorEntry, floor.source);
        // The same options; the floor's source sits outside the repository, so its packages resolve from ours.
        const floorMeta = (
          await build({ ...lambdaBuildOptions(floorEntry, floorDir), nodePaths: [join(ROOT, 'node_modules')] })
        ).metafile;
        const floorFiles = staticOutputs(floorMeta);
        const { env, added } = envFor(runner, out);
        const loaded = new Set(initFiles);
        const lazy = lazyModules(real, loaded)
          .map((m) => ({ ...m, bytes: bytesBeyond(real, m.file, loaded) }))
          .sort((a, b) => b.bytes - a.bytes);
        const heaviest = lazy[0];
        const samples: Record<'real' | 'floor' | 'realNoMaps' | 'floorNoMaps' | 'lazy', number[]> = {
          real: [],
          floor: [],
          realNoMaps: [],
          floorNoMaps: [],
          lazy: [],
        };
        // Interleaved, so load from elsewhere on the machine hits both alike.
        for (let r = 0; r < repeats; r++) {
          samples.real.push(timeInit(runner, out, prodFlags, env).importMs);
          samples.floor.push(timeInit(runner, floorOut, prodFlags, env).importMs);
          samples.realNoMaps.push(timeInit(runner, out, [], env).importMs);
          samples.floorNoMaps.push(timeInit(runner, floorOut, [], env).importMs);
          if (heaviest) samples.lazy.push(timeInit(runner, out, prodFlags, env, rel(heaviest.file)).lazyMs as number);
        }
        const granted = construct.grants[name];
        const sum = (meta: Metafile, files: readonly string[]) =>
          files.reduce((s, f) => s + (meta.outputs[f]?.bytes ?? 0), 0);
        const bytes = sum(real, initFiles);
        const floorBytes = sum(floorMeta, floorFiles);
        const allOutputs = Object.keys(real.outputs).filter((f) => f.endsWith('.mjs'));
        const initMs = median(samples.real);
        const floorInitMs = median(samples.floor);
        functions.push({
          function: name,
          memoryMb: construct.memoryByFunction[name] ?? construct.defaultMemory,
          memoryFromConstruct: name in construct.memoryByFunction,
          sdkPackages: sdk,
          unmappedSdkPackages: floor.unmapped,
          /** SDK clients init loads although the stack grants the function no resource of that service. */
          bundledNotGranted: granted
            ? sdk.filter((p) => p.startsWith('@aws-sdk/client-') && !granted.includes(p))
            : null,
          initEnvAdded: added,
          topContributors: topContributors(real, initFiles),
          /** What init reads: index.mjs and the chunks it imports statically. */
          bundleBytes: bytes,
          initFiles: initFiles.length,
          /** Everything else in the bundle: chunks read only by a dynamic import (connectors, SDK credential providers). */
          lazyBytes: sum(real, allOutputs) - bytes,
          lazyModules: lazy.length,
          /** The lazy module of our own code whose first load reads the most, and what that load took after init. */
          heaviestLazyModule: heaviest
            ? {
                module: heaviest.module,
                kib: round(heaviest.bytes / 1024, 0),
                firstLoadMs: round(median(samples.lazy), 1),
              }
            : null,
          sourceMapBytes: sum(
            real,
            Object.keys(real.outputs).filter((f) => f.endsWith('.map')),
          ),
          zippedBytes: deflateRawSync(Buffer.concat(allOutputs.map((f) => readFileSync(rel(f))))).length,
          floorBundleBytes: floorBytes,
          sizeRatio: round(bytes / floorBytes, 2),
          initMs: round(initMs, 1),
          floorInitMs: round(floorInitMs, 1),
          initRatio: round(median(samples.real.map((v, i) => v / (samples.floor[i] as number))), 2),
          initMsWithoutSourceMaps: round(median(samples.realNoMaps), 1),
          floorInitMsWithoutSourceMaps: round(median(samples.floorNoMaps), 1),
          initRatioWithoutSourceMaps: round(
            median(samples.realNoMaps.map((v, i) => v / (samples.floorNoMaps[i] as number))),
            2,
          ),
          samplesMs: { real: samples.real.map((v) => round(v, 1)), floor: samples.floor.map((v) => round(v, 1)) },
        });
        progress(
          PHASE,
          `${name}: ${(bytes / 1024).toFixed(0)} KiB at init (floor ${(floorBytes / 1024).toFixed(0)} KiB), init ${initMs.toFixed(0)} ms (floor ${floorInitMs.toFixed(0)} ms)`,
        );
      } catch (err) {
        functions.push({ function: name, error: (err as Error).message });
        progress(PHASE, `${name}: ${(err as Error).message}`);
      }
    }
    return {
      method:
        'Bundled with lib/bundling.ts, the builder the stack deploys with (split ESM, target node22, minify, external source maps without sources content, createRequire banner, nothing external). ' +
        `Init = import() of index.mjs (reading its static chunks, no lazy one) in a fresh node ${process.version} process with NODE_OPTIONS of the construct (${construct.nodeOptions ?? 'none'}), median of ${repeats}; ratio = median of per-repeat ratios. ` +
        'Floor = a handler that only constructs the SDK clients init loads, built and timed the same way. heaviestLazyModule.firstLoadMs = import() of that module right after init (what the first webhook of that connector adds). Lambda runs node22 on arm64; this is the local Node.',
      nodeOptions: construct.nodeOptions ?? null,
      parity: { 'built with lib/bundling.ts (the stack builder)': true },
      repeats,
      functions,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

if (isEntry(import.meta.url)) runPhase(PHASE, runBundles);
