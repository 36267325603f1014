/**
 * Kommo edge cases the fixtures can't express: the `?token=` check, nested
 * form quirks (index-keyed objects past qs's array limit), the dedup key,
 * what is tracked and what is ignored, and hydration against a fake Kommo
 * API v4 on 127.0.0.1 (main contact of a lead, PHONE/EMAIL fields, budget
 * currency, 204 for a deleted entity).
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hydrateKommo } from '../../functions/connectors/kommo/hydrate.js';
import { kommoConnector } from '../../functions/connectors/kommo/index.js';
import { safeEqual } from '../../functions/connectors/shared/signature.js';
import type { HydrationRequest, NormalizeContext } from '../../functions/connectors/types.js';
import { identityKey } from '../../functions/domain/identity.js';
import { HubEventSchema } from '../../functions/events/hub-event.js';
import { ValidationError } from '../../functions/shared/errors.js';
import { rawRequest, signedRequest, TEST_BASE_URL, TEST_NOW } from '../helpers/fixtures.js';

// Spy on the real implementation to see that the token goes through the constant-time comparison.
vi.mock('../../functions/connectors/shared/signature.js', { spy: true });

// Prepare (shared)
const SECRETS = { secret: 'km-7c1f09d2e4' };
const CTX: NormalizeContext = { receivedAt: '2024-05-01T12:00:05.000Z', defaultCountry: 'UA' };
const WEBHOOK_URL = `${TEST_BASE_URL}/webhooks/kommo`;
const FORM = 'application/x-www-form-urlencoded';

const form = (fields: Record<string, string>): string =>
  Object.entries(fields)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');

const ACCOUNT = { 'account[subdomain]': 'example', 'account[id]': '29085955' };

const statusChange = (i = 0, overrides: Record<string, string> = {}) => ({
  [`leads[status][${i}][id]`]: String(25399013 + i),
  [`leads[status][${i}][status_id]`]: '142',
  [`leads[status][${i}][old_status_id]`]: '40108195',
  [`leads[status][${i}][pipeline_id]`]: '3104455',
  [`leads[status][${i}][price]`]: '42500',
  [`leads[status][${i}][last_modified]`]: '1714564800',
  ...overrides,
});

const post = (body: string) =>
  signedRequest(kommoConnector, { case: { method: 'POST', contentType: FORM }, body: Buffer.from(body) }, SECRETS);

const normalize = (body: string) => kommoConnector.normalize(kommoConnector.parse(post(body)), CTX);

describe('Connector: kommo', () => {
  describe('verify', () => {
    const withQuery = (query: string) => rawRequest({ url: `${WEBHOOK_URL}${query}`, body: form(statusChange()) });

    it('accepts ?token= equal to the secret, compared with safeEqual', () => {
      // Prepare
      vi.mocked(safeEqual).mockClear();

      // Act
      const result = kommoConnector.verify(withQuery(`?token=${SECRETS.secret}`), SECRETS, { now: TEST_NOW });

      // Assess
      expect(result).toEqual({ ok: true });
      expect(safeEqual).toHaveBeenCalledWith(SECRETS.secret, SECRETS.secret);
    });

    it.each([
      ['a different token of the same length', '?token=km-7c1f09d2e5', /does not match/],
      ['a prefix of the token', '?token=km-7c1f', /does not match/],
      ['an empty token', '?token=', /Missing/],
      ['no token', '', /Missing/],
      ['the token under another name', `?secret=${SECRETS.secret}`, /Missing/],
    ])('rejects %s', (_, query, reason) => {
      // Act
      const result = kommoConnector.verify(withQuery(query), SECRETS, { now: TEST_NOW });

      // Assess
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason).toMatch(reason);
    });

    it('ignores a token sent in the body instead of the URL, and fails closed without a secret', () => {
      // Prepare
      const inBody = rawRequest({ url: WEBHOOK_URL, body: form({ ...statusChange(), token: SECRETS.secret }) });

      // Act & Assess
      expect(kommoConnector.verify(inBody, SECRETS, { now: TEST_NOW }).ok).toBe(false);
      expect(kommoConnector.verify(withQuery(`?token=${SECRETS.secret}`), {}, { now: TEST_NOW }).ok).toBe(false);
    });

    it('signs samples by appending the token, keeping other parameters', () => {
      // Act
      const signed = kommoConnector.signSample(
        { url: `${WEBHOOK_URL}?site=ua`, method: 'POST', body: Buffer.alloc(0), contentType: FORM, now: TEST_NOW },
        SECRETS,
      );

      // Assess
      expect(signed).toEqual({ url: `${WEBHOOK_URL}?site=ua&token=${SECRETS.secret}`, headers: {} });
    });
  });

  describe('parse', () => {
    it.each([
      ['an empty body', ''],
      ['JSON instead of a form', JSON.stringify({ leads: { status: [{ id: 1 }] }, account: { id: 1 } })],
      ['a form without account', form(statusChange())],
      ['a tracked item without an id', form({ 'leads[add][0][name]': 'x', ...ACCOUNT })],
    ])('throws ValidationError for %s', (_, body) => {
      // Act & Assess
      expect(() => kommoConnector.parse(post(body))).toThrow(ValidationError);
    });
  });

  describe('normalize', () => {
    it('asks to hydrate a stage change with the stage, previous stage, pipeline and budget from the webhook', () => {
      // Act
      const { events, hydrations, ignored } = normalize(form({ ...statusChange(), ...ACCOUNT }));

      // Assess
      expect(events).toEqual([]);
      expect(ignored).toEqual([]);
      expect(hydrations).toEqual([
        {
          connector: 'kommo',
          kind: 'lead',
          params: {
            id: '25399013',
            change: 'stage_changed',
            statusId: '142',
            oldStatusId: '40108195',
            pipelineId: '3104455',
            price: 42500,
          },
          providerEventId: '29085955:leads:status:25399013:142:1714564800',
          occurredAt: '2024-05-01T12:00:00.000Z',
          receivedAt: CTX.receivedAt,
        },
      ]);
    });

    it('handles every item of a batch, also past the array limit where indices become object keys', () => {
      // Act
      const { hydrations } = normalize(form({ ...statusChange(0), ...statusChange(150), ...ACCOUNT }));

      // Assess
      expect(hydrations?.map((h) => h.params.id)).toEqual(['25399013', '25399163']);
    });

    it('keys contact events on account, action, id and last_modified', () => {
      // Prepare
      const update = (lastModified: string) =>
        form({ 'contacts[update][0][id]': '22309159', 'contacts[update][0][last_modified]': lastModified, ...ACCOUNT });

      // Act
      const first = normalize(update('1714564900')).hydrations?.[0];
      const again = normalize(update('1714564900')).hydrations?.[0];
      const later = normalize(update('1714565000')).hydrations?.[0];

      // Assess
      expect(first).toMatchObject({
        kind: 'contact',
        params: { id: '22309159', change: 'updated' },
        providerEventId: '29085955:contacts:update:22309159:1714564900',
      });
      expect(again?.providerEventId).toBe(first?.providerEventId);
      expect(later?.providerEventId).not.toBe(first?.providerEventId);
    });

    it('falls back to the subdomain when the webhook names no account id', () => {
      // Act
      const { hydrations } = normalize(
        form({
          'contacts[add][0][id]': '7',
          'contacts[add][0][date_create]': '1714564900',
          'account[subdomain]': 'example',
        }),
      );

      // Assess
      expect(hydrations?.[0]).toMatchObject({
        params: { change: 'created' },
        providerEventId: 'example:contacts:add:7:1714564900',
      });
    });

    it('acknowledges untracked entities and actions with a reason', () => {
      // Act
      const { hydrations, ignored } = normalize(
        form({
          'leads[update][0][id]': '1',
          'leads[responsible][0][id]': '1',
          'contacts[delete][0][id]': '2',
          'companies[add][0][id]': '3',
          'unsorted[add][0][uid]': 'abc',
          ...ACCOUNT,
        }),
      );

      // Assess
      expect(hydrations).toEqual([]);
      expect(ignored).toEqual([
        'leads[update]: not tracked',
        'leads[responsible]: not tracked',
        'contacts[delete]: not tracked',
        'companies[add]: not tracked',
        'unsorted[add]: not tracked',
      ]);
    });
  });

  describe('notes (ticket events)', () => {
    it('asks to hydrate a note on a contact or a lead, keyed on account + note id, and skips company notes', () => {
      // Act
      const { hydrations, ignored } = normalize(
        form({
          'contacts[note][0][note][id]': '60864725',
          'contacts[note][0][note][note_type]': '10',
          'contacts[note][0][note][element_id]': '22309159',
          'contacts[note][0][note][element_type]': '1',
          'contacts[note][0][note][text]': 'Called back',
          'contacts[note][0][note][date_create]': '1714564960',
          'leads[note][0][note][id]': '60864790',
          'leads[note][0][note][element_id]': '25399013',
          'leads[note][0][note][element_type]': '2',
          'companies[note][0][note][id]': '60864791',
          'companies[note][0][note][element_id]': '1207',
          'companies[note][0][note][element_type]': '3',
          ...ACCOUNT,
        }),
      );

      // Assess
      const byId = [...(hydrations ?? [])].sort((a, b) => a.providerEventId.localeCompare(b.providerEventId));
      expect(byId.map((h) => [h.kind, h.providerEventId, h.params.element, h.params.elementId])).toEqual([
        ['note', '29085955:note:60864725', 'contact', '22309159'],
        ['note', '29085955:note:60864790', 'lead', '25399013'],
      ]);
      expect(byId[0]).toMatchObject({
        params: { noteType: '10', text: 'Called back' },
        occurredAt: '2024-05-01T12:02:40.000Z',
      });
      expect(ignored).toEqual(['companies[note]: not tracked']);
    });

    it('acknowledges a note item without its ids as ignored, not a 400', () => {
      // Act
      const { hydrations, ignored } = normalize(form({ 'contacts[note][0][note][text]': 'x', ...ACCOUNT }));

      // Assess
      expect(hydrations).toEqual([]);
      expect(ignored).toEqual([expect.stringMatching(/contacts\[note\]: not a note/)]);
    });
  });

  describe('hydrate (fake Kommo API v4 on 127.0.0.1)', () => {
    const CONTACT = {
      id: 22309159,
      name: 'Olena Petrenko',
      first_name: 'Olena',
      last_name: 'Petrenko',
      responsible_user_id: 504141,
      updated_at: 1714564900,
      custom_fields_values: [
        {
          field_id: 54667,
          field_name: 'Phone',
          field_code: 'PHONE',
          field_type: 'multitext',
          values: [
            { value: '050 123 45 67', enum_id: 114611, enum_code: 'WORK' },
            { value: '+380671112233', enum_code: 'MOB' },
          ],
        },
        {
          field_id: 54669,
          field_name: 'Email',
          field_code: 'EMAIL',
          field_type: 'multitext',
          values: [{ value: 'Olena@Example.com', enum_code: 'WORK' }],
        },
        {
          field_id: 54665,
          field_name: 'Position',
          field_code: 'POSITION',
          field_type: 'text',
          values: [{ value: 'Chef' }],
        },
      ],
      _embedded: { tags: [], companies: [] },
    };
    const LEAD = {
      id: 25399013,
      name: 'Kitchen',
      price: 42500,
      status_id: 40108195,
      pipeline_id: 3104455,
      _embedded: {
        contacts: [
          { id: 1, is_main: false },
          { id: 22309159, is_main: true },
        ],
      },
    };
    const routes = new Map<string, { status: number; body?: unknown }>([
      ['/api/v4/contacts/22309159', { status: 200, body: CONTACT }],
      ['/api/v4/leads/25399013?with=contacts', { status: 200, body: LEAD }],
      [
        '/api/v4/leads/25399014?with=contacts',
        { status: 200, body: { ...LEAD, id: 25399014, _embedded: { contacts: [] } } },
      ],
      ['/api/v4/contacts/204', { status: 204 }],
      ['/api/v4/contacts/401', { status: 401, body: { title: 'Unauthorized', status: 401 } }],
    ]);
    const seen: { path: string; authorization?: string | undefined }[] = [];
    let baseUrl = '';
    const server = createServer((req, res) => {
      seen.push({ path: req.url ?? '', authorization: req.headers.authorization });
      const route = routes.get(req.url ?? '') ?? { status: 404, body: { title: 'Not found' } };
      res.writeHead(route.status, { 'content-type': 'application/hal+json' });
      res.end(route.body === undefined ? undefined : JSON.stringify(route.body));
    });
    beforeAll(async () => {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    const hydration = (kind: string, params: Record<string, string | number>): HydrationRequest => ({
      connector: 'kommo',
      kind,
      params,
      providerEventId: `29085955:${kind}:${params.id}`,
      occurredAt: '2024-05-01T12:00:00.000Z',
      receivedAt: CTX.receivedAt,
    });
    const hydrate = (
      req: HydrationRequest,
      secrets: Record<string, string> = { apiBaseUrl: baseUrl, apiToken: 'long-lived' },
    ) => hydrateKommo(req, { secrets, defaultCountry: 'UA', fetch });

    it('reads a contact with the bearer token; PHONE and EMAIL field values become identities', async () => {
      // Act
      const [event, ...rest] = await hydrate(hydration('contact', { id: '22309159', change: 'updated' }));

      // Assess
      expect(rest).toEqual([]);
      expect(HubEventSchema.parse(JSON.parse(JSON.stringify(event)))).toBeTruthy();
      expect(event).toMatchObject({
        type: 'contact.updated',
        channel: 'crm',
        summary: 'Kommo contact updated',
        data: { contactId: '22309159' },
      });
      expect(event?.customer.identities.map(identityKey)).toEqual([
        'kommo:22309159',
        'phone:+380501234567',
        'phone:+380671112233',
        'email:olena@example.com',
      ]);
      expect(event?.customer.traits).toEqual({ firstName: 'Olena', lastName: 'Petrenko', name: 'Olena Petrenko' });
      expect(seen.find((s) => s.path === '/api/v4/contacts/22309159')?.authorization).toBe('Bearer long-lived');
    });

    it("attributes a stage change to the lead's main contact, the budget in UAH unless configured otherwise", async () => {
      // Prepare
      const change = hydration('lead', {
        id: '25399013',
        change: 'stage_changed',
        statusId: '142',
        oldStatusId: '40108195',
        pipelineId: '3104455',
        price: 42500,
      });

      // Act
      const [uah] = await hydrate(change);
      const [usd] = await hydrate(change, { apiBaseUrl: `${baseUrl}/`, apiToken: 'long-lived', currency: 'usd' });

      // Assess
      expect(uah).toMatchObject({
        type: 'deal.stage_changed',
        channel: 'crm',
        summary: 'Lead «Kitchen» moved to stage 142 (won) from 40108195 (42500.00 UAH)',
        data: {
          dealId: '25399013',
          stage: '142',
          previousStage: '40108195',
          pipeline: '3104455',
          amount: { amountMinor: 4250000, currency: 'UAH' },
        },
      });
      expect(uah?.customer.identities.map(identityKey)).toContain('kommo:22309159');
      expect(usd?.type === 'deal.stage_changed' && usd.data.amount).toEqual({ amountMinor: 4250000, currency: 'USD' });
      expect(seen.some((s) => s.path === '/api/v4/leads/25399013?with=contacts')).toBe(true);
      expect(seen.some((s) => s.path === '/api/v4/contacts/1')).toBe(false);
    });

    it('takes stage and budget from the API when the webhook had none, and a zero budget is no amount', async () => {
      // Act
      const [fromApi] = await hydrate(hydration('lead', { id: '25399013', change: 'created' }));
      const [zero] = await hydrate(hydration('lead', { id: '25399013', change: 'created', statusId: '142', price: 0 }));

      // Assess
      expect(fromApi).toMatchObject({
        summary: 'Lead «Kitchen» created in stage 40108195 (42500.00 UAH)',
        data: { stage: '40108195' },
      });
      expect(zero?.type === 'deal.stage_changed' && zero.data.amount).toBeUndefined();
    });

    it('yields nothing for a lead without contacts and for an entity Kommo no longer has (204)', async () => {
      // Act & Assess
      expect(await hydrate(hydration('lead', { id: '25399014', change: 'created' }))).toEqual([]);
      expect(await hydrate(hydration('contact', { id: '204', change: 'created' }))).toEqual([]);
    });

    it("a note becomes ticket.created (closed: a note is a finished record) for the contact or the lead's main contact", async () => {
      // Act
      const [onContact] = await hydrate({
        ...hydration('note', {
          noteId: '60864725',
          noteType: '10',
          element: 'contact',
          elementId: '22309159',
          text: 'Called back\nShe wants a refund',
        }),
        providerEventId: '29085955:note:60864725',
      });
      const [onLead] = await hydrate(
        hydration('note', { noteId: '60864790', element: 'lead', elementId: '25399013', text: 'Exchange the sofa' }),
      );
      const orphan = await hydrate(hydration('note', { noteId: '1', element: 'lead', elementId: '25399014' }));

      // Assess
      const ticket = HubEventSchema.parse(onContact);
      expect(ticket).toMatchObject({
        type: 'ticket.created',
        channel: 'helpdesk',
        summary: 'Kommo note on the contact: Called back',
      });
      expect(ticket.data).toEqual({
        ticketId: 'note:60864725',
        status: 'closed',
        vendorStatus: 'note',
        subject: 'Called back',
        via: 'voice',
      });
      expect(ticket.customer.identities.map(identityKey)).toEqual(
        expect.arrayContaining(['kommo:22309159', 'phone:+380501234567', 'email:olena@example.com']),
      );
      expect(onLead?.summary).toBe('Kommo note on lead 25399013: Exchange the sofa');
      expect(orphan).toEqual([]);
    });

    it('throws on a rejected token so the queue retries', async () => {
      // Act & Assess
      await expect(hydrate(hydration('contact', { id: '401', change: 'created' }))).rejects.toThrow(/HTTP 401/);
    });

    it.each([
      ['no token', { apiBaseUrl: 'http://127.0.0.1:9' }, /apiToken/],
      ['no account URL', { apiToken: 'long-lived' }, /apiBaseUrl/],
    ])('throws before any request with %s', async (_, secrets, message) => {
      // Act & Assess
      await expect(hydrate(hydration('contact', { id: '22309159', change: 'created' }), secrets)).rejects.toThrow(
        message,
      );
    });
  });
});

describe('Connector: kommo known-answer authenticity (independent of signSample)', () => {
  // The webhook URL exactly as the README tells operators to paste it, with a token holding characters a URL must
  // escape: the vendor calls the URL as configured, so the hub must percent-decode the parameter before comparing.
  const TOKEN = 'ko+Zq/7w=Hk2';
  const PASTED_URL = 'https://hooks.example.test/webhooks/kommo?token=ko%2BZq%2F7w%3DHk2';
  const body = () => readFileSync('functions/connectors/kommo/fixtures/lead-add.txt');
  const verify = (url: string) =>
    kommoConnector.verify(
      rawRequest({ url, body: body(), headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
      { secret: TOKEN },
      { now: TEST_NOW },
    );

  it('accepts the fixture posted to the pasted URL', () => {
    // Act & Assess
    expect(verify(PASTED_URL)).toEqual({ ok: true });
  });

  it.each([
    ['the token unescaped (+ decodes to a space)', 'https://hooks.example.test/webhooks/kommo?token=ko+Zq/7w=Hk2'],
    ['the parameter under another name', 'https://hooks.example.test/webhooks/kommo?Token=ko%2BZq%2F7w%3DHk2'],
    ['the last character changed', 'https://hooks.example.test/webhooks/kommo?token=ko%2BZq%2F7w%3DHk3'],
  ])('refuses %s', (_, url) => {
    // Act & Assess
    expect(verify(url).ok).toBe(false);
  });

  it('signs samples the way the pasted URL looks', () => {
    // Act
    const signed = kommoConnector.signSample(
      {
        url: 'https://hooks.example.test/webhooks/kommo',
        method: 'POST',
        body: body(),
        contentType: 'application/x-www-form-urlencoded',
        now: TEST_NOW,
      },
      { secret: TOKEN },
    );

    // Assess
    expect(signed).toEqual({ url: PASTED_URL, headers: {} });
  });
});
