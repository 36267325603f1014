/**
 * `RuleQueue`: one EventBridge rule delivering into one SQS queue that a
 * Lambda consumes in batches (Solutions Constructs `aws-eventbridge-sqs` +
 * `aws-sqs-lambda`). Nothing is lost silently at either hop:
 *
 *   bus ─rule─▶ queue ─▶ consumer            (partial batch failures retried)
 *          │        └─▶ dead-letter queue    (after `maxReceiveCount` receives)
 *          └─▶ delivery dead-letter queue    (EventBridge could not put it in the queue)
 *
 * and each dead-letter queue has an alarm that fires on the first message.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IAlarmAction, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { EventPattern } from '../../functions/events/rules.js';
import { toCdkPattern } from './hub-event-bus.js';

/** Lambda's guidance: visibility timeout ≥ 6 × function timeout (batching window and retries). */
const VISIBILITY_TO_TIMEOUT_RATIO = 6;

export interface RuleQueueProps {
  readonly eventBus: IEventBus;
  /** Prefix of the rule, queue and alarm names, e.g. `omnihub-prod-profile-writer`. */
  readonly namePrefix: string;
  readonly description: string;
  /** EventBridge pattern, passed through unchanged. */
  readonly eventPattern: EventPattern;
  /** Timeout of the consumer; the queue's visibility timeout is 6× this. */
  readonly consumerTimeout: Duration;
  /** Receives before a message moves to the dead-letter queue. @default 5 */
  readonly maxReceiveCount?: number;
  /** EventBridge delivery retries into the queue. @default 185 (the EventBridge maximum) */
  readonly retryAttempts?: number;
  /** How long EventBridge keeps retrying delivery into the queue. @default Duration.hours(24) */
  readonly maxEventAge?: Duration;
  /** Retention of the dead-letter queues. @default Duration.days(14) (the SQS maximum) */
  readonly deadLetterRetention?: Duration;
  /** Action of the dead-letter alarms (e.g. an SNS topic). @default no action */
  readonly alarmAction?: IAlarmAction;
}

/** How the consumer polls the queue. */
export interface RuleQueueConsumerOptions {
  /** @default 10 */
  readonly batchSize?: number;
  /** @default Duration.seconds(2) */
  readonly maxBatchingWindow?: Duration;
  /** Concurrent invocations the poller may start (protects the table). @default 10 */
  readonly maxConcurrency?: number;
}

export class RuleQueue extends Construct {
  public readonly rule: Rule;
  public readonly queue: Queue;
  /** Messages the consumer failed `maxReceiveCount` times. */
  public readonly deadLetterQueue: Queue;
  /** Events EventBridge could not deliver into `queue`. */
  public readonly deliveryDeadLetterQueue: Queue;
  /** One alarm per dead-letter queue, in the order above. */
  public readonly alarms: readonly Alarm[];
  private readonly consumerTimeout: Duration;

  constructor(scope: Construct, id: string, props: RuleQueueProps) {
    super(scope, id);
    this.consumerTimeout = props.consumerTimeout;
    const retention = props.deadLetterRetention ?? Duration.days(14);
    // SQS-managed SSE rather than KMS: EventBridge cannot send to a queue
    // encrypted with the AWS-managed aws/sqs key, and a customer key would add
    // key-policy plumbing without changing who can read the queue (IAM does).
    const queueDefaults = { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true } as const;

    this.deadLetterQueue = new Queue(this, 'dlq', {
      ...queueDefaults,
      queueName: `${props.namePrefix}-dlq`,
      retentionPeriod: retention,
    });
    this.queue = new Queue(this, 'queue', {
      ...queueDefaults,
      queueName: props.namePrefix,
      visibilityTimeout: Duration.seconds(props.consumerTimeout.toSeconds() * VISIBILITY_TO_TIMEOUT_RATIO),
      // The SQS maximum: a backlog built up during a long outage must not expire before it is processed.
      retentionPeriod: Duration.days(14),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? 5 },
    });
    this.deliveryDeadLetterQueue = new Queue(this, 'delivery-dlq', {
      ...queueDefaults,
      queueName: `${props.namePrefix}-delivery-dlq`,
      retentionPeriod: retention,
    });

    Validations.of(this.deliveryDeadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself a dead-letter queue: the EventBridge target DLQ of the rule (cdk-nag only recognizes SQS redrive and Lambda DLQs); it is alarmed and messages are redriven by hand.',
    });

    this.rule = new Rule(this, 'rule', {
      eventBus: props.eventBus,
      ruleName: props.namePrefix,
      description: props.description,
      eventPattern: toCdkPattern(props.eventPattern),
      targets: [
        new SqsQueue(this.queue, {
          deadLetterQueue: this.deliveryDeadLetterQueue,
          retryAttempts: props.retryAttempts ?? 185,
          maxEventAge: props.maxEventAge ?? Duration.hours(24),
        }),
      ],
    });

    this.alarms = [
      this.notEmptyAlarm('dlq-alarm', this.deadLetterQueue, `${props.namePrefix}-dlq-not-empty`, 'failed processing'),
      this.notEmptyAlarm(
        'delivery-dlq-alarm',
        this.deliveryDeadLetterQueue,
        `${props.namePrefix}-delivery-dlq-not-empty`,
        'could not be delivered into the queue',
      ),
    ];
    if (props.alarmAction) for (const alarm of this.alarms) alarm.addAlarmAction(props.alarmAction);
  }

  /**
   * Subscribes `fn` to the queue with partial batch responses, so one bad
   * event is retried (and dead-lettered) alone instead of its whole batch.
   * @throws if the function's timeout exceeds the one the queue was sized for.
   */
  public addConsumer(fn: LambdaFunction, options: RuleQueueConsumerOptions = {}): void {
    const timeout = fn.timeout?.toSeconds() ?? 3;
    if (timeout > this.consumerTimeout.toSeconds()) {
      throw new Error(
        `${fn.node.path}: timeout ${timeout}s exceeds the ${this.consumerTimeout.toSeconds()}s the queue visibility timeout was sized for`,
      );
    }
    fn.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: options.batchSize ?? 10,
        maxBatchingWindow: options.maxBatchingWindow ?? Duration.seconds(2),
        maxConcurrency: options.maxConcurrency ?? 10,
        reportBatchItemFailures: true,
      }),
    );
  }

  /**
   * Lets `grantee` read this rule's queue depths and redrive its dead-letter
   * queues into the queue (`/v1/queues`, `omnihub dlq redrive --aws`): what
   * `StartMessageMoveTask` requires of its caller on the source (receive,
   * delete, attributes) and the destination (send), plus the move tasks' status.
   */
  public grantRedrive(grantee: IGrantable): void {
    const dlqs = [this.deadLetterQueue.queueArn, this.deliveryDeadLetterQueue.queueArn];
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: [
          'sqs:GetQueueAttributes',
          'sqs:StartMessageMoveTask',
          'sqs:ListMessageMoveTasks',
          'sqs:ReceiveMessage',
          'sqs:DeleteMessage',
        ],
        resources: dlqs,
      }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['sqs:GetQueueAttributes', 'sqs:SendMessage'], resources: [this.queue.queueArn] }),
    );
  }

  /** Fires on the first message in a dead-letter queue: every one is a lost touchpoint until redriven. */
  private notEmptyAlarm(id: string, queue: Queue, alarmName: string, what: string): Alarm {
    return new Alarm(this, id, {
      alarmName,
      alarmDescription: `Hub events ${what}. Inspect the messages, fix the cause, then redrive them from queue ${queue.queueName}.`,
      metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}
