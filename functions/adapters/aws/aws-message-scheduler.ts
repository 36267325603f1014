/**
 * `MessageScheduler` on AWS: a `message.requested` back on the sender queue
 * at a given time, on the hub's one timer mechanism (`SchedulerTimers`): up
 * to 15 minutes away an SQS `DelaySeconds` (the SQS maximum is 900 s),
 * further away (quiet hours until the morning) a one-time EventBridge
 * Scheduler schedule in the `…-messages` group. The timer's name holds the
 * message id and the time, so scheduling the same wake-up twice is one
 * schedule.
 */
import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { messageRequestedEntry, type MessageRequested } from '../../events/message-events.js';
import type { MessageScheduler } from '../../ports.js';
import { MAX_SQS_DELAY_SECONDS, SchedulerTimers, type SchedulerTimersOptions } from './scheduler-timers.js';

export { atExpression } from './scheduler-timers.js';

export type AwsMessageSchedulerOptions = Omit<SchedulerTimersOptions, 'sqsDelayUpToSeconds' | 'onConflict'>;

export class AwsMessageScheduler implements MessageScheduler {
  private readonly timers: SchedulerTimers;

  constructor(sqs: SQSClient, scheduler: SchedulerClient, options: AwsMessageSchedulerOptions) {
    this.timers = new SchedulerTimers(sqs, scheduler, {
      ...options,
      sqsDelayUpToSeconds: MAX_SQS_DELAY_SECONDS,
      // The name embeds the time: a conflict is the same wake-up (and the sender may only create schedules).
      onConflict: 'keep',
    });
  }

  async schedule(request: MessageRequested, at: Date): Promise<void> {
    await this.timers.set({
      name: `${request.messageId}-${Math.ceil(at.getTime() / 1000)}`,
      at,
      entry: messageRequestedEntry(request),
    });
  }
}
