/**
 * Every sender against a fake of its vendor's API that checks the request
 * exactly as the vendor documents it (path, auth, body) and answers as the
 * vendor does, success and failure: the outcome's class (recipient /
 * payload / channel / transient), the vendor id, Retry-After.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SesV2EmailTransport } from '../../functions/adapters/aws/sesv2-email-transport.js';
import { instagramSender } from '../../functions/connectors/instagram/send.js';
import { mailgunIdentity, mailgunSender } from '../../functions/connectors/mailgun/send.js';
import { messengerSender } from '../../functions/connectors/messenger/send.js';
import { sesSender } from '../../functions/connectors/ses/send.js';
import type { OutboundMessage, SendContext, SendOutcome } from '../../functions/connectors/shared/sender.js';
import { telegramSender } from '../../functions/connectors/telegram/send.js';
import { twilioSender } from '../../functions/connectors/twilio/send.js';
import { viberSender } from '../../functions/connectors/viber/send.js';
import { whatsappSender } from '../../functions/connectors/whatsapp/send.js';
import { startFakeMailgun } from '../fakes/mailgun.js';
import { startFakeMetaSend } from '../fakes/meta-send.js';
import { startFakeSes } from '../fakes/ses.js';
import { startFakeTelegram } from '../fakes/telegram.js';
import { startFakeTwilio } from '../fakes/twilio.js';
import type { FakeVendor } from '../fakes/vendor-server.js';
import { startFakeViber } from '../fakes/viber.js';
import { startFakeWhatsApp } from '../fakes/whatsapp.js';

const NOW = new Date('2026-11-23T12:00:00.000Z');
const msg = (over: Partial<OutboundMessage> = {}): OutboundMessage => ({
  messageId: 'msg_0000000000001',
  to: '1001',
  purpose: 'service',
  mode: 'text',
  text: 'Your order has shipped',
  ...over,
});
const ctx = (secrets: Record<string, string>, over: Partial<SendContext> = {}): SendContext => ({
  secrets,
  fetch,
  now: NOW,
  ...over,
});
const failed = (o: SendOutcome) => {
  if (o.kind !== 'failed') throw new Error(`expected a failure, got ${JSON.stringify(o)}`);
  return o;
};

const fakes: FakeVendor<string>[] = [];
const track = <T extends FakeVendor<string>>(f: T): T => {
  fakes.push(f);
  return f;
};
afterAll(async () => {
  for (const f of fakes) expect(f.rejected, `${f.url} saw requests off the vendor's documentation`).toEqual([]);
  await Promise.all(fakes.map((f) => f.close()));
});

describe('Sender: whatsapp (Cloud API)', () => {
  let fake: Awaited<ReturnType<typeof startFakeWhatsApp>>;
  let secrets: Record<string, string>;
  beforeAll(async () => {
    fake = track(await startFakeWhatsApp({ token: 'wa-token', phoneNumberId: '106540352242922' }));
    secrets = { apiToken: 'wa-token', sender: '106540352242922', apiBaseUrl: `${fake.url}/v23.0` };
  });

  it('sends free text inside the window and returns the wamid', async () => {
    const out = await whatsappSender.send(msg({ to: '+380501112233' }), ctx(secrets));
    expect(out).toEqual({ kind: 'sent', vendorMessageId: 'wamid.HBgMfake000001' });
    expect(fake.requests.at(-1)?.parsed).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '380501112233',
      type: 'text',
      text: { preview_url: false, body: 'Your order has shipped' },
    });
  });

  it('sends a template with its body parameters', async () => {
    const out = await whatsappSender.send(
      msg({
        to: '380501112233',
        mode: 'template',
        template: { name: 'order_update', language: 'en_US', parameters: ['Ada'] },
      }),
      ctx(secrets),
    );
    expect(out.kind).toBe('sent');
    expect(fake.requests.at(-1)?.parsed).toMatchObject({
      type: 'template',
      template: {
        name: 'order_update',
        language: { policy: 'deterministic', code: 'en_US' },
        components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ada' }] }],
      },
    });
  });

  it.each([
    ['notOnWhatsApp', 'recipient', '131026', false],
    ['reengagement', 'payload', '131047', true],
    ['throughput', 'transient', '130429', false],
    ['badToken', 'channel', '190', false],
    ['server', 'transient', '1', false],
  ] as const)('%s → %s (%s)', async (failure, klass, code, needsTemplate) => {
    fake.failNext(failure);
    const out = failed(await whatsappSender.send(msg({ to: '380501112233' }), ctx(secrets)));
    expect(out).toMatchObject({ failure: klass, code });
    expect(out.needsTemplate === true).toBe(needsTemplate);
  });

  it('is not configured without the token or the phone-number id (no request made)', async () => {
    const before = fake.requests.length;
    const out = failed(await whatsappSender.send(msg(), ctx({ apiToken: 'wa-token', apiBaseUrl: fake.url })));
    expect(out).toMatchObject({ failure: 'channel', code: 'not_configured' });
    expect(out.message).toContain('OMNIHUB_SENDER_WHATSAPP');
    expect(fake.requests.length).toBe(before);
  });
});

describe('Sender: telegram (Bot API sendMessage)', () => {
  let fake: Awaited<ReturnType<typeof startFakeTelegram>>;
  let secrets: Record<string, string>;
  beforeAll(async () => {
    fake = track(await startFakeTelegram({ token: '123456:ABC-DEF' }));
    secrets = { apiToken: '123456:ABC-DEF', apiBaseUrl: fake.url };
  });

  it('sends to the chat and keys the vendor id on chat_id:message_id', async () => {
    const out = await telegramSender.send(msg({ to: '1001' }), ctx(secrets));
    expect(out).toEqual({ kind: 'sent', vendorMessageId: '1001:101' });
    expect(fake.requests.at(-1)?.parsed).toEqual({ chat_id: 1001, text: 'Your order has shipped' });
  });

  it('403 "bot was blocked by the user" is permanent for the recipient', async () => {
    fake.failNext('blocked');
    expect(failed(await telegramSender.send(msg(), ctx(secrets)))).toMatchObject({ failure: 'recipient', code: '403' });
  });

  it('429 carries parameters.retry_after as the wait', async () => {
    fake.failNext('flood');
    expect(failed(await telegramSender.send(msg(), ctx(secrets)))).toMatchObject({
      failure: 'transient',
      code: '429',
      retryAfterMs: 3000,
    });
  });

  it.each([
    ['chatNotFound', 'recipient'],
    ['server', 'transient'],
    ['unauthorized', 'channel'],
  ] as const)('%s → %s', async (failure, klass) => {
    fake.failNext(failure);
    expect(failed(await telegramSender.send(msg(), ctx(secrets))).failure).toBe(klass);
  });

  it('a network failure is transient', async () => {
    const out = failed(await telegramSender.send(msg(), ctx({ ...secrets, apiBaseUrl: 'http://127.0.0.1:1' })));
    expect(out).toMatchObject({ failure: 'transient', code: 'network_error' });
  });
});

describe('Sender: viber (send_message)', () => {
  let fake: Awaited<ReturnType<typeof startFakeViber>>;
  let secrets: Record<string, string>;
  beforeAll(async () => {
    fake = track(await startFakeViber({ token: 'viber-token' }));
    secrets = { secret: 'viber-token', sender: 'Omnihub Shop', apiBaseUrl: `${fake.url}/pa` };
  });

  it('sends with sender.name and keeps the 64-bit message_token exact', async () => {
    const out = await viberSender.send(msg({ to: 'vb-user==' }), ctx(secrets));
    expect(out).toEqual({ kind: 'sent', vendorMessageId: '5098034272017990001' });
    expect(fake.requests.at(-1)?.parsed).toEqual({
      receiver: 'vb-user==',
      min_api_version: 1,
      sender: { name: 'Omnihub Shop' },
      tracking_data: 'msg_0000000000001',
      type: 'text',
      text: 'Your order has shipped',
    });
  });

  it.each([
    ['notSubscribed', 'recipient', '6'],
    ['tooManyRequests', 'transient', '12'],
    ['badToken', 'channel', '2'],
  ] as const)('status %s → %s', async (failure, klass, code) => {
    fake.failNext(failure);
    expect(failed(await viberSender.send(msg(), ctx(secrets)))).toMatchObject({ failure: klass, code });
  });
});

describe('Sender: messenger and instagram (Send API)', () => {
  let fake: Awaited<ReturnType<typeof startFakeMetaSend>>;
  let secrets: Record<string, string>;
  beforeAll(async () => {
    fake = track(await startFakeMetaSend({ token: 'page-token', pageId: '1122334455' }));
    secrets = { apiToken: 'page-token', sender: '1122334455', apiBaseUrl: `${fake.url}/v23.0` };
  });

  it('replies inside the window as RESPONSE', async () => {
    expect(await messengerSender.send(msg({ to: 'psid-1' }), ctx(secrets))).toEqual({
      kind: 'sent',
      vendorMessageId: 'm_fake1',
    });
    expect(fake.requests.at(-1)?.parsed).toEqual({
      recipient: { id: 'psid-1' },
      messaging_type: 'RESPONSE',
      message: { text: 'Your order has shipped' },
    });
  });

  it('outside the window sends MESSAGE_TAG with the tag (Instagram: HUMAN_AGENT)', async () => {
    await instagramSender.send(msg({ to: 'igsid-1', mode: 'tagged', messageTag: 'HUMAN_AGENT' }), ctx(secrets));
    expect(fake.requests.at(-1)?.parsed).toMatchObject({ messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });
  });

  it('a proactive transactional update inside the window is UPDATE', async () => {
    await messengerSender.send(msg({ to: 'psid-1', purpose: 'transactional' }), ctx(secrets));
    expect(fake.requests.at(-1)?.parsed).toMatchObject({ messaging_type: 'UPDATE' });
  });

  it.each([
    ['unavailable', 'recipient', '551'],
    ['outsideWindow', 'payload', '10/2018278'],
    ['rateLimited', 'transient', '613'],
  ] as const)('%s → %s (%s)', async (failure, klass, code) => {
    fake.failNext(failure);
    expect(failed(await messengerSender.send(msg({ to: 'psid-1' }), ctx(secrets)))).toMatchObject({
      failure: klass,
      code,
    });
  });
});

describe('Sender: twilio (Messages API)', () => {
  let fake: Awaited<ReturnType<typeof startFakeTwilio>>;
  let secrets: Record<string, string>;
  beforeAll(async () => {
    fake = track(await startFakeTwilio({ accountSid: 'AC00000000000000000000000000000001', authToken: 'tw-auth' }));
    secrets = { apiToken: 'AC00000000000000000000000000000001:tw-auth', sender: '+15005550006', apiBaseUrl: fake.url };
  });

  it('sends From + Body with the hub status callback, returns the SM sid', async () => {
    const out = await twilioSender.send(
      msg({ to: '+380501112233' }),
      ctx(secrets, { publicBaseUrl: 'https://hub.example.com/' }),
    );
    expect(out).toEqual({ kind: 'sent', vendorMessageId: 'SM00000000000000000000000000000001' });
    expect(fake.requests.at(-1)?.parsed).toEqual({
      To: '+380501112233',
      From: '+15005550006',
      Body: 'Your order has shipped',
      StatusCallback: 'https://hub.example.com/webhooks/twilio',
    });
  });

  it('a Messaging Service sid goes as MessagingServiceSid', async () => {
    await twilioSender.send(
      msg({ to: '+380501112233' }),
      ctx({ ...secrets, sender: 'MG00000000000000000000000000000001' }),
    );
    expect(fake.requests.at(-1)?.parsed).toMatchObject({ MessagingServiceSid: 'MG00000000000000000000000000000001' });
  });

  it.each([
    ['stop', 'recipient', '21610', undefined],
    ['invalidTo', 'recipient', '21211', undefined],
    ['tooMany', 'transient', '20429', 2000],
    ['server', 'transient', '20500', undefined],
  ] as const)('%s → %s (%s)', async (failure, klass, code, retryAfterMs) => {
    fake.failNext(failure);
    const out = failed(await twilioSender.send(msg({ to: '+380501112233' }), ctx(secrets)));
    expect(out).toMatchObject({ failure: klass, code });
    expect(out.retryAfterMs).toBe(retryAfterMs);
  });

  it('refuses a token that is not AccountSid:AuthToken', async () => {
    expect(failed(await twilioSender.send(msg(), ctx({ ...secrets, apiToken: 'nocolon' }))).code).toBe(
      'not_configured',
    );
  });
});

describe('Sender: mailgun (Messages API)', () => {
  let fake: Awaited<ReturnType<typeof startFakeMailgun>>;
  let secrets: Record<string, string>;
  beforeAll(async () => {
    fake = track(await startFakeMailgun({ apiKey: 'key-fake', domain: 'mg.example.com' }));
    secrets = { apiToken: 'key-fake', sender: 'Shop <shop@mg.example.com>', apiBaseUrl: fake.url };
  });

  it('posts multipart with from/to/subject/text and strips the id brackets', async () => {
    const out = await mailgunSender.send(
      msg({ to: 'olena@example.com', subject: 'Shipped', purpose: 'transactional' }),
      ctx(secrets),
    );
    expect(out).toEqual({ kind: 'sent', vendorMessageId: '20261123120000.1.fake@mg.example.com' });
    expect(fake.requests.at(-1)?.parsed).toEqual({
      from: 'Shop <shop@mg.example.com>',
      to: 'olena@example.com',
      subject: 'Shipped',
      text: 'Your order has shipped',
      'o:tag': 'transactional',
      'v:hub-message-id': 'msg_0000000000001',
    });
  });

  it('the sender identity is a domain or a From on it', () => {
    expect(mailgunIdentity('mg.example.com')).toEqual({ domain: 'mg.example.com', from: 'noreply@mg.example.com' });
    expect(mailgunIdentity('Shop <a@Mg.Example.com>')).toEqual({
      domain: 'mg.example.com',
      from: 'Shop <a@Mg.Example.com>',
    });
    expect(mailgunIdentity('not a domain')).toBeUndefined();
  });

  it.each([
    ['badAddress', 'payload', undefined],
    ['rateLimited', 'transient', 1000],
    ['unauthorized', 'channel', undefined],
  ] as const)('%s → %s', async (failure, klass, retryAfterMs) => {
    fake.failNext(failure);
    const out = failed(await mailgunSender.send(msg({ to: 'olena@example.com' }), ctx(secrets)));
    expect(out.failure).toBe(klass);
    expect(out.retryAfterMs).toBe(retryAfterMs);
  });
});

describe('Sender: ses (SES v2 SendEmail through the SDK adapter)', () => {
  let fake: Awaited<ReturnType<typeof startFakeSes>>;
  let transport: SesV2EmailTransport;
  beforeAll(async () => {
    fake = track(await startFakeSes({ accessKeyId: 'AKIDFAKE', region: 'eu-central-1' }));
    transport = new SesV2EmailTransport({
      endpoint: fake.url,
      region: 'eu-central-1',
      credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake-secret' },
    });
  });
  afterAll(() => transport.destroy());

  it('sends a signed SendEmail and returns the MessageId', async () => {
    const out = await sesSender.send(
      msg({ to: 'olena@example.com' }),
      ctx({ sender: 'Shop <shop@example.com>' }, { email: transport }),
    );
    expect(out).toEqual({ kind: 'sent', vendorMessageId: '0100019ab1c2d3e4-fake-000001-000000' });
    expect(fake.requests.at(-1)?.parsed).toEqual({
      FromEmailAddress: 'Shop <shop@example.com>',
      Destination: { ToAddresses: ['olena@example.com'] },
      Content: {
        Simple: {
          Subject: { Data: 'Your order has shipped', Charset: 'UTF-8' },
          Body: { Text: { Data: 'Your order has shipped', Charset: 'UTF-8' } },
        },
      },
      EmailTags: [
        { Name: 'hub_message_id', Value: 'msg_0000000000001' },
        { Name: 'purpose', Value: 'service' },
      ],
    });
  });

  it.each([
    ['rejected', 'payload', 'MessageRejected'],
    ['throttled', 'transient', 'TooManyRequestsException'],
    ['suspended', 'channel', 'AccountSuspendedException'],
  ] as const)('%s → %s (%s)', async (failure, klass, code) => {
    // The SDK retries a throttle once itself (maxAttempts 2).
    fake.failNext(failure, failure === 'throttled' ? 2 : 1);
    const out = failed(
      await sesSender.send(msg({ to: 'olena@example.com' }), ctx({ sender: 'shop@example.com' }, { email: transport })),
    );
    expect(out).toMatchObject({ failure: klass, code });
  });

  it('is not configured without a From', async () => {
    expect(failed(await sesSender.send(msg({ to: 'a@b.co' }), ctx({}, { email: transport }))).code).toBe(
      'not_configured',
    );
  });
});
