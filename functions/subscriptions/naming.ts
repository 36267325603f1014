/**
 * Names of a subscription's resources, shared by the CDK stack, the Lambda
 * functions, the local runtime and the CLI, so each finds the others' queues,
 * rules and secrets by name instead of by configuration.
 */

/** `omnihub-prod` → `omnihub-prod-sub-`: prefix of every subscription rule and queue. */
export const subscriptionPrefix = (stagePrefix: string): string => `${stagePrefix}-sub-`;

/** Rule and (webhook) queue name. */
export const subscriptionResourceName = (stagePrefix: string, name: string): string =>
  `${subscriptionPrefix(stagePrefix)}${name}`;

/** The subscription's dead-letter queue. */
export const deadLetterQueueName = (queueName: string): string => `${queueName}-dlq`;

/**
 * Partition key of a subscription's delivery log items (attempts and
 * counters) in the hub table; the dispatcher's IAM grant is limited to these
 * partitions (`dynamodb:LeadingKeys`).
 */
export const deliveryLogPartition = (subscription: string): string => `S#${subscription}`;

/** Secrets Manager prefix of subscription secrets: `omnihub/<stage>/subscriptions/`. */
export const subscriptionSecretPrefix = (stage: string): string => `omnihub/${stage}/subscriptions/`;

/** The subscription name of a queue ARN (`arn:…:omnihub-prod-sub-crm-leads` → `crm-leads`), or undefined. */
export const subscriptionOfQueueArn = (queueArn: string, prefix: string): string | undefined => {
  const queueName = queueArn.slice(queueArn.lastIndexOf(':') + 1);
  return queueName.startsWith(prefix) ? queueName.slice(prefix.length) : undefined;
};

/**
 * `crm-leads-20250102T030405` style replay names: EventBridge allows
 * `[.\-_A-Za-z0-9]+`, at most 64 characters, unique per account and region.
 */
export const replayName = (stage: string, subscription: string, now: Date): string =>
  `${stage}-${subscription}-${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, '')}`.slice(0, 64);
