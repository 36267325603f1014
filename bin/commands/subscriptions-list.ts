/** `omnihub subscriptions list`: what subscriptions.config.ts declares, with live counters from a hub. */
import { SubscriptionListSchema } from '../../functions/handlers/api/subscriptions.js';
import type { Subscription } from '../../functions/subscriptions/config.js';
import { type Command, EXIT, parseCommandArgs, printResult, TARGET_HELP } from '../cli.js';
import { HubClient } from '../hub-client.js';
import { loadSubscriptions } from '../support/subscriptions.js';

const HELP = `omnihub subscriptions list [--live] [--json] [--url <url>] [--token <token>]

Lists the subscriptions of subscriptions.config.ts: name, target, pattern.
--live adds delivery counters and queue depths from a running hub.

${TARGET_HELP}`;

const targetLocation = (s: Subscription): string => {
  switch (s.target.type) {
    case 'webhook':
    case 'apiDestination':
      return s.target.url;
    case 'sqs':
      return s.target.queueArn;
    case 'lambda':
      return s.target.functionArn;
    case 'eventBus':
      return s.target.eventBusArn;
  }
};

export const subscriptionsListCommand: Command = {
  words: ['subscriptions', 'list'],
  summary: 'list the subscriptions (--live: with delivery counters from a hub)',
  help: HELP,
  async run(args, ctx) {
    const { values } = parseCommandArgs(args, { live: { type: 'boolean' } }, HELP);
    const subscriptions = await loadSubscriptions(ctx);
    const live = values.live
      ? (await HubClient.fromOptions(values, ctx).get('/v1/subscriptions', { schema: SubscriptionListSchema }))
          .subscriptions
      : undefined;
    if (values.json) {
      printResult(ctx, true, live ?? subscriptions, '');
      return EXIT.ok;
    }
    if (subscriptions.length === 0) {
      ctx.io.out('No subscriptions. Add one to subscriptions.config.ts (docs/subscriptions.md).');
      return EXIT.ok;
    }
    for (const s of subscriptions) {
      ctx.io.out(
        `${s.name}${s.enabled ? '' : ' (disabled)'}\n  target   ${s.target.type} → ${targetLocation(s)}\n  pattern  ${JSON.stringify(s.pattern)}`,
      );
      if (s.transform) ctx.io.out(`  transform ${JSON.stringify(s.transform)}`);
      const stats = live?.find((x) => x.name === s.name);
      if (!stats) continue;
      const d = stats.deliveries;
      const q = stats.queue ? `, queue ${stats.queue.pending ?? 0} pending / ${stats.queue.deadLettered} in DLQ` : '';
      ctx.io.out(
        `  stats    ${d.delivered} delivered, ${d.failedAttempts} failed attempts, ${d.deadLettered} dead-lettered${d.matched ? `, ${d.matched} matched` : ''}${q}${d.lastError ? `\n  last failure ${d.lastError}` : ''}`,
      );
    }
    return EXIT.ok;
  },
};
