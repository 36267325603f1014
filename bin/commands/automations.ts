/**
 * `omnihub automations list` and `omnihub automations test <name> --event
 * <file>`: what automations.config.ts declares, and whether an event would
 * start (or cancel) a run and what the run would send — offline, with the
 * matcher the bus uses. Whether the customer can be reached on a channel
 * right now is `omnihub reach <customer> --purpose <purpose>`.
 */
import type { Automation, AutomationsFile } from '../../functions/automations/config.js';
import { previewPlaceholders } from '../../functions/automations/placeholders.js';
import { validateAutomations } from '../../functions/automations/validate.js';
import { compilePattern } from '../../functions/events/pattern-matcher.js';
import { type CliContext, type Command, EXIT, parseCommandArgs, printResult, UsageError } from '../cli.js';
import { describeEnvelope, readEventFile } from './subscriptions-test.js';

const LIST_HELP = `omnihub automations list [--json]

Lists the automations of automations.config.ts: name, trigger, wait, what
cancels it, what it sends, and the marketing frequency cap.`;

const TEST_HELP = `omnihub automations test <name> --event <file> [--connector <name>]

Tells whether an event would start a run of the automation (its \`when\`) or
cancel a waiting one (its \`unless\`), with the matcher the bus uses, and what
the run would send. <file> is an EventBridge envelope, a hub event, a JSON
array of them, or — with --connector — a raw vendor payload, normalized first.
Exit code 0 when an event starts a run, 1 when none does.`;

const load = async (ctx: Pick<CliContext, 'automations'>): Promise<AutomationsFile> => {
  try {
    return validateAutomations(ctx.automations ?? (await import('../../automations.config.js')).automations);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
};

const sendsWhat = (a: Automation): string => {
  const s = a.send;
  const content = [
    s.template ? `template ${s.template.name} (${s.template.language})` : undefined,
    s.text !== undefined ? `text ${JSON.stringify(s.text)}` : undefined,
  ].filter(Boolean);
  const on =
    s.channel === 'trigger'
      ? 'the channel the trigger names (a form’s WhatsApp/Telegram contact), then the reachability rules'
      : (s.channel ?? 'the channel the reachability rules choose');
  return `${s.purpose} ${content.join(' / ')} on ${on}`;
};

/** The text and parameters as this trigger fills them (profile placeholders stay: filled per customer). */
const previewLines = (a: Automation, event: unknown): string[] => {
  const texts = [
    ...(a.send.text !== undefined ? [['text', a.send.text] as const] : []),
    ...(a.send.template?.parameters ?? []).map((p, i) => [`{{${i + 1}}}`, p] as const),
  ];
  return texts
    .filter(([, t]) => t.includes('{{'))
    .map(([label, t]) => `  ${label.padEnd(7)} ${JSON.stringify(previewPlaceholders(t, event))}`);
};

export const automationsListCommand: Command = {
  words: ['automations', 'list'],
  summary: 'list the automations of automations.config.ts',
  help: LIST_HELP,
  async run(args, ctx) {
    const { values } = parseCommandArgs(args, {}, LIST_HELP);
    const file = await load(ctx);
    if (values.json) {
      printResult(ctx, true, file, '');
      return EXIT.ok;
    }
    if (file.automations.length === 0) {
      ctx.io.out('No automations. Add one to automations.config.ts (docs/automations.md).');
      return EXIT.ok;
    }
    for (const a of file.automations) {
      ctx.io.out(`${a.name}${a.enabled ? '' : ' (disabled)'}${a.description ? ` — ${a.description}` : ''}`);
      ctx.io.out(`  when     ${JSON.stringify(a.when)}`);
      if (a.wait) ctx.io.out(`  wait     ${a.wait}`);
      if (a.unless) ctx.io.out(`  unless   ${JSON.stringify(a.unless)}`);
      ctx.io.out(`  sends    ${sendsWhat(a)}`);
      if (a.quietHours) ctx.io.out(`  quiet    ${a.quietHours} (the customer's time zone)`);
    }
    if (file.marketingCap)
      ctx.io.out(`Marketing cap: at most ${file.marketingCap.max} per customer within ${file.marketingCap.per}.`);
    return EXIT.ok;
  },
};

export const automationsTestCommand: Command = {
  words: ['automations', 'test'],
  summary: 'would an event (file) start an automation, and what would it send? exit 0 if so',
  help: TEST_HELP,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(
      args,
      { event: { type: 'string' }, connector: { type: 'string' } },
      TEST_HELP,
    );
    const name = positionals[0];
    if (!name) throw new UsageError('Missing the automation name', TEST_HELP);
    const file = await load(ctx);
    const automation = file.automations.find((a) => a.name === name);
    if (!automation)
      throw new UsageError(
        `No automation named "${name}" in automations.config.ts (have: ${file.automations.map((a) => a.name).join(', ') || 'none'})`,
      );
    const envelopes = readEventFile(values.event, values.connector, TEST_HELP);
    const when = compilePattern(automation.when);
    const unless = automation.unless ? compilePattern(automation.unless) : undefined;
    let started = 0;
    for (const envelope of envelopes) {
      const what = describeEnvelope(envelope);
      if (when(envelope)) {
        started++;
        ctx.io.out(`FIRES     ${automation.name} ← ${what}`);
        ctx.io.out(
          `  ${automation.wait ? `after ${automation.wait}${automation.unless ? ', unless an event matching its `unless` comes first,' : ''}` : 'at once,'} sends ${sendsWhat(automation)}`,
        );
        if (!automation.enabled) ctx.io.out('  (the automation is disabled: the hub does not run it)');
        for (const line of previewLines(automation, (envelope as { detail?: unknown }).detail)) ctx.io.out(line);
      } else if (unless?.(envelope))
        ctx.io.out(`CANCELS   ${automation.name} ← ${what} (a waiting run of that customer)`);
      else ctx.io.out(`NO MATCH  ${automation.name} ← ${what}`);
    }
    if (envelopes.length === 0) ctx.io.out('The payload produced no hub events.');
    return started > 0 ? EXIT.ok : EXIT.failed;
  },
};
