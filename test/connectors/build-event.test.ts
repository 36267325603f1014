/**
 * Summary and time helpers shared by the connectors
 * (`functions/connectors/shared/build-event.ts`).
 */
import { describe, expect, it } from 'vitest';
import { formatDuration, fromDateString } from '../../functions/connectors/shared/build-event.js';

describe('Connector event helpers (shared)', () => {
  describe('formatDuration', () => {
    it.each([
      [0, '0s'],
      [59, '59s'],
      [74, '1m 14s'], // Twilio CallDuration
      [172, '2m 52s'], // Ringostat billsec
      [245, '4m 5s'], // Binotel billsec
      [3600, '1h 0m'],
      [3725, '1h 2m'],
    ])('formats %i seconds as %s', (seconds, expected) => {
      // Act & Assess
      expect(formatDuration(seconds)).toBe(expected);
    });
  });

  describe('fromDateString', () => {
    it.each([
      ['2024-05-01T12:00:00+03:00', '2024-05-01T09:00:00.000Z'],
      ['2024-05-01T09:00:00.123Z', '2024-05-01T09:00:00.123Z'],
      ['Wed, 01 May 2024 09:00:00 +0000', '2024-05-01T09:00:00.000Z'], // Twilio's RFC 2822 Timestamp
    ])('reads %s as %s', (value, expected) => {
      // Act & Assess
      expect(fromDateString(value)).toBe(expected);
    });

    it.each([[undefined], [null], [''], ['not a date'], ['+275760-09-13T00:00:00.001Z']])(
      'gives no time for %j',
      (value) => {
        // Act & Assess
        expect(fromDateString(value)).toBeUndefined();
      },
    );
  });
});
