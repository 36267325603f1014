/** `omnihub import`: load an existing customer base from a CSV or Excel file into a running hub, through the event pipeline. */
import { readFileSync, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import * as z from 'zod';
import { describeIssues } from '../../functions/connectors/shared/body.js';
import { CsvError } from '../../functions/domain/csv.js';
import type { CountryCode } from '../../functions/domain/identity.js';
import { ImportMappingSchema } from '../../functions/domain/import.js';
import { XlsxError } from '../../functions/domain/xlsx.js';
import { MAX_IMPORT_BATCH } from '../../functions/handlers/api/imports.js';
import { type Command, EXIT, parseCommandArgs, printResult, TARGET_HELP, UsageError } from '../cli.js';
import { HubClient } from '../hub-client.js';
import { type ImportProgress, readCsvRecords, readXlsxRecords, runImport } from '../support/import-file.js';

const HELP = `omnihub import <file.csv|file.xlsx> --map <mapping.json> [--sheet <name>] [--dry-run] [--source <name>] [--as-of <ISO time>] [--url <url>]

Loads customers — phones, emails, messenger ids, traits and past orders —
from a spreadsheet or an old CRM's export into the hub, through the same
pipeline as webhooks: every row becomes a contact.imported event (plus an
order.placed for a row with an order), applied by the profile writer with
the same identity resolution and merges as live events. Event ids are
deterministic per row, so running the same file again changes nothing.

--map        JSON: {"columns": {"<header>": "<target>", …}, "source"?, "currency"?}
             targets: phone, email, telegram, viber, … (any identity type),
             trait:<name>, externalId, occurredAt, order.id, order.number,
             order.total, order.currency, order.date, order.store, ignore
--dry-run    check every row and report each one that would be rejected and
             why (bad phone, bad email, no identity, duplicate, …); sends nothing
--source     names the import in event ids (default: the mapping's "source",
             else the file name): the same source and row is the same event
--as-of      when the data was true, for rows without an occurredAt column
             (default: the file's modification time)
--sheet      the worksheet of an .xlsx file, by its tab name (default: the first)

Progress (rows/s) goes to stderr. Exit code 0 when every row was accepted,
1 when some were rejected (they are listed; the others were imported).
CSV (UTF-8) or Excel .xlsx (the first row of the sheet is the header; dates
are read as dates). An old binary .xls must be saved as .xlsx or CSV first.
Docs: docs/import.md

${TARGET_HELP}`;

const MAX_LISTED = 1000;

const readMapping = (file: string) => {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`--map ${file}: ${(err as Error).message}`, HELP);
  }
  const parsed = ImportMappingSchema.safeParse(json);
  if (!parsed.success) throw new UsageError(`--map ${file}: ${describeIssues(parsed.error)}`, HELP);
  return parsed.data;
};

const sourceName = (file: string): string =>
  basename(file, extname(file))
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 64) || 'import';

const line = (p: ImportProgress): string =>
  `${p.rows}/${p.total} rows · ${Math.round(p.rows / Math.max(p.seconds, 0.001))} rows/s · ${p.rejected} rejected · ${p.events} events`;

export const importCommand: Command = {
  words: ['import'],
  summary: 'load customers and past orders from a CSV or .xlsx export (with --dry-run to check it first)',
  help: HELP,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        map: { type: 'string', short: 'm' },
        'dry-run': { type: 'boolean' },
        source: { type: 'string' },
        'as-of': { type: 'string' },
        sheet: { type: 'string' },
      },
      HELP,
    );
    const [file] = positionals;
    if (!file)
      throw new UsageError('Name the file to import: omnihub import <file.csv|file.xlsx> --map <mapping.json>', HELP);
    if (!values.map) throw new UsageError('--map <mapping.json> is required: it says what each column is', HELP);
    const excel = /\.xlsx$/i.test(file);
    if (/\.xls$/i.test(file))
      throw new UsageError(`${file}: an old binary Excel file; save it as .xlsx (or CSV, UTF-8) and import that`, HELP);
    if (values.sheet !== undefined && !excel) throw new UsageError('--sheet is for .xlsx files', HELP);
    const mapping = readMapping(values.map);
    let bytes: Buffer;
    let mtime: Date;
    try {
      bytes = readFileSync(file);
      mtime = statSync(file).mtime;
    } catch (err) {
      throw new UsageError(`${file}: ${(err as Error).message}`, HELP);
    }
    const source = values.source ?? mapping.source ?? sourceName(file);
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(source))
      throw new UsageError('--source: letters, digits, ".", "_" or "-", at most 64', HELP);
    const asOf = values['as-of'] ? new Date(values['as-of']) : mtime;
    if (Number.isNaN(asOf.getTime()))
      throw new UsageError('--as-of must be an ISO time, e.g. 2025-01-31T00:00:00Z', HELP);
    let records: string[][];
    try {
      records = excel
        ? readXlsxRecords(bytes, values.sheet === undefined ? {} : { sheet: values.sheet })
        : readCsvRecords(bytes.toString('utf8'));
    } catch (err) {
      if (err instanceof CsvError || err instanceof XlsxError) throw new UsageError(`${file}: ${err.message}`, HELP);
      throw err;
    }
    const dryRun = values['dry-run'] === true;
    const client = dryRun ? undefined : HubClient.fromOptions(values, ctx);
    let report: Awaited<ReturnType<typeof runImport>>;
    try {
      report = await runImport({
        records,
        mapping,
        ctx: {
          source,
          asOf: asOf.toISOString(),
          receivedAt: new Date().toISOString(),
          defaultCountry: (ctx.env.OMNIHUB_DEFAULT_COUNTRY ?? 'UA') as CountryCode,
        },
        dryRun,
        batchSize: MAX_IMPORT_BATCH,
        send: async (events) => {
          await client?.post('/v1/imports', { body: { events }, schema: z.object({ accepted: z.number() }) });
        },
        onProgress: (p) => ctx.io.err(line(p)),
      });
    } catch (err) {
      if (err instanceof Error && err.message.startsWith('The mapping names')) throw new UsageError(err.message, HELP);
      throw err;
    }
    const listed = report.rejectedRows.slice(0, MAX_LISTED);
    const summary = [
      `${dryRun ? 'Dry run: ' : ''}${report.total} rows from ${file} (source "${source}"): ${report.accepted} ${dryRun ? 'would be imported' : 'imported'} as ${report.events} events, ${report.rejectedRows.length} rejected; ${report.rowsPerSecond} rows/s`,
      ...listed.map((r) => `  row ${r.row} (spreadsheet row ${r.row + 1}): ${r.reasons.join('; ')}`),
      ...(report.rejectedRows.length > listed.length
        ? [`  … and ${report.rejectedRows.length - listed.length} more (--json lists them all)`]
        : []),
      ...(dryRun || !report.accepted
        ? []
        : ['The profile writer applies the events in the background; GET /v1/lookup or the console shows them.']),
    ].join('\n');
    printResult(ctx, values.json, report, summary);
    return report.rejectedRows.length ? EXIT.failed : EXIT.ok;
  },
};
