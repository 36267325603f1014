/**
 * `/v1/queues` on AWS: the hub's SQS queues, found by name under the ARN
 * prefix the stack sets (`OMNIHUB_QUEUE_ARN_PREFIX`). The client and the
 * variable are read on first use, so the rest of the API runs without them.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { hubQueueDefinitions, SqsHubQueues } from '../../../adapters/aws/sqs-hub-queues.js';
import { HUB_RULES, QUEUE_ARN_PREFIX_ENV } from '../../../events/rules.js';
import type { HubQueueOperations } from '../../../ports.js';
import type { Subscription } from '../../../subscriptions/config.js';

export const awsHubQueues = (subscriptions: readonly Subscription[]): HubQueueOperations => {
  let queues: SqsHubQueues | undefined;
  const get = (): SqsHubQueues => {
    if (queues) return queues;
    const prefix = process.env[QUEUE_ARN_PREFIX_ENV];
    if (!prefix?.startsWith('arn:')) throw new Error(`${QUEUE_ARN_PREFIX_ENV} environment variable is not set`);
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
