/**
 * Erasure of the local queue journals (`<dataDir>/queues/*.jsonl`): every
 * message body there is an EventBridge envelope — a webhook on its way to the
 * profile writer, a touchpoint waiting for a subscriber that is down, a dead
 * letter — and carries the person's name and message text. SQS on AWS cannot
 * be edited (messages expire with the queue's retention and the holds keep
 * the consumers from applying them), but the local journals are files on the
 * developer's disk, so an erasure rewrites each one without her messages and
 * drops them from the queues' memory: nothing of hers is delivered or left
 * behind for the next start.
 */
import { isErasedDetail } from '../../domain/erasure.js';
import type { EventBridgeEnvelope } from '../../events/envelope.js';
import { hubEventId } from '../../events/event-id.js';
import type { ErasureRegistry, ErasureScrubber } from '../../ports.js';
import { heldSubjectOf } from './archive-scrubber.js';

/** A queue an erasure can scrub (`LocalQueue`, `LocalDeliveryQueue`). */
export interface ScrubbableQueue {
  bodies(): readonly string[];
  scrub(isErased: (body: string) => boolean): number;
}

const envelopeOf = (body: string): EventBridgeEnvelope | undefined => {
  try {
    const parsed = JSON.parse(body) as EventBridgeEnvelope;
    return typeof parsed === 'object' && parsed !== null ? parsed : undefined;
  } catch {
    return undefined; // not an envelope: nothing of a person to find
  }
};

export class LocalQueueScrubber implements ErasureScrubber {
  constructor(
    private readonly queues: () => Iterable<ScrubbableQueue>,
    private readonly holds: ErasureRegistry,
  ) {}

  async scrub({ subject, erasedAt, alreadyErased }: Parameters<ErasureScrubber['scrub']>[0]): Promise<number> {
    const queues = [...new Set(this.queues())];
    let isErased: (body: string) => boolean;
    if (!alreadyErased) {
      const erased = { eventIds: new Set(subject.eventIds), identityKeys: new Set(subject.identityKeys), erasedAt };
      isErased = (body) => isErasedDetail(envelopeOf(body)?.detail, erased, hubEventId);
    } else {
      // A repeated erasure: the store kept nothing that identifies her, so the holds decide, body by body.
      const drop = new Set<string>();
      for (const body of new Set(queues.flatMap((q) => q.bodies()))) {
        const held = heldSubjectOf(envelopeOf(body)?.detail);
        if (held && (await this.holds.isErased(held))) drop.add(body);
      }
      if (!drop.size) return 0;
      isErased = (body) => drop.has(body);
    }
    return queues.reduce((n, q) => n + q.scrub(isErased), 0);
  }
}

/** Several scrubbers as one (the archive and the queue journals): each runs, every failure is reported. */
export const allScrubbers = (...scrubbers: readonly (ErasureScrubber | undefined)[]): ErasureScrubber | undefined => {
  const present = scrubbers.filter((s): s is ErasureScrubber => s !== undefined);
  if (present.length <= 1) return present[0];
  return {
    scrub: async (erased) => {
      const results = await Promise.allSettled(present.map((s) => s.scrub(erased)));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
      return results.reduce((n, r) => n + (r.status === 'fulfilled' ? r.value : 0), 0);
    },
  };
};
