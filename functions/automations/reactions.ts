/**
 * Reactions: what the automation runner does with an event. The user's
 * automations (`send` a message) and the hub's own time-based events
 * (`emit` `cart.abandoned`, `lead.unanswered`) are one shape — a pattern
 * that starts a wait, a pattern that cancels it, an action when it ends —
 * so both share one timer mechanism, one cancel path and one re-check.
 */
import { compilePattern, type CompiledPattern } from '../events/pattern-matcher.js';
import { HUB_EVENT_TYPES, type HubEventType, SOURCE_PREFIX } from '../events/hub-event.js';
import { parseQuietHours, type QuietHours } from '../domain/reachability/quiet-hours.js';
import { minuteOfDay } from './clocks.js';
import type { ClockSettings } from './runner.js';
import { durationMs, type Automation, type AutomationsFile } from './schema.js';

export type ReactionAction =
  | { readonly kind: 'send'; readonly automation: Automation }
  | { readonly kind: 'emit'; readonly type: Extract<HubEventType, 'cart.abandoned' | 'lead.unanswered'> };

export interface Reaction {
  /** Timer names are `<key>-<customerId>`; short, as Scheduler caps names at 64 characters. */
  readonly key: string;
  /** The automation's name, or the time-based event's. */
  readonly name: string;
  readonly when: CompiledPattern;
  readonly unless?: CompiledPattern;
  readonly waitMs: number;
  readonly quietHours?: QuietHours;
  readonly action: ReactionAction;
}

export interface TimeBasedSettings {
  /** `cart.abandoned` after a cart with no order for this long; 0 → off. */
  readonly abandonedCartHours: number;
  /** `lead.unanswered` after a lead with no outbound message and no call for this long; 0 → off. */
  readonly leadUnansweredMinutes: number;
  /** `customer.inactive` after this many days without an interaction; 0 or omitted → off. */
  readonly inactiveDays?: number;
  /** `HH:MM` local time of `customer.birthday`, or `off`. @default off */
  readonly birthdayTime?: string;
  /** @default birthday */
  readonly birthdayTrait?: string;
}

/** The runner's clock settings (`customer.inactive`, `customer.birthday`) from the time-based settings. */
export const clocksOf = (settings: TimeBasedSettings): ClockSettings => {
  const minute = settings.birthdayTime ? minuteOfDay(settings.birthdayTime) : undefined;
  return {
    inactiveDays: settings.inactiveDays ?? 0,
    ...(minute !== undefined ? { birthday: { trait: settings.birthdayTrait ?? 'birthday', minuteOfDay: minute } } : {}),
  };
};

/** What ends a cart: any order, online or at a till. */
const ORDER_PATTERN = { 'detail-type': ['order.placed', 'order.paid', 'purchase.completed'] };

/** The hub's own time-based events. */
const timeBased = (settings: TimeBasedSettings): Reaction[] => [
  ...(settings.abandonedCartHours > 0
    ? [
        {
          key: 't-cart',
          name: 'cart.abandoned',
          when: compilePattern({ 'detail-type': ['cart.updated'] }),
          unless: compilePattern(ORDER_PATTERN),
          waitMs: settings.abandonedCartHours * 3_600_000,
          action: { kind: 'emit', type: 'cart.abandoned' } as const,
        },
      ]
    : []),
  ...(settings.leadUnansweredMinutes > 0
    ? [
        {
          key: 't-lead',
          name: 'lead.unanswered',
          when: compilePattern({ 'detail-type': ['lead.submitted', 'callback.requested'] }),
          // Someone answered: a message to her (any outbound one, from the hub or a CRM) or a call that happened.
          unless: compilePattern({
            $or: [
              { 'detail-type': ['message.sent'], detail: { data: { direction: ['outbound'] } } },
              { 'detail-type': ['call.completed'] },
            ],
          }),
          waitMs: settings.leadUnansweredMinutes * 60_000,
          action: { kind: 'emit', type: 'lead.unanswered' } as const,
        },
      ]
    : []),
];

/** Every reaction of a validated automations file plus the hub's time-based events. */
export const reactionsOf = (file: AutomationsFile, settings: TimeBasedSettings): Reaction[] => [
  ...timeBased(settings),
  ...file.automations
    .filter((a) => a.enabled)
    .map((a): Reaction => {
      const quiet = a.quietHours ? parseQuietHours(a.quietHours) : undefined;
      return {
        key: `a-${a.name}`,
        name: a.name,
        when: compilePattern(a.when),
        ...(a.unless ? { unless: compilePattern(a.unless) } : {}),
        waitMs: a.wait ? (durationMs(a.wait) ?? 0) : 0,
        ...(quiet && typeof quiet !== 'string' ? { quietHours: quiet } : {}),
        action: { kind: 'send', automation: a },
      };
    }),
];

/**
 * The rule feeding the runner: every touchpoint and every event the hub
 * makes about a customer, except the runner's own records, and
 * `customer.erased` (her pending timers are cancelled). The runner matches
 * each automation's own patterns itself, with the same matcher.
 */
export const AUTOMATIONS_RULE_PATTERN = {
  source: [{ prefix: SOURCE_PREFIX }],
  'detail-type': [
    ...HUB_EVENT_TYPES.filter((t) => t !== 'automation.triggered' && t !== 'automation.skipped'),
    'customer.erased',
  ],
};
