/**
 * The hub's queues on AWS, for `/v1/queues` and `omnihub dlq … --aws`:
 * depths from `GetQueueAttributes`, redrives as SQS message move tasks
 * (`StartMessageMoveTask` from each non-empty dead-letter queue back into the
 * queue) and their progress from `ListMessageMoveTasks`. Every queue is named
 * `<queueArnPrefix><name>` with its dead-letter queues beside it, as the CDK
 * stack creates them (`RuleQueue`, `HubSubscription`).
 */
import {
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  StartMessageMoveTaskCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { HubQueueOperations, MoveTaskInfo, QueueDetail, QueueRedriveResult, QueueSummary } from '../../ports.js';
import { HubError, NotFoundError, ValidationError } from '../../shared/errors.js';
import { queueUrlOfArn } from './sqs-delivery-queue.js';
import { RULE_DEAD_LETTER_SUFFIXES, type HubRule } from '../../events/rules.js';
import { isDispatched, type Subscription } from '../../subscriptions/config.js';
import { deadLetterQueueName } from '../../subscriptions/naming.js';

/** One queue the hub owns and its dead-letter queues, by name suffix. */
export interface SqsQueueDefinition {
  /** `profile-writer`, `sub-crm`: the queue name without the stage prefix. */
  readonly name: string;
  readonly kind: QueueSummary['kind'];
  /** False for a subscription EventBridge delivers itself: it has a DLQ but no queue to move back into. */
  readonly hasQueue: boolean;
  /** Suffixes of its dead-letter queues' names (`-dlq`, `-delivery-dlq`). */
  readonly deadLetterSuffixes: readonly string[];
}

export interface SqsHubQueuesOptions {
  /** `arn:aws:sqs:<region>:<account>:omnihub-<stage>-`: a queue's ARN is this plus its name. */
  readonly queueArnPrefix: string;
  readonly queues: readonly SqsQueueDefinition[];
}

/** The queues the CDK stack creates: one per rule, one per enabled subscription (`sub-<name>`). */
export const hubQueueDefinitions = (
  rules: readonly HubRule[],
  subscriptions: readonly Subscription[],
): SqsQueueDefinition[] => [
  ...rules.map((r) => ({
    name: r.name,
    kind: 'hub' as const,
    hasQueue: true,
    deadLetterSuffixes: RULE_DEAD_LETTER_SUFFIXES,
  })),
  ...subscriptions
    .filter((s) => s.enabled)
    .map((s) => ({
      name: `sub-${s.name}`,
      kind: 'subscription' as const,
      hasQueue: isDispatched(s, 'aws'),
      deadLetterSuffixes: [deadLetterQueueName('')],
    })),
];

/** Move tasks shown per dead-letter queue (ListMessageMoveTasks returns the most recent first). */
const MOVE_TASKS_SHOWN = 3;

const isMissingQueue = (err: unknown): boolean =>
  ['QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue'].includes((err as Error).name);

export class SqsHubQueues implements HubQueueOperations {
  private readonly byName: ReadonlyMap<string, SqsQueueDefinition>;

  constructor(
    private readonly sqs: SQSClient,
    private readonly options: SqsHubQueuesOptions,
  ) {
    this.byName = new Map(options.queues.map((q) => [q.name, q]));
  }

  private find(name: string): SqsQueueDefinition {
    const queue = this.byName.get(name);
    if (!queue) throw new NotFoundError(`No queue named "${name}"; GET /v1/queues lists them`);
    return queue;
  }

  private arn(name: string): string {
    return `${this.options.queueArnPrefix}${name}`;
  }

  private async attributes(arn: string): Promise<{ visible: number; delayed: number; inFlight: number } | undefined> {
    try {
      const res = await this.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrlOfArn(arn),
          AttributeNames: [
            'ApproximateNumberOfMessages',
            'ApproximateNumberOfMessagesNotVisible',
            'ApproximateNumberOfMessagesDelayed',
          ],
        }),
      );
      const a = res.Attributes ?? {};
      return {
        visible: Number(a.ApproximateNumberOfMessages ?? 0),
        delayed: Number(a.ApproximateNumberOfMessagesDelayed ?? 0),
        inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0),
      };
    } catch (err) {
      // A queue not deployed (yet) must not fail the whole listing.
      if (isMissingQueue(err)) return undefined;
      throw err;
    }
  }

  private async summary(queue: SqsQueueDefinition): Promise<QueueSummary & { dlqDepths: number[] }> {
    const [main, ...dlqs] = await Promise.all([
      queue.hasQueue ? this.attributes(this.arn(queue.name)) : Promise.resolve(undefined),
      ...queue.deadLetterSuffixes.map((suffix) => this.attributes(this.arn(`${queue.name}${suffix}`))),
    ]);
    const dlqDepths = dlqs.map((d) => d?.visible ?? 0);
    return {
      name: queue.name,
      kind: queue.kind,
      ...(main ? { pending: main.visible + main.delayed, inFlight: main.inFlight } : {}),
      deadLettered: dlqDepths.reduce((a, b) => a + b, 0),
      dlqDepths,
    };
  }

  async list(): Promise<QueueSummary[]> {
    const all = await Promise.all(this.options.queues.map((q) => this.summary(q)));
    return all.map(({ dlqDepths: _, ...summary }) => summary);
  }

  async describe(name: string): Promise<QueueDetail> {
    const queue = this.find(name);
    const { dlqDepths: _, ...summary } = await this.summary(queue);
    const moveTasks = (
      await Promise.all(
        queue.deadLetterSuffixes.map(async (suffix): Promise<MoveTaskInfo[]> => {
          const source = this.arn(`${queue.name}${suffix}`);
          try {
            const res = await this.sqs.send(
              new ListMessageMoveTasksCommand({ SourceArn: source, MaxResults: MOVE_TASKS_SHOWN }),
            );
            return (res.Results ?? []).map((t) => ({
              source,
              ...(t.Status ? { status: t.Status } : {}),
              ...(t.TaskHandle ? { taskHandle: t.TaskHandle } : {}),
              ...(t.ApproximateNumberOfMessagesMoved !== undefined
                ? { approximateMessagesMoved: t.ApproximateNumberOfMessagesMoved }
                : {}),
              ...(t.ApproximateNumberOfMessagesToMove !== undefined
                ? { approximateMessagesToMove: t.ApproximateNumberOfMessagesToMove }
                : {}),
              ...(t.StartedTimestamp !== undefined ? { startedAt: new Date(t.StartedTimestamp).toISOString() } : {}),
              ...(t.FailureReason ? { failureReason: t.FailureReason } : {}),
            }));
          } catch (err) {
            if (isMissingQueue(err)) return [];
            throw err;
          }
        }),
      )
    ).flat();
    return { ...summary, moveTasks };
  }

  async redrive(name: string): Promise<QueueRedriveResult> {
    const queue = this.find(name);
    if (!queue.hasQueue)
      throw new ValidationError(
        `EventBridge delivers ${name} itself: there is no queue to move its dead letters into; replay its time window instead (POST /v1/subscriptions/{name}/replay)`,
      );
    const { dlqDepths } = await this.summary(queue);
    const tasks: MoveTaskInfo[] = [];
    for (const [i, suffix] of queue.deadLetterSuffixes.entries()) {
      const depth = dlqDepths[i] ?? 0;
      if (depth === 0) continue;
      const source = this.arn(`${queue.name}${suffix}`);
      try {
        const res = await this.sqs.send(
          new StartMessageMoveTaskCommand({ SourceArn: source, DestinationArn: this.arn(queue.name) }),
        );
        tasks.push({
          source,
          status: 'RUNNING',
          approximateMessagesToMove: depth,
          ...(res.TaskHandle ? { taskHandle: res.TaskHandle } : {}),
        });
      } catch (err) {
        // SQS runs one move task per source queue at a time.
        if ((err as Error).name === 'UnsupportedOperation')
          throw new HubError(`A redrive of ${source} is already running: ${(err as Error).message}`, 409, 'conflict', {
            cause: err,
          });
        throw err;
      }
    }
    return { queue: queue.name, tasks };
  }
}
