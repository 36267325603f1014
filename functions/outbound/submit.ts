/**
 * Accepting a message: the rules decide (pure), then the record and its
 * idempotency key are written together, then `message.requested` goes on
 * the bus. A retry of the same request re-publishes a message that is still
 * queued, so one whose publish failed is not stuck; a duplicate request is
 * harmless (the sender acts only on a queued, unleased message).
 */
import type { CountryCode } from '../domain/identity.js';
import type { Profile } from '../domain/profile.js';
import { planReach, type ReachRequest } from '../domain/reachability/plan.js';
import type { MessageTag, OutboundChannel, Purpose, ReachPlan } from '../domain/reachability/types.js';
import { messageRequestedEntry } from '../events/message-events.js';
import type { EventPublisher, MessageStore } from '../ports.js';
import {
  IdempotencyKeyReusedError,
  NoReachableChannelError,
  TemplateRequiredError,
  TextTooLongError,
} from './errors.js';
import { newMessageId, requestFingerprint, type MessageRecord, type MessageTemplate } from './message.js';
import { reachOptions, type OutboundSettings } from './settings.js';

export interface MessageRequest {
  readonly purpose: Purpose;
  readonly text?: string;
  readonly subject?: string;
  readonly template?: MessageTemplate;
  readonly channel?: OutboundChannel;
  /** Tried first, then the usual order (an automation's `channel: 'trigger'`). */
  readonly preferChannel?: OutboundChannel;
  readonly messageTag?: MessageTag;
  readonly idempotencyKey: string;
}

export interface SubmitDeps {
  readonly messages: MessageStore;
  readonly publisher: EventPublisher;
  readonly settings: OutboundSettings;
  readonly defaultCountry: CountryCode;
  readonly now: () => Date;
}

const reachRequestOf = (request: Omit<MessageRequest, 'idempotencyKey'>): ReachRequest => ({
  purpose: request.purpose,
  content: {
    ...(request.text !== undefined ? { text: request.text } : {}),
    template: request.template !== undefined,
    ...(request.messageTag ? { messageTag: request.messageTag } : {}),
  },
  ...(request.channel ? { channel: request.channel } : {}),
  ...(request.preferChannel ? { prefer: request.preferChannel } : {}),
});

/**
 * The plan for a request, or the refusal the API answers: 400 when the text
 * is too long for every channel that could otherwise carry it, 422 when
 * only a template would do, 409 when nothing can.
 */
const decidePlan = (
  profile: Profile,
  request: Omit<MessageRequest, 'idempotencyKey'>,
  deps: Pick<SubmitDeps, 'settings' | 'defaultCountry'>,
  now: Date,
): ReachPlan => {
  const options = reachOptions(deps.settings, now, deps.defaultCountry);
  const plan = planReach(profile, reachRequestOf(request), options);
  if (plan.outcome === 'reachable') return plan;
  if (request.text !== undefined) {
    const unlimited = planReach(profile, reachRequestOf(request), { ...options, textLimits: {} });
    const blockedByLength = unlimited.channels.filter(
      (c) => c.allowed && plan.channels.find((p) => p.channel === c.channel)?.reasons.includes('text_too_long'),
    );
    if (unlimited.outcome === 'reachable' && blockedByLength.length) {
      const limits = blockedByLength.flatMap((c) => {
        const limit = options.textLimits?.[c.channel];
        return limit ? [{ channel: c.channel, max: limit.max, unit: limit.unit }] : [];
      });
      throw new TextTooLongError(request.text.length, limits);
    }
  }
  if (plan.outcome === 'template_required') throw new TemplateRequiredError(plan.channels);
  throw new NoReachableChannelError(plan.channels);
};

const publish = async (deps: Pick<SubmitDeps, 'publisher'>, record: MessageRecord, now: Date): Promise<void> => {
  await deps.publisher.putEntries([
    messageRequestedEntry({
      schemaVersion: 1,
      messageId: record.messageId,
      customerId: record.customerId,
      requestedAt: now.toISOString(),
      reason: 'new',
    }),
  ]);
};

/**
 * A message found by its idempotency key: re-published when it is still
 * queued (its first publish may have failed), as a repeated request does.
 */
export const republishIfQueued = async (
  deps: Pick<SubmitDeps, 'publisher' | 'now'>,
  record: MessageRecord,
): Promise<void> => {
  if (record.status === 'queued' && !record.notBefore) await publish(deps, record, deps.now());
};

/**
 * Accepts a message for `profile` (resolved from `pathCustomerId`). The same
 * idempotency key and request returns the first message (re-publishing it
 * if it never reached the bus); the same key with another request is 409.
 */
export const submitMessage = async (
  deps: SubmitDeps,
  profile: Profile,
  pathCustomerId: string,
  request: MessageRequest,
  options: { readonly origin?: string } = {},
): Promise<{ record: MessageRecord; created: boolean }> => {
  const now = deps.now();
  const { idempotencyKey, ...content } = request;
  const fingerprint = requestFingerprint(pathCustomerId, idempotencyKey, content);
  const existing = await deps.messages.findByIdempotencyKey(idempotencyKey);
  if (existing) {
    if (existing.fingerprint !== fingerprint) throw new IdempotencyKeyReusedError();
    if (existing.status === 'queued' && !existing.notBefore) await publish(deps, existing, now);
    return { record: existing, created: false };
  }
  const plan = decidePlan(profile, content, deps, now);
  const chosen = plan.channels.find((c) => c.allowed);
  if (!chosen?.mode) throw new NoReachableChannelError(plan.channels);
  const record: MessageRecord = {
    messageId: newMessageId(now),
    customerId: profile.customerId,
    fingerprint,
    purpose: content.purpose,
    ...(content.text !== undefined ? { text: content.text } : {}),
    ...(content.subject ? { subject: content.subject } : {}),
    ...(content.template ? { template: content.template } : {}),
    ...(content.messageTag ? { messageTag: content.messageTag } : {}),
    ...(content.channel ? { forcedChannel: content.channel } : {}),
    ...(content.preferChannel ? { preferredChannel: content.preferChannel } : {}),
    ...(options.origin ? { origin: options.origin } : {}),
    status: 'queued',
    channel: chosen.channel,
    mode: chosen.mode,
    // Why this channel: the channels before it (each refused, with why) and itself. Later ones did not
    // decide anything (a fallback re-plans at that time), and leaving them out keeps the item ~1 KB.
    plan: plan.channels.slice(0, plan.channels.indexOf(chosen) + 1),
    tried: [],
    ...(plan.notBefore ? { notBefore: plan.notBefore } : {}),
    attempts: [],
    receipts: [],
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    version: 1,
  };
  const created = await deps.messages.create(record, idempotencyKey);
  if (!created.created) {
    // A concurrent request with the same key won the race.
    if (created.record.fingerprint !== fingerprint) throw new IdempotencyKeyReusedError();
    return { record: created.record, created: false };
  }
  await publish(deps, record, now);
  return { record, created: true };
};
