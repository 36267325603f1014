/** The import planner and the CSV reader: what a spreadsheet row becomes, and what is refused. */
import { describe, expect, it } from 'vitest';
import { detectDelimiter, parseCsv } from '../../../functions/domain/csv.js';
import { ImportPlanner, parseAmount, parseDate, parseTarget } from '../../../functions/domain/import.js';

const CTX = {
  source: 'crm',
  asOf: '2025-06-01T00:00:00.000Z',
  receivedAt: '2025-06-02T00:00:00.000Z',
  defaultCountry: 'UA' as const,
};

describe('CSV', () => {
  it('reads quotes, escaped quotes, line breaks in fields, CRLF, a BOM and blank lines', () => {
    const text = '\ufeffa,b,c\r\n"1,5","say ""hi""","two\nlines"\r\n\r\nx,,z\n';
    expect(parseCsv(text)).toEqual([
      ['a', 'b', 'c'],
      ['1,5', 'say "hi"', 'two\nlines'],
      ['x', '', 'z'],
    ]);
  });

  it('detects the delimiter from the header, ignoring quoted ones', () => {
    expect(detectDelimiter('"a,b";c;d\n1;2;3')).toBe(';');
    expect(detectDelimiter('a\tb\tc')).toBe('\t');
    expect(detectDelimiter('a,b')).toBe(',');
  });

  it('names the line of an unterminated quote', () => {
    expect(() => parseCsv('a,b\n1,"open\n2,3')).toThrow('Unterminated quoted field opened on line 2');
  });
});

describe('Import planner', () => {
  it('reads amounts and dates as exports write them', () => {
    expect(['1 500,00', '1,500.00', '1500', '1.500,5', '₴ 12,5', '-3'].map(parseAmount)).toEqual([
      150_000, 150_000, 150_000, 150_050, 1250, -300,
    ]);
    expect(parseAmount('n/a')).toBeUndefined();
    expect(parseDate('01.02.2025')).toBe('2025-02-01T00:00:00.000Z');
    expect(parseDate('2025-02-01')).toBe('2025-02-01T00:00:00.000Z');
    expect(parseDate('2025-02-01T10:00:00+02:00')).toBe('2025-02-01T08:00:00.000Z');
    expect(parseDate('31.02.2025x')).toBeUndefined();
    expect(parseTarget('trait:city')).toEqual({ kind: 'trait', key: 'city' });
    expect(parseTarget('order.sku')).toBeUndefined();
  });

  it('gives the same ids for the same content whatever the row, and new ids for changed content', () => {
    const mapping = { columns: { Phone: 'phone', Name: 'trait:name' } };
    const a = new ImportPlanner(['Phone', 'Name'], mapping, CTX).plan(['050 111 22 33', 'Olena'], 1);
    const b = new ImportPlanner(['Name', 'Phone'], mapping, { ...CTX, receivedAt: 'later' }).plan(
      ['Olena', '+380501112233'],
      9,
    );
    const c = new ImportPlanner(['Phone', 'Name'], mapping, CTX).plan(['050 111 22 33', 'Olena K.'], 1);
    const d = new ImportPlanner(['Phone', 'Name'], mapping, { ...CTX, source: 'other' }).plan(
      ['050 111 22 33', 'Olena'],
      1,
    );
    const id = (o: typeof a) => (o.status === 'accepted' ? o.events.map((e) => e.id) : []);
    expect(id(a)).toHaveLength(1);
    expect(id(b)).toEqual(id(a));
    expect(id(c)).not.toEqual(id(a));
    expect(id(d)).not.toEqual(id(a));
  });

  it('lists every reason a row is refused', () => {
    const planner = new ImportPlanner(
      ['P', 'E', 'Order', 'Total', 'Cur'],
      {
        columns: { P: 'phone', E: 'email', Order: 'order.id', Total: 'order.total', Cur: 'order.currency' },
      },
      CTX,
    );
    expect(planner.plan(['abc', 'x@', '7', 'lots', 'hryvnia'], 1)).toEqual({
      status: 'rejected',
      rejected: {
        row: 1,
        reasons: [
          'bad phone "abc" (column "P")',
          'bad email "x@" (column "E")',
          'bad order total "lots"',
          'bad currency "hryvnia"',
        ],
      },
    });
    expect(planner.plan(['', '', '', '10', 'UAH'], 2)).toMatchObject({
      rejected: { reasons: ['no identity (phone, email, messenger id, …)', 'an order total without an order id'] },
    });
  });

  it('a conflicting external id is a duplicate; a second order of the same contact is not', () => {
    const planner = new ImportPlanner(
      ['Id', 'Email', 'Order', 'Total'],
      {
        currency: 'EUR',
        columns: { Id: 'externalId', Email: 'email', Order: 'order.id', Total: 'order.total' },
      },
      CTX,
    );
    const first = planner.plan(['K1', 'a@example.com', 'o1', '10'], 1);
    const second = planner.plan(['K1', 'a@example.com', 'o2', '20'], 2);
    expect(first.status === 'accepted' && first.events.map((e) => e.type)).toEqual([
      'contact.imported',
      'order.placed',
    ]);
    expect(second.status === 'accepted' && second.events.map((e) => e.type)).toEqual(['order.placed']);
    expect(planner.plan(['K1', 'b@example.com', '', ''], 3)).toMatchObject({
      rejected: { reasons: ['duplicate externalId "K1" with different data (first on row 1)'] },
    });
    expect(planner.plan(['K9', 'a@example.com', '', ''], 4).status).toBe('accepted');
    expect(planner.plan(['K9', 'a@example.com', '', ''], 5)).toMatchObject({
      rejected: { reasons: ['duplicate of row 4'] },
    });
  });
});
