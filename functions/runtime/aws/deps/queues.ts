/**
 * `/v1/queues` on AWS: the hub's SQS queues, found by name under the ARN
 * prefix the stack sets (`OMNIHUB_QUEUE_ARN_PREFIX`). The client is created
 * on first use, and a missing prefix fails only these routes.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { hubQueueDefinitions, SqsHubQueues } from '../../../adapters/aws/sqs-hub-queues.js';
import { HUB_RULES } from '../../../events/rules.js';
import { ENV } from '../../../shared/config.js';
import type { HubQueueOperations } from '../../../ports.js';
import type { Subscription } from '../../../subscriptions/config.js';

export const awsHubQueues = (
  subscriptions: readonly Subscription[],
  config: { readonly queueArnPrefix?: string | undefined },
): HubQueueOperations => {
  let queues: SqsHubQueues | undefined;
  const get = (): SqsHubQueues => {
    if (queues) return queues;
    const prefix = config.queueArnPrefix;
    if (!prefix) throw new Error(`${ENV.queueArnPrefix} environment variable is not set`);
    queues = new SqsHubQueues(new SQSClient({}), {
      queueArnPrefix: prefix,
      queues: hubQueueDefinitions(HUB_RULES, subscriptions),
    });
    return queues;
  };
  return {
    list: () => get().list(),
    describe: (name) => get().describe(name),
    redrive: (name) => get().redrive(name),
  };
};
