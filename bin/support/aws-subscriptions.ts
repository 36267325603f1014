/**
 * The CLI's AWS wiring: the subscription operations of a deployed stage,
 * with the shell's AWS credentials, found by the names the stack gives the
 * bus and archive. Loaded only by `--aws` commands, so the local ones never
 * import the AWS SDK.
 */
import { DescribeArchiveCommand, DescribeEventBusCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { AwsSubscriptionOperations } from '../../functions/adapters/aws/aws-subscription-operations.js';
import { subscriptionPrefix } from '../../functions/subscriptions/naming.js';
import { type CliContext, CommandFailedError } from '../cli.js';
import { loadSubscriptions } from './subscriptions.js';

/** Subscription operations (redrive, replay) on the stage `omnihub-<stage>`. */
export const awsSubscriptionOperations = async (
  stage: string,
  ctx: Pick<CliContext, 'subscriptions'>,
): Promise<AwsSubscriptionOperations> => {
  const eventBridge = new EventBridgeClient({});
  const stagePrefix = `omnihub-${stage}`;
  const bus = await eventBridge.send(new DescribeEventBusCommand({ Name: stagePrefix })).catch((err: unknown) => {
    throw new CommandFailedError(
      `Cannot find the event bus ${stagePrefix} (${err instanceof Error ? err.message : String(err)}); is the stage "${stage}" deployed in this account and region?`,
      { cause: err },
    );
  });
  if (!bus.Arn) throw new CommandFailedError(`The event bus ${stagePrefix} has no ARN`);
  // A stage without an archive can still redrive; replay then says why it cannot.
  const archive = await eventBridge
    .send(new DescribeArchiveCommand({ ArchiveName: `${stagePrefix}-archive` }))
    .catch(() => undefined);
  return new AwsSubscriptionOperations(
    { sqs: new SQSClient({}), eventBridge },
    {
      subscriptions: await loadSubscriptions(ctx),
      prefix: subscriptionPrefix(stagePrefix),
      eventBusArn: bus.Arn,
      ...(archive?.ArchiveArn ? { archiveArn: archive.ArchiveArn } : {}),
    },
  );
};
