/**
 * The CLI's AWS wiring for `omnihub dlq … --aws`: the hub queues of a
 * deployed stage with the shell's credentials. Their ARNs are derived from
 * the stage's event bus (same region and account) and the names the stack
 * gives them; loaded only with `--aws`, so local commands never import the SDK.
 */
import { DescribeEventBusCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { hubQueueDefinitions, SqsHubQueues } from '../../functions/adapters/aws/sqs-hub-queues.js';
import { HUB_RULES } from '../../functions/events/rules.js';
import { type CliContext, CommandFailedError } from '../cli.js';
import { loadSubscriptions } from './subscriptions.js';

export const awsHubQueues = async (stage: string, ctx: Pick<CliContext, 'subscriptions'>): Promise<SqsHubQueues> => {
  const stagePrefix = `omnihub-${stage}`;
  const bus = await new EventBridgeClient({})
    .send(new DescribeEventBusCommand({ Name: stagePrefix }))
    .catch((err: unknown) => {
      throw new CommandFailedError(
        `Cannot find the event bus ${stagePrefix} (${err instanceof Error ? err.message : String(err)}); is the stage "${stage}" deployed in this account and region?`,
        { cause: err },
      );
    });
  const [, partition, , region, account] = (bus.Arn ?? '').split(':');
  if (!partition || !region || !account) throw new CommandFailedError(`The event bus ${stagePrefix} has no ARN`);
  return new SqsHubQueues(new SQSClient({ region }), {
    queueArnPrefix: `arn:${partition}:sqs:${region}:${account}:${stagePrefix}-`,
    queues: hubQueueDefinitions(HUB_RULES, await loadSubscriptions(ctx)),
  });
};
