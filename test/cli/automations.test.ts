/**
 * `omnihub automations list|test`, in-process through the dispatcher: the
 * configured automations, and whether an event (a hub event file, or a raw
 * vendor payload normalized by its connector) would start or cancel a run.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../bin/cli.js';
import { COMMANDS } from '../../bin/commands/index.js';
import { runCli } from '../../bin/dispatch.js';
import type { AutomationsFileInput } from '../../functions/automations/config.js';

const AUTOMATIONS: AutomationsFileInput = {
  automations: [
    {
      name: 'cart-reminder',
      when: { 'detail-type': ['cart.updated'] },
      wait: '1h',
      unless: { 'detail-type': ['order.placed'] },
      send: { purpose: 'marketing', template: { name: 'cart_reminder', language: 'uk' } },
    },
  ],
  marketingCap: { max: 2, per: '7d' },
};

const dir = mkdtempSync(join(tmpdir(), 'omnihub-cli-automations-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const omnihub = async (argv: string[], automations: AutomationsFileInput = AUTOMATIONS) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, COMMANDS, {
    io: { out: (l) => out.push(l), err: (l) => err.push(l) },
    env: {},
    automations,
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
};

describe('CLI: automations', () => {
  it('lists what each automation waits for, what cancels it and what it sends', async () => {
    const res = await omnihub(['automations', 'list']);
    expect(res.code).toBe(EXIT.ok);
    expect(res.out).toContain('cart-reminder');
    expect(res.out).toContain('wait     1h');
    expect(res.out).toContain(
      'sends    marketing template cart_reminder (uk) on the channel the reachability rules choose',
    );
    expect(res.out).toContain('Marketing cap: at most 2 per customer within 7d.');
  });

  it('test: a cart fires it, an order cancels it, a lead does neither (exit 0 / 1 / 1)', async () => {
    const envelope = (type: string, id: string) => {
      const file = join(dir, `${type}.json`);
      writeFileSync(
        file,
        JSON.stringify({ source: 'omnihub.site', 'detail-type': type, detail: { id, type, connector: 'site' } }),
      );
      return file;
    };
    const cart = await omnihub(['automations', 'test', 'cart-reminder', '--event', envelope('cart.updated', 'evt_1')]);
    const order = await omnihub(['automations', 'test', 'cart-reminder', '--event', envelope('order.placed', 'evt_2')]);
    const lead = await omnihub([
      'automations',
      'test',
      'cart-reminder',
      '--event',
      'functions/connectors/marquiz/fixtures/lead.json',
      '--connector',
      'marquiz',
    ]);
    expect(cart.code).toBe(EXIT.ok);
    expect(cart.out).toMatch(/^FIRES {5}cart-reminder ← cart\.updated evt_1/);
    expect(cart.out).toContain('after 1h, unless an event matching its `unless` comes first, sends marketing template');
    expect(order.code).toBe(EXIT.failed);
    expect(order.out).toMatch(/^CANCELS {3}cart-reminder ← order\.placed evt_2/);
    expect(lead.code).toBe(EXIT.failed);
    expect(lead.out).toMatch(/^NO MATCH {2}cart-reminder ← lead\.submitted evt_[0-9a-f]{32}/);
  });

  it('test: shows the text and parameters as the trigger fills them (profile placeholders are per customer)', async () => {
    // Prepare: the quiz acknowledgement with the quiz's name; the Marquiz fixture as the trigger
    const quizAck: AutomationsFileInput = {
      automations: [
        {
          name: 'quiz-ack',
          when: { 'detail-type': ['lead.submitted'] },
          send: {
            purpose: 'service',
            text: '{{profile.firstName | Вітаємо}}, дякуємо за «{{event.data.formName}}»!',
            template: { name: 'lead_received', language: 'uk', parameters: ['{{event.data.result}}'] },
            channel: 'trigger',
          },
        },
      ],
    };

    // Act
    const res = await omnihub(
      [
        'automations',
        'test',
        'quiz-ack',
        '--event',
        'functions/connectors/marquiz/fixtures/lead.json',
        '--connector',
        'marquiz',
      ],
      quizAck,
    );

    // Assess
    expect(res.code).toBe(EXIT.ok);
    expect(res.out).toContain('on the channel the trigger names');
    expect(res.out).toContain('  text    "{{profile.firstName | Вітаємо}}, дякуємо за «Подбор кухни»!"');
    expect(res.out).toContain('  {{1}}   "Угловая кухня"');
  });

  it('refuses an unknown automation and a broken config with exit 2, naming them', async () => {
    const file = join(dir, 'e.json');
    writeFileSync(file, '{}');
    const unknown = await omnihub(['automations', 'test', 'nope', '--event', file]);
    const broken = await omnihub(['automations', 'list'], { automations: [{ name: 'Bad Name' } as never] });
    expect(unknown.code).toBe(EXIT.usage);
    expect(unknown.err).toContain('No automation named "nope" in automations.config.ts (have: cart-reminder)');
    expect(broken.code).toBe(EXIT.usage);
    expect(broken.err).toContain('automations[0].name: kebab-case');
  });
});
