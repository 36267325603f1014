/**
 * Subscription operations on AWS, used by the `api` function and by the CLI
 * (`omnihub … --aws`):
 *
 * - queue depth: `GetQueueAttributes` on the subscription's queue and DLQ;
 * - redrive: an SQS message move task from the DLQ back to the queue
 *   (`StartMessageMoveTask`), for dispatched (webhook) subscriptions;
 * - replay: an EventBridge `StartReplay` of the bus archive whose
 *   destination is filtered to this subscription's rule ARN, so no other
 *   rule sees the replayed events (EventBridge adds `replay-name`).
 */
import { StartReplayCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GetQueueAttributesCommand, StartMessageMoveTaskCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { HubError, NotFoundError } from '../../shared/errors.js';
import { isDispatched, type Subscription } from '../../subscriptions/config.js';
import { deadLetterQueueName, replayName } from '../../subscriptions/naming.js';
import type { QueueDepth, RedriveResult, ReplayResult, SubscriptionOperations } from '../../ports.js';
import { queueUrlOfArn } from './sqs-delivery-queue.js';

export interface AwsSubscriptionOperationsOptions {
  readonly subscriptions: readonly Subscription[];
  /** `omnihub-<stage>-sub-`. */
  readonly prefix: string;
  /** `arn:aws:events:<region>:<account>:event-bus/<name>`. */
  readonly eventBusArn: string;
  /** The bus archive; without it replays are refused. */
  readonly archiveArn?: string;
  readonly now?: () => Date;
}

interface ParsedArn {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  readonly resource: string;
}

const parseArn = (arn: string): ParsedArn => {
  const [, partition, , region, account, ...rest] = arn.split(':');
  if (!partition || !region || !account || rest.length === 0) throw new Error(`Not an ARN: ${arn}`);
  return { partition, region, account, resource: rest.join(':') };
};

export class AwsSubscriptionOperations implements SubscriptionOperations {
  private readonly bus: ParsedArn;
  private readonly byName: ReadonlyMap<string, Subscription>;

  constructor(
    private readonly clients: { readonly sqs: SQSClient; readonly eventBridge: EventBridgeClient },
    private readonly options: AwsSubscriptionOperationsOptions,
  ) {
    this.bus = parseArn(options.eventBusArn);
    this.byName = new Map(options.subscriptions.map((s) => [s.name, s]));
  }

  /** ARN of one of the subscription's queues (`-dlq` for the dead-letter queue). */
  queueArn(name: string, dlq = false): string {
    const queueName = `${this.options.prefix}${name}`;
    return `arn:${this.bus.partition}:sqs:${this.bus.region}:${this.bus.account}:${dlq ? deadLetterQueueName(queueName) : queueName}`;
  }

  /** `arn:aws:events:<region>:<account>:rule/<bus>/<rule>`: what a replay is filtered to. */
  ruleArn(name: string): string {
    const busName = this.bus.resource.replace(/^event-bus\//, '');
    return `arn:${this.bus.partition}:events:${this.bus.region}:${this.bus.account}:rule/${busName}/${this.options.prefix}${name}`;
  }

  private require(name: string): Subscription {
    const subscription = this.byName.get(name);
    if (!subscription) throw new NotFoundError(`No subscription named "${name}"`);
    return subscription;
  }

  private async visible(queueArn: string): Promise<{ visible: number; inFlight: number }> {
    const res = await this.clients.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrlOfArn(queueArn),
        AttributeNames: [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesNotVisible',
          'ApproximateNumberOfMessagesDelayed',
        ],
      }),
    );
    const a = res.Attributes ?? {};
    return {
      visible: Number(a.ApproximateNumberOfMessages ?? 0) + Number(a.ApproximateNumberOfMessagesDelayed ?? 0),
      inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0),
    };
  }

  async queueDepth(name: string): Promise<QueueDepth | undefined> {
    const subscription = this.require(name);
    try {
      const dlq = await this.visible(this.queueArn(name, true));
      if (!isDispatched(subscription, 'aws')) return { deadLettered: dlq.visible };
      // Messages waiting for a retry are "not visible" until their visibility timeout ends.
      const queue = await this.visible(this.queueArn(name));
      return { pending: queue.visible, inFlight: queue.inFlight, deadLettered: dlq.visible };
    } catch (err) {
      // Stats are best effort: a queue not deployed yet must not fail the whole listing.
      if (
        (err as Error).name === 'QueueDoesNotExist' ||
        (err as Error).name === 'AWS.SimpleQueueService.NonExistentQueue'
      )
        return undefined;
      throw err;
    }
  }

  async redrive(name: string): Promise<RedriveResult> {
    const subscription = this.require(name);
    if (!isDispatched(subscription, 'aws')) {
      throw new HubError(
        `Subscription ${name} is delivered by EventBridge; replay its time window instead of a redrive`,
        400,
        'malformed_request',
      );
    }
    const { visible } = await this.visible(this.queueArn(name, true));
    try {
      const res = await this.clients.sqs.send(
        new StartMessageMoveTaskCommand({ SourceArn: this.queueArn(name, true), DestinationArn: this.queueArn(name) }),
      );
      return { taskHandle: res.TaskHandle ?? '', approximateMessages: visible };
    } catch (err) {
      // One move task per queue at a time.
      if ((err as Error).name === 'UnsupportedOperation')
        throw new HubError(`A redrive of ${name} is already running: ${(err as Error).message}`, 409, 'conflict', {
          cause: err,
        });
      throw err;
    }
  }

  async replay(name: string, window: { from: Date; to: Date }): Promise<ReplayResult> {
    this.require(name);
    if (!this.options.archiveArn) throw new HubError('The hub has no event archive to replay from', 409, 'conflict');
    const stage = this.options.prefix.replace(/^omnihub-/, '').replace(/-sub-$/, '');
    const replay = replayName(stage, name, this.options.now?.() ?? new Date());
    const res = await this.clients.eventBridge.send(
      new StartReplayCommand({
        ReplayName: replay,
        Description: `Backfill of subscription ${name}`,
        EventSourceArn: this.options.archiveArn,
        EventStartTime: window.from,
        EventEndTime: window.to,
        Destination: { Arn: this.options.eventBusArn, FilterArns: [this.ruleArn(name)] },
      }),
    );
    return { replayName: replay, state: res.State ?? 'STARTING' };
  }
}
