/**
 * Bulk import over the real surface: `omnihub import` (in-process CLI)
 * against a local hub on DynamoDB Local. A dry run lists every row it would
 * reject and why and writes nothing; the import goes through the bus and
 * the profile writer (past orders count, an imported row that links two live
 * customers merges them); a re-run changes nothing; `POST /v1/imports`
 * refuses anything but import events.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../bin/cli.js';
import { COMMANDS } from '../../bin/commands/index.js';
import writeXlsxFile from 'write-excel-file/node';
import { runCli } from '../../bin/dispatch.js';
import type { LocalHub } from '../../functions/runtime/local/local-hub.js';
import { api, fixture, postWebhook, startTestHub } from '../helpers/hub.js';

const dir = mkdtempSync(join(tmpdir(), 'omnihub-import-'));
let hub: LocalHub;

const omnihub = async (argv: string[]) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, COMMANDS, {
    io: { out: (l) => out.push(l), err: (l) => err.push(l) },
    env: { OMNIHUB_URL: hub.url, OMNIHUB_API_TOKEN: hub.apiToken },
    subscriptions: [],
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
};

// Excel's export in a Ukrainian locale: BOM, ";" between fields, decimal commas, DD.MM.YYYY dates.
const CSV = [
  '\ufeffClient ID;Name;Phone;E-mail;City;Order;Total;Date;Note',
  'C1;Olena Koval;050 111 22 33;Olena@Example.com;Kyiv;1001;1 500,00;01.02.2025;"VIP; prefers ""Viber"""',
  'C1;Olena Koval;050 111 22 33;Olena@Example.com;Kyiv;1002;700;15.03.2025;',
  'C2;Petro;12ab;;Lviv;;;;',
  'C3;Maria;;maria@;Odesa;;;;',
  'C1;Olena Koval;050 111 22 33;Olena@Example.com;Kyiv;1002;700;15.03.2025;',
  'C4;Nobody;;;Dnipro;;;;"a note with a',
  'line break"',
  // Links the live WhatsApp customer (+972987654321) and the live Marquiz lead (ivan@example.com): a merge.
  'C5;Ivan;+972 98 765 4321;ivan@example.com;Haifa;;;;',
].join('\r\n');

const MAPPING = {
  source: 'old-crm',
  currency: 'UAH',
  columns: {
    'Client ID': 'externalId',
    Name: 'trait:name',
    Phone: 'phone',
    'E-mail': 'email',
    City: 'trait:city',
    Order: 'order.id',
    Total: 'order.total',
    Date: 'order.date',
    Note: 'ignore',
  },
};

const csvFile = join(dir, 'customers.csv');
const mapFile = join(dir, 'mapping.json');

beforeAll(async () => {
  writeFileSync(csvFile, CSV);
  writeFileSync(mapFile, JSON.stringify(MAPPING));
  hub = await startTestHub();
  expect((await postWebhook(hub, 'marquiz', fixture('marquiz', 'lead.json'))).status).toBe(200);
  expect((await postWebhook(hub, 'whatsapp', fixture('whatsapp', 'message-text.json'))).status).toBe(200);
  await hub.idle();
});

afterAll(async () => {
  await hub?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const lookup = (phone: string) => api(hub, `/v1/lookup?phone=${encodeURIComponent(phone)}`);

describe('Bulk import: omnihub import', () => {
  it('a dry run reports every row it would reject and why, and writes nothing', async () => {
    const run = await omnihub(['import', csvFile, '--map', mapFile, '--dry-run']);
    expect(run.code).toBe(EXIT.failed);
    expect(run.out).toContain('Dry run: 7 rows');
    expect(run.out).toContain('3 would be imported as 4 events, 4 rejected');
    expect(run.out).toContain('row 3 (spreadsheet row 4): bad phone "12ab" (column "Phone")');
    expect(run.out).toContain('row 4 (spreadsheet row 5): bad email "maria@" (column "E-mail")');
    expect(run.out).toContain('row 5 (spreadsheet row 6): duplicate order "1002" (first on row 2)');
    // Row 6 spans two lines of the file but is one spreadsheet row (a quoted line break) and names nobody.
    expect(run.out).toContain('row 6 (spreadsheet row 7): no identity');
    expect(run.err).toMatch(/7\/7 rows · \d+ rows\/s · 4 rejected · 4 events/);
    expect((await lookup('050 111 22 33')).status).toBe(404);
  });

  it('imports through the pipeline: profiles with traits and past orders, and merges like live events', async () => {
    const before = await Promise.all([lookup('+972987654321'), lookup('+380501234567')]);
    expect(before[0]?.body.customerId).not.toBe(before[1]?.body.customerId);

    const run = await omnihub(['import', csvFile, '--map', mapFile, '--json']);
    expect(run.code).toBe(EXIT.failed);
    const report = JSON.parse(run.out);
    expect(report).toMatchObject({ total: 7, accepted: 3, events: 4, dryRun: false });
    expect(report.rejectedRows.map((r: { row: number }) => r.row)).toEqual([3, 4, 5, 6]);
    await hub.idle();

    const olena = await lookup('+380501112233');
    expect(olena.status).toBe(200);
    expect(olena.body).toMatchObject({ name: 'Olena Koval', orderCount: 2 });
    expect(olena.body.lifetimeValue).toMatchObject({ currency: 'UAH' });
    const profile = await api(hub, `/v1/customers/${olena.body.customerId}`);
    expect(profile.body.identities).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'phone', value: '+380501112233' }),
        expect.objectContaining({ type: 'email', value: 'olena@example.com' }),
      ]),
    );
    expect(profile.body.traits).toMatchObject({ name: 'Olena Koval', city: 'Kyiv' });
    expect(profile.body.orders).toMatchObject({ count: 2, revenue: { UAH: 220_000 } });
    const timeline = await api(hub, `/v1/customers/${olena.body.customerId}/timeline`);
    expect(timeline.body.items.map((i: { type: string }) => i.type).sort()).toEqual([
      'contact.imported',
      'order.placed',
      'order.placed',
    ]);

    // The imported row named the WhatsApp customer's phone and the Marquiz lead's email: one customer now.
    const after = await Promise.all([lookup('+972987654321'), lookup('+380501234567')]);
    expect(after[0]?.body.customerId).toBe(after[1]?.body.customerId);
  });

  it('running the same file again changes nothing', async () => {
    const id = (await lookup('+380501112233')).body.customerId;
    const merged = (await lookup('+972987654321')).body.customerId;
    const before = await Promise.all([api(hub, `/v1/customers/${id}`), api(hub, `/v1/customers/${merged}`)]);
    const run = await omnihub(['import', csvFile, '--map', mapFile]);
    expect(run.out).toContain('3 imported as 4 events, 4 rejected');
    await hub.idle();
    const after = await Promise.all([api(hub, `/v1/customers/${id}`), api(hub, `/v1/customers/${merged}`)]);
    expect(after.map((p) => p.body)).toEqual(before.map((p) => p.body));
  });

  it('imports an Excel workbook: the named sheet, numbers and dates as Excel stores them', async () => {
    // Prepare: a real .xlsx (write-excel-file), phones saved as numbers, totals as numbers, dates as date cells.
    const book = join(dir, 'book.xlsx');
    const date = (y: number, m: number, d: number) => ({
      value: new Date(Date.UTC(y, m - 1, d)),
      type: Date,
      format: 'dd.mm.yyyy',
    });
    const header = Object.keys(MAPPING.columns).map((value) => ({ value }));
    const rows = [
      header,
      [
        { value: 'X1' },
        { value: 'Taras' },
        { value: 380671230001 },
        { value: 'taras@example.com' },
        { value: 'Kharkiv' },
        { value: 'x-7' },
        { value: 1250.5 },
        date(2025, 4, 30),
        null,
      ],
      [null, null, null, null, null, null, null, null, null],
      [{ value: 'X2' }, { value: 'Bad' }, { value: '12ab' }, null, null, null, null, null, null],
    ];
    writeFileSync(
      book,
      await writeXlsxFile([
        { sheet: 'Notes', data: [[{ value: 'not this one' }]] },
        { sheet: 'Clients', data: rows },
      ] as never).toBuffer(),
    );

    // Act
    const dry = await omnihub(['import', book, '--sheet', 'Clients', '--map', mapFile, '--dry-run']);
    const run = await omnihub(['import', book, '--sheet', 'Clients', '--map', mapFile]);
    await hub.idle();

    // Assess: the empty row is skipped, not refused; the bad phone is reported by its spreadsheet row.
    expect(dry.out).toContain('row 3 (spreadsheet row 4): bad phone "12ab" (column "Phone")');
    expect(run.out).toContain('1 imported as 2 events, 1 rejected');
    const taras = await lookup('0671230001');
    expect(taras.body).toMatchObject({ name: 'Taras', orderCount: 1 });
    const profile = await api(hub, `/v1/customers/${taras.body.customerId}`);
    expect(profile.body.orders).toMatchObject({
      count: 1,
      revenue: { UAH: 125_050 },
      firstAt: '2025-04-30T00:00:00.000Z',
    });
    expect((await omnihub(['import', book, '--sheet', 'Orders', '--map', mapFile])).err).toContain(
      'no sheet named "Orders" (the workbook has: Notes, Clients)',
    );
  });

  it('refuses a mapping that names a missing column, and a file that is no workbook, before sending anything', async () => {
    const badMap = join(dir, 'bad-mapping.json');
    writeFileSync(badMap, JSON.stringify({ columns: { Telefon: 'phone' } }));
    const missing = await omnihub(['import', csvFile, '--map', badMap, '--dry-run']);
    expect(missing.code).toBe(EXIT.usage);
    expect(missing.err).toContain('The mapping names column(s) the file does not have: "Telefon"');
    const wrongTarget = join(dir, 'wrong-target.json');
    writeFileSync(wrongTarget, JSON.stringify({ columns: { Phone: 'fax' } }));
    expect((await omnihub(['import', csvFile, '--map', wrongTarget])).err).toContain('a column target must be');
    const notABook = join(dir, 'renamed.xlsx');
    writeFileSync(notABook, CSV);
    const refused = await omnihub(['import', notABook, '--map', mapFile]);
    expect(refused.code).toBe(EXIT.usage);
    expect(refused.err).toContain('renamed.xlsx: not an .xlsx workbook (not a zip archive');
    expect((await omnihub(['import', join(dir, 'old.xls'), '--map', mapFile])).err).toContain('save it as .xlsx');
  });
});

describe('Bulk import: POST /v1/imports', () => {
  const post = (body: unknown) =>
    fetch(`${hub.url}/v1/imports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${hub.apiToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('accepts only import events, validated by the event contract, with the JSON error otherwise', async () => {
    const event = {
      schemaVersion: 1,
      id: `evt_${'a'.repeat(32)}`,
      connector: 'marquiz',
      providerEventId: 'x',
      type: 'lead.submitted',
      channel: 'web',
      occurredAt: '2025-01-01T00:00:00.000Z',
      receivedAt: '2025-01-01T00:00:00.000Z',
      customer: { identities: [{ type: 'phone', value: '+380671110000' }], traits: {} },
      summary: 'forged',
      data: { answers: [] },
    };
    for (const body of [
      { events: [event] },
      { events: [] },
      { events: [{ ...event, connector: 'import', type: 'contact.imported' }] },
      'nope',
    ]) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
    }
    await hub.idle();
    expect((await lookup('+380671110000')).status).toBe(404);
  });
});
