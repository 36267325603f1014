/**
 * `omnihub message` and `omnihub reach` in-process against a real local hub
 * with a fake Telegram Bot API: a message by `type:value`, the plan, the
 * refusal printed channel by channel, and the exit codes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../bin/cli.js';
import { COMMANDS } from '../../bin/commands/index.js';
import { runCli } from '../../bin/dispatch.js';
import type { LocalHub } from '../../functions/runtime/local/local-hub.js';
import { startFakeTelegram } from '../fakes/telegram.js';
import { postWebhook, startTestHub } from '../helpers/hub.js';

const TOKEN = '7000000009:AAcli-bot-token';
let hub: LocalHub;
let telegram: Awaited<ReturnType<typeof startFakeTelegram>>;

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

beforeAll(async () => {
  telegram = await startFakeTelegram({ token: TOKEN });
  hub = await startTestHub({
    extraEnv: { OMNIHUB_API_TOKEN_TELEGRAM: TOKEN, OMNIHUB_API_BASE_URL_TELEGRAM: telegram.url },
  });
  const update = {
    update_id: 91,
    message: {
      message_id: 91,
      from: { id: 7770001, is_bot: false, first_name: 'Olena' },
      chat: { id: 7770001, first_name: 'Olena', type: 'private' },
      date: Math.floor(Date.now() / 1000) - 600,
      text: 'Hello',
    },
  };
  expect((await postWebhook(hub, 'telegram', JSON.stringify(update))).status).toBe(200);
  await hub.idle();
});

afterAll(async () => {
  await hub?.stop();
  expect(telegram.rejected).toEqual([]);
  await telegram.close();
});

describe('CLI: omnihub message / reach', () => {
  it('sends by type:value through the channel the hub chooses, once per idempotency key', async () => {
    const first = await omnihub([
      'message',
      'telegram:7770001',
      '--text',
      'Your order shipped',
      '--idempotency-key',
      'cli-k1',
    ]);
    await hub.idle();
    const again = await omnihub([
      'message',
      'telegram:7770001',
      '--text',
      'Your order shipped',
      '--idempotency-key',
      'cli-k1',
    ]);
    await hub.idle();
    expect(first.code, first.err).toBe(EXIT.ok);
    expect(first.out).toMatch(/^msg_[0-9a-f]{22} queued via telegram \(text\); idempotency key cli-k1/);
    expect(again.out.split(' ')[0]).toBe(first.out.split(' ')[0]);
    expect(telegram.requests.map((r) => r.parsed)).toEqual([{ chat_id: 7770001, text: 'Your order shipped' }]);
  });

  it('prints the plan, the chosen channel marked', async () => {
    const res = await omnihub(['reach', 'telegram:7770001', '--purpose', 'marketing']);
    expect(res.code).toBe(EXIT.ok);
    expect(res.out).toContain('marketing · reachable → telegram');
    expect(res.out).toMatch(/→ 1\. telegram\s+allowed \(text\)\s+preferred_channel, no_window/);
    expect(res.out).toMatch(/sms\s+refused\s+sms_fallback, not_configured/);
  });

  it('a refusal exits 1 and says why for each channel', async () => {
    const res = await omnihub(['message', 'telegram:7770001', '--text', 'x', '--channel', 'sms']);
    expect(res.code).toBe(EXIT.failed);
    expect(res.err).toContain('no_reachable_channel');
    expect(res.err).toMatch(/sms\s+refused\s+sms_fallback, not_configured/);
  });

  it.each([
    [['message'], 'Missing the customer'],
    [['message', 'telegram:7770001'], 'Give --text, --template or both'],
    [['message', 'telegram:7770001', '--text', 'x', '--template', 'nolang'], '--template must be name:language'],
    [['reach', 'telegram:7770001', '--purpose', 'spam'], '--purpose must be one of'],
  ])('usage errors exit 2: %j', async (argv, message) => {
    const res = await omnihub(argv);
    expect(res.code).toBe(EXIT.usage);
    expect(res.err).toContain(message);
  });
});
