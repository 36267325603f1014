/**
 * The automation runner: every hub event is matched against the reactions
 * (./reactions.ts). A `when` match sets a named timer per customer
 * (`<key>-<customerId>`: a newer cart moves it), an `unless` match of the same
 * customer cancels it, and when it fires (`automation.due`, ids only) the
 * runner re-checks the customer's timeline — an `unless` event or a newer
 * `when` event since the trigger ends the run — so a cancel that lost a race,
 * an SQS-delayed timer that could not be cancelled, or a timer fired twice
 * cannot message her wrongly. Messages go through the outbound pipeline
 * (`submitMessage`: reachability rules, idempotency key per run, so a second
 * firing sends nothing more); each run goes into her timeline as
 * `automation.triggered` / `automation.skipped` with the reason.
 */
import * as z from 'zod';
import { buildEvent } from '../connectors/shared/build-event.js';
import type { CountryCode } from '../domain/identity.js';
import { fromTimelineItem, type Profile, type TimelineItem } from '../domain/profile.js';
import { customerTimeZone, quietHoursEnd } from '../domain/reachability/quiet-hours.js';
import type { BusEntry } from '../events/envelope.js';
import {
  type Channel,
  HUB_EVENT_TYPES,
  HUB_SOURCE,
  type HubEvent,
  parseHubEvent,
  SCHEMA_VERSION,
} from '../events/hub-event.js';
import { submitMessage } from '../outbound/submit.js';
import type { OutboundSettings } from '../outbound/settings.js';
import type { EventPublisher, MessageStore, ProfileStore, Timers } from '../ports.js';
import { HubError } from '../shared/errors.js';
import type { Reaction } from './reactions.js';
import { durationMs, type AutomationsFile } from './schema.js';

/** The connector name of the events the runner makes (source `omnihub.automations`). */
const AUTOMATIONS_CONNECTOR = 'automations';
const AUTOMATION_DUE = 'automation.due';

const AutomationDueSchema = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  /** The reaction's key (`a-<automation>`, `t-cart`, `t-lead`). */
  reaction: z.string().min(1).max(40),
  customerId: z.string().min(1).max(64),
  triggerEventId: z.string().min(1).max(64),
  triggeredAt: z.iso.datetime({ offset: true }),
});
type AutomationDue = z.infer<typeof AutomationDueSchema>;

/** The customer the event belongs to is not in the store yet (the profile writer runs beside the runner). */
class CustomerNotYetKnownError extends HubError {
  constructor(eventId: string) {
    super(`No profile resolves the identities of ${eventId} yet`, 503, 'customer_not_yet_known');
  }
}

export interface RunnerDeps {
  readonly store: Pick<ProfileStore, 'findByIdentity' | 'getProfile' | 'getTimeline'>;
  readonly messages: MessageStore;
  readonly publisher: EventPublisher;
  readonly timers: Timers;
  readonly settings: OutboundSettings;
  readonly defaultCountry: CountryCode;
  readonly reactions: readonly Reaction[];
  readonly marketingCap?: AutomationsFile['marketingCap'];
  readonly now: () => Date;
}

/** The envelope a pattern is matched against, as EventBridge delivers it. */
const envelopeOf = (event: HubEvent) => ({
  source: `omnihub.${event.connector}`,
  'detail-type': event.type,
  detail: event,
});

const timerName = (reaction: Reaction, customerId: string): string => `${reaction.key}-${customerId}`;

const dueEntry = (detail: AutomationDue): BusEntry => ({ source: HUB_SOURCE, detailType: AUTOMATION_DUE, detail });

/** Events that never start or cancel a run: the runner's own records (no loops) and replays (no second message). */
const isIgnored = (event: HubEvent): boolean =>
  event.type === 'automation.triggered' || event.type === 'automation.skipped' || event.replayed === true;

const resolveCustomer = async (deps: RunnerDeps, event: HubEvent): Promise<Profile | undefined> => {
  for (const identity of event.customer.identities) {
    const profile = await deps.store.findByIdentity(identity);
    if (profile) return profile;
  }
  return undefined;
};

/** The newest timeline items, newest first, up to and including the trigger (at most 200). */
const sinceTrigger = async (deps: RunnerDeps, customerId: string, triggerEventId: string) => {
  const items: TimelineItem[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 4; page++) {
    const result = await deps.store.getTimeline(customerId, { limit: 50, ...(cursor ? { cursor } : {}) });
    for (const item of result.items) {
      if (item.eventId === triggerEventId) return { newer: items, trigger: item };
      items.push(item);
    }
    if (!result.nextCursor) break;
    cursor = result.nextCursor;
  }
  return { newer: items, trigger: undefined };
};

export const createAutomationRunner = (deps: RunnerDeps) => {
  /**
   * Whether `event` counts as an `unless` match: a message an automation sent
   * (an acknowledgement) is no answer to a lead, so it cancels nothing.
   */
  const cancels = async (reaction: Reaction, customerId: string, event: HubEvent): Promise<boolean> => {
    if (!reaction.unless?.(envelopeOf(event))) return false;
    const hubMessageId = event.type === 'message.sent' ? event.data.hubMessageId : undefined;
    if (!hubMessageId) return true;
    const message = await deps.messages.get(customerId, hubMessageId);
    return !message?.origin?.startsWith('automation:');
  };

  const record = async (
    type: 'automation.triggered' | 'automation.skipped',
    reaction: Reaction,
    profile: Profile,
    triggerEventId: string,
    channel: Channel,
    outcome: { messageId?: string; sentChannel?: Channel; reason?: string; detail?: string },
  ): Promise<void> => {
    const now = deps.now();
    const summary =
      type === 'automation.triggered'
        ? `Automation ${reaction.name}: message queued${outcome.sentChannel ? ` on ${outcome.sentChannel}` : ''}`
        : `Automation ${reaction.name} skipped: ${outcome.detail ?? outcome.reason}`;
    const event = buildEvent(
      {
        connector: AUTOMATIONS_CONNECTOR,
        // One record per run and outcome: a redelivery is the same event and changes nothing.
        providerEventId: `${reaction.key}:${triggerEventId}:${type}:${outcome.reason ?? ''}`,
        type,
        channel,
        occurredAt: now.toISOString(),
        identities: profile.identities.slice(0, 50),
        summary,
        data: { automation: reaction.name, triggerEventId, ...outcome },
      },
      { receivedAt: now.toISOString(), defaultCountry: deps.defaultCountry },
    );
    if (event) await deps.publisher.publish([event]);
  };

  const act = async (reaction: Reaction, profile: Profile, trigger: HubEvent): Promise<void> => {
    const now = deps.now();
    if (reaction.action.kind === 'emit') {
      const event = timeBasedEvent(reaction.action.type, reaction, profile, trigger, now, deps.defaultCountry);
      if (event) await deps.publisher.publish([event]);
      return;
    }
    const { automation } = reaction.action;
    const skip = (reason: string, detail: string) =>
      record('automation.skipped', reaction, profile, trigger.id, trigger.channel, { reason, detail });
    if (automation.send.purpose === 'marketing' && deps.marketingCap) {
      const windowMs = durationMs(deps.marketingCap.per) ?? 0;
      const recent = await deps.messages.listForCustomer(profile.customerId, 100);
      const sent = recent.filter(
        (m) => m.purpose === 'marketing' && now.getTime() - Date.parse(m.createdAt) < windowMs,
      ).length;
      if (sent >= deps.marketingCap.max)
        return skip(
          'frequency_cap',
          `${sent} marketing messages within ${deps.marketingCap.per} (cap ${deps.marketingCap.max})`,
        );
    }
    try {
      const { record: message } = await submitMessage(
        {
          messages: deps.messages,
          publisher: deps.publisher,
          settings: deps.settings,
          defaultCountry: deps.defaultCountry,
          now: deps.now,
        },
        profile,
        profile.customerId,
        {
          purpose: automation.send.purpose,
          ...(automation.send.text !== undefined ? { text: automation.send.text } : {}),
          ...(automation.send.template ? { template: automation.send.template } : {}),
          ...(automation.send.channel ? { channel: automation.send.channel } : {}),
          // One message per run, however often its timer fires.
          idempotencyKey: `automation:${automation.name}:${trigger.id}`,
        },
        { origin: `automation:${automation.name}` },
      );
      await record('automation.triggered', reaction, profile, trigger.id, message.channel, {
        messageId: message.messageId,
        sentChannel: message.channel,
      });
    } catch (err) {
      if (!(err instanceof HubError) || err.statusCode >= 500) throw err;
      await skip(err.code, err.message);
    }
  };

  /** A `when` match: wait (a timer per customer, moved by a newer match) or act at once. */
  const start = async (reaction: Reaction, profile: Profile, event: HubEvent): Promise<void> => {
    const now = deps.now();
    if (reaction.waitMs === 0 && !reaction.quietHours) return act(reaction, profile, event);
    const due: AutomationDue = {
      schemaVersion: SCHEMA_VERSION,
      reaction: reaction.key,
      customerId: profile.customerId,
      triggerEventId: event.id,
      triggeredAt: now.toISOString(),
    };
    await deps.timers.set({
      name: timerName(reaction, profile.customerId),
      at: new Date(now.getTime() + reaction.waitMs),
      entry: dueEntry(due),
    });
  };

  /** A timer fired: re-check, hold for quiet hours, act. */
  const fire = async (due: AutomationDue): Promise<void> => {
    const reaction = deps.reactions.find((r) => r.key === due.reaction);
    if (!reaction) return; // The automation was removed or disabled since.
    const profile = await deps.store.getProfile(due.customerId);
    if (!profile) return; // Erased meanwhile: nothing to say to nobody.
    const { newer, trigger } = await sinceTrigger(deps, profile.customerId, due.triggerEventId);
    if (!trigger) return; // The trigger is gone from her timeline (erased, unmerged away).
    const triggerEvent = fromTimelineItem(trigger);
    const later = newer.map(fromTimelineItem).filter((e) => !isIgnored(e));
    // A newer `when` match owns the run now (its own timer, or it already acted).
    if (later.some((e) => e.id !== triggerEvent.id && reaction.when(envelopeOf(e)))) return;
    let cancelledBy: HubEvent | undefined;
    for (const e of later) if (!cancelledBy && (await cancels(reaction, profile.customerId, e))) cancelledBy = e;
    if (cancelledBy) {
      if (reaction.action.kind === 'send')
        await record('automation.skipped', reaction, profile, due.triggerEventId, triggerEvent.channel, {
          reason: 'unless_matched',
          detail: `${cancelledBy.type} within the wait`,
        });
      return;
    }
    if (reaction.quietHours) {
      const end = quietHoursEnd(deps.now(), customerTimeZone(profile, deps.defaultCountry).zone, reaction.quietHours);
      if (end) {
        await deps.timers.set({ name: timerName(reaction, profile.customerId), at: end, entry: dueEntry(due) });
        return;
      }
    }
    await act(reaction, profile, triggerEvent);
  };

  /** One bus envelope (a hub event, or an `automation.due` from a timer). */
  const handle = async (envelope: { 'detail-type'?: unknown; detail?: unknown }): Promise<void> => {
    if (envelope['detail-type'] === AUTOMATION_DUE) return fire(AutomationDueSchema.parse(envelope.detail));
    // Only customer events start or cancel runs (not a hydration request, not a customer.merged notification).
    if (!(HUB_EVENT_TYPES as readonly unknown[]).includes(envelope['detail-type'])) return;
    const event = parseHubEvent(envelope.detail);
    if (isIgnored(event)) return;
    const matching = deps.reactions.filter((r) => r.when(envelopeOf(event)) || r.unless?.(envelopeOf(event)));
    if (matching.length === 0) return;
    const profile = await resolveCustomer(deps, event);
    if (!profile) throw new CustomerNotYetKnownError(event.id);
    for (const reaction of matching) {
      if (await cancels(reaction, profile.customerId, event)) {
        const cancelled = await deps.timers.cancel(timerName(reaction, profile.customerId));
        if (cancelled && reaction.action.kind === 'send')
          await record('automation.skipped', reaction, profile, event.id, event.channel, {
            reason: 'unless_matched',
            detail: `${event.type} within the wait`,
          });
      }
      if (reaction.when(envelopeOf(event))) await start(reaction, profile, event);
    }
  };

  return { handle, fire };
};

/** `cart.abandoned` / `lead.unanswered` about the trigger, with a deterministic id (one per trigger). */
const timeBasedEvent = (
  type: 'cart.abandoned' | 'lead.unanswered',
  reaction: Reaction,
  profile: Profile,
  trigger: HubEvent,
  now: Date,
  defaultCountry: CountryCode,
): HubEvent | undefined => {
  const common = {
    connector: AUTOMATIONS_CONNECTOR,
    providerEventId: `${type}:${trigger.id}`,
    channel: trigger.channel,
    occurredAt: now.toISOString(),
    identities: profile.identities.slice(0, 50),
  };
  const ctx = { receivedAt: now.toISOString(), defaultCountry };
  if (type === 'cart.abandoned' && trigger.type === 'cart.updated') {
    const { cartId, total, items } = trigger.data;
    return buildEvent(
      {
        ...common,
        type,
        summary: `Cart abandoned: ${items.length} item(s), ${(total.amountMinor / 100).toFixed(2)} ${total.currency}`,
        data: { cartId, total, items, cartUpdatedAt: trigger.occurredAt, cartEventId: trigger.id },
      },
      ctx,
    );
  }
  if (type === 'lead.unanswered' && (trigger.type === 'lead.submitted' || trigger.type === 'callback.requested')) {
    const formId = (trigger.data as { formId?: string }).formId;
    return buildEvent(
      {
        ...common,
        type,
        summary: `Nobody answered the ${trigger.type === 'callback.requested' ? 'callback request' : 'lead'} within ${Math.round(reaction.waitMs / 60_000)} min`,
        data: {
          leadEventId: trigger.id,
          leadType: trigger.type,
          waitedMinutes: Math.max(1, Math.round(reaction.waitMs / 60_000)),
          ...(formId ? { formId } : {}),
        },
      },
      ctx,
    );
  }
  return undefined;
};
