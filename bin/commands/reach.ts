/** `omnihub reach`: how the hub would reach a customer now, channel by channel (a dry run). */
import type { z } from 'zod';
import { ReachabilitySchema } from '../../functions/handlers/api/messages.js';
import { PURPOSES } from '../../functions/domain/reachability/types.js';
import { type Command, EXIT, parseCommandArgs, printResult, TARGET_HELP, UsageError } from '../cli.js';
import { HubClient } from '../hub-client.js';
import { resolveCustomerId } from '../support/customers.js';

const HELP = `omnihub reach <customerId | type:value> [--purpose service|transactional|marketing] [--channel <channel>]

Prints the ordered channel plan the hub would use for a message now, each
channel allowed or refused with its reason codes and a sentence (nothing is
sent). --purpose defaults to service. Example:
  omnihub reach phone:+380501112233 --purpose marketing

${TARGET_HELP}`;

/** The plan as lines a person reads: one channel per line, the chosen one marked. */
export const renderPlan = (plan: z.output<typeof ReachabilitySchema>): string =>
  [
    `${plan.customerId} · ${plan.purpose} · ${plan.outcome}${plan.chosen ? ` → ${plan.chosen}` : ''}${
      plan.notBefore ? ` not before ${plan.notBefore}` : ''
    } (quiet hours in ${plan.timeZone.zone})`,
    ...plan.channels.map(
      (c, i) =>
        `${c.channel === plan.chosen ? '→' : ' '} ${i + 1}. ${c.channel.padEnd(9)} ${(c.allowed ? `allowed${c.mode ? ` (${c.mode})` : ''}` : 'refused').padEnd(18)} ${c.reasons.join(', ')}\n       ${c.message}`,
    ),
  ].join('\n');

export const reachCommand: Command = {
  words: ['reach'],
  summary: 'show how the hub would reach a customer now (channel plan, nothing sent)',
  help: HELP,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(
      args,
      { purpose: { type: 'string' }, channel: { type: 'string' } },
      HELP,
    );
    const [who] = positionals;
    if (!who) throw new UsageError('Missing the customer: an id or type:value', HELP);
    const purpose = values.purpose ?? 'service';
    if (!(PURPOSES as readonly string[]).includes(purpose))
      throw new UsageError(`--purpose must be one of ${PURPOSES.join(', ')}`, HELP);
    const hub = HubClient.fromOptions(values, ctx);
    const customerId = await resolveCustomerId(hub, who);
    const plan = await hub.get(`/v1/customers/${encodeURIComponent(customerId)}/reachability`, {
      query: { purpose, channel: values.channel },
      schema: ReachabilitySchema,
    });
    printResult(ctx, values.json, plan, renderPlan(plan));
    return EXIT.ok;
  },
};
