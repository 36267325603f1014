/**
 * The .xlsx reader on real workbooks: each is written in the test by
 * `write-excel-file` (a maintained writer, independent of our reader) and
 * read back — shared strings, numbers, booleans, dates in the 1900 system,
 * empty cells, a named or the first sheet. Inline strings (which streaming
 * writers and many CRM exports use instead of shared strings) are the same
 * real workbook with its sheet XML rewritten that way. Malformed files fail
 * with an `XlsxError` that says what is wrong.
 */
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import writeXlsxFile from 'write-excel-file/node';
import { excelDate, readXlsx, XlsxError } from '../../../functions/domain/xlsx.js';

type Cell = Parameters<typeof writeXlsxFile>[0] extends readonly (infer S)[]
  ? S extends { data: readonly (readonly (infer C)[])[] }
    ? C
    : never
  : never;

const workbook = async (sheets: { sheet: string; data: Cell[][] }[]): Promise<Uint8Array> =>
  new Uint8Array(await writeXlsxFile(sheets as never).toBuffer());

const customers: Cell[][] = [
  [{ value: 'Name' }, { value: 'Phone' }, { value: 'Total' }, { value: 'Date' }, { value: 'VIP' }],
  [
    { value: 'Іван & Co <old CRM>' },
    { value: 380501112233 },
    { value: 1500.5 },
    { value: new Date(Date.UTC(2025, 2, 14)), type: Date, format: 'dd.mm.yyyy' },
    { value: true },
  ],
  // No name: the first cell is empty.
  [
    null,
    { value: '050 111 22 34' },
    { value: 99 },
    { value: new Date(Date.UTC(2025, 2, 14, 13, 30)), type: Date, format: 'yyyy-mm-dd hh:mm' },
    { value: false },
  ],
] as Cell[][];

describe('readXlsx', () => {
  it('reads the first sheet: shared strings, numbers as digits, booleans, dates, empty cells', async () => {
    // Prepare
    const bytes = await workbook([
      { sheet: 'Customers', data: customers },
      { sheet: 'Notes', data: [[{ value: 'other' }]] as Cell[][] },
    ]);

    // Act
    const sheet = readXlsx(bytes);

    // Assess
    expect(sheet.name).toBe('Customers');
    expect(sheet.sheetNames).toEqual(['Customers', 'Notes']);
    expect(sheet.rows).toEqual([
      ['Name', 'Phone', 'Total', 'Date', 'VIP'],
      ['Іван & Co <old CRM>', '380501112233', '1500.5', '2025-03-14', 'TRUE'],
      ['', '050 111 22 34', '99', '2025-03-14T13:30:00Z', 'FALSE'],
    ]);
  });

  it('reads a sheet by its tab name, and names the sheets there are when there is no such one', async () => {
    const bytes = await workbook([
      { sheet: 'Customers', data: customers },
      { sheet: 'Клієнти 2024', data: [[{ value: 'Phone' }], [{ value: '+380671112233' }]] as Cell[][] },
    ]);
    expect(readXlsx(bytes, { sheet: 'Клієнти 2024' }).rows).toEqual([['Phone'], ['+380671112233']]);
    expect(() => readXlsx(bytes, { sheet: 'Orders' })).toThrow(
      new XlsxError('no sheet named "Orders" (the workbook has: Customers, Клієнти 2024)'),
    );
  });

  it('reads inline strings and rich-text runs, and keeps the row numbers of a sheet with gaps', async () => {
    // Prepare: the real workbook, its sheet rewritten with inline strings, a rich-text cell and row 3 left out.
    const files = unzipSync(await workbook([{ sheet: 'Customers', data: customers }]));
    files['xl/worksheets/sheet1.xml'] = strToU8(
      strFromU8(files['xl/worksheets/sheet1.xml'] as Uint8Array).replace(
        /<sheetData>[\s\S]*<\/sheetData>/,
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c><c r="C1" t="inlineStr"><is><t xml:space="preserve"> Phone </t></is></c></row>' +
          '<row r="4"><c r="A4" t="inlineStr"><is><r><t>Ol</t></r><r><rPr><b/></rPr><t>ena</t></r><rPh><t>ОЛЕНА</t></rPh></is></c>' +
          '<c r="C4" t="inlineStr"><is><t>tab_x0009_here &#x2116;5</t></is></c></row></sheetData>',
      ),
    );

    // Act
    const { rows } = readXlsx(zipSync(files));

    // Assess
    expect(rows).toEqual([['Name', '', ' Phone '], [], [], ['Olena', '', 'tab\there №5']]);
  });

  it('counts dates as Excel does: 1900 system with its phantom 29 February, or the 1904 system', () => {
    expect(excelDate(1)).toBe('1900-01-01');
    expect(excelDate(59)).toBe('1900-02-28');
    expect(excelDate(61)).toBe('1900-03-01');
    expect(excelDate(45730)).toBe('2025-03-14');
    expect(excelDate(45730.75)).toBe('2025-03-14T18:00:00Z');
    expect(excelDate(0, true)).toBe('1904-01-01');
    expect(excelDate(44268, true)).toBe('2025-03-14');
  });

  it('refuses what is not a workbook, saying what is wrong', async () => {
    const real = await workbook([{ sheet: 'Customers', data: customers }]);
    const cases: [string, Uint8Array, RegExp][] = [
      ['CSV renamed .xlsx', strToU8('Name;Phone\r\nIvan;0501112233\r\n'), /not a zip archive/],
      ['old binary .xls', new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), /not a zip archive/],
      ['a truncated download', real.slice(0, Math.floor(real.length / 2)), /not a readable \.xlsx workbook/],
      ['a zip that is no workbook', zipSync({ 'readme.txt': strToU8('hello') }), /no xl\/workbook\.xml/],
    ];
    for (const [what, bytes, message] of cases) {
      expect(() => readXlsx(bytes), what).toThrow(XlsxError);
      expect(() => readXlsx(bytes), what).toThrow(message);
    }
    // A sheet naming a shared string the workbook lacks.
    const files = unzipSync(real);
    files['xl/sharedStrings.xml'] = strToU8('<sst><si><t>only one</t></si></sst>');
    expect(() => readXlsx(zipSync(files))).toThrow(/names shared string 1, which the workbook lacks/);
    // A zip bomb: more unpacked than allowed.
    expect(() => readXlsx(real, { maxUnpackedBytes: 100 })).toThrow(/unpacks to more than 100 bytes/);
  });
});
