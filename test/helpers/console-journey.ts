/**
 * The customers the console's browser tests and screenshots look at, seeded
 * through real signed webhooks in each vendor's own format (connector
 * fixtures with names, numbers and dates changed):
 *
 * - Olena Kovalenko: a Marquiz quiz lead, a Binotel call, a WhatsApp message,
 *   a Telegram chat in which she shares her contact card, an online order with
 *   a promo code, a till receipt at a Square reader, and an SMS "STOP".
 *   One profile, every channel.
 * - A WhatsApp customer whose message is an XSS payload.
 * - A customer with a long WhatsApp history (one webhook carries many messages).
 * - Two leads merged by a third (email + phone), to be split again.
 */
import { readFileSync } from 'node:fs';

/** Posts a body to a connector's webhook, signed as the vendor signs it (`postWebhook`). */
export type PostSigned = (
  connector: string,
  body: string,
  contentType?: string,
) => Promise<{ status: number; text: string }>;

export const OLENA = {
  name: 'Olena Kovalenko',
  phone: '+380501112233',
  email: 'olena@example.com',
  telegramId: 7000001,
} as const;

export const XSS_TEXT = '<img src=x onerror=alert(1)>';
export const XSS_PHONE = '380671112299';
export const LONG_PHONE = '380931234567';
export const SPLIT = { email: 'taras.split@example.com', phone: '+380664445566' } as const;

const json = (connector: string, file: string): any =>
  JSON.parse(readFileSync(`functions/connectors/${connector}/fixtures/${file}`, 'utf8'));
const text = (connector: string, file: string): string =>
  readFileSync(`functions/connectors/${connector}/fixtures/${file}`, 'utf8');
const epoch = (iso: string): number => Math.floor(Date.parse(iso) / 1000);

const quiz = (contacts: Record<string, string>, created: string, name = 'Choose a sofa') => {
  const body = json('marquiz', 'lead.json');
  body.contacts = contacts;
  body.created = created;
  body.quiz = { id: 'sofa-quiz', name };
  body.answers = [
    { q: 'Which shape do you need?', a: 'Corner sofa' },
    { q: 'Budget?', a: 'up to 40 000 UAH' },
  ];
  return JSON.stringify(body);
};

/** A WhatsApp Cloud API webhook with one or more text messages from `waId`. */
export const whatsappMessages = (
  waId: string,
  name: string,
  messages: readonly { id: string; at: string; text: string }[],
): string => {
  const body = json('whatsapp', 'message-text.json');
  const value = body.entry[0].changes[0].value;
  value.contacts = [{ profile: { name }, wa_id: waId }];
  value.messages = messages.map((m) => ({
    from: waId,
    id: m.id,
    timestamp: String(epoch(m.at)),
    text: { body: m.text },
    type: 'text',
  }));
  return JSON.stringify(body);
};

const binotelCall = (externalNumber: string, callId: string, at: string) =>
  text('binotel', 'api-call-completed.txt')
    .replace(/callDetails%5BexternalNumber%5D=\d+/, `callDetails%5BexternalNumber%5D=${externalNumber}`)
    .replace(/(callDetails%5B(general)?[cC]allID%5D=)\d+/g, `$1${callId}`)
    .replace(/callDetails%5BstartTime%5D=\d+/, `callDetails%5BstartTime%5D=${epoch(at)}`);

const telegramText = (updateId: number, messageId: number, at: string, message: string) => {
  const body = json('telegram', 'message-text.json');
  body.update_id = updateId;
  body.message.message_id = messageId;
  body.message.from = {
    id: OLENA.telegramId,
    is_bot: false,
    first_name: 'Olena',
    username: 'olena_k',
    language_code: 'uk',
  };
  body.message.chat = { id: OLENA.telegramId, type: 'private', first_name: 'Olena', username: 'olena_k' };
  body.message.date = epoch(at);
  body.message.text = message;
  return JSON.stringify(body);
};

const telegramContact = (updateId: number, at: string) => {
  const body = json('telegram', 'message-contact.json');
  body.update_id = updateId;
  body.message.message_id = 3;
  body.message.from = { id: OLENA.telegramId, is_bot: false, first_name: 'Olena', username: 'olena_k' };
  body.message.chat = { id: OLENA.telegramId, type: 'private', first_name: 'Olena', username: 'olena_k' };
  body.message.date = epoch(at);
  body.message.contact = {
    phone_number: OLENA.phone,
    first_name: 'Olena',
    last_name: 'Kovalenko',
    user_id: OLENA.telegramId,
  };
  return JSON.stringify(body);
};

const siteOrder = (at: string) => {
  const body = json('site', 'order-placed.json');
  body.occurredAt = at;
  body.visitor = { id: 'v_olena', phone: '050 111 22 33', email: OLENA.email, name: OLENA.name };
  body.data = {
    ...body.data,
    orderId: 'ord_20261105_2001',
    orderNumber: '#2001',
    total: { amountMinor: 3_249_900, currency: 'UAH' },
    items: [
      {
        sku: 'SOFA-OSLO-GRY',
        name: 'Oslo sofa, grey',
        quantity: 1,
        unitPrice: { amountMinor: 3_099_900, currency: 'UAH' },
      },
      { sku: 'PILLOW-45', name: 'Cushion 45×45', quantity: 2, unitPrice: { amountMinor: 75_000, currency: 'UAH' } },
    ],
    promoCodes: ['AUTUMN10'],
  };
  return JSON.stringify(body);
};

const squareReceipt = (at: string) => {
  const body = json('square', 'payment-updated-in-person.json');
  const payment = body.data.object.payment;
  body.event_id = 'journey-square-receipt';
  body.data.id = 'JourneyReceipt0001';
  Object.assign(payment, {
    id: 'JourneyReceipt0001',
    updated_at: at,
    created_at: at,
    receipt_number: 'R-0001',
    order_id: 'JourneyOrder0001',
    buyer_email_address: OLENA.email,
    amount_money: { amount: 125_000, currency: 'UAH' },
    total_money: { amount: 125_000, currency: 'UAH' },
  });
  // No Square customer id: the receipt is attributed by the buyer's email, with nothing to fetch.
  delete payment.customer_id;
  return JSON.stringify(body);
};

const smsStop = () =>
  text('twilio', 'sms-inbound-stop.txt')
    .replace(/From=[^&]+/, `From=${encodeURIComponent(OLENA.phone)}`)
    .replace(/(SmsMessageSid|SmsSid|MessageSid)=SM[0-9a-f]+/g, '$1=SMjourneystop00000000000000000000');

/** Olena's journey across seven channels; resolves when every webhook was accepted. */
export const seedOlena = async (post: PostSigned): Promise<void> => {
  const form = 'application/x-www-form-urlencoded';
  const steps: [string, string, string?][] = [
    ['marquiz', quiz({ name: OLENA.name, phone: '050 111 22 33', email: OLENA.email }, '2026-11-01T10:00:00.000Z')],
    ['binotel', binotelCall('0501112233', '9900001', '2026-11-02T12:00:00Z'), form],
    [
      'whatsapp',
      whatsappMessages('380501112233', 'Olena', [
        { id: 'wamid.olena.1', at: '2026-11-03T09:00:00Z', text: 'Hello! Is the grey Oslo sofa still available?' },
      ]),
    ],
    ['telegram', telegramText(88001, 1, '2026-11-04T10:00:00Z', 'Can I pick it up on Saturday?')],
    ['telegram', telegramContact(88002, '2026-11-04T10:05:00Z')],
    ['site', siteOrder('2026-11-05T18:30:00.000Z')],
    ['square', squareReceipt('2026-11-06T15:20:00.000Z')],
    ['twilio', smsStop(), form],
  ];
  for (const [connector, body, contentType] of steps) {
    const res = await post(connector, body, contentType);
    if (res.status >= 300) throw new Error(`seeding ${connector} failed: ${res.status} ${res.text}`);
  }
};

/** A WhatsApp customer whose name and message are markup. */
export const seedXss = async (post: PostSigned): Promise<void> => {
  const res = await post(
    'whatsapp',
    whatsappMessages(XSS_PHONE, '<script>alert(2)</script>', [
      { id: 'wamid.xss.1', at: '2026-11-07T08:00:00Z', text: XSS_TEXT },
    ]),
  );
  if (res.status >= 300) throw new Error(`seeding the XSS message failed: ${res.status} ${res.text}`);
};

/** `count` WhatsApp messages from one customer, one minute apart, `perWebhook` to a webhook (as WhatsApp batches). */
export const seedLongHistory = async (post: PostSigned, count: number, perWebhook = 100): Promise<void> => {
  const start = Date.parse('2026-10-01T00:00:00Z');
  for (let from = 0; from < count; from += perWebhook) {
    const messages = Array.from({ length: Math.min(perWebhook, count - from) }, (_, k) => {
      const n = from + k + 1;
      return { id: `wamid.long.${n}`, at: new Date(start + n * 60_000).toISOString(), text: `Message number ${n}` };
    });
    const res = await post('whatsapp', whatsappMessages(LONG_PHONE, 'Long History', messages));
    if (res.status >= 300) throw new Error(`seeding the long history failed: ${res.status} ${res.text}`);
  }
};

/** Two leads (email only, phone only) and a third with both, which merges them; `settle` waits for the writer. */
export const seedMerged = async (post: PostSigned, settle: () => Promise<void>): Promise<void> => {
  const steps = [
    quiz({ name: 'Taras', email: SPLIT.email }, '2026-11-08T10:00:00.000Z', 'Kitchen quiz'),
    quiz({ name: 'Taras', phone: '066 444 55 66' }, '2026-11-08T11:00:00.000Z', 'Kitchen quiz'),
    quiz({ name: 'Taras', phone: SPLIT.phone, email: SPLIT.email }, '2026-11-08T12:00:00.000Z', 'Kitchen quiz'),
  ];
  for (const body of steps) {
    const res = await post('marquiz', body);
    if (res.status >= 300) throw new Error(`seeding the merge failed: ${res.status} ${res.text}`);
    await settle();
  }
};
