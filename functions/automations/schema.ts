/**
 * The schema of `automations.config.ts`: what starts an automation (`when`,
 * an EventBridge event pattern), how long it waits and what cancels it
 * (`wait`, `unless`), what it sends (`send`, through the outbound messages
 * pipeline and its reachability rules), and the per-customer guard rails
 * (a frequency cap for marketing, quiet hours). Loading and its errors are
 * ./config.ts; the pattern checks ./validate.ts.
 */
import * as z from 'zod';
import { OUTBOUND_CHANNELS, PURPOSES } from '../domain/reachability/types.js';
import { parseQuietHours } from '../domain/reachability/quiet-hours.js';
import type { EventPattern } from '../events/rules.js';
import { checkPlaceholders } from './placeholders.js';

/** Kebab-case, ≤ 30 characters: part of timer names (`a-<name>-<customerId>`, Scheduler caps names at 64). */
const AUTOMATION_NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

const DURATION = /^(\d+)(s|m|h|d)$/;
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `90s`, `15m`, `2h`, `7d` → milliseconds; undefined when malformed. */
export const durationMs = (text: string): number | undefined => {
  const m = DURATION.exec(text);
  return m ? Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS] : undefined;
};

/** A duration from 1 s to 365 days, written `90s`, `15m`, `2h` or `7d`. */
const DurationSchema = z
  .string()
  .regex(DURATION, 'a duration like 90s, 15m, 2h or 7d')
  .refine((d) => (durationMs(d) ?? 1_000) >= 1_000 && (durationMs(d) ?? 0) <= 365 * UNIT_MS.d, {
    error: 'must be between 1s and 365d',
  });

/** Checked by ./validate.ts with the matcher the bus uses; here only its shape. */
const PatternSchema = z.custom<EventPattern>(
  (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
  'an EventBridge event pattern (an object), e.g. { "detail-type": ["cart.updated"] }',
);

const TemplateSchema = z
  .object({
    /** An approved WhatsApp template, name and language exactly as approved. */
    name: z.string().min(1).max(512),
    language: z.string().min(2).max(15),
    /**
     * Fill `{{1}}`, `{{2}}`, … of its body, in order; each may hold
     * placeholders, `{{profile.name}}`, `{{event.data.total}}` (./placeholders.ts).
     */
    parameters: z.array(z.string().min(1).max(1024)).max(20).optional(),
  })
  .strict();

const SendSchema = z
  .object({
    /** Decides consent, windows, quiet hours and fallbacks, as for the messages API. */
    purpose: z.enum(PURPOSES),
    /** Free text, for channels without templates (and WhatsApp within 24 h). */
    text: z.string().min(1).max(4096).optional(),
    template: TemplateSchema.optional(),
    /**
     * Only this channel (no fallback); `trigger` → the channel the trigger
     * names (a lead whose contact was given as a WhatsApp or Telegram number,
     * a message she wrote) tried first, then the rules' order; omitted → the
     * channel the reachability rules choose.
     */
    channel: z.enum([...OUTBOUND_CHANNELS, 'trigger']).optional(),
  })
  .strict()
  .refine((s) => s.text !== undefined || s.template !== undefined, { error: 'needs a text, a template or both' });

const QuietHoursSchema = z.string().refine((q) => typeof parseQuietHours(q) !== 'string', {
  error: 'quiet hours look like 21:00-09:00 (24-hour, the customer’s time zone) or "off"',
});

const AutomationSchema = z
  .object({
    name: z
      .string()
      .regex(AUTOMATION_NAME, 'kebab-case: lowercase letters, digits and "-", starting with a letter')
      .max(30, 'at most 30 characters'),
    description: z.string().max(256).optional(),
    /** The event that starts a run: an EventBridge event pattern, as in subscriptions. */
    when: PatternSchema,
    /** How long after `when` the message goes; omitted → at once. */
    wait: DurationSchema.optional(),
    /** An event of the same customer that cancels a waiting run (e.g. `order.placed`); needs `wait`. */
    unless: PatternSchema.optional(),
    send: SendSchema,
    /**
     * Runs inside this daily window (in the customer's zone) wait until it
     * ends, whatever the purpose. Marketing also obeys OMNIHUB_QUIET_HOURS.
     */
    quietHours: QuietHoursSchema.optional(),
    /** @default true */
    enabled: z.boolean().default(true),
  })
  .strict()
  .refine((a) => a.unless === undefined || a.wait !== undefined, {
    error: '`unless` cancels a waiting run: give a `wait` too',
    path: ['unless'],
  })
  .superRefine((a, ctx) => {
    const texts: [PropertyKey[], string][] = [
      ...(a.send.text !== undefined ? [[['send', 'text'], a.send.text] as [PropertyKey[], string]] : []),
      ...(a.send.template?.parameters ?? []).map((p, i): [PropertyKey[], string] => [
        ['send', 'template', 'parameters', i],
        p,
      ]),
    ];
    for (const [path, text] of texts)
      for (const message of checkPlaceholders(text, a.when)) ctx.addIssue({ code: 'custom', path, message });
  });

export const AutomationsFileSchema = z
  .object({
    automations: z.array(AutomationSchema).max(100),
    /** At most `max` marketing messages per customer within `per`, counting every marketing message she got. */
    marketingCap: z
      .object({ max: z.number().int().min(1).max(100), per: DurationSchema })
      .strict()
      .optional(),
  })
  .strict();

export type Automation = z.output<typeof AutomationSchema>;
export type AutomationInput = z.input<typeof AutomationSchema>;
export type AutomationsFile = z.output<typeof AutomationsFileSchema>;
export type AutomationsFileInput = z.input<typeof AutomationsFileSchema>;
