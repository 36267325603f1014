/**
 * Caller recognition over the real HTTP surface: `GET /v1/lookup` finds a
 * customer from any spelling of her phone and answers the screen-pop card;
 * Binotel's synchronous `apiCallSettings` gets the same card as
 * `customerData` (name and a console link) while the phone rings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalHub } from '../../functions/runtime/local/local-hub.js';
import { api, fixture, postWebhook, startTestHub } from '../helpers/hub.js';

describe('Caller recognition: GET /v1/lookup and Binotel apiCallSettings', () => {
  let hub: LocalHub;

  beforeAll(async () => {
    hub = await startTestHub();
    // Ivan leaves a quiz lead with +380501234567 (Marquiz); nobody has followed it up yet.
    expect((await postWebhook(hub, 'marquiz', fixture('marquiz', 'lead.json'))).status).toBe(200);
    await hub.idle();
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it('finds the customer from any spelling of the phone and answers the card', async () => {
    const spellings = ['+380501234567', '380501234567', '050 123 45 67', '(050) 123-45-67'];
    const cards = await Promise.all(spellings.map((p) => api(hub, `/v1/lookup?phone=${encodeURIComponent(p)}`)));
    for (const [i, card] of cards.entries()) expect(card.status, spellings[i]).toBe(200);
    const [first] = cards;
    expect(cards.every((c) => c.body.customerId === first?.body.customerId)).toBe(true);
    const byEmail = await api(hub, `/v1/customers?identity=${encodeURIComponent('email:ivan@example.com')}`);
    expect(first?.body).toMatchObject({
      customerId: byEmail.body.customerId,
      phone: '+380501234567',
      name: 'Иван',
      orderCount: 0,
      openLeads: 1,
      openTickets: 0,
      open: [{ kind: 'lead', type: 'lead.submitted', at: '2024-05-01T10:15:00.000Z', channel: 'web' }],
      lastInteraction: { at: '2024-05-01T10:15:00.000Z', channel: 'web', type: 'lead.submitted' },
      // The console is served by the hub itself: the link opens her page there.
      consoleUrl: `${hub.url}/#/customers/${byEmail.body.customerId}`,
    });
    expect(first?.body.lifetimeValue).toBeUndefined();
  });

  it('answers 404 for an unknown number and 400 for text that is no phone, each with the JSON error', async () => {
    const unknown = await api(hub, '/v1/lookup?phone=%2B380991112233');
    expect(unknown).toEqual({ status: 404, body: { error: { code: 'not_found', message: expect.any(String) } } });
    // The number is not echoed into an error body (they end up in logs).
    expect(unknown.body.error.message).not.toContain('380991112233');
    for (const query of ['?phone=not-a-number', '?phone=12', '']) {
      const bad = await api(hub, `/v1/lookup${query}`);
      expect(bad.status, query).toBe(400);
      expect(bad.body.error).toMatchObject({ code: expect.any(String), message: expect.stringContaining('phone') });
      expect(bad.body.error.message).not.toContain('not-a-number');
    }
  });

  it('needs the API credentials', async () => {
    const res = await fetch(`${hub.url}/v1/lookup?phone=%2B380501234567`);
    expect(res.status).toBe(401);
  });

  it("answers Binotel's apiCallSettings with the caller's name and console link, and an unknown caller plainly", async () => {
    const known = await postWebhook(
      hub,
      'binotel',
      'requestType=apiCallSettings&externalNumber=0501234567&callType=0&pbxNumber=0443334023&companyID=12345',
      { contentType: 'application/x-www-form-urlencoded' },
    );
    const card = (await api(hub, '/v1/lookup?phone=%2B380501234567')).body;
    expect(known.status).toBe(200);
    expect(known.body).toEqual({
      customerData: {
        name: 'Иван',
        linkToCrmUrl: card.consoleUrl,
        linkToCrmTitle: 'Omnihub',
        description: '1 open lead(s); last: Quiz «Подбор кухни» completed',
      },
    });
    // The documented fixture's caller (0671234567) is unknown: the plain acknowledgement, no card.
    const unknown = await postWebhook(hub, 'binotel', fixture('binotel', 'api-call-settings.txt'), {
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(unknown).toMatchObject({ status: 200, body: { status: 'success' } });
  });
});
