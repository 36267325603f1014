/** `omnihub dlq redrive <queue>`: a queue's dead letters back into it. */
import { QueueRedriveSchema } from '../../functions/handlers/api/queues.js';
import { type Command, EXIT, parseCommandArgs, printResult, TARGET_HELP } from '../cli.js';
import { HubClient } from '../hub-client.js';
import { resolveQueueName } from '../support/queues.js';

const HELP = `omnihub dlq redrive <queue> [--aws [--stage <stage>] | --url <url>]

Moves the dead letters of one of the hub's queues back into it, so they are
processed again: profile-writer, hydrator, sender, message-status, or a
subscription (sub-<name>, or just its name). Fix the cause first; consumers are idempotent, so a repeated
redrive changes nothing. Locally the messages move at once. On AWS (--aws,
the shell's credentials, --stage defaults to dev) one SQS message move task
starts per non-empty dead-letter queue; follow it with omnihub dlq list <queue> --aws.

${TARGET_HELP}`;

export const dlqRedriveCommand: Command = {
  words: ['dlq', 'redrive'],
  summary: "move a queue's dead letters back into it (a hub rule's or a subscription's)",
  help: HELP,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(args, {}, HELP);
    const name = await resolveQueueName(ctx, positionals[0], HELP);
    const result = values.aws
      ? await (await (await import('../support/aws-queues.js')).awsHubQueues(values.stage ?? 'dev', ctx)).redrive(name)
      : await HubClient.fromOptions(values, ctx).post(`/v1/queues/${encodeURIComponent(name)}/redrive`, {
          schema: QueueRedriveSchema,
        });
    const text =
      'moved' in result
        ? `${result.moved} dead letter(s) of ${result.queue} moved back into the queue`
        : result.tasks.length === 0
          ? `${result.queue} has no dead letters`
          : result.tasks
              .map(
                (t) =>
                  `Message move task ${t.taskHandle ?? '?'} started from ${t.source} (~${t.approximateMessagesToMove ?? '?'} message(s))`,
              )
              .join('\n');
    printResult(ctx, values.json, result, text);
    return EXIT.ok;
  },
};
