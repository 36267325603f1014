/**
 * Sending one queued message: what the sender function does with each
 * `message.requested`. The rules are evaluated again right before the
 * vendor call (consent may have been revoked since the request, quiet hours
 * may have begun, the customer may have been erased), a lease keeps a
 * redelivered request from sending twice, and the vendor's answer decides:
 *
 *   sent        → status `sent`, `message.sent` on the bus (the timeline)
 *   transient   → retry later (backoff, Retry-After), up to the attempt/window limit
 *   recipient   → `message.failed` flagged unreachable (the profile marks the channel),
 *                 then the next channel of the plan (service/transactional only)
 *   payload /   → the next channel of the plan (service/transactional only)
 *   channel
 */
import { randomUUID } from 'node:crypto';
import type { CountryCode } from '../domain/identity.js';
import type { Profile } from '../domain/profile.js';
import { addressFor } from '../domain/reachability/addresses.js';
import { planReach, type ReachRequest } from '../domain/reachability/plan.js';
import type { ChannelVerdict, OutboundChannel, SendMode } from '../domain/reachability/types.js';
import { buildEvent, truncate } from '../connectors/shared/build-event.js';
import type { SendFailure, Sender } from '../connectors/shared/sender.js';
import type { HubEvent, Identity } from '../events/hub-event.js';
import type { MessageRequested } from '../events/message-events.js';
import type {
  EmailTransport,
  EventPublisher,
  MessageScheduler,
  MessageStore,
  ProfileStore,
  SecretStore,
} from '../ports.js';
import { logger } from '../shared/logger.js';
import { backoffDelayMs } from '../subscriptions/retry.js';
import {
  claim,
  markChannelFailed,
  markDeferred,
  markRetrying,
  markSent,
  markUndeliverable,
  type MessageRecord,
} from './message.js';
import { reachOptions, type OutboundSettings } from './settings.js';
import { outboundFetch } from '../shared/outbound-fetch.js';
import { OUTBOUND_AWS } from '../shared/outbound-url.js';

/** Without an injected client: the strict outbound policy (public https hosts only), never the bare fetch. */
const defaultFetch = outboundFetch({ policy: OUTBOUND_AWS });

export interface DeliverDeps {
  readonly messages: MessageStore;
  readonly profiles: Pick<ProfileStore, 'getProfile'>;
  readonly publisher: EventPublisher;
  readonly scheduler: MessageScheduler;
  readonly secrets: SecretStore;
  readonly settings: OutboundSettings;
  readonly defaultCountry: CountryCode;
  readonly email?: EmailTransport;
  /** The vendors' HTTP client. @default public https hosts only (`outboundFetch` with `OUTBOUND_AWS`) */
  readonly fetch?: typeof fetch;
  readonly publicBaseUrl?: string;
  readonly now?: () => Date;
  readonly random?: () => number;
  /** How long a sender holds a message it is sending. @default 60 000 (> the vendor timeout) */
  readonly leaseMs?: number;
  /** Time left in this invocation (Lambda's `getRemainingTimeInMillis`); the next channel waits for a new one when short. */
  readonly remainingMs?: () => number;
}

/** A vendor call needs this much time left: its 10 s timeout plus the writes around it. */
const MIN_TIME_FOR_A_SEND_MS = 15_000;

/** What happened to the request, for the log and the tests. */
export type DeliveryResult =
  | 'sent'
  | 'failed'
  | 'retry-scheduled'
  | 'deferred'
  | 'duplicate'
  | 'gone'
  | 'busy'
  | 'continued'
  | 'customer-erased';

/** Channel switches (and optimistic-write retries) one request may go through. */
const MAX_STEPS = 12;

const textOf = (record: MessageRecord, mode: SendMode): string =>
  mode === 'template' && record.template
    ? `Template ${record.template.name} (${record.template.language})${record.template.parameters?.length ? `: ${record.template.parameters.join(', ')}` : ''}`
    : (record.text ?? '');

/** The hub event that puts an attempt into the customer's timeline (and, flagged, marks a channel). */
const outboundEvent = (
  type: 'message.sent' | 'message.failed',
  record: MessageRecord,
  sender: Sender,
  address: Identity,
  mode: SendMode,
  now: Date,
  vendor: { vendorMessageId: string } | { failure: SendFailure; attempt: number },
  defaultCountry: CountryCode,
): HubEvent | undefined => {
  const text = textOf(record, mode);
  const failure = 'failure' in vendor ? vendor.failure : undefined;
  return buildEvent(
    {
      connector: sender.connector,
      // The vendor's own id: a webhook echo of the same message (Messenger `is_echo`) collapses into this event.
      providerEventId:
        'vendorMessageId' in vendor ? vendor.vendorMessageId : `${record.messageId}:${vendor.attempt}:failed`,
      type,
      channel: sender.channel,
      occurredAt: now.toISOString(),
      identities: [address],
      summary: failure ? `Not delivered (${failure.code}): ${truncate(text, 100)}` : text,
      data: {
        messageId: 'vendorMessageId' in vendor ? vendor.vendorMessageId : record.messageId,
        direction: 'outbound',
        contentType: 'text',
        text,
        hubMessageId: record.messageId,
        ...(failure
          ? {
              error: {
                code: failure.code,
                message: failure.message,
                ...(failure.failure === 'recipient' ? { unreachable: true } : {}),
              },
            }
          : {}),
      },
    },
    { receivedAt: now.toISOString(), defaultCountry },
  );
};

/** The next allowed channel now, excluding those already tried. */
const nextVerdict = (
  profile: Profile,
  record: MessageRecord,
  deps: DeliverDeps,
  now: Date,
  exclude: readonly OutboundChannel[],
): { verdict?: ChannelVerdict; notBefore?: string; channels: readonly ChannelVerdict[] } => {
  const request: ReachRequest = {
    purpose: record.purpose,
    content: {
      ...(record.text !== undefined ? { text: record.text } : {}),
      template: record.template !== undefined,
      ...(record.messageTag ? { messageTag: record.messageTag } : {}),
    },
    ...(record.forcedChannel ? { channel: record.forcedChannel } : {}),
    ...(record.preferredChannel ? { prefer: record.preferredChannel } : {}),
    exclude,
  };
  const plan = planReach(profile, request, reachOptions(deps.settings, now, deps.defaultCountry));
  const verdict = plan.channels.find((c) => c.allowed);
  return {
    ...(verdict ? { verdict } : {}),
    ...(plan.notBefore ? { notBefore: plan.notBefore } : {}),
    channels: plan.channels,
  };
};

/** How long to wait before the next try on this channel, or undefined when retries are exhausted. */
const retryAt = (record: MessageRecord, failure: SendFailure, deps: DeliverDeps, now: Date): Date | undefined => {
  const onChannel = record.attempts.filter((a) => a.channel === record.channel);
  const first = onChannel[0]?.startedAt ? Date.parse(onChannel[0].startedAt) : now.getTime();
  const { retry } = deps.settings;
  if (onChannel.length >= retry.maxAttemptsPerChannel) return undefined;
  const windowEnd = first + retry.windowMs;
  const backoff = Math.max(
    1000,
    backoffDelayMs(onChannel.length, { baseDelayMs: retry.baseDelayMs, maxDelayMs: retry.maxDelayMs }, deps.random),
  );
  const at = now.getTime() + Math.max(backoff, failure.retryAfterMs ?? 0);
  return at > windowEnd ? undefined : new Date(at);
};

const requestOf = (record: MessageRecord, now: Date, reason: MessageRequested['reason']): MessageRequested => ({
  schemaVersion: 1,
  messageId: record.messageId,
  customerId: record.customerId,
  requestedAt: now.toISOString(),
  reason,
});

/**
 * Handles one `message.requested`. Idempotent: a duplicate request finds the
 * message no longer queued (or leased) and does nothing. Throws only when a
 * store or the bus fails, so the queue retries the request.
 */
export const deliverMessage = async (deps: DeliverDeps, request: MessageRequested): Promise<DeliveryResult> => {
  const clock = () => deps.now?.() ?? new Date();
  let record = await deps.messages.get(request.customerId, request.messageId);
  if (!record) return 'gone';
  /** Writes `next`; on a conflict re-reads the record (false: start the step again). */
  const save = async (next: MessageRecord, linkVendor = false): Promise<boolean> => {
    const result = await deps.messages.update(next, { linkVendor });
    if (result === 'ok') {
      record = next;
      return true;
    }
    record = await deps.messages.get(next.customerId, next.messageId);
    return false;
  };
  let modeOverride: SendMode | undefined;

  for (let step = 0; step < MAX_STEPS; step++) {
    if (!record) return 'gone';
    const current: MessageRecord = record;
    const now = clock();
    if (current.status !== 'queued') return 'duplicate';
    if (current.notBefore && current.notBefore > now.toISOString()) {
      await deps.scheduler.schedule(requestOf(current, now, 'deferred'), new Date(current.notBefore));
      return 'deferred';
    }
    const profile = await deps.profiles.getProfile(current.customerId);
    if (!profile) {
      // Erased since it was queued: nothing goes out, whatever the retry says.
      await save(markUndeliverable(current, 'customer_erased', 'The customer was erased before sending', now));
      return 'customer-erased';
    }
    const { verdict, notBefore, channels } = nextVerdict(profile, current, deps, now, current.tried);
    if (!verdict?.mode) {
      const why = channels
        .filter((c) => !c.reasons.includes('not_requested'))
        .map((c) => `${c.channel}: ${c.reasons.slice(1).join('+')}`)
        .join('; ');
      if (
        await save(markUndeliverable(current, 'no_reachable_channel', `No channel allowed at send time (${why})`, now))
      )
        return 'failed';
      continue;
    }
    if (notBefore) {
      if (!(await save(markDeferred(current, new Date(notBefore), now)))) continue;
      await deps.scheduler.schedule(requestOf(current, now, 'deferred'), new Date(notBefore));
      return 'deferred';
    }
    if (deps.remainingMs && step > 0 && deps.remainingMs() < MIN_TIME_FOR_A_SEND_MS) {
      // Not enough time for another vendor call in this invocation: continue in a fresh one.
      await deps.scheduler.schedule(requestOf(current, now, 'fallback'), now);
      return 'continued';
    }
    const sender = deps.settings.senders[verdict.channel];
    const address = addressFor(profile, verdict.channel);
    // The plan only allows channels with a sender and an address.
    if (!sender || !address) throw new Error(`No sender or address for allowed channel ${verdict.channel}`);
    const mode = modeOverride ?? verdict.mode;
    modeOverride = undefined;
    const claimed = claim(
      current,
      { channel: verdict.channel, connector: sender.connector, mode },
      { now, leaseMs: deps.leaseMs ?? 60_000, token: randomUUID() },
    );
    if (!claimed) return 'busy';
    if (!(await save(claimed))) continue;
    // Right before the vendor call: an erasure that landed meanwhile stops it.
    if (!(await deps.profiles.getProfile(claimed.customerId))) {
      await save(markUndeliverable(claimed, 'customer_erased', 'The customer was erased before sending', now));
      return 'customer-erased';
    }
    const outcome = await sender.send(
      {
        messageId: claimed.messageId,
        to: address.value,
        purpose: claimed.purpose,
        mode,
        ...(claimed.text !== undefined ? { text: claimed.text } : {}),
        ...(claimed.subject ? { subject: claimed.subject } : {}),
        ...(claimed.template ? { template: claimed.template } : {}),
        ...((verdict.messageTag ?? claimed.messageTag) ? { messageTag: verdict.messageTag ?? claimed.messageTag } : {}),
      },
      {
        secrets: await deps.secrets.get(sender.connector),
        fetch: deps.fetch ?? defaultFetch,
        now: clock(),
        ...(deps.email ? { email: deps.email } : {}),
        ...(deps.publicBaseUrl ? { publicBaseUrl: deps.publicBaseUrl } : {}),
      },
    );
    const after = clock();
    const attempt = claimed.attempts.at(-1)?.n ?? 1;

    if (outcome.kind === 'sent') {
      const sent = markSent(claimed, outcome.vendorMessageId, after);
      // We hold the lease; only an erasure can intervene (then the record is gone and so is the point).
      await save(sent, true);
      const event = outboundEvent('message.sent', sent, sender, address, mode, after, outcome, deps.defaultCountry);
      if (event) await deps.publisher.publish([event]);
      logger.info('message sent', { messageId: sent.messageId, channel: sent.channel, connector: sender.connector });
      return 'sent';
    }

    logger.warn('message attempt failed', {
      messageId: claimed.messageId,
      channel: claimed.channel,
      connector: sender.connector,
      failure: outcome.failure,
      code: outcome.code,
    });
    if (outcome.failure === 'channel')
      logger.error('outbound channel unavailable', { connector: sender.connector, code: outcome.code });

    if (outcome.failure === 'transient') {
      const at = retryAt(claimed, outcome, deps, after);
      if (at) {
        if (!(await save(markRetrying(claimed, outcome, at, after)))) continue;
        await deps.scheduler.schedule(requestOf(claimed, after, 'retry'), at);
        return 'retry-scheduled';
      }
    }

    // WhatsApp says the window is closed though our last inbound said otherwise: the template, same channel.
    if (outcome.needsTemplate && claimed.template && mode !== 'template') {
      if (!(await save(markRetrying(claimed, outcome, after, after)))) continue;
      modeOverride = 'template';
      continue;
    }

    // Permanent for this channel (or retries exhausted): record it, mark what must be marked, move on.
    const event = outboundEvent(
      'message.failed',
      claimed,
      sender,
      address,
      mode,
      after,
      { failure: outcome, attempt },
      deps.defaultCountry,
    );
    if (event) await deps.publisher.publish([event]);
    const mayFallBack = claimed.purpose !== 'marketing' && !claimed.forcedChannel;
    const next = mayFallBack
      ? nextVerdict(profile, claimed, deps, after, [...claimed.tried, claimed.channel]).verdict
      : undefined;
    const failedRecord = markChannelFailed(
      claimed,
      outcome,
      next?.mode ? { channel: next.channel, mode: next.mode } : undefined,
      after,
    );
    if (!(await save(failedRecord))) continue;
    if (failedRecord.status === 'failed') return 'failed';
  }
  logger.error('message delivery gave up after too many steps', { messageId: request.messageId });
  return 'busy';
};
