/**
 * `MessageScheduler` on AWS: a `message.requested` back on the sender queue
 * at a given time. Up to 15 minutes away it is an SQS `SendMessage` with
 * `DelaySeconds` (the SQS maximum is 900 s); further away (quiet hours
 * until the morning) a one-time EventBridge Scheduler schedule,
 * `at(…)` in UTC, whose target is the same queue and which deletes itself
 * after it ran. Either way the body is the envelope EventBridge would have
 * delivered, so the sender reads one format.
 */
import { ConflictException, CreateScheduleCommand, type SchedulerClient } from '@aws-sdk/client-scheduler';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { toEnvelope } from '../../events/envelope.js';
import { messageRequestedEntry, type MessageRequested } from '../../events/message-events.js';
import type { MessageScheduler } from '../../ports.js';

/** SQS's longest per-message delay. */
const MAX_SQS_DELAY_SECONDS = 900;

export interface AwsMessageSchedulerOptions {
  readonly queueUrl: string;
  readonly queueArn: string;
  /** Schedule group holding the hub's one-time schedules. */
  readonly scheduleGroup: string;
  /** Role EventBridge Scheduler assumes to send to the queue. */
  readonly scheduleRoleArn: string;
  /** Where Scheduler puts a wake-up it could not deliver (the sender's DLQ). */
  readonly deadLetterArn?: string;
  readonly now?: () => Date;
}

/** `at(yyyy-mm-ddThh:mm:ss)` in UTC, rounded up to the next second. */
export const atExpression = (at: Date): string =>
  `at(${new Date(Math.ceil(at.getTime() / 1000) * 1000).toISOString().slice(0, 19)})`;

export class AwsMessageScheduler implements MessageScheduler {
  constructor(
    private readonly sqs: SQSClient,
    private readonly scheduler: SchedulerClient,
    private readonly options: AwsMessageSchedulerOptions,
  ) {}

  async schedule(request: MessageRequested, at: Date): Promise<void> {
    const now = this.options.now?.() ?? new Date();
    const body = JSON.stringify(toEnvelope(messageRequestedEntry(request)));
    const delay = Math.max(0, Math.ceil((at.getTime() - now.getTime()) / 1000));
    if (delay <= MAX_SQS_DELAY_SECONDS) {
      await this.sqs.send(
        new SendMessageCommand({ QueueUrl: this.options.queueUrl, MessageBody: body, DelaySeconds: delay }),
      );
      return;
    }
    try {
      await this.scheduler.send(
        new CreateScheduleCommand({
          // Deterministic: scheduling the same wake-up twice is one schedule.
          Name: `${request.messageId}-${Math.ceil(at.getTime() / 1000)}`,
          GroupName: this.options.scheduleGroup,
          ScheduleExpression: atExpression(at),
          ScheduleExpressionTimezone: 'UTC',
          FlexibleTimeWindow: { Mode: 'OFF' },
          ActionAfterCompletion: 'DELETE',
          Target: {
            Arn: this.options.queueArn,
            RoleArn: this.options.scheduleRoleArn,
            Input: body,
            RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 },
            ...(this.options.deadLetterArn ? { DeadLetterConfig: { Arn: this.options.deadLetterArn } } : {}),
          },
        }),
      );
    } catch (err) {
      if (!(err instanceof ConflictException)) throw err;
    }
  }
}
