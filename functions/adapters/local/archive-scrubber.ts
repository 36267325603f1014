/**
 * Erasure of the local bus archive (`archive.jsonl`): EventBridge's archive
 * on AWS cannot be edited (its events expire with the archive's retention and
 * the holds keep replays from delivering them), but the local one is a file
 * on the developer's disk, so an erasure removes her events from it — no name
 * or message text of an erased person survives there.
 */
import { existsSync, readFileSync } from 'node:fs';
import { heldSubjectOfDetail, isErasedDetail, type HeldSubject } from '../../domain/erasure.js';
import type { EventBridgeEnvelope } from '../../events/envelope.js';
import { hubEventId } from '../../events/event-id.js';
import type { ErasureRegistry, ErasureScrubber } from '../../ports.js';
import type { LocalEventBus } from './local-event-bus.js';

/** What the holds are checked on for an archived detail: a touchpoint, or a thin webhook that would become one. */
const subjectOf = (detail: unknown): HeldSubject | undefined => {
  const held = heldSubjectOfDetail(detail);
  if (held) return held;
  const d = detail as { connector?: unknown; providerEventId?: unknown; occurredAt?: unknown; receivedAt?: unknown };
  if (typeof d?.connector !== 'string' || typeof d.providerEventId !== 'string') return undefined;
  const at = typeof d.occurredAt === 'string' ? d.occurredAt : typeof d.receivedAt === 'string' ? d.receivedAt : '';
  return { id: hubEventId(d.connector, d.providerEventId), occurredAt: at, identities: [] };
};

export class LocalArchiveScrubber implements ErasureScrubber {
  constructor(
    private readonly bus: Pick<LocalEventBus<never>, 'rewriteArchive'>,
    private readonly archivePath: string,
    private readonly holds: ErasureRegistry,
  ) {}

  async scrub({ subject, erasedAt, alreadyErased }: Parameters<ErasureScrubber['scrub']>[0]): Promise<number> {
    if (!alreadyErased) {
      const erased = { eventIds: new Set(subject.eventIds), identityKeys: new Set(subject.identityKeys), erasedAt };
      return this.bus.rewriteArchive((envelope) => !isErasedDetail(envelope.detail, erased, hubEventId));
    }
    // A repeated erasure (the first one failed after it committed): the store kept nothing that identifies
    // her, so the holds decide, envelope by envelope.
    if (!existsSync(this.archivePath)) return 0;
    const drop = new Set<string>();
    for (const line of readFileSync(this.archivePath, 'utf8').split('\n')) {
      let envelope: EventBridgeEnvelope;
      try {
        envelope = JSON.parse(line) as EventBridgeEnvelope;
      } catch {
        continue;
      }
      const held = subjectOf(envelope.detail);
      if (held && (await this.holds.isErased(held))) drop.add(envelope.id);
    }
    return drop.size ? this.bus.rewriteArchive((envelope) => !drop.has(envelope.id)) : 0;
  }
}
