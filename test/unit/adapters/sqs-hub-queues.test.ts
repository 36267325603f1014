/**
 * `SqsHubQueues` with a recording fake SQS client: which calls `/v1/queues`
 * and `omnihub dlq … --aws` make for the hub's rule queues and subscriptions
 * and what they report.
 */
import { describe, expect, it } from 'vitest';
import { hubQueueDefinitions, SqsHubQueues } from '../../../functions/adapters/aws/sqs-hub-queues.js';
import { HUB_RULES } from '../../../functions/events/rules.js';
import { defineSubscriptions } from '../../../functions/subscriptions/config.js';

const PREFIX = 'arn:aws:sqs:eu-central-1:123456789012:omnihub-prod-';
const url = (name: string) => `https://sqs.eu-central-1.amazonaws.com/123456789012/omnihub-prod-${name}`;
const subscriptions = defineSubscriptions([
  {
    name: 'crm',
    pattern: { 'detail-type': ['lead.submitted'] },
    target: { type: 'webhook', url: 'https://crm.example.com/h' },
  },
  {
    name: 'lake',
    pattern: { source: [{ prefix: 'omnihub.' }] },
    target: { type: 'sqs', queueArn: 'arn:aws:sqs:eu-central-1:123456789012:lake' },
  },
]);

type Sent = { name: string; input: Record<string, unknown> };
/** Depths per queue URL; move tasks echo their source. */
const fakeSqs = (depths: Record<string, [visible: number, inFlight?: number]>, failStart?: string) => {
  const sent: Sent[] = [];
  const client = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const name = command.constructor.name;
      sent.push({ name, input: command.input });
      if (name === 'GetQueueAttributesCommand') {
        const [visible, inFlight] = depths[command.input.QueueUrl as string] ?? [0, 0];
        return {
          Attributes: {
            ApproximateNumberOfMessages: String(visible),
            ApproximateNumberOfMessagesNotVisible: String(inFlight ?? 0),
            ApproximateNumberOfMessagesDelayed: '0',
          },
        };
      }
      if (name === 'StartMessageMoveTaskCommand') {
        if (failStart) throw Object.assign(new Error('a task is running'), { name: failStart });
        return { TaskHandle: `task-of-${command.input.SourceArn}` };
      }
      if (name === 'ListMessageMoveTasksCommand')
        return {
          Results: [
            { Status: 'COMPLETED', ApproximateNumberOfMessagesMoved: 7, StartedTimestamp: Date.UTC(2025, 0, 1) },
          ],
        };
      return {};
    },
  };
  return {
    sent,
    queues: new SqsHubQueues(client as never, {
      queueArnPrefix: PREFIX,
      queues: hubQueueDefinitions(HUB_RULES, subscriptions),
    }),
  };
};

describe('SqsHubQueues', () => {
  it('lists the rule queues and subscriptions with depths, adding up both dead-letter queues of a rule', async () => {
    const { queues } = fakeSqs({
      [url('profile-writer')]: [12, 3],
      [url('profile-writer-dlq')]: [4],
      [url('profile-writer-delivery-dlq')]: [1],
      [url('sub-crm-dlq')]: [2],
      [url('sub-lake-dlq')]: [5],
    });
    expect(await queues.list()).toEqual([
      { name: 'profile-writer', kind: 'hub', pending: 12, inFlight: 3, deadLettered: 5 },
      { name: 'hydrator', kind: 'hub', pending: 0, inFlight: 0, deadLettered: 0 },
      { name: 'sender', kind: 'hub', pending: 0, inFlight: 0, deadLettered: 0 },
      { name: 'message-status', kind: 'hub', pending: 0, inFlight: 0, deadLettered: 0 },
      { name: 'sub-crm', kind: 'subscription', pending: 0, inFlight: 0, deadLettered: 2 },
      { name: 'sub-lake', kind: 'subscription', deadLettered: 5 },
    ]);
  });

  it('redrives each non-empty dead-letter queue into the queue with a message move task', async () => {
    const { queues, sent } = fakeSqs({ [url('profile-writer-dlq')]: [4], [url('profile-writer-delivery-dlq')]: [0] });
    const result = await queues.redrive('profile-writer');
    expect(sent.filter((s) => s.name === 'StartMessageMoveTaskCommand').map((s) => s.input)).toEqual([
      { SourceArn: `${PREFIX}profile-writer-dlq`, DestinationArn: `${PREFIX}profile-writer` },
    ]);
    expect(result).toEqual({
      queue: 'profile-writer',
      tasks: [
        {
          source: `${PREFIX}profile-writer-dlq`,
          status: 'RUNNING',
          approximateMessagesToMove: 4,
          taskHandle: `task-of-${PREFIX}profile-writer-dlq`,
        },
      ],
    });
  });

  it('reports the redrives of a queue from ListMessageMoveTasks', async () => {
    const { queues, sent } = fakeSqs({});
    const detail = await queues.describe('hydrator');
    expect(sent.filter((s) => s.name === 'ListMessageMoveTasksCommand').map((s) => s.input.SourceArn)).toEqual([
      `${PREFIX}hydrator-dlq`,
      `${PREFIX}hydrator-delivery-dlq`,
    ]);
    expect(detail.moveTasks?.[0]).toEqual({
      source: `${PREFIX}hydrator-dlq`,
      status: 'COMPLETED',
      approximateMessagesMoved: 7,
      startedAt: '2025-01-01T00:00:00.000Z',
    });
  });

  it('answers a running redrive with 409, a native subscription with 400 and an unknown queue with 404', async () => {
    await expect(
      fakeSqs({ [url('hydrator-dlq')]: [1] }, 'UnsupportedOperation').queues.redrive('hydrator'),
    ).rejects.toMatchObject({
      statusCode: 409,
    });
    await expect(fakeSqs({}).queues.redrive('sub-lake')).rejects.toMatchObject({ statusCode: 400 });
    await expect(fakeSqs({}).queues.describe('nope')).rejects.toMatchObject({ statusCode: 404 });
  });
});
