/**
 * `omnihub` commands run in-process through the dispatcher (the same
 * `runCli` bin/omnihub.ts calls), against a real local hub over HTTP: a
 * signed sample in, a failing subscriber, its dead letter redriven, an
 * archive replay, and the exit codes scripts branch on.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../bin/cli.js';
import { COMMANDS } from '../../bin/commands/index.js';
import { runCli } from '../../bin/dispatch.js';
import { customerEvent } from '../../functions/events/customer-events.js';
import type { LocalHub } from '../../functions/runtime/local/local-hub.js';
import type { SubscriptionInput } from '../../functions/subscriptions/config.js';
import { startTestHub, TEST_SECRET } from '../helpers/hub.js';
import { type Receiver, startReceiver } from '../subscriptions/receiver.js';

const SUBSCRIPTIONS: SubscriptionInput[] = [
  {
    name: 'crm-leads',
    pattern: { 'detail-type': ['lead.submitted'] },
    // Replaced by the receiver's URL once it listens.
    target: { type: 'webhook', url: 'http://localhost:9/unused' },
    retry: { maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 20 },
  },
];

/** Runs `omnihub <argv>`; returns the exit code and what it printed. */
const omnihub = async (argv: string[], env: Record<string, string | undefined> = {}, subscriptions = SUBSCRIPTIONS) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, COMMANDS, {
    io: { out: (l) => out.push(l), err: (l) => err.push(l) },
    env,
    subscriptions,
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
};

describe('CLI: dispatch', () => {
  it('prints the command list: exit 2 without arguments, 0 for --help', async () => {
    const bare = await omnihub([]);
    const help = await omnihub(['--help']);
    expect(bare.code).toBe(EXIT.usage);
    expect(help.code).toBe(EXIT.ok);
    for (const c of COMMANDS) expect(help.out).toContain(c.words.join(' '));
  });

  it('docs/cli.md lists every command', () => {
    const doc = readFileSync('docs/cli.md', 'utf8');
    const missing = COMMANDS.filter((c) => !doc.includes(`\`omnihub ${c.words.join(' ')}`));
    expect(missing.map((c) => c.words.join(' '))).toEqual([]);
  });

  it("answers a command's --help with its own help, without running it", async () => {
    const res = await omnihub(['replay', '--help']);
    expect(res.code).toBe(EXIT.ok);
    expect(res.out).toMatch(/^omnihub replay --subscription <name>/);
  });

  it('refuses an unknown command, an unknown sub-command and an unknown option with exit 2, naming them', async () => {
    const unknown = await omnihub(['deploy']);
    const group = await omnihub(['subscriptions', 'purge']);
    const option = await omnihub(['subscriptions', 'list', '--colour']);
    expect([unknown.code, group.code, option.code]).toEqual([EXIT.usage, EXIT.usage, EXIT.usage]);
    expect(unknown.err).toContain('unknown command "deploy"');
    expect(group.err).toContain('unknown subscriptions command "purge"');
    expect(group.err).toContain('omnihub subscriptions list');
    expect(option.err).toContain("'--colour'");
  });

  it('refuses a queue the hub does not have, listing those it has', async () => {
    const res = await omnihub(['dlq', 'redrive', 'nope']);
    expect(res.code).toBe(EXIT.usage);
    expect(res.err).toContain(
      'No queue named "nope" (have: profile-writer, hydrator, sender, message-status, sub-crm-leads;',
    );
  });
});

describe('CLI: subscriptions test', () => {
  it('normalizes a raw vendor payload and says MATCH (exit 0) or NO MATCH (exit 1)', async () => {
    const lead = await omnihub([
      'subscriptions',
      'test',
      'crm-leads',
      '--event',
      'functions/connectors/marquiz/fixtures/lead.json',
      '--connector',
      'marquiz',
    ]);
    const message = await omnihub([
      'subscriptions',
      'test',
      'crm-leads',
      '--event',
      'functions/connectors/whatsapp/fixtures/message-text.json',
      '--connector',
      'whatsapp',
    ]);
    expect(lead.code).toBe(EXIT.ok);
    expect(lead.out).toMatch(/^MATCH {5}crm-leads ← lead\.submitted evt_/);
    expect(message.code).toBe(EXIT.failed);
    expect(message.out).toMatch(/^NO MATCH {2}crm-leads ← message\.received evt_/);
  });
});

describe("CLI: subscriptions test with the hub's own notifications", () => {
  it('parses a customer.* notification with its contract and matches it like EventBridge', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'omnihub-cli-event-'));
    const file = join(dir, 'merged.json');
    const { detail } = customerEvent('customer.merged', {
      occurredAt: '2025-01-01T00:00:00.000Z',
      customerId: 'cus_a',
      relatedIds: ['cus_b'],
    });
    writeFileSync(file, JSON.stringify(detail));
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ ...(detail as object), relatedIds: 'cus_b' }));
    const follow: SubscriptionInput[] = [
      {
        name: 'crm-merges',
        pattern: { source: ['omnihub.hub'] },
        target: { type: 'webhook', url: 'https://crm.example.com/h' },
      },
    ];

    // Act
    const res = await omnihub(['subscriptions', 'test', 'crm-merges', '--event', file], {}, follow);
    const bad = await omnihub(['subscriptions', 'test', 'crm-merges', '--event', join(dir, 'bad.json')], {}, follow);
    rmSync(dir, { recursive: true, force: true });

    // Assess
    expect(res.code).toBe(EXIT.ok);
    expect(res.out).toMatch(/^MATCH {5}crm-merges ← customer\.merged evt_/);
    expect(bad.code).toBe(EXIT.usage);
    expect(bad.err).toMatch(/bad\.json is not a valid event: .*relatedIds/);
  });
});

describe('CLI: against a running hub', () => {
  let hub: LocalHub;
  let crm: Receiver;
  let subscriptions: SubscriptionInput[];
  const dataDir = mkdtempSync(join(tmpdir(), 'omnihub-cli-hub-'));
  const env = () => ({ OMNIHUB_URL: hub.url, OMNIHUB_API_TOKEN: hub.apiToken, OMNIHUB_SECRET_MARQUIZ: TEST_SECRET });

  beforeAll(async () => {
    // The subscriber is down: every delivery fails and, with one attempt allowed, is dead-lettered.
    crm = await startReceiver({ reply: () => ({ status: 500 }) });
    subscriptions = SUBSCRIPTIONS.map((s) => ({ ...s, target: { type: 'webhook', url: crm.url } }));
    hub = await startTestHub({ subscriptions, dataDir });
  });
  afterAll(async () => {
    await hub?.stop();
    await crm?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('sends a signed sample, shows the dead letter live, redrives it and replays the archive', async () => {
    // Act 1: a signed Marquiz lead, acknowledged by the hub.
    const sent = await omnihub(['send', 'marquiz', 'lead.json'], env(), subscriptions);
    await crm.waitFor(1);
    await hub.subscriptions.idle();
    // The profile writer may still be applying the lead when the subscriber has answered (a loaded machine).
    await hub.idle();

    // Assess 1
    expect(sent.code).toBe(EXIT.ok);
    expect(sent.out).toMatch(
      /^POST \/webhooks\/marquiz ← functions\/connectors\/marquiz\/fixtures\/lead\.json\nHTTP 200 /,
    );

    // Act 2: the live list shows the failure.
    const listed = await omnihub(['subscriptions', 'list', '--live'], env(), subscriptions);
    expect(listed.code).toBe(EXIT.ok);
    expect(listed.out).toContain('crm-leads\n  target   webhook → http://127.0.0.1:');
    expect(listed.out).toMatch(/stats {4}0 delivered, 1 failed attempts, 1 dead-lettered, queue 0 pending \/ 1 in DLQ/);

    // Act 3: the hub's queues, then the subscription's dead letter by its event id.
    const queues = await omnihub(['dlq', 'list'], env(), subscriptions);
    const letters = await omnihub(['dlq', 'list', 'crm-leads', '--json'], env(), subscriptions);
    expect(queues.code).toBe(EXIT.ok);
    expect(queues.out.split('\n')).toEqual([
      'QUEUE             PENDING  IN FLIGHT       DEAD',
      'profile-writer          0          0          0',
      'hydrator                0          0          0',
      'sender                  0          0          0',
      'message-status          0          0          0',
      'sub-crm-leads           0          0          1',
    ]);
    expect(JSON.parse(letters.out)).toMatchObject({
      name: 'sub-crm-leads',
      deadLetters: [{ eventId: expect.stringMatching(/^evt_/), detailType: 'lead.submitted', reason: 'dispatcher' }],
    });

    // Act 4: redrive puts it back in the queue; the subscriber is still down, so it is tried again.
    const redriven = await omnihub(['dlq', 'redrive', 'crm-leads'], env(), subscriptions);
    await crm.waitFor(2);
    expect(redriven.code).toBe(EXIT.ok);
    expect(redriven.out).toBe('1 dead letter(s) of sub-crm-leads moved back into the queue');

    // Act 5: replay the last minute of the archive, as JSON.
    const now = Date.now();
    const replayed = await omnihub(
      [
        'replay',
        '-s',
        'crm-leads',
        '--from',
        new Date(now - 60_000).toISOString(),
        '--to',
        new Date(now + 1_000).toISOString(),
        '--json',
      ],
      env(),
      subscriptions,
    );
    expect(replayed.code).toBe(EXIT.ok);
    expect(JSON.parse(replayed.out)).toMatchObject({ subscription: 'crm-leads', state: 'COMPLETED', replayed: 1 });
  });

  it('exits 4 when the hub refuses the token, and 3 when no hub answers', async () => {
    const refused = await omnihub(['subscriptions', 'list', '--live', '--token', 'wrong'], env(), subscriptions);
    const down = await omnihub(
      ['dlq', 'redrive', 'crm-leads', '--url', 'http://127.0.0.1:9', '--token', 't'],
      {},
      subscriptions,
    );
    expect(refused.code).toBe(EXIT.unauthorized);
    expect(refused.err).toContain('HTTP 401 unauthorized');
    expect(down.code).toBe(EXIT.unreachable);
    expect(down.err).toContain('Cannot reach the hub at http://127.0.0.1:9');
  });

  it('prints the metrics as tables, with a progress line per metric', async () => {
    // A Marquiz lead (of 2024-05-01): a web contact of one customer; sent again it is a redelivery, counted once.
    expect((await omnihub(['send', 'marquiz', 'lead.json'], env(), subscriptions)).code).toBe(EXIT.ok);
    await hub.idle();
    const period = ['--from', '2024-04-29T00:00:00Z', '--to', '2024-05-06T00:00:00Z', '--granularity', 'day'];
    const res = await omnihub(['metrics', ...period, '--metric', 'channel_mix,nps_csat'], env());
    expect(res.code).toBe(EXIT.ok);
    expect(res.err).toMatch(/^\[1\/2\] channel_mix…\n\[1\/2\] channel_mix in \d+\.\d s\n\[2\/2\] nps_csat…/);
    expect(res.out).toMatch(/^Metrics 2024-04-29T00:00:00.000Z → 2024-05-06T00:00:00.000Z by day \(UTC\)/);
    expect(res.out).toMatch(/channel_mix\n {2}bucket +channel +contacts +customers\n/);
    expect(res.out).toMatch(/2024-05-01 +web +1 +1\n/);
    const json = await omnihub(['metrics', '--metric', 'read_rate', '--json'], env());
    expect(Object.keys(JSON.parse(json.out).metrics)).toEqual(['read_rate']);
    const bad = await omnihub(['metrics', '--metric', 'churn'], env());
    expect(bad.code).toBe(EXIT.failed);
    expect(bad.err).toContain('unknown metric churn');
  });

  it("exits 1 with the hub's message when it refuses the request", async () => {
    const future = new Date(Date.now() + 86_400_000).toISOString();
    const res = await omnihub(
      ['replay', '-s', 'crm-leads', '--from', new Date().toISOString(), '--to', future],
      env(),
      subscriptions,
    );
    expect(res.code).toBe(EXIT.failed);
    expect(res.err).toContain('HTTP 400 malformed_request: Invalid replay request');
    expect(res.err).toContain('must not be in the future');
  });
});
