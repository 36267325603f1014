/**
 * The customer's own clocks: `customer.inactive` (no interaction for N days)
 * and `customer.birthday` (her birthday trait), as pure time arithmetic in
 * her time zone. The runner (./runner.ts) keeps one timer per customer and
 * clock and re-reads the profile when it fires; nothing here touches a port.
 */

const DAY_MS = 86_400_000;

/** A birthday as the trait gives it: month and day, and the year when known. */
export interface Birthday {
  readonly month: number;
  readonly day: number;
  readonly year?: number;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T.*)?$/;
const NO_YEAR = /^(?:--)?(\d{2})-(\d{2})$/;
const DOTTED = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/;

const daysIn = (month: number, year: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();

/**
 * Reads a birthday trait: `1990-05-14` (or an ISO date-time, its date part),
 * `05-14` / `--05-14` (ISO 8601 without a year) or `14.05.1990` (as CRMs in
 * Ukraine export it). Anything else, or an impossible date, is no birthday.
 */
export const parseBirthday = (value: unknown): Birthday | undefined => {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  const iso = ISO_DATE.exec(text);
  const noYear = NO_YEAR.exec(text);
  const dotted = DOTTED.exec(text);
  const parts = iso
    ? { year: Number(iso[1]), month: Number(iso[2]), day: Number(iso[3]) }
    : noYear
      ? { month: Number(noYear[1]), day: Number(noYear[2]) }
      : dotted
        ? { day: Number(dotted[1]), month: Number(dotted[2]), year: Number(dotted[3]) }
        : undefined;
  if (!parts || parts.month < 1 || parts.month > 12 || parts.day < 1) return undefined;
  // 29 February is a birthday without a year too (a leap year is assumed for the check).
  if (parts.day > daysIn(parts.month, parts.year ?? 2000)) return undefined;
  if (parts.year !== undefined && (parts.year < 1900 || parts.year > 2100)) return undefined;
  return parts;
};

/** Wall-clock parts of `at` in `zone`. */
const zonedParts = (at: Date, zone: string) => {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute') };
};

/** `YYYY-MM-DD` of `at` in `zone`. */
export const localDate = (at: Date, zone: string): string => {
  const p = zonedParts(at, zone);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
};

/**
 * The instant the wall clock in `zone` shows `year-month-day` at
 * `minuteOfDay` (a time a DST change skips resolves to the instant after).
 */
export const zonedInstant = (year: number, month: number, day: number, minuteOfDay: number, zone: string): Date => {
  const wanted = Date.UTC(year, month - 1, day, Math.floor(minuteOfDay / 60), minuteOfDay % 60);
  let guess = wanted;
  for (let i = 0; i < 3; i++) {
    const p = zonedParts(new Date(guess), zone);
    const shown = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
    if (shown === wanted) break;
    guess += wanted - shown;
  }
  return new Date(guess);
};

/** Her birthday's day in `year`: 29 February is celebrated on the 28th in other years. */
const dayInYear = (b: Birthday, year: number): number => Math.min(b.day, daysIn(b.month, year));

/** The next celebration strictly after `now`: when, the local date, and the age she turns (with a year). */
export const nextBirthday = (
  b: Birthday,
  now: Date,
  zone: string,
  minuteOfDay: number,
): { readonly at: Date; readonly date: string; readonly age?: number } => {
  const thisYear = zonedParts(now, zone).year;
  for (const year of [thisYear, thisYear + 1]) {
    const day = dayInYear(b, year);
    const at = zonedInstant(year, b.month, day, minuteOfDay, zone);
    if (at.getTime() > now.getTime()) {
      const date = `${year}-${String(b.month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
      return { at, date, ...(b.year !== undefined && year > b.year ? { age: year - b.year } : {}) };
    }
  }
  // Unreachable: next year's date is always after now; kept total for the type checker.
  return { at: new Date(now.getTime() + 365 * DAY_MS), date: localDate(now, zone) };
};

/** True when `now`, in `zone`, is her birthday (29 February counts on the 28th in other years). */
export const isBirthdayToday = (b: Birthday, now: Date, zone: string): boolean => {
  const p = zonedParts(now, zone);
  return p.month === b.month && p.day === dayInYear(b, p.year);
};

/** When a customer whose last interaction was `lastInteractionAt` becomes inactive after `days`. */
export const inactiveAt = (lastInteractionAt: string, days: number): Date =>
  new Date(Date.parse(lastInteractionAt) + days * DAY_MS);

/** `HH:MM` → minutes after midnight; undefined when malformed. */
export const minuteOfDay = (text: string): number | undefined => {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text.trim());
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
};
