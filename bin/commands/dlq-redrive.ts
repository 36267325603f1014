/** `omnihub dlq redrive`: a subscription's dead letters back to its queue. */
import { RedriveResponseSchema } from '../../functions/handlers/api/subscriptions.js';
import { type Command, EXIT, parseCommandArgs, printResult, TARGET_HELP } from '../cli.js';
import { HubClient } from '../hub-client.js';
import { onAws } from '../support/on-aws.js';
import { requireSubscription } from '../support/subscriptions.js';

const HELP = `omnihub dlq redrive <subscription> [--aws [--stage <stage>] | --url <url>]

Moves the subscription's dead letters back to its queue, so they are
delivered again (webhook subscriptions). On AWS (--aws, the shell's
credentials, --stage defaults to dev): an SQS message move task.

${TARGET_HELP}`;

export const dlqRedriveCommand: Command = {
  words: ['dlq', 'redrive'],
  summary: "move a subscription's dead letters back to its queue",
  help: HELP,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(args, {}, HELP);
    const subscription = await requireSubscription(ctx, positionals[0], HELP);
    const result = values.aws
      ? {
          subscription: subscription.name,
          ...(await (await onAws(values.stage, ctx)).redrive(subscription.name)),
        }
      : await HubClient.fromOptions(values, ctx).post(
          `/v1/subscriptions/${encodeURIComponent(subscription.name)}/redrive`,
          { schema: RedriveResponseSchema },
        );
    const text =
      'moved' in result
        ? `${result.moved} dead letter(s) of ${subscription.name} back in its queue`
        : `Message move task ${result.taskHandle} started (~${result.approximateMessages ?? '?'} message(s))`;
    printResult(ctx, values.json, result, text);
    return EXIT.ok;
  },
};
