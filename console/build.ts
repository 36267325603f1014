/**
 * Builds the console (Preact + esbuild) into a set of static files: one
 * `index.html` without any inline script or style (the CSP forbids them),
 * and content-hashed `assets/*` that can be cached forever. Run by
 * `npm start` (in memory, on first request) and by `cdk synth` (written to a
 * temporary folder that becomes the S3 asset); nothing built is committed.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const SOURCE = fileURLToPath(new URL('./src/', import.meta.url));

/** One built file, by its URL path (`/index.html`, `/assets/app-3F2A….js`). */
export interface ConsoleFile {
  readonly body: Buffer;
  readonly contentType: string;
  /** Content-hashed: safe to cache for a year. */
  readonly immutable: boolean;
}

export type ConsoleAssets = ReadonlyMap<string, ConsoleFile>;

export interface BuildOptions {
  /** @default true */
  readonly minify?: boolean;
}

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
};
const contentTypeOf = (path: string): string =>
  CONTENT_TYPES[path.slice(path.lastIndexOf('.'))] ?? 'application/octet-stream';

/**
 * Bundles `src/main.tsx` and `src/app.css` and writes their hashed names into
 * `index.html`. Synchronous (a few hundred milliseconds) because CDK
 * constructs are: the stack needs the folder while it is being built.
 */
export const buildConsole = (options: BuildOptions = {}): ConsoleAssets => {
  // Loaded here, not at module scope: the local hub only pays for esbuild when someone opens the console.
  const { buildSync } = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
  const result = buildSync({
    entryPoints: { app: join(SOURCE, 'main.tsx'), styles: join(SOURCE, 'app.css') },
    bundle: true,
    format: 'esm',
    target: ['chrome120', 'firefox121', 'safari17'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: options.minify ?? true,
    sourcemap: false,
    legalComments: 'none',
    entryNames: 'assets/[name]-[hash]',
    outdir: '/',
    write: false,
    metafile: true,
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const files = new Map<string, ConsoleFile>();
  const entryFor = (name: string): string => {
    const out = result.outputFiles.find((f) => new RegExp(`/assets/${name}-[A-Z0-9]+\\.(js|css)$`).test(f.path));
    if (!out) throw new Error(`console build produced no ${name} bundle`);
    return out.path;
  };
  for (const out of result.outputFiles) {
    files.set(out.path, { body: Buffer.from(out.contents), contentType: contentTypeOf(out.path), immutable: true });
  }
  const html = readFileSync(join(SOURCE, 'index.html'), 'utf8')
    .replace('%APP_JS%', entryFor('app'))
    .replace('%APP_CSS%', entryFor('styles'));
  files.set('/index.html', { body: Buffer.from(html), contentType: contentTypeOf('.html'), immutable: false });
  return files;
};

/** Gzipped size of the JavaScript, the figure the console's 150 KB budget is about. */
export const javascriptGzipBytes = (assets: ConsoleAssets): number => {
  let total = 0;
  for (const [path, file] of assets) if (path.endsWith('.js')) total += gzipSync(file.body, { level: 9 }).length;
  return total;
};

/** Writes the assets under `dir` (a fresh temporary folder by default) and returns it: the CDK asset source. */
export const writeConsole = (assets: ConsoleAssets, dir = mkdtempSync(join(tmpdir(), 'omnihub-console-'))): string => {
  for (const [path, file] of assets) {
    const target = join(dir, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.body);
  }
  return dir;
};
