/**
 * Quiet hours: a daily window, in the customer's own time zone, in which
 * marketing waits (service and transactional messages never do). Pure; the
 * clock is a parameter.
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/min';
import type { Profile } from '../profile.js';
import { COUNTRY_TIME_ZONES } from './time-zones.js';

/** A daily window `start`–`end` in minutes after local midnight; `start > end` wraps past midnight. */
export interface QuietHours {
  readonly startMinute: number;
  readonly endMinute: number;
}

const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/**
 * Parses `21:00-09:00`; `off` (or an empty string) disables quiet hours.
 * @returns the window, `undefined` for off, or a string saying what is wrong.
 */
export const parseQuietHours = (raw: string): QuietHours | undefined | string => {
  const text = raw.trim().toLowerCase();
  if (text === '' || text === 'off') return undefined;
  const [from, to, ...rest] = text.split('-').map((s) => s.trim());
  const start = from ? HH_MM.exec(from) : null;
  const end = to ? HH_MM.exec(to) : null;
  if (!start || !end || rest.length) return 'quiet hours must look like 21:00-09:00 (24-hour HH:MM-HH:MM) or "off"';
  const startMinute = Number(start[1]) * 60 + Number(start[2]);
  const endMinute = Number(end[1]) * 60 + Number(end[2]);
  if (startMinute === endMinute) return 'quiet hours must not start and end at the same minute';
  return { startMinute, endMinute };
};

const isTimeZone = (zone: string): boolean => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

/** Where the customer's zone came from, for the plan's explanation. */
export interface CustomerTimeZone {
  readonly zone: string;
  readonly source: 'trait' | 'phone' | 'default-country';
  readonly country?: string;
}

/**
 * The zone quiet hours are evaluated in: a valid IANA `timezone` trait
 * (CRM, shop) first, else the country of her first phone number
 * (libphonenumber), else the hub's default country.
 */
export const customerTimeZone = (profile: Profile, defaultCountry: CountryCode): CustomerTimeZone => {
  const trait = profile.traits.timezone;
  if (typeof trait === 'string' && trait && isTimeZone(trait)) return { zone: trait, source: 'trait' };
  for (const identity of profile.identities) {
    if (identity.type !== 'phone') continue;
    const country = parsePhoneNumberFromString(identity.value)?.country;
    const zone = country ? COUNTRY_TIME_ZONES[country] : undefined;
    if (country && zone) return { zone, source: 'phone', country };
  }
  return { zone: COUNTRY_TIME_ZONES[defaultCountry] ?? 'UTC', source: 'default-country', country: defaultCountry };
};

/** Minutes after local midnight of `at` in `zone`. */
const localMinuteOfDay = (at: Date, zone: string): number => {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: zone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const hour = Number(parts.find((p) => p.type === 'hour')?.value ?? 0);
  const minute = Number(parts.find((p) => p.type === 'minute')?.value ?? 0);
  return hour * 60 + minute;
};

const inWindow = (minute: number, q: QuietHours): boolean =>
  q.startMinute < q.endMinute
    ? minute >= q.startMinute && minute < q.endMinute
    : minute >= q.startMinute || minute < q.endMinute;

/**
 * When marketing may go out: `undefined` when `now` is outside quiet hours,
 * else the first instant quiet hours end in `zone` (a DST change inside the
 * window is corrected for, so "09:00" means 09:00 on the wall clock).
 */
export const quietHoursEnd = (now: Date, zone: string, quiet: QuietHours | undefined): Date | undefined => {
  if (!quiet) return undefined;
  const minute = localMinuteOfDay(now, zone);
  if (!inWindow(minute, quiet)) return undefined;
  const wait = (quiet.endMinute - minute + 1440) % 1440;
  // Start of the current minute + the wait; then nudge by the wall-clock difference a DST change made.
  let candidate = new Date(Math.floor(now.getTime() / 60_000) * 60_000 + wait * 60_000);
  for (let i = 0; i < 2; i++) {
    const drift = ((quiet.endMinute - localMinuteOfDay(candidate, zone) + 720 + 1440) % 1440) - 720;
    if (drift === 0) break;
    candidate = new Date(candidate.getTime() + drift * 60_000);
  }
  return candidate;
};
