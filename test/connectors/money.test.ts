/**
 * Exact money shared by every connector (`functions/connectors/shared/money.ts`):
 * decimal text → integer minor units with one ISO 4217 exponent table, the
 * CRM spelling of amounts (HubSpot, Bitrix24, Kommo), Poster's hundredths,
 * and the text summaries show.
 */
import { describe, expect, it } from 'vitest';
import {
  centsToMinor,
  currencyExponent,
  dealAmount,
  decimalToMinor,
  decimalToMoney,
  formatMoney,
} from '../../functions/connectors/shared/money.js';

describe('Connector money (shared)', () => {
  describe('decimalToMinor (commerce amounts: Shopify)', () => {
    it.each([
      ['403.00', 'USD', 40300],
      ['0.10', 'USD', 10],
      ['0.29', 'USD', 29], // 0.29 * 100 is 28.999999999999996 in floating point
      ['1234.5', 'USD', 123450],
      ['19.99', 'EUR', 1999],
      ['1000', 'JPY', 1000],
      ['1000.00', 'JPY', 1000],
      ['12.345', 'KWD', 12345],
      ['-5.00', 'USD', -500],
      ['1.005', 'USD', 101], // more decimals than the currency: half away from zero
      ['-1.005', 'USD', -101],
      ['.5', 'USD', 50],
      ['90071992547409.91', 'USD', 9007199254740991],
    ])('%s %s → %i minor units', (amount, currency, expected) => {
      expect(decimalToMinor(amount, currency)).toBe(expected);
    });

    it.each([['1e3'], ['1,000.00'], [''], ['.'], ['abc'], ['90071992547409.92'], ['12 345']])(
      'refuses %j',
      (amount) => {
        expect(decimalToMinor(amount, 'USD')).toBeUndefined();
      },
    );

    it('reads a JSON number by its decimal spelling (refund line subtotal 89.99)', () => {
      expect(decimalToMinor(89.99, 'USD')).toBe(8999);
      expect(decimalToMinor(0.1 + 0.2, 'USD')).toBe(30); // "0.30000000000000004" rounds to 30
    });

    it('knows the ISO 4217 exponents that are not 2', () => {
      expect([
        currencyExponent('JPY'),
        currencyExponent('KRW'),
        currencyExponent('KWD'),
        currencyExponent('CLF'),
        currencyExponent('UAH'),
      ]).toEqual([0, 0, 3, 4, 2]);
    });

    it('formats minor units for summaries and rescales hundredths (Poster) to any exponent', () => {
      expect(formatMoney({ amountMinor: 40300, currency: 'USD' })).toBe('403.00 USD');
      expect(formatMoney({ amountMinor: 5, currency: 'USD' })).toBe('0.05 USD');
      expect(formatMoney({ amountMinor: 1000, currency: 'JPY' })).toBe('1000 JPY');
      expect(formatMoney({ amountMinor: -1234, currency: 'KWD' })).toBe('-1.234 KWD');
      expect(centsToMinor(2750, 'UAH')).toBe(2750);
      expect(centsToMinor(2750, 'JPY')).toBe(28);
      expect(centsToMinor(2750, 'KWD')).toBe(27500);
    });
  });

  describe('decimalToMoney (CRM amounts: HubSpot, Bitrix24, Kommo)', () => {
    it.each([
      ['1500.5', 'UAH', 150050],
      ['1000000.00', 'eur', 100000000],
      ['19.999', 'USD', 2000],
      ['1500', 'JPY', 1500],
      [42500, 'UAH', 4250000],
      ['-3.10', 'UAH', -310],
    ])('reads %j %s as %i minor units', (value, currency, minor) => {
      // Act & Assess
      expect(decimalToMoney(value, currency)).toEqual({ amountMinor: minor, currency: currency.toUpperCase() });
    });

    it.each([[null], ['abc'], ['1e5'], ['']])('gives no amount for %j', (value) => {
      // Act & Assess
      expect(decimalToMoney(value, 'UAH')).toBeUndefined();
    });

    it('gives no amount without a valid currency and formats for summaries', () => {
      // Act & Assess
      expect(decimalToMoney('10', null)).toBeUndefined();
      expect(decimalToMoney('10', 'EURO')).toBeUndefined();
      expect(formatMoney({ amountMinor: 150050, currency: 'UAH' })).toBe('1500.50 UAH');
      expect(formatMoney({ amountMinor: 1500, currency: 'JPY' })).toBe('1500 JPY');
    });

    it('reads a decimal comma, and nothing looser than the CRM spelling', () => {
      // Act & Assess
      expect(decimalToMoney('1500,5', 'UAH')).toEqual({ amountMinor: 150050, currency: 'UAH' });
      expect(decimalToMoney(' 1500.50 ', ' uah ')).toEqual({ amountMinor: 150050, currency: 'UAH' });
      for (const value of ['+5', '.5', '5.', '1,000.00', '1 000', '1.2.3'])
        expect(decimalToMoney(value, 'UAH')).toBeUndefined();
    });

    it('uses the same ISO 4217 exponents as the commerce connectors', () => {
      // Act & Assess
      expect(decimalToMoney('12.345', 'KWD')).toEqual({ amountMinor: 12345, currency: 'KWD' });
      expect(decimalToMoney('1500', 'HUF')).toEqual({ amountMinor: 150000, currency: 'HUF' });
      expect(decimalToMoney('1500', 'HUF')?.amountMinor).toBe(decimalToMinor('1500', 'HUF'));
    });

    it('gives no amount beyond 2^53 minor units', () => {
      // Act & Assess
      expect(decimalToMoney('90071992547409.91', 'USD')).toEqual({ amountMinor: 9007199254740991, currency: 'USD' });
      expect(decimalToMoney('90071992547409.92', 'USD')).toBeUndefined();
    });

    it('treats a zero deal amount as no budget set', () => {
      // Act & Assess
      expect(dealAmount('0.00', 'UAH')).toBeUndefined();
      expect(dealAmount('0', 'UAH')).toBeUndefined();
      expect(dealAmount('25000', 'UAH')).toEqual({ amountMinor: 2500000, currency: 'UAH' });
    });
  });
});
