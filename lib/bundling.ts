/**
 * How every Lambda bundle is built: one set of esbuild options, used by
 * `HubFunction` (through CDK's local bundling) and by `bench/bundles.ts`, so
 * the benchmark measures exactly what deploys.
 *
 * The bundle is ESM with code splitting: modules reached only through a
 * dynamic `import()` (a connector's module, loaded on its first webhook) go
 * into chunks of their own that a cold start never reads. `aws-cdk-lib`'s
 * `NodejsFunction` always passes `--outfile`, which esbuild cannot combine
 * with splitting, hence this builder.
 */
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, buildSync, type Metafile } from 'esbuild';

/** The repository root: esbuild resolves from here whatever the caller's cwd. */
export const PROJECT_ROOT = fileURLToPath(new URL('../', import.meta.url));

/**
 * Defines a `require` inside every ESM output file: CommonJS dependencies
 * bundled by esbuild (parts of the AWS SDK, `qs`) call `require('node:…')`,
 * which does not exist in an ES module. Aliased so it cannot clash with a
 * bundled `createRequire` identifier.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __omnihubCreateRequire } from 'node:module'; const require = __omnihubCreateRequire(import.meta.url);";

/** Node version the bundles target (the Lambda runtime is nodejs22.x). */
export const BUNDLE_TARGET = 'node22';

/**
 * esbuild options of the bundle of `entry` into `outdir`: `index.mjs` (the
 * handler file, `index.handler`), `chunks/*.mjs`, and a source map beside
 * each (without sources content: stack traces, not source code, in Lambda).
 *
 * The AWS SDK v3 is bundled rather than taken from the runtime: the versions
 * tested against (package-lock) are the versions that run, a runtime SDK
 * update cannot change behaviour under us, and esbuild tree-shakes a
 * smaller, faster-loading ESM bundle than the runtime's CommonJS copy.
 */
export const lambdaBuildOptions = (entry: string, outdir: string): BuildOptions & { metafile: true } => ({
  entryPoints: { index: entry },
  outdir,
  bundle: true,
  platform: 'node',
  target: BUNDLE_TARGET,
  format: 'esm',
  splitting: true,
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  mainFields: ['module', 'main'],
  banner: { js: ESM_REQUIRE_BANNER },
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  external: [],
  absWorkingDir: PROJECT_ROOT,
  logLevel: 'warning',
  metafile: true,
});

/** Builds the bundle of `entry` into `outdir` (synchronously: CDK's local bundling is synchronous). */
export const buildLambdaBundle = (entry: string, outdir: string): Metafile =>
  buildSync(lambdaBuildOptions(entry, outdir)).metafile;

/** `functions/runtime/aws/ingest.ts`: the entry relative to the repository, for asset cache keys and messages. */
export const entryKey = (entry: string): string => relative(PROJECT_ROOT, entry).split('\\').join('/');
