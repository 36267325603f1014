/**
 * The hub's queues in the local runtime, for `/v1/queues` and `omnihub dlq`:
 * one rule queue per `HUB_RULES` entry (`profile-writer`, `hydrator`) and,
 * per subscription, its rule-target queue plus (webhooks) its delivery queue,
 * shown together as `sub-<name>` as on AWS. Dead letters are journaled, so
 * they survive restarts until redriven.
 */
import type { LocalDeliveryQueue } from '../../adapters/local/local-delivery-queue.js';
import type { LocalQueue, QueueMessage } from '../../adapters/local/local-queue.js';
import type { DeadLetterInfo, HubQueueOperations, QueueDetail, QueueSummary } from '../../ports.js';
import { NotFoundError } from '../../shared/errors.js';

/** Dead letters listed by `describe`: enough to see what failed and why. */
const MAX_LISTED = 100;

/** A named group of local queues that an operator sees, and redrives, as one. */
export interface LocalQueueGroup {
  readonly name: string;
  readonly kind: QueueSummary['kind'];
  readonly queues: readonly (LocalQueue | LocalDeliveryQueue)[];
}

/** Ids and type of a dead letter's envelope, never its content. */
const describeDeadLetter = (m: QueueMessage): DeadLetterInfo => {
  let envelope: { id?: unknown; 'detail-type'?: unknown; source?: unknown; detail?: { id?: unknown } } = {};
  try {
    envelope = JSON.parse(m.body) as typeof envelope;
  } catch {
    // Not an envelope: ids only.
  }
  const eventId = typeof envelope.detail?.id === 'string' ? envelope.detail.id : envelope.id;
  return {
    messageId: m.messageId,
    ...(typeof eventId === 'string' ? { eventId } : {}),
    ...(typeof envelope['detail-type'] === 'string' ? { detailType: envelope['detail-type'] } : {}),
    ...(typeof envelope.source === 'string' ? { source: envelope.source } : {}),
    receiveCount: m.receiveCount,
    ...(m.deadLetteredAt !== undefined ? { deadLetteredAt: new Date(m.deadLetteredAt).toISOString() } : {}),
    ...(m.reason ? { reason: m.reason } : {}),
  };
};

const summarize = (group: LocalQueueGroup): QueueSummary => {
  let pending = 0;
  let inFlight = 0;
  let deadLettered = 0;
  let paused = false;
  for (const q of group.queues) {
    const s = q.stats();
    pending += s.pending;
    inFlight += s.inFlight;
    deadLettered += s.deadLettered;
    if ('paused' in s && s.paused) paused = true;
  }
  return { name: group.name, kind: group.kind, pending, inFlight, deadLettered, paused };
};

export const localHubQueues = (groups: () => readonly LocalQueueGroup[]): HubQueueOperations => {
  const find = (name: string): LocalQueueGroup => {
    const group = groups().find((g) => g.name === name);
    if (!group) throw new NotFoundError(`No queue named "${name}"; GET /v1/queues lists them`);
    return group;
  };
  return {
    list: async () => groups().map(summarize),
    describe: async (name): Promise<QueueDetail> => {
      const group = find(name);
      const deadLetters = group.queues
        .flatMap((q) => q.deadLetters())
        .sort((a, b) => (b.deadLetteredAt ?? 0) - (a.deadLetteredAt ?? 0))
        .slice(0, MAX_LISTED)
        .map(describeDeadLetter);
      return { ...summarize(group), deadLetters };
    },
    redrive: async (name) => {
      const group = find(name);
      return { queue: group.name, moved: group.queues.reduce((n, q) => n + q.redrive(), 0) };
    },
  };
};
