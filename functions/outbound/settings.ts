/**
 * Outbound configuration, read once from the environment and validated,
 * naming the variable in the error: which connector sends each channel,
 * quiet hours, how long messages are kept and how hard the sender retries.
 */
import { z } from 'zod';
import type { CountryCode } from '../domain/identity.js';
import { DEFAULT_QUIET_HOURS, parseQuietHours, type QuietHours } from '../domain/reachability/quiet-hours.js';
import type { ReachOptions } from '../domain/reachability/plan.js';
import { OUTBOUND_CHANNELS, type OutboundChannel, type TextLimit } from '../domain/reachability/types.js';
import { findSender, SENDERS, type Sender } from '../connectors/senders.js';

export const OUTBOUND_ENV = {
  /** Connectors that send, comma-separated (`telegram,whatsapp,twilio,ses`); the first per channel wins. */
  connectors: 'OMNIHUB_OUTBOUND_CONNECTORS',
  /** `21:00-09:00` (default) or `off`. */
  quietHours: 'OMNIHUB_QUIET_HOURS',
  /** Days a message record is kept. */
  retentionDays: 'OMNIHUB_MESSAGE_RETENTION_DAYS',
  /** Attempts per channel before a transient failure counts as the channel failing. */
  maxAttempts: 'OMNIHUB_SEND_MAX_ATTEMPTS',
  /** Hours after the first attempt on a channel that retries stop. */
  retryWindowHours: 'OMNIHUB_SEND_RETRY_WINDOW_HOURS',
} as const;

export interface RetrySettings {
  readonly maxAttemptsPerChannel: number;
  readonly windowMs: number;
  /** First backoff; doubles per attempt, full jitter. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export interface OutboundSettings {
  /** The sender of each channel that has one configured. */
  readonly senders: Readonly<Partial<Record<OutboundChannel, Sender>>>;
  readonly quietHours?: QuietHours;
  readonly retentionDays: number;
  readonly retry: RetrySettings;
}

const SettingsSchema = z.object({
  connectors: z
    .string()
    .transform((v, ctx) => {
      const names = v
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
      const unknown = names.filter((n) => !findSender(n));
      if (unknown.length)
        ctx.addIssue({
          code: 'custom',
          message: `${unknown.join(', ')} cannot send; senders are ${Object.keys(SENDERS).join(', ')}`,
        });
      return names;
    })
    .optional(),
  quietHours: z
    .string()
    .default(DEFAULT_QUIET_HOURS)
    .transform((v, ctx) => {
      const parsed = parseQuietHours(v);
      if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
      return typeof parsed === 'string' ? undefined : parsed;
    }),
  retentionDays: z.coerce.number().int().min(1).max(3650).default(90),
  maxAttempts: z.coerce.number().int().min(1).max(50).default(6),
  retryWindowHours: z.coerce.number().positive().max(72).default(24),
});

/** The first sender per channel, in the order given. */
export const sendersByChannel = (connectors: readonly string[]): Partial<Record<OutboundChannel, Sender>> => {
  const out: Partial<Record<OutboundChannel, Sender>> = {};
  for (const name of connectors) {
    const sender = findSender(name);
    if (sender && !out[sender.channel]) out[sender.channel] = sender;
  }
  return out;
};

/**
 * Reads the settings. `defaultConnectors` applies when
 * `OMNIHUB_OUTBOUND_CONNECTORS` is unset (the local hub passes the
 * connectors whose credentials are in the environment).
 * @throws Error naming every bad variable.
 */
export const readOutboundSettings = (
  env: NodeJS.ProcessEnv,
  defaultConnectors: readonly string[] = [],
): OutboundSettings => {
  const raw = Object.fromEntries(
    Object.entries(OUTBOUND_ENV).map(([key, name]) => [key, env[name] === '' ? undefined : env[name]]),
  );
  const result = SettingsSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues
      .map((i) => `${OUTBOUND_ENV[i.path[0] as keyof typeof OUTBOUND_ENV] ?? String(i.path[0])}: ${i.message}`)
      .join('; ');
    throw new Error(`Invalid outbound configuration: ${problems}`);
  }
  const c = result.data;
  return {
    senders: sendersByChannel(c.connectors ?? defaultConnectors),
    ...(c.quietHours ? { quietHours: c.quietHours } : {}),
    retentionDays: c.retentionDays,
    retry: {
      maxAttemptsPerChannel: c.maxAttempts,
      windowMs: c.retryWindowHours * 3_600_000,
      baseDelayMs: 30_000,
      maxDelayMs: 3_600_000,
    },
  };
};

/** The reachability options these settings imply, now. */
export const reachOptions = (settings: OutboundSettings, now: Date, defaultCountry: CountryCode): ReachOptions => {
  const channels = OUTBOUND_CHANNELS.filter((c) => settings.senders[c]);
  const textLimits: Partial<Record<OutboundChannel, TextLimit>> = {};
  for (const c of channels) textLimits[c] = (settings.senders[c] as Sender).textLimit;
  return {
    now,
    defaultCountry,
    enabledChannels: channels,
    textLimits,
    ...(settings.quietHours ? { quietHours: settings.quietHours } : {}),
  };
};
