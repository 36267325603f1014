/**
 * Logs never contain phone numbers, emails or message text: every log line
 * the hub writes while ingesting, storing and serving a customer is captured
 * and searched for her data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalHub } from '../../functions/runtime/local/local-hub.js';
import { logger } from '../../functions/shared/logger.js';
import { api, fixture, postWebhook, startTestHub } from '../helpers/hub.js';

describe('Privacy: logs', () => {
  let hub: LocalHub;
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const writeErr = process.stderr.write.bind(process.stderr);

  beforeAll(async () => {
    hub = await startTestHub({ retryBaseMs: 20 });
    logger.setLogLevel('DEBUG');
    const capture = (chunk: unknown) => {
      lines.push(String(chunk));
      return true;
    };
    process.stdout.write = capture as typeof process.stdout.write;
    process.stderr.write = capture as typeof process.stderr.write;
  });
  afterAll(async () => {
    process.stdout.write = write;
    process.stderr.write = writeErr;
    logger.setLogLevel('SILENT');
    await hub?.stop();
  });

  it("logs ids and counts, never the customer's phone, email or words", async () => {
    // Act: a message, a lead, a redelivery, bad requests and lookups, all with her data.
    const message = JSON.parse(fixture('whatsapp', 'message-text.json').toString());
    Object.assign(message.entry[0].changes[0].value.messages[0], {
      from: '380509998877',
      text: { body: 'my secret sofa wish' },
    });
    message.entry[0].changes[0].value.contacts[0].wa_id = '380509998877';
    const lead = JSON.parse(fixture('marquiz', 'lead.json').toString());
    lead.contacts = { name: 'Private Person', phone: '050 999 88 77', email: 'private.person@example.com' };
    await postWebhook(hub, 'whatsapp', JSON.stringify(message));
    await postWebhook(hub, 'marquiz', JSON.stringify(lead));
    await postWebhook(hub, 'marquiz', JSON.stringify(lead));
    await postWebhook(hub, 'marquiz', '{"contacts": {"phone": "0509998877"}}');
    await hub.idle();
    await api(hub, '/v1/customers?identity=phone:+380509998877');
    await api(hub, '/v1/customers?identity=email:private.person@example.com');
    await api(hub, '/v1/customers?identity=email:nobody.private@example.com');

    // Assess
    const log = lines.join('');
    expect(log).toContain('webhook accepted'); // the capture works
    for (const secret of [
      '380509998877',
      '509998877',
      'private.person',
      'nobody.private',
      'my secret sofa wish',
      'Private Person',
    ]) {
      expect(log, secret).not.toContain(secret);
    }
  });
});
