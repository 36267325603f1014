/**
 * CRM amounts → `Money` (integer minor units). CRMs report deal amounts as
 * decimal strings ("1000000.00", HubSpot, Bitrix24) or numbers in major
 * units (Kommo `price`), so the conversion is done on the decimal text:
 * no binary floating point ever touches an amount.
 *
 * Vendor-neutral; used by the hubspot, bitrix24 and kommo connectors (a
 * candidate for `connectors/shared/`).
 */
import type { Money } from '../../events/hub-event.js';

const DECIMAL = /^(-?)(\d+)(?:[.,](\d+))?$/;

/** Minor-unit digits of an ISO 4217 currency (2 for UAH, 0 for JPY); undefined for an unknown code. */
export const currencyDigits = (currency: string): number | undefined => {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits;
  } catch {
    return undefined;
  }
};

/**
 * `"1500.5"` + `"UAH"` → `{ amountMinor: 150050, currency: 'UAH' }`.
 * Undefined when the amount or the currency is missing or unreadable, so an
 * event never carries a made-up amount. Extra fraction digits round half up.
 */
export const decimalToMoney = (
  value: string | number | null | undefined,
  currency: string | null | undefined,
): Money | undefined => {
  if (value === null || value === undefined || !currency) return undefined;
  const code = currency.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(code)) return undefined;
  const digits = currencyDigits(code);
  if (digits === undefined) return undefined;
  const match = DECIMAL.exec(typeof value === 'number' ? String(value) : value.trim());
  if (!match) return undefined;
  const [, sign = '', whole = '0', fraction = ''] = match;
  const kept = fraction.padEnd(digits, '0').slice(0, digits);
  const roundUp = (fraction[digits] ?? '0') >= '5' ? 1 : 0;
  const minor = Number(whole) * 10 ** digits + Number(kept || '0') + roundUp;
  if (!Number.isSafeInteger(minor)) return undefined;
  return { amountMinor: sign === '-' && minor !== 0 ? -minor : minor, currency: code };
};

/** `{ amountMinor: 150050, currency: 'UAH' }` → `1500.50 UAH`, for summaries. */
export const formatMoney = (money: Money): string => {
  const digits = currencyDigits(money.currency) ?? 2;
  const abs = Math.abs(money.amountMinor);
  const whole = Math.floor(abs / 10 ** digits);
  const fraction = digits ? `.${String(abs % 10 ** digits).padStart(digits, '0')}` : '';
  return `${money.amountMinor < 0 ? '-' : ''}${whole}${fraction} ${money.currency}`;
};

/** Like `decimalToMoney`, but a zero amount — how CRMs show "no budget set" — is no amount. */
export const dealAmount = (value: string | number | null | undefined, currency: string | null | undefined): Money | undefined => {
  const money = decimalToMoney(value, currency);
  return money && money.amountMinor !== 0 ? money : undefined;
};
