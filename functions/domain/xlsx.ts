/**
 * A small reader of Excel workbooks (`.xlsx`, Office Open XML) for the
 * import: one worksheet's cells as rows of text, exactly what the CSV reader
 * hands the planner. Unzipped with `fflate`; the sheet XML is scanned, not
 * DOM-parsed (a sheet of 100 000 rows is a lot of elements).
 *
 * Read: shared strings (rich-text runs joined, phonetic runs left out),
 * inline strings, numbers (as JavaScript prints them: `380501112233`,
 * `1500.5`), booleans (`TRUE`/`FALSE`), formula results as cached, error
 * values as written (`#N/A`), and dates — numbers whose cell style is a date
 * format — as `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SSZ` (1900 date system, with
 * Excel's phantom 29 February 1900; the 1904 system when the workbook says
 * so). The named sheet, else the first. Anything that is not such a workbook
 * is an `XlsxError` saying what is wrong.
 */
import { strFromU8, unzipSync } from 'fflate';
import { ValidationError } from '../shared/errors.js';

/** A file that is not a readable workbook, or has no such sheet; the message says which (a 400 where it is a request). */
export class XlsxError extends ValidationError {}

export interface XlsxReadOptions {
  /** The worksheet's name as Excel shows it on its tab. @default the first sheet */
  readonly sheet?: string;
  /** Refuses workbooks that unpack to more than this (a zip bomb). @default 256 MiB */
  readonly maxUnpackedBytes?: number;
}

export interface XlsxSheet {
  readonly name: string;
  /** Every sheet of the workbook, in tab order. */
  readonly sheetNames: readonly string[];
  /** Row by row from the sheet's first row; a missing row or cell is empty. */
  readonly rows: string[][];
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** XML text → string: entities, character references and OOXML's `_xHHHH_` escapes. */
const decodeText = (raw: string): string =>
  raw
    .replace(/&(#x[0-9a-fA-F]+|#\d+|lt|gt|amp|quot|apos);/g, (_m, e: string) =>
      e.startsWith('#x')
        ? String.fromCodePoint(Number.parseInt(e.slice(2), 16))
        : e.startsWith('#')
          ? String.fromCodePoint(Number(e.slice(1)))
          : (ENTITIES[e] as string),
    )
    .replace(/_x([0-9a-fA-F]{4})_/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));

/** The value of `name="…"` in an element's attribute text. */
const attr = (attrs: string, name: string): string | undefined => {
  const m = new RegExp(`(?:^|\\s)${name}\\s*=\\s*("([^"]*)"|'([^']*)')`).exec(attrs);
  return m ? decodeText(m[2] ?? m[3] ?? '') : undefined;
};

/** The text of a string item (`<si>`, `<is>`): its `<t>`s, rich-text runs joined, phonetic runs (`<rPh>`) left out. */
const stringItemText = (xml: string): string => {
  const withoutPhonetic = xml.replace(/<rPh\b[\s\S]*?<\/rPh>/g, '');
  let out = '';
  for (const m of withoutPhonetic.matchAll(/<t(?:\s[^>]*)?>([\s\S]*?)<\/t>|<t(?:\s[^>]*)?\/>/g))
    out += decodeText(m[1] ?? '');
  return out;
};

const sharedStrings = (xml: string | undefined): string[] =>
  xml ? [...xml.matchAll(/<si(?:\s[^>]*)?>([\s\S]*?)<\/si>|<si\s*\/>/g)].map((m) => stringItemText(m[1] ?? '')) : [];

/** Built-in number formats that are dates or times (ECMA-376 §18.8.30). */
const BUILTIN_DATE_FORMATS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47]);

/** A custom format code is a date when, outside quotes, escapes and brackets, it has a date or time part. */
const isDateFormatCode = (code: string): boolean => {
  const bare = code
    .replace(/"[^"]*"/g, '')
    .replace(/\\./g, '')
    .replace(/\[(?!h\]|hh\]|m\]|mm\]|s\]|ss\])[^\]]*\]/gi, '');
  return /[dmyhs]/i.test(bare) && !/^[#0.,%\s]*$/.test(bare);
};

/** For each cell style index (`s="…"`): whether it formats a number as a date. */
const dateStyles = (xml: string | undefined): boolean[] => {
  if (!xml) return [];
  const custom = new Map<number, string>();
  for (const m of xml.matchAll(/<numFmt\s([^>]*?)\/?>/g)) {
    const id = Number(attr(m[1] as string, 'numFmtId'));
    const code = attr(m[1] as string, 'formatCode');
    if (Number.isInteger(id) && code !== undefined) custom.set(id, code);
  }
  const cellXfs = /<cellXfs\b[^>]*>([\s\S]*?)<\/cellXfs>/.exec(xml)?.[1] ?? '';
  return [...cellXfs.matchAll(/<xf\s([^>]*?)\/?>/g)].map((m) => {
    const id = Number(attr(m[1] as string, 'numFmtId') ?? 0);
    const code = custom.get(id);
    return code !== undefined ? isDateFormatCode(code) : BUILTIN_DATE_FORMATS.has(id);
  });
};

const DAY_MS = 86_400_000;
/** 1899-12-30: serial 0 of the 1900 system once Excel's phantom 1900-02-29 (serial 60) is behind. */
const EPOCH_1900 = Date.UTC(1899, 11, 30);
const EPOCH_1904 = Date.UTC(1904, 0, 1);

/** An Excel date serial → `YYYY-MM-DD`, or `YYYY-MM-DDTHH:MM:SSZ` when it has a time of day. */
export const excelDate = (serial: number, date1904 = false): string => {
  // Serials 1–59 are 1900-01-01 … 1900-02-28; Excel counts a 29 February 1900 that never was (60).
  const days = date1904 ? serial : serial < 60 ? serial + 1 : serial;
  const ms = Math.round(((date1904 ? EPOCH_1904 : EPOCH_1900) + days * DAY_MS) / 1000) * 1000;
  const iso = new Date(ms).toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : `${iso.slice(0, 19)}Z`;
};

/** `BC12` → 54 (0-based column index). */
const columnIndex = (ref: string): number => {
  let n = 0;
  for (const ch of ref) {
    const c = ch.charCodeAt(0);
    if (c < 65 || c > 90) break;
    n = n * 26 + (c - 64);
  }
  return n - 1;
};

const formatNumber = (raw: string): string => {
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new XlsxError(`a number cell holds "${raw.slice(0, 20)}"`);
  // Integers as digits, never in exponent form (a phone number saved as a number: 380501112233).
  return Number.isInteger(n) && Math.abs(n) < 1e21 ? BigInt(n).toString() : String(n);
};

/** The sheet XML's cells → rows of text. */
const sheetRows = (xml: string, strings: readonly string[], dates: readonly boolean[], date1904: boolean) => {
  const rows: string[][] = [];
  const data = /<sheetData\b[^>]*?(?:\/>|>([\s\S]*?)<\/sheetData>)/.exec(xml);
  if (!data) throw new XlsxError('the worksheet has no <sheetData>');
  for (const row of (data[1] ?? '').matchAll(/<row\b([^>]*?)(?:\/>|>([\s\S]*?)<\/row>)/g)) {
    const r = Number(attr(row[1] as string, 'r') ?? rows.length + 1);
    if (!Number.isInteger(r) || r < 1 || r > 1_048_576)
      throw new XlsxError(`bad row number "${attr(row[1] as string, 'r')}"`);
    while (rows.length < r - 1) rows.push([]);
    const cells: string[] = [];
    for (const c of (row[2] ?? '').matchAll(/<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
      const attrs = c[1] as string;
      const body = c[2] ?? '';
      const ref = attr(attrs, 'r');
      const col = ref ? columnIndex(ref) : cells.length;
      if (col < 0 || col > 16_383) throw new XlsxError(`bad cell reference "${ref}"`);
      const type = attr(attrs, 't') ?? 'n';
      const v = /<v(?:\s[^>]*)?>([\s\S]*?)<\/v>/.exec(body)?.[1];
      let text = '';
      if (type === 'inlineStr') text = stringItemText(/<is\b[^>]*>([\s\S]*?)<\/is>/.exec(body)?.[1] ?? '');
      else if (v === undefined) text = '';
      else if (type === 's') {
        const s = strings[Number(v)];
        if (s === undefined)
          throw new XlsxError(`cell ${ref ?? ''} names shared string ${v}, which the workbook lacks`);
        text = s;
      } else if (type === 'b') text = v.trim() === '1' ? 'TRUE' : 'FALSE';
      else if (type === 'str' || type === 'e') text = decodeText(v);
      else if (type === 'd') text = decodeText(v).trim();
      else {
        const style = Number(attr(attrs, 's') ?? 0);
        text = dates[style] ? excelDate(Number(v), date1904) : formatNumber(decodeText(v).trim());
      }
      while (cells.length < col) cells.push('');
      cells[col] = text;
    }
    rows[r - 1] = cells;
  }
  return rows;
};

/** Resolves a relationship target against the workbook part (`xl/workbook.xml`). */
const partPath = (target: string): string => {
  if (target.startsWith('/')) return target.slice(1);
  const parts = ['xl', ...target.split('/')];
  const out: string[] = [];
  for (const p of parts) {
    if (p === '..') out.pop();
    else if (p !== '.' && p !== '') out.push(p);
  }
  return out.join('/');
};

/** One worksheet of an `.xlsx` file as rows of text. @throws XlsxError */
export const readXlsx = (bytes: Uint8Array, options: XlsxReadOptions = {}): XlsxSheet => {
  const limit = options.maxUnpackedBytes ?? 256 * 1024 * 1024;
  // A zip starts with a local file header ("PK\3\4"); an .xlsx saved by anything else is not one.
  if (bytes.length < 4 || bytes[0] !== 0x50 || bytes[1] !== 0x4b)
    throw new XlsxError('not an .xlsx workbook (not a zip archive; an old binary .xls must be saved as .xlsx or CSV)');
  let unpacked = 0;
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: (f) => {
        const wanted = (f.name.startsWith('xl/') && f.name.endsWith('.xml')) || f.name.endsWith('.rels');
        if (wanted) {
          unpacked += f.originalSize;
          if (unpacked > limit) throw new XlsxError(`the workbook unpacks to more than ${limit} bytes`);
        }
        return wanted;
      },
    });
  } catch (err) {
    if (err instanceof XlsxError) throw err;
    throw new XlsxError(`not a readable .xlsx workbook (${(err as Error).message})`);
  }
  const text = (name: string): string | undefined => {
    const f = files[name];
    return f ? strFromU8(f) : undefined;
  };
  const workbook = text('xl/workbook.xml');
  if (!workbook) throw new XlsxError('not an .xlsx workbook (no xl/workbook.xml inside)');
  const rels = new Map<string, string>();
  /** Part path by relationship type (`…/sharedStrings`, `…/styles`). */
  const byType = new Map<string, string>();
  for (const m of (text('xl/_rels/workbook.xml.rels') ?? '').matchAll(/<Relationship\s([^>]*?)\/?>/g)) {
    const id = attr(m[1] as string, 'Id');
    const target = attr(m[1] as string, 'Target');
    const type = attr(m[1] as string, 'Type') ?? '';
    if (id && target) rels.set(id, partPath(target));
    if (target) byType.set(type.slice(type.lastIndexOf('/') + 1), partPath(target));
  }
  const sheets = [...workbook.matchAll(/<sheet\s([^>]*?)\/?>/g)].map((m) => ({
    name: attr(m[1] as string, 'name') ?? '',
    rel: attr(m[1] as string, 'r:id') ?? /\s[\w]+:id\s*=\s*"([^"]*)"/.exec(m[1] as string)?.[1] ?? '',
  }));
  if (!sheets.length) throw new XlsxError('the workbook has no sheets');
  const sheetNames = sheets.map((s) => s.name);
  const chosen = options.sheet === undefined ? sheets[0] : sheets.find((s) => s.name === options.sheet);
  if (!chosen) throw new XlsxError(`no sheet named "${options.sheet}" (the workbook has: ${sheetNames.join(', ')})`);
  const path = rels.get(chosen.rel) ?? `xl/worksheets/sheet${sheets.indexOf(chosen) + 1}.xml`;
  const sheetXml = text(path);
  if (sheetXml === undefined) throw new XlsxError(`sheet "${chosen.name}" is missing from the file (${path})`);
  const date1904 = /<workbookPr\b[^>]*\bdate1904\s*=\s*"(1|true)"/.test(workbook);
  const rows = sheetRows(
    sheetXml,
    sharedStrings(text(byType.get('sharedStrings') ?? 'xl/sharedStrings.xml')),
    dateStyles(text(byType.get('styles') ?? 'xl/styles.xml')),
    date1904,
  );
  return { name: chosen.name, sheetNames, rows };
};
