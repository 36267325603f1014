/** Dates, times and money in the viewer's locale, with `Intl` only (no library, nothing to download). */

export interface Money {
  readonly amountMinor: number;
  readonly currency: string;
}

const cache = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat | Intl.RelativeTimeFormat>();
const cached = <T extends Intl.DateTimeFormat | Intl.NumberFormat | Intl.RelativeTimeFormat>(
  key: string,
  make: () => T,
): T => {
  let f = cache.get(key) as T | undefined;
  if (!f) {
    f = make();
    cache.set(key, f);
  }
  return f;
};

/** 4 Nov 2026, 09:00 (or the locale's equivalent). */
export const formatDateTime = (iso: string, locale: string): string =>
  cached(`dt:${locale}`, () => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' })).format(
    new Date(iso),
  );

/** 4 Nov 2026. */
export const formatDate = (iso: string, locale: string): string =>
  cached(`d:${locale}`, () => new Intl.DateTimeFormat(locale, { dateStyle: 'medium' })).format(new Date(iso));

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 86_400_000],
  ['month', 30 * 86_400_000],
  ['week', 7 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/** "3 hours ago", "yesterday"; `justNow` under a minute. */
export const formatRelative = (iso: string, locale: string, justNow: string, now = Date.now()): string => {
  const diff = Date.parse(iso) - now;
  const rtf = cached(`r:${locale}`, () => new Intl.RelativeTimeFormat(locale, { numeric: 'auto' }));
  for (const [unit, ms] of UNITS) if (Math.abs(diff) >= ms) return rtf.format(Math.round(diff / ms), unit);
  return justNow;
};

/** Minor units → the currency's own number of decimals (UAH 2, JPY 0, KWD 3), as ISO 4217 and `Intl` agree. */
export const formatMoney = (money: Money, locale: string): string => {
  const f = cached(`m:${locale}:${money.currency}`, () => {
    try {
      return new Intl.NumberFormat(locale, { style: 'currency', currency: money.currency });
    } catch {
      return new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    }
  }) as Intl.NumberFormat;
  const digits = f.resolvedOptions().maximumFractionDigits ?? 2;
  return f.format(money.amountMinor / 10 ** digits);
};

export const formatNumber = (value: number, locale: string, maximumFractionDigits = 2): string =>
  cached(`n:${locale}:${maximumFractionDigits}`, () => new Intl.NumberFormat(locale, { maximumFractionDigits })).format(
    value,
  );
