/**
 * AWS wiring of the subscription side: clients created once per execution
 * environment, configured from the function's own configuration
 * (`FUNCTION_CONFIGS.dispatcher`, `.api`).
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { AwsSubscriptionOperations } from '../../../adapters/aws/aws-subscription-operations.js';
import { DynamoDeliveryLog } from '../../../adapters/aws/dynamodb-delivery-log.js';
import { awsStoreClient } from '../../../adapters/aws/dynamodb-client.js';
import { SecretsManagerSubscriptionSecrets } from '../../../adapters/aws/secrets-manager-subscription-secrets.js';
import { SqsDeliveryQueue } from '../../../adapters/aws/sqs-delivery-queue.js';
import { DynamoItemStore } from '../../../adapters/aws/dynamodb-item-store.js';
import { ErasureHolds } from '../../../adapters/store/erasure-holds.js';
import { AppliedCustomers } from '../../../adapters/store/applied-customers.js';
import type { SubscriptionOperations } from '../../../ports.js';
import { ConfigError, ENV } from '../../../shared/config.js';
import type { Subscription } from '../../../subscriptions/config.js';

let clients: { dynamo: ReturnType<typeof awsStoreClient>; sqs: SQSClient; eventBridge: EventBridgeClient } | undefined;
const awsClients = () =>
  (clients ??= { dynamo: awsStoreClient(), sqs: new SQSClient({}), eventBridge: new EventBridgeClient({}) });

/** Recent attempts and counters per subscription, in the hub table. */
export const awsDeliveryLog = (tableName: string) => new DynamoDeliveryLog(awsClients().dynamo, { tableName });

/** Everything the dispatcher Lambda needs besides the subscriptions. */
export const awsDispatcherDeps = (config: {
  readonly tableName: string;
  readonly subscriptionPrefix: string;
  readonly subscriptionSecretPrefix: string;
  readonly lifespanYears: number;
}) => ({
  queueNamePrefix: config.subscriptionPrefix,
  secrets: new SecretsManagerSubscriptionSecrets(config.subscriptionSecretPrefix),
  queue: new SqsDeliveryQueue(awsClients().sqs),
  log: awsDeliveryLog(config.tableName),
  // Reads the erasure holds (H#… keys) of the hub table: an erased customer's events are not delivered.
  erasures: new ErasureHolds(new DynamoItemStore(awsClients().dynamo, config.tableName)),
  // Reads identity links and profiles (I#…, C#…): `enrich: 'customer'` deliveries carry the customer.
  customers: new AppliedCustomers(new DynamoItemStore(awsClients().dynamo, config.tableName)),
  lifespanYears: config.lifespanYears,
});

/**
 * Operations for the `api` function. A hub with subscriptions must be told
 * where their queues and the bus are (the stack sets the variables only
 * then): missing, the function fails at start, naming them.
 */
export const awsSubscriptionOperations = (
  subscriptions: readonly Subscription[],
  config: { readonly subscriptionPrefix?: string; readonly eventBusArn?: string; readonly archiveArn?: string },
): SubscriptionOperations => {
  const { subscriptionPrefix, eventBusArn } = config;
  if (!subscriptionPrefix || !eventBusArn) {
    if (subscriptions.length > 0)
      throw new ConfigError('api', [
        ...(subscriptionPrefix ? [] : [`${ENV.subscriptionPrefix} is not set`]),
        ...(eventBusArn ? [] : [`${ENV.eventBusArn} is not set`]),
      ]);
    // No subscriptions: nothing can name one, so no operation is ever asked for.
    const none = (): never => {
      throw new Error('No subscriptions are configured');
    };
    return { queueDepth: none, redrive: none, replay: none };
  }
  return new AwsSubscriptionOperations(awsClients(), {
    subscriptions,
    prefix: subscriptionPrefix,
    eventBusArn,
    ...(config.archiveArn ? { archiveArn: config.archiveArn } : {}),
  });
};
