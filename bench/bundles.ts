/**
 * Phase 4: bundle size and cold start. Bundles every Lambda entry in
 * `functions/runtime/aws/` with esbuild exactly as `HubFunction` has CDK do it
 * (minified ESM for node22, the `createRequire` banner, the AWS SDK bundled,
 * external source maps), and times its init — `import()` of the bundle in a
 * fresh `node` process, with the production `NODE_OPTIONS` — beside a floor
 * built and timed the same way: an empty handler that constructs only the
 * AWS SDK clients the function's bundle contains.
 *
 * The esbuild options are read from `lib/constructs/hub-function.ts` where
 * they can be (the banner) and checked against it otherwise, so a change
 * there shows up as a parity warning instead of a silently stale figure.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { pathToFileURL } from 'node:url';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { isEntry, isQuick, progress, ROOT, runPhase } from './lib/phase.js';
import { median, round } from './lib/stats.js';
import { HubError } from '../functions/shared/errors.js';

const PHASE = 'bundles';

/** Fallback if the banner cannot be read from the construct (reported as a parity warning). */
const FALLBACK_BANNER =
  "import { createRequire as __omnihubCreateRequire } from 'node:module'; const require = __omnihubCreateRequire(import.meta.url);";

/** Client class of each SDK package, for the floor handler. */
const SDK_CLIENTS: Record<string, string> = {
  '@aws-sdk/client-dynamodb': 'DynamoDBClient',
  '@aws-sdk/client-eventbridge': 'EventBridgeClient',
  '@aws-sdk/client-secrets-manager': 'SecretsManagerClient',
  '@aws-sdk/client-sqs': 'SQSClient',
  '@aws-sdk/client-sns': 'SNSClient',
  '@aws-sdk/client-s3': 'S3Client',
  '@aws-sdk/client-ssm': 'SSMClient',
};

interface Construct {
  /** SDK packages each function is granted a resource for in `lib/hub-stack.ts` (`bindTable`/`bindBus`/`bindSecrets`). */
  grants: Record<string, string[]>;
  banner: string;
  nodeOptions: string | undefined;
  parity: Record<string, boolean>;
  memoryByFunction: Record<string, number>;
  defaultMemory: number;
}

/** Reads the bundling settings and memory sizes the CDK code declares. */
const readConstruct = (): Construct => {
  const fn = readFileSync(join(ROOT, 'lib/constructs/hub-function.ts'), 'utf8');
  const banner = /ESM_REQUIRE_BANNER\s*=\s*\n?\s*"([^"]+)"/.exec(fn)?.[1];
  const parity: Record<string, boolean> = {
    'format: OutputFormat.ESM': /format:\s*OutputFormat\.ESM/.test(fn),
    "target: 'node22'": /target:\s*'node22'/.test(fn),
    'minify: true': /minify:\s*true/.test(fn),
    'sourceMap: true': /sourceMap:\s*true/.test(fn),
    'sourcesContent: false': /sourcesContent:\s*false/.test(fn),
    "mainFields: ['module', 'main']": /mainFields:\s*\[\s*'module',\s*'main'\s*\]/.test(fn),
    'bundleAwsSDK: true': /bundleAwsSDK:\s*true/.test(fn),
    'externalModules: []': /externalModules:\s*\[\s*\]/.test(fn),
    'banner read from the construct': banner !== undefined,
  };
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
    bindBus: '@aws-sdk/client-eventbridge',
    bindSecrets: '@aws-sdk/client-secrets-manager',
  };
  for (const m of stack.matchAll(/const (\w+) = new HubFunction\(this,\s*'([^']+)'/g)) {
    const [, variable, id] = m as unknown as [string, string, string];
    const packages = new Set<string>();
    for (const b of stack.matchAll(new RegExp(`\\b${variable}\\.(bindTable|bindBus|bindSecrets)\\(`, 'g')))
      packages.add(BIND_PACKAGE[b[1] as string] as string);
    grants[id] = [...packages].sort();
  }
  return {
    grants,
    banner: banner ?? FALLBACK_BANNER,
    nodeOptions: /NODE_OPTIONS:\s*'([^']*)'/.exec(fn)?.[1],
    parity,
    memoryByFunction,
    defaultMemory,
  };
};

const esbuildOptions = (banner: string, outfile: string): BuildOptions => ({
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  mainFields: ['module', 'main'],
  banner: { js: banner },
  outfile,
  metafile: true,
  logLevel: 'silent',
  absWorkingDir: ROOT,
});

/** `@aws-sdk/*` packages whose client code is in the bundle. */
const sdkPackagesOf = (metafile: Metafile): string[] => {
  const found = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
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

const RUNNER = `const t0 = performance.now();
await import(process.argv[2]);
const importMs = performance.now() - t0;
process.stdout.write(JSON.stringify({ importMs, rssMb: process.memoryUsage().rss / 1048576 }));
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
  POWERTOOLS_SERVICE_NAME: 'omnihub',
});

interface InitSample {
  importMs: number;
}

const timeInit = (runner: string, bundle: string, nodeOptions: string[], env: NodeJS.ProcessEnv): InitSample => {
  const res = spawnSync(process.execPath, [...nodeOptions, runner, pathToFileURL(bundle).href], {
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
      const missing = [...new Set(err.stderr.match(/\bOMNIHUB_[A-Z0-9_]+\b/g) ?? [])].filter(
        (name) => env[name] === undefined,
      );
      if (missing.length === 0) throw err;
      for (const name of missing) env[name] = name.endsWith('_URL') ? 'https://bench.invalid' : 'bench';
      added.push(...missing);
    }
  }
  throw new Error(`init of ${bundle} still fails after setting ${added.join(', ')}`);
};

/** Largest contributors to a bundle, by package (or repository folder). */
const topContributors = (metafile: Metafile, outfile: string, n = 6): { module: string; kib: number }[] => {
  const output = Object.entries(metafile.outputs).find(
    ([path]) => outfile.endsWith(path) || path.endsWith('index.mjs'),
  )?.[1];
  const totals = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? input.split('/').slice(0, 2).join('/');
    totals.set(pkg, (totals.get(pkg) ?? 0) + bytesInOutput);
  }
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([module, bytes]) => ({ module, kib: Math.round(bytes / 1024) }));
};

const sizeOf = (path: string): number => statSync(path).size;

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
      const out = join(dir, name, 'index.mjs');
      const floorOut = join(dir, `${name}-floor`, 'index.mjs');
      mkdirSync(join(dir, name), { recursive: true });
      try {
        const real = await build({
          ...esbuildOptions(construct.banner, out),
          entryPoints: [join(ROOT, 'functions/runtime/aws', file)],
        });
        const sdk = sdkPackagesOf(real.metafile as Metafile);
        const floor = floorSource(sdk);
        await build({
          ...esbuildOptions(construct.banner, floorOut),
          stdin: { contents: floor.source, resolveDir: ROOT, sourcefile: `${name}-floor.mjs`, loader: 'js' },
        });
        const { env, added } = envFor(runner, out);
        const samples: Record<'real' | 'floor' | 'realNoMaps' | 'floorNoMaps', number[]> = {
          real: [],
          floor: [],
          realNoMaps: [],
          floorNoMaps: [],
        };
        // Interleaved, so load from elsewhere on the machine hits both alike.
        for (let r = 0; r < repeats; r++) {
          samples.real.push(timeInit(runner, out, prodFlags, env).importMs);
          samples.floor.push(timeInit(runner, floorOut, prodFlags, env).importMs);
          samples.realNoMaps.push(timeInit(runner, out, [], env).importMs);
          samples.floorNoMaps.push(timeInit(runner, floorOut, [], env).importMs);
        }
        const granted = construct.grants[name];
        const bytes = sizeOf(out);
        const floorBytes = sizeOf(floorOut);
        const initMs = median(samples.real);
        const floorInitMs = median(samples.floor);
        functions.push({
          function: name,
          memoryMb: construct.memoryByFunction[name] ?? construct.defaultMemory,
          memoryFromConstruct: name in construct.memoryByFunction,
          sdkPackages: sdk,
          unmappedSdkPackages: floor.unmapped,
          /** SDK clients bundled although the stack grants the function no resource of that service. */
          bundledNotGranted: granted
            ? sdk.filter((p) => p.startsWith('@aws-sdk/client-') && !granted.includes(p))
            : null,
          initEnvAdded: added,
          topContributors: topContributors(real.metafile as Metafile, out),
          bundleBytes: bytes,
          sourceMapBytes: sizeOf(`${out}.map`),
          zippedBytes: deflateRawSync(Buffer.concat([readFileSync(out), readFileSync(`${out}.map`)])).length,
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
          `${name}: ${(bytes / 1024).toFixed(0)} KiB (floor ${(floorBytes / 1024).toFixed(0)} KiB), init ${initMs.toFixed(0)} ms (floor ${floorInitMs.toFixed(0)} ms)`,
        );
      } catch (err) {
        functions.push({ function: name, error: (err as Error).message });
        progress(PHASE, `${name}: ${(err as Error).message}`);
      }
    }
    return {
      method:
        'esbuild with the HubFunction options (bundle, platform node, target node22, ESM, minify, external source map without sources content, mainFields module,main, createRequire banner, nothing external). ' +
        `Init = import() of the bundle in a fresh node ${process.version} process with NODE_OPTIONS of the construct (${construct.nodeOptions ?? 'none'}), median of ${repeats}; ratio = median of per-repeat ratios. ` +
        'Floor = a handler that only constructs the SDK clients found in the bundle, built and timed the same way (lenient where a function bundles a client it never calls: see bundledNotGranted). Lambda runs node22 on arm64; this is the local Node.',
      nodeOptions: construct.nodeOptions ?? null,
      parity: construct.parity,
      repeats,
      functions,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

if (isEntry(import.meta.url)) runPhase(PHASE, runBundles);
