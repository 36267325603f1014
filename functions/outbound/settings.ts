/**
 * The outbound settings, from a function's parsed configuration (the
 * variables are declared once in `functions/shared/config.ts`): which
 * connector sends each channel, quiet hours, how long messages are kept and
 * how hard the sender retries.
 */
import type { CountryCode } from '../domain/identity.js';
import { parseQuietHours, type QuietHours } from '../domain/reachability/quiet-hours.js';
import type { ReachOptions } from '../domain/reachability/plan.js';
import { OUTBOUND_CHANNELS, type OutboundChannel, type TextLimit } from '../domain/reachability/types.js';
import { findSender, SENDERS, type Sender } from '../connectors/senders.js';
import { ConfigError, ENV } from '../shared/config.js';

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

/** The outbound variables of a function's configuration (`FUNCTION_CONFIGS.api`, `.sender`, `['local-hub']`). */
export interface OutboundConfig {
  readonly outboundConnectors: readonly string[];
  readonly quietHours: string;
  readonly messageRetentionDays: number;
  readonly sendMaxAttempts: number;
  readonly sendRetryWindowHours: number;
}

/** The first sender per channel, in the order given. */
const sendersByChannel = (connectors: readonly string[]): Partial<Record<OutboundChannel, Sender>> => {
  const out: Partial<Record<OutboundChannel, Sender>> = {};
  for (const name of connectors) {
    const sender = findSender(name);
    if (sender && !out[sender.channel]) out[sender.channel] = sender;
  }
  return out;
};

/**
 * The settings of a parsed configuration. `defaultConnectors` apply when
 * `OMNIHUB_OUTBOUND_CONNECTORS` is empty (the local hub passes the
 * connectors whose credentials are in the environment).
 * @throws ConfigError naming the variable when a connector cannot send.
 */
export const outboundSettingsOf = (
  c: OutboundConfig,
  fn: string,
  defaultConnectors: readonly string[] = [],
): OutboundSettings => {
  const unknown = c.outboundConnectors.filter((n) => !findSender(n));
  if (unknown.length)
    throw new ConfigError(fn, [
      `${ENV.outboundConnectors}: ${unknown.join(', ')} cannot send; senders are ${Object.keys(SENDERS).join(', ')}`,
    ]);
  const quietHours = parseQuietHours(c.quietHours);
  if (typeof quietHours === 'string') throw new ConfigError(fn, [`${ENV.quietHours}: ${quietHours}`]);
  return {
    senders: sendersByChannel(c.outboundConnectors.length ? c.outboundConnectors : defaultConnectors),
    ...(quietHours ? { quietHours } : {}),
    retentionDays: c.messageRetentionDays,
    retry: {
      maxAttemptsPerChannel: c.sendMaxAttempts,
      windowMs: c.sendRetryWindowHours * 3_600_000,
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
