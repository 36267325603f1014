/**
 * AWS wiring of the outbound side, created once per execution environment
 * from the function's configuration: the message store on the hub table,
 * and for the sender the scheduler (its own queue, EventBridge Scheduler)
 * and SES.
 */
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SQSClient } from '@aws-sdk/client-sqs';
import { AwsMessageScheduler } from '../../../adapters/aws/aws-message-scheduler.js';
import { SchedulerTimers } from '../../../adapters/aws/scheduler-timers.js';
import { awsStoreClient } from '../../../adapters/aws/dynamodb-client.js';
import { DynamoMessageStore } from '../../../adapters/aws/dynamodb-message-store.js';
import { SesV2EmailTransport } from '../../../adapters/aws/sesv2-email-transport.js';

export const awsMessageStore = (c: { tableName: string; messageRetentionDays: number }) =>
  new DynamoMessageStore(awsStoreClient(), { tableName: c.tableName, retentionDays: c.messageRetentionDays });

/** SQS delays up to 15 minutes on the sender's own queue, one-time schedules beyond. */
export const awsMessageScheduler = (c: {
  senderQueueUrl: string;
  senderQueueArn: string;
  senderDlqArn?: string | undefined;
  scheduleGroup: string;
  scheduleRoleArn: string;
}) =>
  new AwsMessageScheduler(new SQSClient({}), new SchedulerClient({}), {
    queueUrl: c.senderQueueUrl,
    queueArn: c.senderQueueArn,
    scheduleGroup: c.scheduleGroup,
    scheduleRoleArn: c.scheduleRoleArn,
    ...(c.senderDlqArn ? { deadLetterArn: c.senderDlqArn } : {}),
  });

/** SES v2 with the function's role (ses:SendEmail on the configured identity only). */
export const awsEmailTransport = () => new SesV2EmailTransport();

/** The automation runner's timers: one-time schedules in its own group, SQS delays for the nearest. */
export const awsAutomationTimers = (c: {
  automationsQueueUrl: string;
  automationsQueueArn: string;
  automationsDlqArn?: string | undefined;
  scheduleGroup: string;
  scheduleRoleArn: string;
}) =>
  new SchedulerTimers(new SQSClient({}), new SchedulerClient({}), {
    queueUrl: c.automationsQueueUrl,
    queueArn: c.automationsQueueArn,
    scheduleGroup: c.scheduleGroup,
    scheduleRoleArn: c.scheduleRoleArn,
    // Short waits (a lead unanswered in 15 min) as SQS delays: to the second, and the re-check on firing
    // makes an uncancellable delay harmless.
    sqsDelayUpToSeconds: 900,
    ...(c.automationsDlqArn ? { deadLetterArn: c.automationsDlqArn } : {}),
  });
