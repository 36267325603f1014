/**
 * The AWS adapters of subscriptions with recording fake clients: which SQS
 * and EventBridge calls a redrive, a replay, a retry and a dead-lettering make.
 */
import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { AwsSubscriptionOperations } from '../../functions/adapters/aws/aws-subscription-operations.js';
import { deadLetterArnOf, queueUrlOfArn, SqsDeliveryQueue } from '../../functions/adapters/aws/sqs-delivery-queue.js';
import { defineSubscriptions } from '../../functions/subscriptions/config.js';

type Sent = { name: string; input: Record<string, unknown> };
const recorder = (reply: (name: string) => unknown = () => ({})) => {
  const sent: Sent[] = [];
  const client = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      sent.push({ name: command.constructor.name, input: command.input });
      return reply(command.constructor.name);
    },
  };
  return { sent, client: client as never };
};

const subscriptions = defineSubscriptions([
  {
    name: 'crm-leads',
    pattern: { 'detail-type': ['lead.submitted'] },
    target: { type: 'webhook', url: 'https://crm.example.com/h' },
  },
  {
    name: 'lake',
    pattern: { source: [{ prefix: 'omnihub.' }] },
    target: { type: 'sqs', queueArn: 'arn:aws:sqs:eu-central-1:123456789012:lake' },
  },
]);
const BUS = 'arn:aws:events:eu-central-1:123456789012:event-bus/omnihub-prod';
const ARCHIVE = 'arn:aws:events:eu-central-1:123456789012:archive/omnihub-prod-archive';

const operations = (sqsReply?: (name: string) => unknown) => {
  const sqs = recorder(
    sqsReply ??
      (() => ({
        Attributes: { ApproximateNumberOfMessages: '3', ApproximateNumberOfMessagesNotVisible: '1' },
        TaskHandle: 'task-1',
      })),
  );
  const eventBridge = recorder(() => ({ State: 'STARTING' }));
  const ops = new AwsSubscriptionOperations(
    { sqs: sqs.client, eventBridge: eventBridge.client },
    {
      subscriptions,
      prefix: 'omnihub-prod-sub-',
      eventBusArn: BUS,
      archiveArn: ARCHIVE,
      now: () => new Date('2025-03-04T05:06:07.890Z'),
    },
  );
  return { ops, sqs: sqs.sent, eventBridge: eventBridge.sent };
};

describe('AWS subscription operations', () => {
  it('replays the archive to the subscription rule only', async () => {
    // Prepare
    const { ops, eventBridge } = operations();

    // Act
    const result = await ops.replay('crm-leads', {
      from: new Date('2025-01-01T00:00:00Z'),
      to: new Date('2025-02-01T00:00:00Z'),
    });

    // Assess
    expect(result).toEqual({ replayName: 'prod-crm-leads-20250304T050607', state: 'STARTING' });
    expect(eventBridge).toEqual([
      {
        name: 'StartReplayCommand',
        input: expect.objectContaining({
          ReplayName: 'prod-crm-leads-20250304T050607',
          EventSourceArn: ARCHIVE,
          EventStartTime: new Date('2025-01-01T00:00:00Z'),
          EventEndTime: new Date('2025-02-01T00:00:00Z'),
          Destination: {
            Arn: BUS,
            FilterArns: ['arn:aws:events:eu-central-1:123456789012:rule/omnihub-prod/omnihub-prod-sub-crm-leads'],
          },
        }),
      },
    ]);
  });

  it('redrives a webhook DLQ back to its queue with a message move task, and refuses native targets', async () => {
    // Prepare
    const { ops, sqs } = operations();

    // Act
    const result = await ops.redrive('crm-leads');

    // Assess
    expect(result).toEqual({ taskHandle: 'task-1', approximateMessages: 3 });
    expect(sqs.at(-1)).toEqual({
      name: 'StartMessageMoveTaskCommand',
      input: {
        SourceArn: 'arn:aws:sqs:eu-central-1:123456789012:omnihub-prod-sub-crm-leads-dlq',
        DestinationArn: 'arn:aws:sqs:eu-central-1:123456789012:omnihub-prod-sub-crm-leads',
      },
    });
    await expect(ops.redrive('lake')).rejects.toThrow(/replay its time window/);
  });

  it('reports queue depths of the queue and the DLQ', async () => {
    // Prepare
    const { ops, sqs } = operations();

    // Act & Assess
    expect(await ops.queueDepth('crm-leads')).toEqual({ pending: 3, inFlight: 1, deadLettered: 3 });
    expect(await ops.queueDepth('lake')).toEqual({ deadLettered: 3 });
    expect(sqs.map((s) => s.input.QueueUrl)).toEqual([
      'https://sqs.eu-central-1.amazonaws.com/123456789012/omnihub-prod-sub-crm-leads-dlq',
      'https://sqs.eu-central-1.amazonaws.com/123456789012/omnihub-prod-sub-crm-leads',
      'https://sqs.eu-central-1.amazonaws.com/123456789012/omnihub-prod-sub-lake-dlq',
    ]);
  });
});

describe('SQS delivery queue control', () => {
  const record = {
    eventSourceARN: 'arn:aws:sqs:eu-central-1:123456789012:omnihub-prod-sub-crm-leads',
    receiptHandle: 'rh-1',
    body: '{"id":"x"}',
  } as SQSRecord;

  it('reschedules with ChangeMessageVisibility in whole seconds, capped at 12 hours', async () => {
    // Prepare
    const { sent, client } = recorder();
    const queue = new SqsDeliveryQueue(client);

    // Act
    await queue.retryLater(record, 1_200);
    await queue.retryLater(record, 100 * 3_600_000);

    // Assess
    expect(sent.map((s) => s.input)).toEqual([
      {
        QueueUrl: 'https://sqs.eu-central-1.amazonaws.com/123456789012/omnihub-prod-sub-crm-leads',
        ReceiptHandle: 'rh-1',
        VisibilityTimeout: 2,
      },
      {
        QueueUrl: 'https://sqs.eu-central-1.amazonaws.com/123456789012/omnihub-prod-sub-crm-leads',
        ReceiptHandle: 'rh-1',
        VisibilityTimeout: 43_200,
      },
    ]);
  });

  it('dead-letters by sending the body to the subscription DLQ with the reason', async () => {
    // Prepare
    const { sent, client } = recorder();

    // Act
    await new SqsDeliveryQueue(client).deadLetter(record, 'gave up after 10 attempt(s)');

    // Assess
    expect(sent).toEqual([
      {
        name: 'SendMessageCommand',
        input: {
          QueueUrl: 'https://sqs.eu-central-1.amazonaws.com/123456789012/omnihub-prod-sub-crm-leads-dlq',
          MessageBody: '{"id":"x"}',
          MessageAttributes: { reason: { DataType: 'String', StringValue: 'gave up after 10 attempt(s)' } },
        },
      },
    ]);
    expect(deadLetterArnOf('arn:aws-cn:sqs:cn-north-1:1:q')).toBe('arn:aws-cn:sqs:cn-north-1:1:q-dlq');
    expect(queueUrlOfArn('arn:aws-cn:sqs:cn-north-1:1:q')).toBe('https://sqs.cn-north-1.amazonaws.com.cn/1/q');
  });
});
