/**
 * SendGrid Inbound Parse: the URL token as the only check (a literal known
 * answer), the raw-MIME mode, and over HTTP a mail reaching its sender's
 * timeline once, with a missing token refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headerValue, sendgridInboundConnector } from '../../functions/connectors/sendgrid-inbound/index.js';
import type { LocalHub } from '../../functions/runtime/local/local-hub.js';
import { rawRequest, TEST_BASE_URL, TEST_NOW } from '../helpers/fixtures.js';
import { api, fixture, postWebhook, startTestHub } from '../helpers/hub.js';

// Prepare (shared)
const TYPE = 'multipart/form-data; boundary=xYzZY';
const CTX = { receivedAt: '2024-05-01T12:00:05.000Z', defaultCountry: 'UA' } as const;
const MAIL = () => fixture('sendgrid-inbound', 'parsed-with-attachment.form');
const form = (fields: Record<string, string>) =>
  Buffer.from(
    `${Object.entries(fields)
      .map(([k, v]) => `--xYzZY\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
      .join('')}--xYzZY--\r\n`,
  );
const at = (url: string, body: Buffer) => rawRequest({ url, body, headers: { 'content-type': TYPE } });

describe('Connector: sendgrid-inbound', () => {
  it('accepts the URL exactly as pasted into SendGrid, and nothing else (known answer)', () => {
    // Act
    const verdicts = [
      `${TEST_BASE_URL}/webhooks/sendgrid-inbound?token=6b1f0c2e9a`,
      `${TEST_BASE_URL}/webhooks/sendgrid-inbound?token=6b1f0c2e9b`,
      `${TEST_BASE_URL}/webhooks/sendgrid-inbound`,
    ].map((url) => sendgridInboundConnector.verify(at(url, MAIL()), { secret: '6b1f0c2e9a' }, { now: TEST_NOW }).ok);

    // Assess
    expect(verdicts).toEqual([true, false, false]);
  });

  it('reads the sender, Message-ID and date of a raw-MIME post from its header block', () => {
    // Prepare
    const raw = [
      'From: "Olena K." <Olena@Example.com>',
      'To: support@parse.example.com',
      'Subject: Refund?',
      'Date: Thu, 02 May 2024 09:00:00 +0300',
      'Message-ID:',
      ' <abc-123@mail.example.com>',
      '',
      'Where is my refund?',
    ].join('\r\n');
    const body = form({
      email: raw,
      envelope: '{"to":["support@parse.example.com"],"from":"bounce@mail.example.com"}',
    });

    // Act
    const { events } = sendgridInboundConnector.normalize(
      sendgridInboundConnector.parse(at(`${TEST_BASE_URL}/webhooks/sendgrid-inbound`, body)),
      CTX,
    );

    // Assess
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      providerEventId: 'abc-123@mail.example.com',
      occurredAt: '2024-05-02T06:00:00.000Z',
      customer: { identities: [expect.objectContaining({ type: 'email', value: 'olena@example.com' })] },
      data: { to: ['support@parse.example.com'], subject: 'Refund?' },
    });
  });

  it('unfolds folded header lines', () => {
    expect(headerValue('Subject: a\r\n  long one\r\nTo: x', 'subject')).toBe('a long one');
  });

  it('refuses a JSON body and a form that is no parse post as malformed', () => {
    // Act + Assess
    expect(() =>
      sendgridInboundConnector.parse(
        rawRequest({ url: TEST_BASE_URL, body: Buffer.from('{}'), headers: { 'content-type': 'application/json' } }),
      ),
    ).toThrow(/multipart/);
    expect(() => sendgridInboundConnector.parse(at(TEST_BASE_URL, form({ subject: 'x' })))).toThrow(/from/);
  });

  describe('over HTTP (local hub)', () => {
    let hub: LocalHub;
    beforeAll(async () => {
      hub = await startTestHub();
    });
    afterAll(async () => {
      await hub?.stop();
    });

    it("puts a mail in its sender's timeline once and refuses a post without the token", async () => {
      // Act
      const first = await postWebhook(hub, 'sendgrid-inbound', MAIL(), { contentType: TYPE });
      const again = await postWebhook(hub, 'sendgrid-inbound', MAIL(), { contentType: TYPE });
      const anonymous = await fetch(`${hub.url}/webhooks/sendgrid-inbound`, {
        method: 'POST',
        headers: { 'content-type': TYPE },
        body: MAIL(),
      });
      await hub.idle();

      // Assess
      expect([first.status, again.status]).toEqual([200, 200]);
      expect(again.body.eventIds).toEqual(first.body.eventIds);
      expect(anonymous.status).toBe(401);
      const profile = await api(hub, `/v1/customers?identity=${encodeURIComponent('email:example@example.com')}`);
      expect(profile.status).toBe(200);
      const timeline = await api(hub, `/v1/customers/${profile.body.customerId}/timeline`);
      expect(timeline.body.items).toEqual([expect.objectContaining({ type: 'email.received', channel: 'email' })]);
    });
  });
});
