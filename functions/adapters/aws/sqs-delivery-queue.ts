/**
 * The dispatcher's hold on the SQS message it is processing: reschedule it
 * with `ChangeMessageVisibility` (the backoff or the receiver's Retry-After;
 * the event source mapping leaves a failed record's visibility alone), or
 * move it to the subscription's DLQ with `SendMessage` before the mapping
 * deletes it. Queue URLs are derived from the record's queue ARN.
 */
import { ChangeMessageVisibilityCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { deadLetterQueueName } from '../../subscriptions/naming.js';
import type { DeliveryQueueControl } from '../../ports.js';

/** SQS's longest visibility timeout: 12 hours. */
const MAX_VISIBILITY_SECONDS = 43_200;

/** `arn:aws:sqs:eu-central-1:123456789012:q` → `https://sqs.eu-central-1.amazonaws.com/123456789012/q`. */
export const queueUrlOfArn = (arn: string): string => {
  const [, partition, , region, account, name] = arn.split(':');
  if (!partition || !region || !account || !name) throw new Error(`Not an SQS queue ARN: ${arn}`);
  const domain = partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://sqs.${region}.${domain}/${account}/${name}`;
};

/** The ARN of a queue's dead-letter queue (same account and region, `-dlq` suffix). */
export const deadLetterArnOf = (queueArn: string): string => {
  const i = queueArn.lastIndexOf(':');
  return `${queueArn.slice(0, i + 1)}${deadLetterQueueName(queueArn.slice(i + 1))}`;
};

export class SqsDeliveryQueue implements DeliveryQueueControl {
  constructor(private readonly sqs: SQSClient) {}

  async retryLater(record: SQSRecord, delayMs: number): Promise<void> {
    await this.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queueUrlOfArn(record.eventSourceARN),
        ReceiptHandle: record.receiptHandle,
        VisibilityTimeout: Math.min(MAX_VISIBILITY_SECONDS, Math.ceil(delayMs / 1000)),
      }),
    );
  }

  async deadLetter(record: SQSRecord, reason: string): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrlOfArn(deadLetterArnOf(record.eventSourceARN)),
        MessageBody: record.body,
        MessageAttributes: { reason: { DataType: 'String', StringValue: reason.slice(0, 1024) } },
      }),
    );
  }
}
