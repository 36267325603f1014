/** `omnihub send`: post a fixture to a running hub, signed as the vendor would sign it. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { listConnectors } from '../../functions/connectors/index.js';
import { findConnector } from '../../functions/connectors/loaded.js';
import { type Command, EXIT, parseCommandArgs, REPO_ROOT, UsageError } from '../cli.js';
import { callHub, resolveHubUrl } from '../hub-client.js';

const HELP = `omnihub send <connector> <fixture> [--url <url>]

Posts functions/connectors/<connector>/fixtures/<fixture> to a running hub,
signed exactly as the vendor would sign it with the secrets in the
environment (OMNIHUB_SECRET_<CONNECTOR>, …: the values the hub runs with).
Exit code 0 when the hub acknowledged it (2xx), 1 when it refused it.
Example: omnihub send marquiz lead.json`;

/** The fixture manifest says how the vendor sends each file (content type, method). */
const ManifestSchema = z.array(
  z.looseObject({ file: z.string(), contentType: z.string().optional(), method: z.string().optional() }),
);

export const sendCommand: Command = {
  words: ['send'],
  summary: 'post a correctly signed sample webhook (a connector fixture)',
  help: HELP,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(args, {}, HELP);
    const [connectorName, fixtureName] = positionals;
    if (!connectorName || !fixtureName) throw new UsageError('Usage: omnihub send <connector> <fixture>', HELP);
    const connector = findConnector(connectorName);
    if (!connector)
      throw new UsageError(
        `No connector named "${connectorName}" (have: ${listConnectors()
          .map((c) => c.name)
          .join(', ')})`,
      );
    const root = ctx.root ?? REPO_ROOT;
    const dir = join(root, 'functions', 'connectors', connector.name, 'fixtures');
    const file = [fixtureName, `${fixtureName}.json`].map((f) => join(dir, f)).find((f) => existsSync(f));
    if (!file) throw new UsageError(`No fixture ${fixtureName} in ${dir}`);
    const secrets = Object.fromEntries(connector.secrets.map((spec) => [spec.name, ctx.env[spec.env] || undefined]));
    const missing = connector.secrets.filter((spec) => spec.required && !secrets[spec.name]);
    if (missing.length > 0)
      throw new UsageError(
        `Set ${missing.map((s) => s.env).join(', ')} to the value(s) the hub runs with, so the sample is signed with them`,
      );
    const manifestFile = join(dir, 'fixtures.json');
    const manifest = existsSync(manifestFile)
      ? ManifestSchema.parse(JSON.parse(readFileSync(manifestFile, 'utf8')))
      : [];
    const meta = manifest.find((f) => f.file === file.slice(dir.length + 1));
    const contentType = meta?.contentType ?? 'application/json';
    const method = meta?.method ?? 'POST';
    const body = readFileSync(file);
    const baseUrl = resolveHubUrl(values.url, ctx.env);
    const path = `/webhooks/${connector.name}`;
    const signed = connector.signSample(
      { url: `${baseUrl}${path}`, method, body, contentType, now: new Date() },
      secrets,
    );
    // The signed URL may carry a query string the vendor adds (URL-signing vendors).
    const res = await callHub(
      signed.url,
      { method, headers: { 'content-type': contentType, ...signed.headers }, body: signed.body ?? body },
      { fetch: ctx.fetch },
    );
    ctx.io.out(`${method} ${path} ← ${file.slice(root.length + 1)}\nHTTP ${res.status} ${await res.text()}`);
    return res.ok ? EXIT.ok : EXIT.failed;
  },
};
