/**
 * `HubSubscription`: one subscription of `subscriptions.config.ts` as
 * infrastructure — its own EventBridge rule, its own dead-letter queue and
 * its own retry policy, so one dead subscriber never delays another:
 *
 *   webhook:        bus ─rule─▶ queue ─▶ dispatcher (ESM: batch 1, MaximumConcurrency) ─▶ endpoint
 *                            │     └─▶ DLQ  (dispatcher gives up, or a crash loop via the redrive policy)
 *                            └─▶ DLQ        (EventBridge could not put the event in the queue)
 *   apiDestination: bus ─rule─▶ API destination + connection ─▶ endpoint   (retry policy, DLQ)
 *   sqs / lambda / eventBus:   bus ─rule─▶ target                         (retry policy, DLQ)
 *
 * One alarm fires on the first message in the DLQ. No business logic: the
 * schedule of webhook retries is the dispatcher's (`functions/subscriptions/retry.ts`).
 */
import { Annotations, Duration, SecretValue, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IAlarmAction, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import {
  ApiDestination,
  Authorization,
  Connection,
  EventBus,
  EventField,
  HttpMethod,
  HttpParameter,
  type IEventBus,
  type IRuleTarget,
  Rule,
  RuleTargetInput,
} from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { Function as LambdaFunction, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Subscription } from '../../functions/subscriptions/config.js';
import { deadLetterQueueName } from '../../functions/subscriptions/naming.js';
import { toCdkPattern } from './hub-event-bus.js';

/** Lambda's guidance for SQS event sources: visibility timeout ≥ 6 × function timeout. */
const VISIBILITY_TO_TIMEOUT_RATIO = 6;
/** Lambda's lower bound of an SQS event source's MaximumConcurrency. */
const MIN_ESM_CONCURRENCY = 2;
/** Receives beyond the dispatcher's own maxAttempts before SQS dead-letters a message (a crashing dispatcher). */
const CRASH_LOOP_MARGIN = 3;

export interface HubSubscriptionProps {
  readonly eventBus: IEventBus;
  readonly subscription: Subscription;
  /** Rule and queue name, `omnihub-<stage>-sub-<name>`; the DLQ adds `-dlq`. */
  readonly resourceName: string;
  /** Required for a webhook subscription: the function that consumes its queue. */
  readonly dispatcher?: LambdaFunction;
  /** Required for an API destination: the secret whose `secret` key holds the credential. */
  readonly credentialSecretName?: string;
  /** Retention of the dead-letter queue. @default Duration.days(14) (the SQS maximum) */
  readonly deadLetterRetention?: Duration;
  /** Action of the DLQ alarm (e.g. an SNS topic). @default no action */
  readonly alarmAction?: IAlarmAction;
}

/** The transform as a native InputTransformer: `{ field: <$.path> }`. */
const targetInput = (subscription: Subscription): RuleTargetInput | undefined =>
  subscription.transform
    ? RuleTargetInput.fromObject(
        Object.fromEntries(
          Object.entries(subscription.transform).map(([field, path]) => [field, EventField.fromPath(path)]),
        ),
      )
    : undefined;

export class HubSubscription extends Construct {
  public readonly rule: Rule;
  /** Events that could not be delivered; redrive (webhooks) or replay (native targets) after fixing the cause. */
  public readonly deadLetterQueue: Queue;
  /** Webhook subscriptions only: the queue the dispatcher consumes. */
  public readonly queue?: Queue;
  public readonly alarm: Alarm;
  /** API destination subscriptions only. */
  public readonly apiDestination?: ApiDestination;

  constructor(scope: Construct, id: string, props: HubSubscriptionProps) {
    super(scope, id);
    const { subscription: s, resourceName } = props;
    // SQS-managed SSE: EventBridge cannot send to queues under the AWS-managed aws/sqs KMS key (see RuleQueue).
    const queueDefaults = { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true } as const;

    this.deadLetterQueue = new Queue(this, 'dlq', {
      ...queueDefaults,
      queueName: deadLetterQueueName(resourceName),
      retentionPeriod: props.deadLetterRetention ?? Duration.days(14),
    });

    let target: IRuleTarget;
    if (s.target.type === 'webhook') {
      if (!props.dispatcher) throw new Error(`${this.node.path}: a webhook subscription needs the dispatcher function`);
      const fnTimeout = props.dispatcher.timeout?.toSeconds() ?? 30;
      this.queue = new Queue(this, 'queue', {
        ...queueDefaults,
        queueName: resourceName,
        visibilityTimeout: Duration.seconds(fnTimeout * VISIBILITY_TO_TIMEOUT_RATIO),
        // Long enough for the whole retry window plus a day to redrive.
        retentionPeriod: Duration.seconds(Math.min(14 * 86_400, Math.max(4 * 86_400, s.retry.windowSeconds + 86_400))),
        deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: s.retry.maxAttempts + CRASH_LOOP_MARGIN },
      });
      props.dispatcher.addEventSource(
        new SqsEventSource(this.queue, {
          // One delivery per invocation: MaximumConcurrency is then the number of requests in flight to the endpoint.
          batchSize: 1,
          maxConcurrency: Math.max(MIN_ESM_CONCURRENCY, s.target.maxConcurrency),
          reportBatchItemFailures: true,
        }),
      );
      this.deadLetterQueue.grantSendMessages(props.dispatcher);
      // The rule's own delivery into the queue: EventBridge's maximum retries; what still fails lands in the same DLQ.
      target = new targets.SqsQueue(this.queue, {
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: 185,
        maxEventAge: Duration.hours(24),
      });
    } else {
      const retry = {
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: s.retry.maxAttempts - 1,
        maxEventAge: Duration.seconds(s.retry.windowSeconds),
      };
      const input = targetInput(s);
      Validations.of(this.deadLetterQueue).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason:
          'This queue is itself a dead-letter queue: the EventBridge target DLQ of the subscription rule (cdk-nag only recognizes SQS redrive and Lambda DLQs); it is alarmed, and its events are re-sent by replaying their time window.',
      });
      switch (s.target.type) {
        case 'sqs':
          target = new targets.SqsQueue(Queue.fromQueueArn(this, 'target-queue', s.target.queueArn), {
            ...retry,
            ...(input ? { message: input } : {}),
            ...(s.target.messageGroupId ? { messageGroupId: s.target.messageGroupId } : {}),
          });
          break;
        case 'lambda':
          // Same account and region as the hub (EventBridge invokes it with a resource policy created here).
          target = new targets.LambdaFunction(this.importFunction(s.target.functionArn), {
            ...retry,
            ...(input ? { event: input } : {}),
          });
          break;
        case 'eventBus':
          // Another account's bus: its policy must allow this account's PutEvents (docs/subscriptions.md).
          target = new targets.EventBus(EventBus.fromEventBusArn(this, 'target-bus', s.target.eventBusArn), {
            deadLetterQueue: this.deadLetterQueue,
          });
          break;
        case 'apiDestination': {
          this.apiDestination = this.createApiDestination(s, props.credentialSecretName, resourceName);
          target = new targets.ApiDestination(this.apiDestination, {
            ...retry,
            ...(input ? { event: input } : {}),
            ...(s.target.headers ? { headerParameters: s.target.headers } : {}),
          });
          break;
        }
      }
    }

    this.rule = new Rule(this, 'rule', {
      eventBus: props.eventBus,
      ruleName: resourceName,
      description: (s.description ?? `Omnihub subscription ${s.name}`).slice(0, 512),
      eventPattern: toCdkPattern(s.pattern),
      enabled: s.enabled,
      targets: [target],
    });

    this.alarm = new Alarm(this, 'dlq-alarm', {
      alarmName: `${resourceName}-dlq-not-empty`,
      alarmDescription: `Subscription ${s.name} could not deliver events. Inspect GET /v1/subscriptions/${s.name}/deliveries, fix the cause, then ${s.target.type === 'webhook' ? 'redrive' : 'replay'} (docs/subscriptions.md).`,
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    if (props.alarmAction) this.alarm.addAlarmAction(props.alarmAction);
    if (s.target.type === 'sqs' || s.target.type === 'lambda') {
      Annotations.of(this.rule).acknowledgeWarning(
        '@aws-cdk/aws-events:ruleUnresolvedEnvironment',
        "The hub stack is environment-agnostic; sqs and lambda subscription targets are documented to be in the hub's own account and region (other accounts subscribe through an eventBus target or their own rule on the hub bus).",
      );
    }
  }

  private importFunction(functionArn: string): IFunction {
    return LambdaFunction.fromFunctionAttributes(this, 'target-function', { functionArn, sameEnvironment: true });
  }

  private createApiDestination(s: Subscription, secretName: string | undefined, resourceName: string): ApiDestination {
    if (s.target.type !== 'apiDestination') throw new Error('not an API destination');
    if (!secretName) throw new Error(`${this.node.path}: an API destination needs the name of its credential secret`);
    // A dynamic reference: the value never enters the template. The secret must exist before the deploy.
    const credential = SecretValue.secretsManager(secretName, { jsonField: 'secret' });
    const auth = s.target.auth;
    const authorization =
      auth.type === 'apiKey'
        ? Authorization.apiKey(auth.header, credential)
        : auth.type === 'basic'
          ? Authorization.basic(auth.username, credential)
          : Authorization.oauth({
              authorizationEndpoint: auth.tokenUrl,
              httpMethod: HttpMethod.POST,
              clientId: auth.clientId,
              clientSecret: credential,
              // EventBridge sends the client id and secret as Basic auth; the grant type goes in the body.
              bodyParameters: {
                grant_type: HttpParameter.fromString('client_credentials'),
                ...(auth.scope ? { scope: HttpParameter.fromString(auth.scope) } : {}),
              },
            });
    const connection = new Connection(this, 'connection', {
      connectionName: resourceName,
      description: `Omnihub subscription ${s.name} (${auth.type})`,
      authorization,
    });
    return new ApiDestination(this, 'api-destination', {
      apiDestinationName: resourceName,
      connection,
      endpoint: s.target.url,
      httpMethod: HttpMethod[s.target.httpMethod],
      ...(s.target.rateLimitPerSecond ? { rateLimitPerSecond: s.target.rateLimitPerSecond } : {}),
    });
  }
}
