/**
 * AWS wiring of the outbound side, created once per execution environment:
 * the message store on the hub table, the outbound settings
 * (`OMNIHUB_OUTBOUND_CONNECTORS` and friends, set by the stack), and for the
 * sender the scheduler (its own queue, EventBridge Scheduler) and SES.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { AwsMessageScheduler } from '../../../adapters/aws/aws-message-scheduler.js';
import { DynamoMessageStore } from '../../../adapters/aws/dynamodb-message-store.js';
import { SesV2EmailTransport } from '../../../adapters/aws/sesv2-email-transport.js';
import { readOutboundSettings, type OutboundSettings } from '../../../outbound/settings.js';
import { awsConfig } from './config.js';

/** Variables only the sender function has. */
export const SENDER_ENV = {
  queueUrl: 'OMNIHUB_SENDER_QUEUE_URL',
  queueArn: 'OMNIHUB_SENDER_QUEUE_ARN',
  deadLetterArn: 'OMNIHUB_SENDER_DLQ_ARN',
  scheduleGroup: 'OMNIHUB_SCHEDULE_GROUP',
  scheduleRoleArn: 'OMNIHUB_SCHEDULE_ROLE_ARN',
} as const;

const SenderEnvSchema = z.object({
  [SENDER_ENV.queueUrl]: z.url(),
  [SENDER_ENV.queueArn]: z.string().startsWith('arn:'),
  [SENDER_ENV.deadLetterArn]: z.string().startsWith('arn:').optional(),
  [SENDER_ENV.scheduleGroup]: z.string().min(1),
  [SENDER_ENV.scheduleRoleArn]: z.string().startsWith('arn:'),
});

let settings: OutboundSettings | undefined;
/** Validated at cold start: a bad variable fails the init, naming it. */
export const awsOutboundSettings = (): OutboundSettings => (settings ??= readOutboundSettings(process.env));

export const awsMessageStore = () =>
  new DynamoMessageStore(new DynamoDBClient({}), {
    tableName: awsConfig().tableName,
    retentionDays: awsOutboundSettings().retentionDays,
  });

export const awsMessageScheduler = () => {
  const result = SenderEnvSchema.safeParse(process.env);
  if (!result.success) {
    throw new Error(
      `Invalid sender configuration: ${result.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`).join('; ')}`,
    );
  }
  const e = result.data;
  return new AwsMessageScheduler(new SQSClient({}), new SchedulerClient({}), {
    queueUrl: e[SENDER_ENV.queueUrl],
    queueArn: e[SENDER_ENV.queueArn],
    scheduleGroup: e[SENDER_ENV.scheduleGroup],
    scheduleRoleArn: e[SENDER_ENV.scheduleRoleArn],
    ...(e[SENDER_ENV.deadLetterArn] ? { deadLetterArn: e[SENDER_ENV.deadLetterArn] } : {}),
  });
};

/** SES v2 with the function's role (ses:SendEmail on the configured identity only). */
export const awsEmailTransport = () => new SesV2EmailTransport();
