/**
 * The work of `omnihub import`, apart from argument parsing so the benchmark
 * runs the very same code: read the file, plan every row
 * (functions/domain/import.ts), and unless it is a dry run send the events
 * in batches, a few in flight, reporting progress in rows per second.
 */
import type { HubEvent } from '../../functions/events/hub-event.js';
import { parseCsv } from '../../functions/domain/csv.js';
import { readXlsx, type XlsxReadOptions } from '../../functions/domain/xlsx.js';
import {
  type ImportContext,
  type ImportMapping,
  ImportPlanner,
  type RejectedRow,
} from '../../functions/domain/import.js';

export interface ImportProgress {
  readonly rows: number;
  readonly total: number;
  readonly rejected: number;
  readonly events: number;
  readonly seconds: number;
}

export interface ImportReport extends ImportProgress {
  readonly accepted: number;
  readonly rejectedRows: RejectedRow[];
  readonly rowsPerSecond: number;
  readonly dryRun: boolean;
}

export interface RunImportOptions {
  /** The file's records, header first. */
  readonly records: readonly (readonly string[])[];
  readonly mapping: ImportMapping;
  readonly ctx: ImportContext;
  readonly dryRun: boolean;
  /** Publishes one batch (`POST /v1/imports`); not called on a dry run. */
  readonly send: (events: HubEvent[]) => Promise<void>;
  readonly batchSize?: number;
  /** Batches in flight at once. @default 4 */
  readonly concurrency?: number;
  readonly onProgress?: (progress: ImportProgress) => void;
  /** Progress every this many rows. @default 5000 */
  readonly progressEvery?: number;
}

/** CSV text → records (the header first). */
export const readCsvRecords = (text: string): string[][] => parseCsv(text);

/** An .xlsx workbook's sheet (the named one, else the first) → records, the header first. @throws XlsxError */
export const readXlsxRecords = (bytes: Uint8Array, options: XlsxReadOptions = {}): string[][] =>
  readXlsx(bytes, options).rows;

/** Plans (and unless `dryRun`, sends) every row; resolves when every batch was accepted. */
export const runImport = async (options: RunImportOptions): Promise<ImportReport> => {
  const [header, ...rows] = options.records;
  if (!header) throw new Error('The file is empty: it needs a header row naming the columns');
  const planner = new ImportPlanner(header, options.mapping, options.ctx);
  const batchSize = options.batchSize ?? 250;
  const concurrency = options.concurrency ?? 4;
  const every = options.progressEvery ?? 5000;
  const started = performance.now();
  const rejectedRows: RejectedRow[] = [];
  let accepted = 0;
  let events = 0;
  let batch: HubEvent[] = [];
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  const progress = (n: number): ImportProgress => ({
    rows: n,
    total: rows.length,
    rejected: rejectedRows.length,
    events,
    seconds: (performance.now() - started) / 1000,
  });
  const flush = async () => {
    if (!batch.length || options.dryRun) {
      batch = [];
      return;
    }
    const sending = options.send(batch).catch((err: unknown) => {
      failure ??= err;
    });
    batch = [];
    const tracked = sending.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
  };
  for (let i = 0; i < rows.length; i++) {
    if (failure) break;
    const row = rows[i] as readonly string[];
    // A blank line or an empty spreadsheet row is no customer: skipped, its number kept for the others.
    if (row.every((cell) => cell.trim() === '')) continue;
    const outcome = planner.plan(row, i + 1);
    if (outcome.status === 'rejected') rejectedRows.push(outcome.rejected);
    else {
      accepted++;
      events += outcome.events.length;
      batch.push(...outcome.events);
      if (batch.length >= batchSize) await flush();
    }
    if ((i + 1) % every === 0) options.onProgress?.(progress(i + 1));
  }
  await flush();
  await Promise.all(inFlight);
  if (failure) throw failure;
  const done = progress(rows.length);
  options.onProgress?.(done);
  return {
    ...done,
    accepted,
    rejectedRows,
    rowsPerSecond: done.seconds > 0 ? Math.round(rows.length / done.seconds) : rows.length,
    dryRun: options.dryRun,
  };
};
