/**
 * `Timers` on AWS: a named timer is a one-time EventBridge Scheduler
 * schedule (`at(…)` in UTC, deleted by Scheduler after it ran) in the hub's
 * own schedule group, whose target is the consumer's SQS queue and whose
 * input is the EventBridge envelope the consumer reads from the rule, so it
 * reads one format. Setting a name again updates the schedule (the condition
 * moved: a newer cart); cancelling deletes it. Timers due within
 * `sqsDelayUpToSeconds` go to the queue at once with an SQS `DelaySeconds`
 * instead (Scheduler fires with one-minute precision, SQS to the second):
 * those cannot be cancelled, which is why every consumer re-checks what a
 * timer brings back when it fires.
 */
import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  UpdateScheduleCommand,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { toEnvelope } from '../../events/envelope.js';
import type { TimerSpec, Timers } from '../../ports.js';

/** SQS's longest per-message delay. */
export const MAX_SQS_DELAY_SECONDS = 900;

/** Scheduler's schedule names: 1–64 of `[0-9a-zA-Z-_.]`. */
const SCHEDULE_NAME = /^[0-9a-zA-Z_.-]{1,64}$/;

export interface SchedulerTimersOptions {
  readonly queueUrl: string;
  readonly queueArn: string;
  /** Schedule group holding these timers (the IAM grants are scoped to it). */
  readonly scheduleGroup: string;
  /** Role EventBridge Scheduler assumes to send to the queue. */
  readonly scheduleRoleArn: string;
  /** Where Scheduler puts a wake-up it could not deliver (the queue's DLQ). */
  readonly deadLetterArn?: string;
  /** Timers due within this many seconds use an SQS delay. @default 900 */
  readonly sqsDelayUpToSeconds?: number;
  /**
   * A pending schedule of the same name: `update` moves it (a condition that
   * moved), `keep` leaves it (names that embed their time: the same wake-up).
   * @default update
   */
  readonly onConflict?: 'update' | 'keep';
  readonly now?: () => Date;
}

/** `at(yyyy-mm-ddThh:mm:ss)` in UTC, rounded up to the next second. */
export const atExpression = (at: Date): string =>
  `at(${new Date(Math.ceil(at.getTime() / 1000) * 1000).toISOString().slice(0, 19)})`;

export class SchedulerTimers implements Timers {
  constructor(
    private readonly sqs: SQSClient,
    private readonly scheduler: SchedulerClient,
    private readonly options: SchedulerTimersOptions,
  ) {}

  async set(timer: TimerSpec): Promise<void> {
    await this.put(timer, this.options.onConflict ?? 'update');
  }

  /**
   * CreateSchedule, and nothing more when a schedule of that name exists
   * (ConflictException). A timer due within the SQS-delay range is sent as a
   * delay, which cannot be looked up: it counts as set.
   */
  async ensure(timer: TimerSpec): Promise<boolean> {
    return this.put(timer, 'keep');
  }

  private async put({ name, at, entry }: TimerSpec, onConflict: 'update' | 'keep'): Promise<boolean> {
    if (!SCHEDULE_NAME.test(name)) throw new Error(`Timer name ${JSON.stringify(name)} is not a valid schedule name`);
    const now = this.options.now?.() ?? new Date();
    const body = JSON.stringify(toEnvelope(entry, { time: at }));
    const delay = Math.max(0, Math.ceil((at.getTime() - now.getTime()) / 1000));
    if (delay <= Math.min(this.options.sqsDelayUpToSeconds ?? MAX_SQS_DELAY_SECONDS, MAX_SQS_DELAY_SECONDS)) {
      await this.sqs.send(
        new SendMessageCommand({ QueueUrl: this.options.queueUrl, MessageBody: body, DelaySeconds: delay }),
      );
      return true;
    }
    const schedule = {
      Name: name,
      GroupName: this.options.scheduleGroup,
      ScheduleExpression: atExpression(at),
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' as const },
      ActionAfterCompletion: 'DELETE' as const,
      Target: {
        Arn: this.options.queueArn,
        RoleArn: this.options.scheduleRoleArn,
        Input: body,
        RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 },
        ...(this.options.deadLetterArn ? { DeadLetterConfig: { Arn: this.options.deadLetterArn } } : {}),
      },
    };
    try {
      await this.scheduler.send(new CreateScheduleCommand(schedule));
      return true;
    } catch (err) {
      if (!(err instanceof ConflictException)) throw err;
      if (onConflict === 'keep') return false;
      // A schedule of that name is pending: the timer moves (UpdateSchedule replaces the whole definition).
      await this.scheduler.send(new UpdateScheduleCommand(schedule));
      return true;
    }
  }

  async cancel(name: string): Promise<boolean> {
    try {
      await this.scheduler.send(new DeleteScheduleCommand({ Name: name, GroupName: this.options.scheduleGroup }));
      return true;
    } catch (err) {
      // Fired already (and deleted itself), never set, or set as an SQS delay.
      if (!(err instanceof ResourceNotFoundException)) throw err;
      return false;
    }
  }
}
