/**
 * Failed receipts carry `error.unreachable` exactly when the sender's own
 * error table says the recipient cannot be reached on that channel (so the
 * profile marks the channel), and not for payload or account problems.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mailgunConnector } from '../../functions/connectors/mailgun/index.js';
import { twilioConnector } from '../../functions/connectors/twilio/index.js';
import type { NormalizeContext } from '../../functions/connectors/types.js';
import { whatsappConnector } from '../../functions/connectors/whatsapp/index.js';
import type { HubEventOf } from '../../functions/events/hub-event.js';
import { rawRequest, TEST_BASE_URL } from '../helpers/fixtures.js';

const CTX: NormalizeContext = { receivedAt: '2024-05-01T12:00:05.000Z', defaultCountry: 'UA' };
const fixture = (connector: string, file: string) => readFileSync(`functions/connectors/${connector}/fixtures/${file}`);
const failedOf = (events: { type: string }[]) =>
  events.find((e) => e.type === 'message.failed') as HubEventOf<'message.failed'>;

describe('Receipts: failures that mark a channel unreachable', () => {
  const whatsappFailed = (code: number) => {
    const body = JSON.parse(fixture('whatsapp', 'status-failed.json').toString('utf8'));
    body.entry[0].changes[0].value.statuses[0].errors[0].code = code;
    const req = rawRequest({
      url: `${TEST_BASE_URL}/webhooks/whatsapp`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return failedOf(whatsappConnector.normalize(whatsappConnector.parse(req), CTX).events);
  };

  it('WhatsApp 131026 (undeliverable) marks it; 130472 (experiment) and 131047 (window) do not', () => {
    expect(whatsappFailed(131026).data.error).toMatchObject({ code: '131026', unreachable: true });
    expect(whatsappFailed(130472).data.error?.unreachable).toBeUndefined();
    expect(whatsappFailed(131047).data.error?.unreachable).toBeUndefined();
  });

  it('Twilio status callback with 21610 (STOP) marks SMS unreachable', () => {
    const req = rawRequest({
      url: `${TEST_BASE_URL}/webhooks/twilio`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: fixture('twilio', 'sms-status-failed-unsubscribed.txt'),
    });
    expect(failedOf(twilioConnector.normalize(twilioConnector.parse(req), CTX).events).data.error).toMatchObject({
      code: '21610',
      unreachable: true,
    });
  });

  it('Mailgun permanent failure with reason bounce marks email unreachable; another reason does not', () => {
    const body = JSON.parse(fixture('mailgun', 'event-failed-permanent.json').toString('utf8'));
    const normalize = (b: unknown) => {
      const req = rawRequest({
        url: `${TEST_BASE_URL}/webhooks/mailgun`,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(b),
      });
      return failedOf(mailgunConnector.normalize(mailgunConnector.parse(req), CTX).events);
    };
    expect(normalize(body).data.error?.unreachable).toBe(true);
    body['event-data'].reason = 'generic';
    expect(normalize(body).data.error?.unreachable).toBeUndefined();
  });
});
