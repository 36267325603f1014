/**
 * Exact money for every connector: vendor amounts → `Money` (integer minor
 * units of an ISO 4217 currency) and back to text for summaries. Vendors
 * send decimal strings ("403.00", "1000000.00") or JSON numbers; "0.1 + 0.2"
 * arithmetic would turn some of them into off-by-one cents, so the decimal
 * text is read digit by digit with BigInt and no binary floating point ever
 * touches an amount.
 *
 * One exponent table for the whole hub, so the same amount in the same
 * currency is the same number of minor units whichever connector saw it.
 */
import type { Money } from '../../events/hub-event.js';

/**
 * ISO 4217 minor-unit exponents that are not 2 (ISO 4217 list one, 2024):
 * everything else has two decimals. An explicit table rather than
 * `Intl.NumberFormat` because ICU follows CLDR display digits, which differ
 * from ISO for some codes (IQD, RSD, IRR, …) and change between Node builds.
 */
const NON_TWO_DIGIT_EXPONENTS: Readonly<Record<string, number>> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  CLF: 4,
  UYW: 4,
};

/** Digits after the decimal point in the currency's minor unit (ISO 4217). */
export const currencyExponent = (currency: string): number => NON_TWO_DIGIT_EXPONENTS[currency.toUpperCase()] ?? 2;

/** An ISO 4217 code as the hub stores it (trimmed, upper case), or undefined. */
export const currencyCode = (value: string | null | undefined): string | undefined => {
  const code = value?.trim().toUpperCase();
  return code && /^[A-Z]{3}$/.test(code) ? code : undefined;
};

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?$/;

/** Divides by 10^places, rounding half away from zero. */
const shiftDown = (value: bigint, places: number): bigint => {
  if (places <= 0) return value * 10n ** BigInt(-places);
  const divisor = 10n ** BigInt(places);
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const rounded = (abs + divisor / 2n) / divisor;
  return negative ? -rounded : rounded;
};

const toSafeNumber = (value: bigint): number | undefined => {
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : undefined;
};

/**
 * `"403.00"` USD → 40300; `"1234.5"` → 123450; `"0.10"` → 10; `"1000"` JPY →
 * 1000; `"1.005"` USD → 101 (more decimals than the currency has are rounded
 * half away from zero). Undefined for anything that is not a plain decimal
 * (exponents, thousands separators, empty) or beyond 2^53 minor units.
 */
export const decimalToMinor = (amount: string | number | null | undefined, currency: string): number | undefined => {
  if (amount === null || amount === undefined) return undefined;
  // A JSON number (Shopify's refund `subtotal: 89.99`) is read by its shortest decimal spelling.
  const text = (typeof amount === 'number' ? (Number.isFinite(amount) ? String(amount) : '') : amount).trim();
  const match = DECIMAL.exec(text);
  if (!match || /e/i.test(text)) return undefined;
  const [, sign = '', whole = '', fraction = ''] = match;
  if (whole === '' && fraction === '') return undefined;
  const digits = BigInt(`${whole || '0'}${fraction}`);
  const minor = shiftDown(sign === '-' ? -digits : digits, fraction.length - currencyExponent(currency));
  return toSafeNumber(minor);
};

/**
 * Rescales an integer amount kept in hundredths (Poster's "kopecks" for any
 * account currency) to the currency's own minor unit.
 */
export const centsToMinor = (cents: number, currency: string): number | undefined => {
  if (!Number.isSafeInteger(cents)) return undefined;
  return toSafeNumber(shiftDown(BigInt(cents), 2 - currencyExponent(currency)));
};

/**
 * The CRM spelling of an amount (HubSpot and Bitrix24 decimal strings, Kommo
 * numbers): digits with an optional sign and one `.` or `,` separator, the
 * comma being how CRMs set to a comma locale write decimals.
 */
const CRM_DECIMAL = /^-?\d+(?:[.,]\d+)?$/;

/**
 * `"1500.5"` + `"UAH"` → `{ amountMinor: 150050, currency: 'UAH' }`.
 * Undefined when the amount or the currency is missing or unreadable, so an
 * event never carries a made-up amount.
 */
export const decimalToMoney = (
  value: string | number | null | undefined,
  currency: string | null | undefined,
): Money | undefined => {
  if (value === null || value === undefined) return undefined;
  const code = currencyCode(currency);
  if (!code) return undefined;
  const text = typeof value === 'number' ? String(value) : value.trim();
  if (!CRM_DECIMAL.test(text)) return undefined;
  const amountMinor = decimalToMinor(text.replace(',', '.'), code);
  return amountMinor === undefined ? undefined : { amountMinor, currency: code };
};

/** Like `decimalToMoney`, but a zero amount — how CRMs show "no budget set" — is no amount. */
export const dealAmount = (
  value: string | number | null | undefined,
  currency: string | null | undefined,
): Money | undefined => {
  const money = decimalToMoney(value, currency);
  return money && money.amountMinor !== 0 ? money : undefined;
};

/** `{ amountMinor: 40300, currency: 'USD' }` → `"403.00 USD"`, for summaries. */
export const formatMoney = ({ amountMinor, currency }: Money): string => {
  const exponent = currencyExponent(currency);
  const negative = amountMinor < 0;
  const digits = String(Math.abs(amountMinor)).padStart(exponent + 1, '0');
  const whole = exponent ? digits.slice(0, -exponent) : digits;
  const fraction = exponent ? `.${digits.slice(-exponent)}` : '';
  return `${negative ? '-' : ''}${whole}${fraction} ${currency}`;
};
