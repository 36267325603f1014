/** `omnihub dlq list [<queue>]`: the hub's queues and their dead letters. */
import { QueueDetailSchema, QueueListSchema } from '../../functions/handlers/api/queues.js';
import { type Command, EXIT, parseCommandArgs, printResult, TARGET_HELP } from '../cli.js';
import { HubClient } from '../hub-client.js';
import { queueTable, resolveQueueName } from '../support/queues.js';

const HELP = `omnihub dlq list [<queue>] [--aws [--stage <stage>] | --url <url>]

Without a queue: every queue the hub owns (profile-writer, hydrator, sender,
message-status, sub-<subscription>) with what is pending, in flight and
dead-lettered.
With one: its dead letters — locally each one's event id, type, receives,
when and why (never the content); on AWS (--aws, the shell's credentials,
--stage defaults to dev) the redrives (SQS message move tasks) under way.

${TARGET_HELP}`;

export const dlqListCommand: Command = {
  words: ['dlq', 'list'],
  summary: "list the hub's queues and their dead letters",
  help: HELP,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(args, {}, HELP);
    const aws = values.aws
      ? await (await import('../support/aws-queues.js')).awsHubQueues(values.stage ?? 'dev', ctx)
      : undefined;
    if (!positionals[0]) {
      const list = aws
        ? { queues: await aws.list() }
        : await HubClient.fromOptions(values, ctx).get('/v1/queues', { schema: QueueListSchema });
      printResult(ctx, values.json, list, queueTable(list.queues));
      return EXIT.ok;
    }
    const name = await resolveQueueName(ctx, positionals[0], HELP);
    const detail = aws
      ? await aws.describe(name)
      : await HubClient.fromOptions(values, ctx).get(`/v1/queues/${encodeURIComponent(name)}`, {
          schema: QueueDetailSchema,
        });
    const lines = [queueTable([detail])];
    for (const d of detail.deadLetters ?? [])
      lines.push(
        `  ${d.deadLetteredAt ?? '?'}  ${d.eventId ?? d.messageId}  ${d.detailType ?? ''}  ${d.receiveCount} receive(s)${d.reason ? `  ${d.reason}` : ''}`,
      );
    for (const t of detail.moveTasks ?? [])
      lines.push(
        `  redrive ${t.status ?? '?'} from ${t.source}: ${t.approximateMessagesMoved ?? 0}/${t.approximateMessagesToMove ?? '?'} moved${t.startedAt ? `, started ${t.startedAt}` : ''}${t.failureReason ? ` (${t.failureReason})` : ''}`,
      );
    printResult(ctx, values.json, detail, lines.join('\n'));
    return EXIT.ok;
  },
};
