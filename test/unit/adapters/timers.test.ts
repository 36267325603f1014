/**
 * The hub's one timer mechanism, shared by the outbound deferrals and the
 * automations: named timers that supersede and cancel, journaled locally
 * (restart-safe, old journals read), EventBridge Scheduler schedules on AWS
 * (create → update on a pending name, delete on cancel; an SQS delay for the
 * nearest). Recording fake clients, as the message schedulers' tests do.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConflictException, ResourceNotFoundException } from '@aws-sdk/client-scheduler';
import { afterAll, describe, expect, it } from 'vitest';
import { SchedulerTimers } from '../../../functions/adapters/aws/scheduler-timers.js';
import { LocalMessageScheduler } from '../../../functions/adapters/local/local-message-scheduler.js';
import { LocalTimers } from '../../../functions/adapters/local/local-timers.js';

const entry = (n: number) => ({ source: 'omnihub.hub', detailType: 'timer.fired', detail: { n } });
const dir = mkdtempSync(join(tmpdir(), 'omnihub-timers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('LocalTimers', () => {
  it('a name set again moves the timer; a cancelled one never fires', async () => {
    let now = new Date('2026-11-23T10:00:00Z');
    const bodies: string[] = [];
    const timers = new LocalTimers({ send: (b) => bodies.push(b), now: () => now });
    await timers.set({ name: 'cart-cus_1', at: new Date('2026-11-23T11:00:00Z'), entry: entry(1) });
    await timers.set({ name: 'cart-cus_1', at: new Date('2026-11-23T12:00:00Z'), entry: entry(2) });
    await timers.set({ name: 'lead-cus_1', at: new Date('2026-11-23T10:15:00Z'), entry: entry(3) });
    expect(await timers.cancel('lead-cus_1')).toBe(true);
    expect(await timers.cancel('never-set')).toBe(false);
    now = new Date('2026-11-23T11:30:00Z');
    expect(timers.due()).toBe(0);
    now = new Date('2026-11-23T12:00:00Z');
    expect(timers.due()).toBe(1);
    timers.stop();
    expect(bodies.map((b) => JSON.parse(b))).toEqual([
      expect.objectContaining({
        source: 'omnihub.hub',
        'detail-type': 'timer.fired',
        time: '2026-11-23T12:00:00Z',
        detail: { n: 2 },
      }),
    ]);
  });

  it('survives a restart, and one that fell due while stopped fires at start, once', async () => {
    const journalPath = join(dir, 'timers.json');
    const first = new LocalTimers({ send: () => undefined, now: () => new Date('2026-11-23T10:00:00Z'), journalPath });
    await first.set({ name: 'run-1', at: new Date('2026-11-23T10:30:00Z'), entry: entry(1) });
    await first.set({ name: 'run-2', at: new Date('2026-11-24T10:30:00Z'), entry: entry(2) });
    first.stop();
    const bodies: string[] = [];
    const second = new LocalTimers({
      send: (b) => bodies.push(b),
      now: () => new Date('2026-11-23T11:00:00Z'),
      journalPath,
    });
    await new Promise((r) => setTimeout(r, 20));
    second.stop();
    expect(bodies.map((b) => JSON.parse(b).detail)).toEqual([{ n: 1 }]);
    const third = new LocalTimers({
      send: (b) => bodies.push(b),
      now: () => new Date('2026-11-23T11:00:00Z'),
      journalPath,
    });
    expect(third.pending().map((t) => t.name)).toEqual(['run-2']);
    third.stop();
  });

  it('the message scheduler reads a journal written before the timers were shared', async () => {
    const journalPath = join(dir, 'scheduled-messages.json');
    const request = {
      schemaVersion: 1,
      messageId: 'msg_0000019ab0000000000001',
      customerId: 'cus_1',
      requestedAt: '2026-11-23T20:00:00.000Z',
      reason: 'deferred',
    };
    writeFileSync(journalPath, JSON.stringify([{ at: Date.parse('2026-11-24T07:00:00Z'), request }]));
    const scheduler = new LocalMessageScheduler({
      send: () => undefined,
      now: () => new Date('2026-11-23T20:00:00Z'),
      journalPath,
    });
    expect(scheduler.pending()).toEqual([
      { messageId: request.messageId, at: '2026-11-24T07:00:00.000Z', reason: 'deferred' },
    ]);
    scheduler.stop();
  });
});

describe('SchedulerTimers', () => {
  const recorder = (fail?: (name: string) => Error | undefined) => {
    const sent: { name: string; input: Record<string, unknown> }[] = [];
    return {
      sent,
      client: {
        send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
          sent.push({ name: command.constructor.name, input: command.input });
          const error = fail?.(command.constructor.name);
          if (error) throw error;
          return {};
        },
      } as never,
    };
  };
  const options = {
    queueUrl: 'https://sqs.eu-central-1.amazonaws.com/123456789012/omnihub-prod-automations',
    queueArn: 'arn:aws:sqs:eu-central-1:123456789012:omnihub-prod-automations',
    scheduleGroup: 'omnihub-prod-automations',
    scheduleRoleArn: 'arn:aws:iam::123456789012:role/schedule',
    sqsDelayUpToSeconds: 60,
    now: () => new Date('2026-11-23T10:00:00.000Z'),
  };
  const meta = { message: 'x', Message: 'x', $metadata: {} };

  it('a pending name is updated with the whole new definition', async () => {
    const scheduler = recorder((name) => (name === 'CreateScheduleCommand' ? new ConflictException(meta) : undefined));
    await new SchedulerTimers(recorder().client, scheduler.client, options).set({
      name: 'cart-cus_1',
      at: new Date('2026-11-24T10:00:00Z'),
      entry: entry(1),
    });
    expect(scheduler.sent.map((s) => s.name)).toEqual(['CreateScheduleCommand', 'UpdateScheduleCommand']);
    expect(scheduler.sent[1]?.input).toMatchObject({
      Name: 'cart-cus_1',
      GroupName: 'omnihub-prod-automations',
      ScheduleExpression: 'at(2026-11-24T10:00:00)',
      ActionAfterCompletion: 'DELETE',
      Target: { Arn: options.queueArn, RoleArn: options.scheduleRoleArn },
    });
  });

  it('cancel deletes the schedule; one that fired or never was is fine', async () => {
    const scheduler = recorder(() => new ResourceNotFoundException(meta));
    expect(await new SchedulerTimers(recorder().client, scheduler.client, options).cancel('cart-cus_1')).toBe(false);
    expect(scheduler.sent).toEqual([
      { name: 'DeleteScheduleCommand', input: { Name: 'cart-cus_1', GroupName: 'omnihub-prod-automations' } },
    ]);
  });

  it('a timer due within the SQS threshold is sent with a delay; a bad name is refused', async () => {
    const sqs = recorder();
    const scheduler = recorder();
    const timers = new SchedulerTimers(sqs.client, scheduler.client, options);
    await timers.set({ name: 'lead-cus_1', at: new Date('2026-11-23T10:00:30Z'), entry: entry(1) });
    expect(scheduler.sent).toEqual([]);
    expect(sqs.sent[0]?.input).toMatchObject({ QueueUrl: options.queueUrl, DelaySeconds: 30 });
    await expect(
      timers.set({ name: 'a name with spaces', at: new Date('2026-11-24T10:00:00Z'), entry: entry(1) }),
    ).rejects.toThrow(/not a valid schedule name/);
  });
});
