/**
 * The two schedulers of deferred sends. Local: due by the injected clock,
 * journaled across restarts (0600), a past-due entry sent on start. AWS:
 * SQS `DelaySeconds` up to 15 minutes, a one-time EventBridge Scheduler
 * schedule beyond it (recording fake clients, as the subscription adapters'
 * tests do), both carrying the envelope the sender reads.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConflictException } from '@aws-sdk/client-scheduler';
import { afterAll, describe, expect, it } from 'vitest';
import { AwsMessageScheduler, atExpression } from '../../../functions/adapters/aws/aws-message-scheduler.js';
import { LocalMessageScheduler } from '../../../functions/adapters/local/local-message-scheduler.js';
import type { MessageRequested } from '../../../functions/events/message-events.js';

const request = (messageId = 'msg_0000019ab0000000000001'): MessageRequested => ({
  schemaVersion: 1,
  messageId,
  customerId: 'cus_1',
  requestedAt: '2026-11-23T20:00:00.000Z',
  reason: 'deferred',
});
const dir = mkdtempSync(join(tmpdir(), 'omnihub-scheduler-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('LocalMessageScheduler', () => {
  it('sends an entry when it is due by the hub clock, as an EventBridge envelope', async () => {
    let now = new Date('2026-11-23T20:00:00.000Z');
    const bodies: string[] = [];
    const scheduler = new LocalMessageScheduler({ send: (b) => bodies.push(b), now: () => now });
    await scheduler.schedule(request(), new Date('2026-11-24T07:00:00.000Z'));
    expect(scheduler.due()).toBe(0);
    now = new Date('2026-11-24T07:00:00.000Z');
    expect(scheduler.due()).toBe(1);
    scheduler.stop();
    const envelope = JSON.parse(bodies[0] as string);
    expect(envelope).toMatchObject({ source: 'omnihub.hub', 'detail-type': 'message.requested', detail: request() });
    expect(scheduler.pending()).toEqual([]);
  });

  it('keeps pending entries across a restart in a 0600 file and sends a past-due one on start', async () => {
    const journalPath = join(dir, 'scheduled.json');
    const first = new LocalMessageScheduler({
      send: () => undefined,
      now: () => new Date('2026-11-23T20:00:00Z'),
      journalPath,
    });
    await first.schedule(request(), new Date('2026-11-24T07:00:00.000Z'));
    first.stop();
    expect(statSync(journalPath).mode & 0o777).toBe(0o600);
    const bodies: string[] = [];
    const second = new LocalMessageScheduler({
      send: (b) => bodies.push(b),
      now: () => new Date('2026-11-25T00:00:00Z'),
      journalPath,
    });
    await new Promise((r) => setTimeout(r, 20));
    second.stop();
    expect(bodies).toHaveLength(1);
  });
});

describe('AwsMessageScheduler', () => {
  const recorder = (fail?: Error) => {
    const sent: { name: string; input: Record<string, unknown> }[] = [];
    return {
      sent,
      client: {
        send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
          sent.push({ name: command.constructor.name, input: command.input });
          if (fail) throw fail;
          return {};
        },
      } as never,
    };
  };
  const options = {
    queueUrl: 'https://sqs.eu-central-1.amazonaws.com/123456789012/omnihub-prod-sender',
    queueArn: 'arn:aws:sqs:eu-central-1:123456789012:omnihub-prod-sender',
    deadLetterArn: 'arn:aws:sqs:eu-central-1:123456789012:omnihub-prod-sender-dlq',
    scheduleGroup: 'omnihub-prod-messages',
    scheduleRoleArn: 'arn:aws:iam::123456789012:role/schedule',
    now: () => new Date('2026-11-23T20:00:00.000Z'),
  };

  it('up to 15 minutes: SendMessage with DelaySeconds to the sender queue', async () => {
    const sqs = recorder();
    const scheduler = recorder();
    await new AwsMessageScheduler(sqs.client, scheduler.client, options).schedule(
      request(),
      new Date('2026-11-23T20:14:59.500Z'),
    );
    expect(scheduler.sent).toEqual([]);
    expect(sqs.sent).toEqual([
      {
        name: 'SendMessageCommand',
        input: {
          QueueUrl: options.queueUrl,
          DelaySeconds: 900,
          MessageBody: expect.stringContaining('"detail-type":"message.requested"'),
        },
      },
    ]);
  });

  it('beyond: a one-time schedule in the hub group that deletes itself, targeting the queue', async () => {
    const sqs = recorder();
    const scheduler = recorder();
    await new AwsMessageScheduler(sqs.client, scheduler.client, options).schedule(
      request(),
      new Date('2026-11-24T07:00:00.000Z'),
    );
    expect(sqs.sent).toEqual([]);
    expect(scheduler.sent[0]?.input).toMatchObject({
      Name: `${request().messageId}-${Date.parse('2026-11-24T07:00:00.000Z') / 1000}`,
      GroupName: 'omnihub-prod-messages',
      ScheduleExpression: 'at(2026-11-24T07:00:00)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Target: {
        Arn: options.queueArn,
        RoleArn: options.scheduleRoleArn,
        DeadLetterConfig: { Arn: options.deadLetterArn },
      },
    });
    expect(JSON.parse(String((scheduler.sent[0]?.input.Target as { Input: string }).Input)).detail).toEqual(request());
  });

  it('scheduling the same wake-up twice is one schedule (ConflictException is success)', async () => {
    const conflict = new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} });
    await expect(
      new AwsMessageScheduler(recorder().client, recorder(conflict).client, options).schedule(
        request(),
        new Date('2026-11-24T07:00:00Z'),
      ),
    ).resolves.toBeUndefined();
  });

  it('at() rounds up to the next whole second', () => {
    expect(atExpression(new Date('2026-11-24T07:00:00.200Z'))).toBe('at(2026-11-24T07:00:01)');
  });
});
