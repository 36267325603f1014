/**
 * AWS wiring of the subscription side: clients created once per execution
 * environment, the subscription environment read and validated on first use
 * (an `api` function without subscriptions never needs it).
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { ENV } from '../../../shared/config.js';
import type { Subscription } from '../../../subscriptions/config.js';
import { SUBSCRIPTION_ENV } from '../../../subscriptions/naming.js';
import type { DeliveryLog, SubscriptionOperations } from '../../../ports.js';
import { AwsSubscriptionOperations } from '../../../adapters/aws/aws-subscription-operations.js';
import { DynamoDeliveryLog } from '../../../adapters/aws/dynamodb-delivery-log.js';
import { awsStoreClient } from '../../../adapters/aws/dynamodb-client.js';
import { SecretsManagerSubscriptionSecrets } from '../../../adapters/aws/secrets-manager-subscription-secrets.js';
import { SqsDeliveryQueue } from '../../../adapters/aws/sqs-delivery-queue.js';

const SubscriptionEnvSchema = z.object({
  [ENV.tableName]: z.string().min(1),
  [SUBSCRIPTION_ENV.prefix]: z.string().regex(/^omnihub-[a-z0-9-]+-sub-$/),
  [SUBSCRIPTION_ENV.secretPrefix]: z.string().min(1).optional(),
  [SUBSCRIPTION_ENV.eventBusArn]: z.string().startsWith('arn:').optional(),
  [SUBSCRIPTION_ENV.archiveArn]: z.string().startsWith('arn:').optional(),
});
type SubscriptionEnv = z.infer<typeof SubscriptionEnvSchema>;

let env: SubscriptionEnv | undefined;
/** Throws naming every missing or malformed variable. */
const subscriptionEnv = (): SubscriptionEnv => {
  if (env) return env;
  const result = SubscriptionEnvSchema.safeParse(process.env);
  if (!result.success) {
    throw new Error(
      `Invalid subscription configuration: ${result.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`).join('; ')}`,
    );
  }
  env = result.data;
  return env;
};

const required = (name: string, value: string | undefined): string => {
  if (!value) throw new Error(`${name} environment variable is not set`);
  return value;
};

let clients: { dynamo: ReturnType<typeof awsStoreClient>; sqs: SQSClient; eventBridge: EventBridgeClient } | undefined;
const awsClients = () =>
  (clients ??= { dynamo: awsStoreClient(), sqs: new SQSClient({}), eventBridge: new EventBridgeClient({}) });

export const awsDeliveryLog = () =>
  new DynamoDeliveryLog(awsClients().dynamo, { tableName: subscriptionEnv()[ENV.tableName] });

/** Everything the dispatcher Lambda needs besides the subscriptions. */
export const awsDispatcherDeps = () => {
  const e = subscriptionEnv();
  return {
    queueNamePrefix: e[SUBSCRIPTION_ENV.prefix],
    secrets: new SecretsManagerSubscriptionSecrets(
      required(SUBSCRIPTION_ENV.secretPrefix, e[SUBSCRIPTION_ENV.secretPrefix]),
    ),
    queue: new SqsDeliveryQueue(awsClients().sqs),
    log: awsDeliveryLog(),
  };
};

/**
 * Operations for the `api` function, created on first use so the read API
 * of a hub without subscriptions runs without the subscription variables.
 */
export const awsSubscriptionOperations = (subscriptions: readonly Subscription[]): SubscriptionOperations => {
  let operations: AwsSubscriptionOperations | undefined;
  const get = () => {
    if (operations) return operations;
    const e = subscriptionEnv();
    operations = new AwsSubscriptionOperations(awsClients(), {
      subscriptions,
      prefix: e[SUBSCRIPTION_ENV.prefix],
      eventBusArn: required(SUBSCRIPTION_ENV.eventBusArn, e[SUBSCRIPTION_ENV.eventBusArn]),
      ...(e[SUBSCRIPTION_ENV.archiveArn] ? { archiveArn: e[SUBSCRIPTION_ENV.archiveArn] } : {}),
    });
    return operations;
  };
  return {
    queueDepth: (name) => get().queueDepth(name),
    redrive: (name) => get().redrive(name),
    replay: (name, window) => get().replay(name, window),
  };
};

/** The delivery log, created on first use (the table name comes from the shared config). */
export const lazyDeliveryLog = (): DeliveryLog => {
  let log: DynamoDeliveryLog | undefined;
  const get = () =>
    (log ??= new DynamoDeliveryLog(awsClients().dynamo, {
      tableName: required(ENV.tableName, process.env[ENV.tableName]),
    }));
  return {
    record: (a) => get().record(a),
    recent: (name, opts) => get().recent(name, opts),
    stats: (name) => get().stats(name),
  };
};
