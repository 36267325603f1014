/**
 * The sender's decisions, fast: the memory message store (same contract as
 * DynamoDB), scripted vendors (the only thing mocked), a recording bus and
 * scheduler, a fixed clock. Each case is one rule of `deliverMessage`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { listSenders } from '../../../functions/connectors/senders.js';
import { MemoryMessageStore } from '../../../functions/adapters/memory/memory-message-store.js';
import type { OutboundMessage, Sender, SendOutcome } from '../../../functions/connectors/shared/sender.js';
import { emptyProfile, type Profile } from '../../../functions/domain/profile.js';
import { parseQuietHours, type QuietHours } from '../../../functions/domain/reachability/quiet-hours.js';
import type { OutboundChannel } from '../../../functions/domain/reachability/types.js';
import type { BusEntry } from '../../../functions/events/envelope.js';
import type { HubEvent } from '../../../functions/events/hub-event.js';
import type { MessageRequested } from '../../../functions/events/message-events.js';
import { deliverMessage, type DeliverDeps } from '../../../functions/outbound/deliver.js';
import type { OutboundSettings } from '../../../functions/outbound/settings.js';
import { submitMessage, type MessageRequest } from '../../../functions/outbound/submit.js';

const NOW = new Date('2026-11-23T10:00:00.000Z');
const hoursBefore = (h: number) => new Date(NOW.getTime() - h * 3_600_000).toISOString();

/** A vendor that answers from a script and records what it was asked. */
const scripted = (channel: OutboundChannel, connector: string, outcomes: SendOutcome[] = []) => {
  const calls: OutboundMessage[] = [];
  const sender: Sender = {
    connector,
    channel,
    textLimit: { max: 4096, unit: 'characters' },
    templates: channel === 'whatsapp',
    secrets: [],
    missingConfiguration: () => undefined,
    send: async (message) => {
      calls.push(message);
      return outcomes.shift() ?? { kind: 'sent', vendorMessageId: `${connector}-${calls.length}` };
    },
  };
  return { sender, calls };
};

const profileOf = (over: Partial<Profile> = {}): Profile => ({
  ...emptyProfile('cus_1', hoursBefore(100), NOW.toISOString()),
  identities: [
    { type: 'telegram', value: '1001' },
    { type: 'whatsapp', value: '380501112233' },
    { type: 'phone', value: '+380501112233' },
  ],
  inbound: { telegram: { count: 3, lastAt: hoursBefore(1) }, whatsapp: { count: 1, lastAt: hoursBefore(2) } },
  ...over,
});

const failure = (
  failureClass: 'recipient' | 'payload' | 'channel' | 'transient',
  code: string,
  extra = {},
): SendOutcome => ({
  kind: 'failed',
  failure: failureClass,
  code,
  message: `vendor said ${code}`,
  ...extra,
});

const setup = (opts: { senders: Sender[]; profile?: Profile; quietHours?: QuietHours; now?: () => Date }) => {
  const messages = new MemoryMessageStore();
  const published: HubEvent[] = [];
  const entries: BusEntry[] = [];
  const scheduled: { request: MessageRequested; at: Date }[] = [];
  let profile: Profile | undefined = opts.profile ?? profileOf();
  const settings: OutboundSettings = {
    senders: Object.fromEntries(opts.senders.map((s) => [s.channel, s])),
    ...(opts.quietHours ? { quietHours: opts.quietHours } : {}),
    retentionDays: 90,
    retry: { maxAttemptsPerChannel: 3, windowMs: 86_400_000, baseDelayMs: 1000, maxDelayMs: 60_000 },
  };
  const now = opts.now ?? (() => NOW);
  const deps: DeliverDeps = {
    messages,
    profiles: { getProfile: async () => profile },
    publisher: {
      publish: async (events) => void published.push(...events),
      putEntries: async (e) => void entries.push(...e),
    },
    scheduler: { schedule: async (request, at) => void scheduled.push({ request, at }) },
    secrets: { get: async () => ({}) },
    settings,
    defaultCountry: 'UA',
    now,
    random: () => 0.5,
  };
  const submit = async (request: Omit<MessageRequest, 'idempotencyKey'>, key = `k-${Math.random()}`) => {
    const { record } = await submitMessage(
      { messages, publisher: deps.publisher, settings, defaultCountry: 'UA', now },
      profile as Profile,
      'cus_1',
      { ...request, idempotencyKey: key },
    );
    const requested = entries.at(-1)?.detail as MessageRequested;
    return { record, requested };
  };
  return {
    deps,
    messages,
    published,
    scheduled,
    submit,
    setProfile: (p: Profile | undefined) => {
      profile = p;
    },
  };
};

describe('Sender: deliverMessage', () => {
  it('sends on the chosen channel and publishes message.sent with the vendor id and the hub message id', async () => {
    const tg = scripted('telegram', 'telegram');
    const t = setup({ senders: [tg.sender] });
    const { record, requested } = await t.submit({ purpose: 'service', text: 'Hi' });
    expect(await deliverMessage(t.deps, requested)).toBe('sent');
    expect(tg.calls).toEqual([expect.objectContaining({ to: '1001', mode: 'text', text: 'Hi' })]);
    const sent = t.published[0];
    expect(sent).toMatchObject({ type: 'message.sent', connector: 'telegram', providerEventId: 'telegram-1' });
    expect(sent?.data).toMatchObject({
      messageId: 'telegram-1',
      direction: 'outbound',
      hubMessageId: record.messageId,
    });
    expect((await t.messages.findByVendorId('telegram', 'telegram-1'))?.status).toBe('sent');
  });

  it('a duplicate request (the message already sent) does nothing', async () => {
    const tg = scripted('telegram', 'telegram');
    const t = setup({ senders: [tg.sender] });
    const { requested } = await t.submit({ purpose: 'service', text: 'Hi' });
    await deliverMessage(t.deps, requested);
    expect(await deliverMessage(t.deps, requested)).toBe('duplicate');
    expect(tg.calls).toHaveLength(1);
  });

  it('two concurrent deliveries of one request send once (the lease)', async () => {
    const tg = scripted('telegram', 'telegram');
    const t = setup({ senders: [tg.sender] });
    const { requested } = await t.submit({ purpose: 'service', text: 'Hi' });
    const results = await Promise.all([deliverMessage(t.deps, requested), deliverMessage(t.deps, requested)]);
    expect(tg.calls).toHaveLength(1);
    expect(results.filter((r) => r === 'sent')).toHaveLength(1);
    expect(results.filter((r) => r !== 'sent').every((r) => r === 'busy' || r === 'duplicate')).toBe(true);
  });

  it('re-checks the rules at send time: consent revoked since the request → failed, nothing sent', async () => {
    const tg = scripted('telegram', 'telegram');
    const t = setup({ senders: [tg.sender] });
    const { requested, record } = await t.submit({ purpose: 'service', text: 'Hi' });
    t.setProfile(
      profileOf({ consent: { telegram: { status: 'revoked', at: NOW.toISOString(), source: 'x', stamp: 'z' } } }),
    );
    expect(await deliverMessage(t.deps, requested)).toBe('failed');
    expect(tg.calls).toHaveLength(0);
    expect(await t.messages.get('cus_1', record.messageId)).toMatchObject({
      status: 'failed',
      error: { code: 'no_reachable_channel' },
    });
  });

  it('an erased customer gets nothing (the profile no longer resolves)', async () => {
    const tg = scripted('telegram', 'telegram');
    const t = setup({ senders: [tg.sender] });
    const { requested } = await t.submit({ purpose: 'service', text: 'Hi' });
    t.setProfile(undefined);
    expect(await deliverMessage(t.deps, requested)).toBe('customer-erased');
    expect(tg.calls).toHaveLength(0);
  });

  it('a recipient failure flags unreachable and falls back for service', async () => {
    const tg = scripted('telegram', 'telegram', [failure('recipient', '403')]);
    const sms = scripted('sms', 'twilio');
    const t = setup({ senders: [tg.sender, sms.sender] });
    const { requested, record } = await t.submit({ purpose: 'service', text: 'Hi' });
    expect(await deliverMessage(t.deps, requested)).toBe('sent');
    expect(t.published.map((e) => [e.type, e.channel, (e.data as { error?: unknown }).error])).toEqual([
      ['message.failed', 'telegram', { code: '403', message: 'vendor said 403', unreachable: true }],
      ['message.sent', 'sms', undefined],
    ]);
    const stored = await t.messages.get('cus_1', record.messageId);
    expect(stored?.tried).toEqual(['telegram']);
    expect(stored?.attempts.map((a) => [a.channel, a.outcome])).toEqual([
      ['telegram', 'failed'],
      ['sms', 'sent'],
    ]);
  });

  it.each([
    ['marketing', {}, 'no fallback for marketing'],
    ['service', { channel: 'telegram' as const }, 'no fallback from a forced channel'],
  ] as const)('%s %j: %s', async (purpose, extra, _why) => {
    const tg = scripted('telegram', 'telegram', [failure('payload', '400')]);
    const sms = scripted('sms', 'twilio');
    const t = setup({ senders: [tg.sender, sms.sender] });
    const { requested, record } = await t.submit({ purpose, text: 'Hi', ...extra });
    expect(await deliverMessage(t.deps, requested)).toBe('failed');
    expect(sms.calls).toHaveLength(0);
    expect((await t.messages.get('cus_1', record.messageId))?.error).toEqual({
      code: '400',
      message: 'vendor said 400',
    });
  });

  it('a channel failure (bad token, not configured) falls back without marking her unreachable', async () => {
    const tg = scripted('telegram', 'telegram', [failure('channel', 'not_configured')]);
    const sms = scripted('sms', 'twilio');
    const t = setup({ senders: [tg.sender, sms.sender] });
    const { requested } = await t.submit({ purpose: 'transactional', text: 'Shipped' });
    expect(await deliverMessage(t.deps, requested)).toBe('sent');
    expect((t.published[0]?.data as { error?: { unreachable?: boolean } }).error?.unreachable).toBeUndefined();
  });

  it('a transient failure schedules a retry no earlier than Retry-After', async () => {
    const tg = scripted('telegram', 'telegram', [failure('transient', '429', { retryAfterMs: 120_000 })]);
    const t = setup({ senders: [tg.sender] });
    const { requested, record } = await t.submit({ purpose: 'service', text: 'Hi' });
    expect(await deliverMessage(t.deps, requested)).toBe('retry-scheduled');
    expect(t.scheduled).toEqual([
      {
        request: expect.objectContaining({ messageId: record.messageId, reason: 'retry' }),
        at: new Date(NOW.getTime() + 120_000),
      },
    ]);
    const stored = await t.messages.get('cus_1', record.messageId);
    expect(stored).toMatchObject({ status: 'queued', notBefore: new Date(NOW.getTime() + 120_000).toISOString() });
    // Delivered before its time (a duplicate), it waits again rather than sending.
    expect(await deliverMessage(t.deps, requested)).toBe('deferred');
    expect(tg.calls).toHaveLength(1);
  });

  it('transient failures past the attempt limit fall back to the next channel', async () => {
    let clock = NOW;
    const tg = scripted('telegram', 'telegram', [
      failure('transient', '500'),
      failure('transient', '500'),
      failure('transient', '500'),
    ]);
    const sms = scripted('sms', 'twilio');
    const t = setup({ senders: [tg.sender, sms.sender], now: () => clock });
    const { requested } = await t.submit({ purpose: 'service', text: 'Hi' });
    for (let i = 0; i < 2; i++) {
      expect(await deliverMessage(t.deps, requested)).toBe('retry-scheduled');
      clock = new Date((t.scheduled.at(-1) as { at: Date }).at.getTime() + 1);
    }
    expect(await deliverMessage(t.deps, requested)).toBe('sent');
    expect(tg.calls).toHaveLength(3);
    expect(sms.calls).toHaveLength(1);
  });

  it('WhatsApp says the window closed (131047) though our data said open: the template, same channel', async () => {
    const wa = scripted('whatsapp', 'whatsapp', [failure('payload', '131047', { needsTemplate: true })]);
    const t = setup({
      senders: [wa.sender],
      profile: profileOf({ inbound: { whatsapp: { count: 1, lastAt: hoursBefore(2) } } }),
    });
    const { requested } = await t.submit({
      purpose: 'service',
      text: 'Hi',
      template: { name: 'order_update', language: 'en_US' },
    });
    expect(await deliverMessage(t.deps, requested)).toBe('sent');
    expect(wa.calls.map((c) => c.mode)).toEqual(['text', 'template']);
  });

  it('marketing that falls into quiet hours at send time is deferred to their end', async () => {
    let clock = new Date('2026-11-23T18:30:00.000Z'); // 20:30 Kyiv: not yet quiet at request time
    const tg = scripted('telegram', 'telegram');
    const t = setup({
      senders: [tg.sender],
      quietHours: parseQuietHours('21:00-09:00') as QuietHours,
      now: () => clock,
    });
    const { requested } = await t.submit({ purpose: 'marketing', text: 'Sale' });
    clock = new Date('2026-11-23T19:30:00.000Z'); // 21:30 Kyiv
    expect(await deliverMessage(t.deps, requested)).toBe('deferred');
    expect(t.scheduled.at(-1)?.at.toISOString()).toBe('2026-11-24T07:00:00.000Z');
    expect(tg.calls).toHaveLength(0);
  });

  it('continues in a new invocation when too little time is left for another vendor call', async () => {
    const tg = scripted('telegram', 'telegram', [failure('recipient', '403')]);
    const sms = scripted('sms', 'twilio');
    const t = setup({ senders: [tg.sender, sms.sender] });
    const { requested } = await t.submit({ purpose: 'service', text: 'Hi' });
    expect(await deliverMessage({ ...t.deps, remainingMs: () => 5_000 }, requested)).toBe('continued');
    expect(sms.calls).toHaveLength(0);
    expect(t.scheduled.at(-1)?.request.reason).toBe('fallback');
    expect(await deliverMessage(t.deps, requested)).toBe('sent');
    expect(sms.calls).toHaveLength(1);
  });

  it('without an injected client, never calls a vendor API configured on this machine (the deployed policy)', async () => {
    // Prepare: the real Telegram sender, its API base URL on 127.0.0.1 (what a private or metadata address stands for).
    const hits: string[] = [];
    const server = createServer((req, res) => {
      hits.push(`${req.method} ${req.url}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true,"result":{"message_id":1}}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const telegram = listSenders().find((s) => s.connector === 'telegram') as Sender;
    const t = setup({ senders: [telegram] });
    const deps: DeliverDeps = {
      ...t.deps,
      secrets: {
        get: async () => ({
          apiToken: '7000000001:AAtest-bot-token',
          apiBaseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        }),
      },
    };
    const { requested, record } = await t.submit({ purpose: 'service', text: 'Hi' });

    try {
      // Act
      const outcome = await deliverMessage(deps, requested);

      // Assess: refused before a byte was sent, so nothing was sent and it will be tried again.
      expect(hits).toEqual([]);
      expect(outcome).not.toBe('sent');
      const stored = await t.messages.get('cus_1', record.messageId);
      expect(stored?.status).not.toBe('sent');
      expect(JSON.stringify(stored?.attempts)).toMatch(/Refusing to call http:\/\/127\.0\.0\.1:\d+/);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
