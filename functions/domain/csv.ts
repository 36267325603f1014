/**
 * CSV as spreadsheets and CRMs export it (RFC 4180): quoted fields with `""`
 * escapes and line breaks inside, CRLF or LF, a UTF-8 byte-order mark, and
 * the delimiter Excel uses in the locale (`,` or `;`, or a tab) detected from
 * the header line. Pure; one pass over the text.
 */
import { ValidationError } from '../shared/errors.js';

const DELIMITERS = [',', ';', '\t'] as const;
export type CsvDelimiter = (typeof DELIMITERS)[number];

/** The delimiter that splits the header line into the most fields (quotes respected). */
export const detectDelimiter = (text: string): CsvDelimiter => {
  const counts = new Map<CsvDelimiter, number>(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && counts.has(ch as CsvDelimiter))
      counts.set(ch as CsvDelimiter, (counts.get(ch as CsvDelimiter) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? ',';
};

/** A file that is not CSV (an unterminated quote): a 400 where a request carries it, a usage error in the CLI. */
export class CsvError extends ValidationError {}

/**
 * The records of a CSV text, each an array of fields. Blank lines are
 * skipped; an unterminated quote is an error naming the line it opened on.
 */
export const parseCsv = (input: string, delimiter: CsvDelimiter = detectDelimiter(input)): string[][] => {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let quoteLine = 0;
  const endRecord = () => {
    record.push(field);
    field = '';
    if (record.length > 1 || record[0] !== '') records.push(record);
    record = [];
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
      continue;
    }
    if (ch === '"' && field === '') {
      quoted = true;
      quoteLine = line;
    } else if (ch === delimiter) {
      record.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      line++;
      endRecord();
    } else field += ch;
  }
  if (quoted) throw new CsvError(`Unterminated quoted field opened on line ${quoteLine}`);
  if (field !== '' || record.length > 0) endRecord();
  return records;
};
