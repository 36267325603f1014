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
import { buildEvent, type EventDraft } from '../connectors/shared/build-event.js';
import type { CountryCode } from '../domain/identity.js';
import { fromTimelineItem, INTERACTION_TYPES, type Profile, type TimelineItem } from '../domain/profile.js';
import { OUTBOUND_CHANNELS, type OutboundChannel } from '../domain/reachability/types.js';
import { customerTimeZone, quietHoursEnd } from '../domain/reachability/quiet-hours.js';
import { type CustomerEvent, parseCustomerEvent } from '../events/customer-events.js';
import type { BusEntry } from '../events/envelope.js';
import {
  type Channel,
  HUB_EVENT_TYPES,
  HUB_SOURCE,
  type HubEvent,
  parseHubEvent,
  SCHEMA_VERSION,
} from '../events/hub-event.js';
import type { MessageTemplate } from '../outbound/message.js';
import { republishIfQueued, submitMessage } from '../outbound/submit.js';
import type { OutboundSettings } from '../outbound/settings.js';
import type { EventPublisher, MessageStore, ProfileStore, Timers } from '../ports.js';
import { HubError } from '../shared/errors.js';
import { inactiveAt, isBirthdayToday, nextBirthday, parseBirthday } from './clocks.js';
import { fillPlaceholders } from './placeholders.js';
import type { Reaction } from './reactions.js';
import { type Automation, durationMs, type AutomationsFile } from './schema.js';

/** The connector name of the events the runner makes (source `omnihub.automations`). */
const AUTOMATIONS_CONNECTOR = 'automations';
/**
 * `IMPORT_CONNECTOR` of domain/import.ts, named here rather than imported so
 * the function's bundle does not carry the import planner: an imported past
 * (an old CRM's orders) starts no inactivity clock; her next live touch does.
 */
const IMPORT_CONNECTOR = 'import';
const AUTOMATION_DUE = 'automation.due';

const AutomationDueSchema = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  /** The reaction's key (`a-<automation>`, `t-cart`, `t-lead`). */
  reaction: z.string().min(1).max(40),
  customerId: z.string().min(1).max(64),
  triggerEventId: z.string().min(1).max(64),
  triggeredAt: z.iso.datetime({ offset: true }),
  /** A birthday timer: the local date it is for (`YYYY-MM-DD`). */
  date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional(),
});
type AutomationDue = z.infer<typeof AutomationDueSchema>;

/** The customer the event belongs to is not in the store yet (the profile writer runs beside the runner). */
class CustomerNotYetKnownError extends HubError {
  constructor(eventId: string) {
    super(`No profile resolves the identities of ${eventId} yet`, 503, 'customer_not_yet_known');
  }
}

/** The customer's own clocks (./clocks.ts): one timer per customer each, re-read when it fires. */
export interface ClockSettings {
  /** `customer.inactive` after this many days without an interaction; 0 → off. */
  readonly inactiveDays: number;
  /** `customer.birthday` from this trait at this local time; omitted → off. */
  readonly birthday?: { readonly trait: string; readonly minuteOfDay: number };
}

/** Timer keys of the clocks (`<key>-<customerId>`). */
const INACTIVE_KEY = 't-inactive';
const BIRTHDAY_KEY = 't-birthday';

export interface RunnerDeps {
  readonly store: Pick<ProfileStore, 'findByIdentity' | 'getProfile' | 'getTimeline'>;
  readonly messages: MessageStore;
  readonly publisher: EventPublisher;
  readonly timers: Timers;
  readonly settings: OutboundSettings;
  readonly defaultCountry: CountryCode;
  readonly reactions: readonly Reaction[];
  readonly marketingCap?: AutomationsFile['marketingCap'];
  /** @default both off */
  readonly clocks?: ClockSettings;
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
    const idempotencyKey = `automation:${automation.name}:${trigger.id}`;
    // A second firing of this run (a redelivery, a timer fired twice): its message exists — the same outcome,
    // whatever the cap counts now (it counts this very message) or the profile says now.
    const sent = await deps.messages.findByIdempotencyKey(idempotencyKey);
    if (sent) {
      await republishIfQueued({ publisher: deps.publisher, now: deps.now }, sent);
      return record('automation.triggered', reaction, profile, trigger.id, sent.channel, {
        messageId: sent.messageId,
        sentChannel: sent.channel,
      });
    }
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
    const content = fillContent(automation.send, profile, trigger);
    if ('missing' in content)
      return skip('missing_parameter', `${content.missing} has no value for this customer (${content.where})`);
    const channel = automation.send.channel === 'trigger' ? triggerChannel(trigger) : automation.send.channel;
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
          ...(content.text !== undefined ? { text: content.text } : {}),
          ...(content.template ? { template: content.template } : {}),
          ...(channel && automation.send.channel !== 'trigger' ? { channel } : {}),
          ...(channel && automation.send.channel === 'trigger' ? { preferChannel: channel } : {}),
          // One message per run, however often its timer fires.
          idempotencyKey,
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
    if (due.reaction === INACTIVE_KEY) return fireInactive(due);
    if (due.reaction === BIRTHDAY_KEY) return fireBirthday(due);
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

  // ---- the customer's clocks: one timer each, re-read when it fires (no schedule rewritten per event)

  /** Which clocks an event touches: an interaction (not an imported past) and a birthday trait it carries. */
  const clocksFor = (event: HubEvent) => ({
    inactive:
      (deps.clocks?.inactiveDays ?? 0) > 0 && INTERACTION_TYPES.has(event.type) && event.connector !== IMPORT_CONNECTOR,
    birthday: deps.clocks?.birthday !== undefined && deps.clocks.birthday.trait in event.customer.traits,
  });

  const clockDue = (key: string, profile: Profile, triggerEventId: string, date?: string): AutomationDue => ({
    schemaVersion: SCHEMA_VERSION,
    reaction: key,
    customerId: profile.customerId,
    triggerEventId,
    triggeredAt: deps.now().toISOString(),
    ...(date ? { date } : {}),
  });

  /**
   * Arms her inactivity timer unless one is pending: a pending one fires at
   * an earlier last interaction + N days and re-arms itself from the profile
   * then, so a busy customer costs one "is it there?" per event, not a
   * schedule rewrite.
   */
  const armInactive = async (profile: Profile, event: HubEvent): Promise<void> => {
    const days = deps.clocks?.inactiveDays ?? 0;
    const last = profile.lastInteractionAt ?? event.occurredAt;
    const at = new Date(Math.max(inactiveAt(last, days).getTime(), deps.now().getTime()));
    await deps.timers.ensure({
      name: `${INACTIVE_KEY}-${profile.customerId}`,
      at,
      entry: dueEntry(clockDue(INACTIVE_KEY, profile, profile.lastInteractionEventId ?? event.id)),
    });
  };

  const fireInactive = async (due: AutomationDue): Promise<void> => {
    const days = deps.clocks?.inactiveDays ?? 0;
    if (days <= 0) return; // Turned off since.
    const profile = await deps.store.getProfile(due.customerId);
    if (!profile?.lastInteractionAt) return; // Erased (or merged away: the survivor has her own timer).
    const dueAt = inactiveAt(profile.lastInteractionAt, days);
    const lastId = profile.lastInteractionEventId ?? due.triggerEventId;
    if (dueAt.getTime() > deps.now().getTime()) {
      // She interacted since the timer was armed: it moves to her newest interaction + N days.
      await deps.timers.set({
        name: `${INACTIVE_KEY}-${profile.customerId}`,
        at: dueAt,
        entry: dueEntry(clockDue(INACTIVE_KEY, profile, lastId)),
      });
      return;
    }
    // One per silence (the id is her last interaction's): a second firing is the same event. Her next
    // interaction arms the next one.
    const event = clockEvent(deps, profile, {
      providerEventId: `customer.inactive:${profile.customerId}:${lastId}`,
      type: 'customer.inactive',
      summary: `No interaction for ${days} days (last ${profile.lastInteractionAt.slice(0, 10)})`,
      data: { lastInteractionAt: profile.lastInteractionAt, lastInteractionEventId: lastId, inactiveDays: days },
    });
    if (event) await deps.publisher.publish([event]);
  };

  /**
   * The birthday an event leaves her with: the profile's, once the writer
   * applied the event (or a newer value), else the event's own — the writer
   * runs beside the runner, and a stale profile must not cancel the timer.
   */
  const birthdayValue = (profile: Profile, event: HubEvent): unknown => {
    const trait = deps.clocks?.birthday?.trait ?? 'birthday';
    const stamp = profile.traitTimes[trait];
    return stamp !== undefined && stamp >= `${event.occurredAt}|${event.id}`
      ? profile.traits[trait]
      : event.customer.traits[trait];
  };

  /** Sets her birthday timer from the profile's trait (moved when it changed), or cancels it when she has none. */
  const armBirthday = async (profile: Profile, triggerEventId: string, value: unknown): Promise<void> => {
    const settings = deps.clocks?.birthday;
    if (!settings) return;
    const name = `${BIRTHDAY_KEY}-${profile.customerId}`;
    const birthday = parseBirthday(value);
    if (!birthday) {
      await deps.timers.cancel(name);
      return;
    }
    const zone = customerTimeZone(profile, deps.defaultCountry).zone;
    const next = nextBirthday(birthday, deps.now(), zone, settings.minuteOfDay);
    await deps.timers.set({
      name,
      at: next.at,
      entry: dueEntry(clockDue(BIRTHDAY_KEY, profile, triggerEventId, next.date)),
    });
  };

  const fireBirthday = async (due: AutomationDue): Promise<void> => {
    const settings = deps.clocks?.birthday;
    if (!settings) return;
    const profile = await deps.store.getProfile(due.customerId);
    if (!profile) return; // Erased: no greeting, and no timer for next year.
    const raw = profile.traits[settings.trait];
    const birthday = parseBirthday(raw);
    if (!birthday) return; // The trait was removed (its event cancelled the timer; this one lost the race).
    const zone = customerTimeZone(profile, deps.defaultCountry).zone;
    const now = deps.now();
    // Only on the day: a timer that fired late (the hub was down over her birthday) greets nobody a day late.
    if (isBirthdayToday(birthday, now, zone) && due.date) {
      const next = nextBirthday(birthday, new Date(now.getTime() - 86_400_000), zone, 0);
      const event = clockEvent(deps, profile, {
        providerEventId: `customer.birthday:${profile.customerId}:${due.date}`,
        type: 'customer.birthday',
        summary: `Birthday${next.age ? ` (${next.age})` : ''}`,
        data: {
          birthday: String(raw),
          date: due.date,
          timeZone: zone,
          ...(birthday.year !== undefined && Number(due.date.slice(0, 4)) > birthday.year
            ? { age: Number(due.date.slice(0, 4)) - birthday.year }
            : {}),
        },
      });
      if (event) await deps.publisher.publish([event]);
    }
    // Next year's (or, when the trait moved, the new date's).
    await armBirthday(profile, due.triggerEventId, raw);
  };

  /**
   * She was erased: every timer of hers (and of the profiles merged into
   * her) is cancelled — a birthday a year ahead, an inactivity clock, a
   * waiting run — rather than left to fire into nothing.
   */
  const forget = async (erased: CustomerEvent): Promise<void> => {
    if (erased.type !== 'customer.erased') return;
    const keys = [...deps.reactions.map((r) => r.key), INACTIVE_KEY, BIRTHDAY_KEY];
    for (const id of [erased.customerId, ...erased.relatedIds])
      for (const key of keys) await deps.timers.cancel(`${key}-${id}`);
  };

  /** One bus envelope (a hub event, an `automation.due` from a timer, or a `customer.erased`). */
  const handle = async (envelope: { 'detail-type'?: unknown; detail?: unknown }): Promise<void> => {
    if (envelope['detail-type'] === AUTOMATION_DUE) return fire(AutomationDueSchema.parse(envelope.detail));
    if (envelope['detail-type'] === 'customer.erased') return forget(parseCustomerEvent(envelope.detail));
    // Only customer events start or cancel runs (not a hydration request, not a customer.merged notification).
    if (!(HUB_EVENT_TYPES as readonly unknown[]).includes(envelope['detail-type'])) return;
    const event = parseHubEvent(envelope.detail);
    if (isIgnored(event)) return;
    const matching = deps.reactions.filter((r) => r.when(envelopeOf(event)) || r.unless?.(envelopeOf(event)));
    const clocks = clocksFor(event);
    if (matching.length === 0 && !clocks.inactive && !clocks.birthday) return;
    const profile = await resolveCustomer(deps, event);
    if (!profile) throw new CustomerNotYetKnownError(event.id);
    if (clocks.inactive) await armInactive(profile, event);
    if (clocks.birthday) await armBirthday(profile, event.id, birthdayValue(profile, event));
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

/** The channel the trigger names: the messenger a form asked her contact in, or the messenger she wrote in. */
const triggerChannel = (event: HubEvent): OutboundChannel | undefined => {
  const contact = (event.data as { contactChannel?: OutboundChannel }).contactChannel;
  if (contact) return contact;
  return (OUTBOUND_CHANNELS as readonly string[]).includes(event.channel)
    ? (event.channel as OutboundChannel)
    : undefined;
};

/** The automation's text and template with their placeholders filled, or the first one she has no value for. */
const fillContent = (
  send: Automation['send'],
  profile: Profile,
  trigger: HubEvent,
): { text?: string; template?: MessageTemplate } | { missing: string; where: string } => {
  let text: string | undefined;
  if (send.text !== undefined) {
    const filled = fillPlaceholders(send.text, profile, trigger);
    if ('missing' in filled) return { missing: filled.missing, where: 'send.text' };
    text = filled.text;
  }
  if (!send.template) return text !== undefined ? { text } : {};
  const parameters: string[] = [];
  for (const [i, p] of (send.template.parameters ?? []).entries()) {
    const filled = fillPlaceholders(p, profile, trigger);
    // An empty parameter is refused by WhatsApp (error 100, invalid parameter): as good as missing.
    if ('missing' in filled || filled.text.trim() === '')
      return { missing: 'missing' in filled ? filled.missing : p, where: `send.template.parameters[${i}]` };
    parameters.push(filled.text);
  }
  const template: MessageTemplate = {
    name: send.template.name,
    language: send.template.language,
    ...(send.template.parameters ? { parameters } : {}),
  };
  return { ...(text !== undefined ? { text } : {}), template };
};

/** `customer.inactive` / `customer.birthday`: made by the hub, about her, with a deterministic id. */
const clockEvent = <T extends 'customer.inactive' | 'customer.birthday'>(
  deps: Pick<RunnerDeps, 'now' | 'defaultCountry'>,
  profile: Profile,
  event: Pick<EventDraft<T>, 'providerEventId' | 'type' | 'summary' | 'data'>,
): HubEvent | undefined => {
  const now = deps.now().toISOString();
  return buildEvent(
    {
      connector: AUTOMATIONS_CONNECTOR,
      ...event,
      channel: profile.lastChannel ?? 'web',
      occurredAt: now,
      identities: profile.identities.slice(0, 50),
    },
    { receivedAt: now, defaultCountry: deps.defaultCountry },
  );
};
