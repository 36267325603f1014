/** `omnihub replay`: backfill one subscription from the archive, locally or on a deployed stage. */
import { ReplayResponseSchema } from '../../functions/handlers/api/subscriptions.js';
import { type Command, EXIT, parseCommandArgs, printResult, TARGET_HELP, UsageError } from '../cli.js';
import { HubClient } from '../hub-client.js';
import { onAws } from '../support/on-aws.js';
import { requireSubscription } from '../support/subscriptions.js';

const HELP = `omnihub replay --subscription <name> --from <ISO time> --to <ISO time> [--aws [--stage <stage>] | --url <url>]

Re-delivers the archived hub events with from <= time < to to this
subscription only (a backfill). Deliveries are marked: header
"omnihub-replay: <replay name>" and "replay-name" in the envelope.
Locally it reads the archive (<data dir>/archive.jsonl) through the running
hub; with --aws it starts an EventBridge replay of the stage's archive
filtered to the subscription's rule (AWS credentials of the shell;
--stage defaults to dev).

${TARGET_HELP}`;

const isoTime = (value: string | undefined, option: string, example: string): Date => {
  const time = value ? new Date(value) : undefined;
  if (!time || Number.isNaN(time.getTime()))
    throw new UsageError(`${option} must be an ISO time, e.g. ${example}`, HELP);
  return time;
};

export const replayCommand: Command = {
  words: ['replay'],
  summary: 're-deliver a time window of the archive to one subscription',
  help: HELP,
  async run(args, ctx) {
    const { values } = parseCommandArgs(
      args,
      { subscription: { type: 'string', short: 's' }, from: { type: 'string' }, to: { type: 'string' } },
      HELP,
    );
    const subscription = await requireSubscription(ctx, values.subscription, HELP);
    const from = isoTime(values.from, '--from', '2025-01-01T00:00:00Z');
    const to = isoTime(values.to, '--to', '2025-02-01T00:00:00Z');
    if (from >= to) throw new UsageError('--from must be before --to', HELP);
    const result = values.aws
      ? {
          subscription: subscription.name,
          from: from.toISOString(),
          to: to.toISOString(),
          ...(await (await onAws(values.stage, ctx)).replay(subscription.name, { from, to })),
        }
      : await HubClient.fromOptions(values, ctx).post(
          `/v1/subscriptions/${encodeURIComponent(subscription.name)}/replay`,
          {
            body: { from: from.toISOString(), to: to.toISOString() },
            schema: ReplayResponseSchema,
          },
        );
    const detail =
      result.replayed !== undefined
        ? `${result.replayed} archived event(s) re-delivered`
        : `EventBridge replay ${result.state}; follow it with: aws events describe-replay --replay-name ${result.replayName}`;
    printResult(ctx, values.json, result, `Replay ${result.replayName} → ${subscription.name}: ${detail}`);
    return EXIT.ok;
  },
};
