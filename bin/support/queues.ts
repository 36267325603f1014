/**
 * Queue names for `omnihub dlq`: the hub's queues are `profile-writer`,
 * `hydrator` and `sub-<subscription>`; a bare subscription name is accepted
 * for its queue, as `omnihub dlq redrive <subscription>` always was.
 */
import { HUB_RULES } from '../../functions/events/rules.js';
import { type CliContext, UsageError } from '../cli.js';
import { loadSubscriptions } from './subscriptions.js';

/** The queue `name` designates, or a usage error listing the queues there are. */
export const resolveQueueName = async (
  ctx: Pick<CliContext, 'subscriptions'>,
  name: string | undefined,
  help: string,
): Promise<string> => {
  if (!name) throw new UsageError('Missing the queue name', help);
  const subscriptions = (await loadSubscriptions(ctx)).filter((s) => s.enabled);
  const queues = [...HUB_RULES.map((r) => r.name), ...subscriptions.map((s) => `sub-${s.name}`)];
  if (queues.includes(name)) return name;
  if (subscriptions.some((s) => s.name === name)) return `sub-${name}`;
  throw new UsageError(
    `No queue named "${name}" (have: ${queues.join(', ')}; a subscription's name also names its queue)`,
    help,
  );
};

/** `omnihub dlq list`'s table: one line per queue, numbers right-aligned. */
export const queueTable = (
  queues: readonly { name: string; pending?: number; inFlight?: number; deadLettered: number; paused?: boolean }[],
): string => {
  const width = Math.max(5, ...queues.map((q) => q.name.length));
  const num = (n: number | undefined) => (n === undefined ? '-' : String(n)).padStart(9);
  return [
    `${'QUEUE'.padEnd(width)}  ${'PENDING'.padStart(9)}  ${'IN FLIGHT'.padStart(9)}  ${'DEAD'.padStart(9)}`,
    ...queues.map(
      (q) =>
        `${q.name.padEnd(width)}  ${num(q.pending)}  ${num(q.inFlight)}  ${num(q.deadLettered)}${q.paused ? '  (waiting for the store)' : ''}`,
    ),
  ].join('\n');
};
