/**
 * The customer's clocks as time arithmetic: birthday traits in the formats
 * CRMs export, the next celebration at a local time in her zone (DST, leap
 * years, "today but already past"), and when a silence becomes inactivity.
 */
import { describe, expect, it } from 'vitest';
import {
  inactiveAt,
  isBirthdayToday,
  localDate,
  nextBirthday,
  parseBirthday,
  zonedInstant,
} from '../../../functions/automations/clocks.js';

describe('parseBirthday', () => {
  it('reads ISO dates, dates without a year and dotted dates', () => {
    expect(parseBirthday('1990-05-14')).toEqual({ year: 1990, month: 5, day: 14 });
    expect(parseBirthday('1990-05-14T00:00:00.000Z')).toEqual({ year: 1990, month: 5, day: 14 });
    expect(parseBirthday('--05-14')).toEqual({ month: 5, day: 14 });
    expect(parseBirthday('05-14')).toEqual({ month: 5, day: 14 });
    expect(parseBirthday('14.05.1990')).toEqual({ year: 1990, month: 5, day: 14 });
    expect(parseBirthday('--02-29')).toEqual({ month: 2, day: 29 });
  });

  it('refuses impossible dates and anything else', () => {
    for (const bad of ['1990-02-30', '1991-02-29', '13-01', '2026-00-10', 'tomorrow', '', '1850-01-01', 42, null])
      expect(parseBirthday(bad), String(bad)).toBeUndefined();
  });
});

describe('nextBirthday', () => {
  const KYIV = 'Europe/Kyiv';
  const TEN = 10 * 60;

  it('is today at 10:00 local time when that is still ahead, with the age she turns', () => {
    const now = new Date('2026-05-14T05:00:00.000Z'); // 08:00 in Kyiv (UTC+3 in summer)
    const next = nextBirthday({ year: 1990, month: 5, day: 14 }, now, KYIV, TEN);
    expect(next).toEqual({ at: new Date('2026-05-14T07:00:00.000Z'), date: '2026-05-14', age: 36 });
  });

  it('is next year once today’s time has passed', () => {
    const now = new Date('2026-05-14T07:00:01.000Z');
    expect(nextBirthday({ month: 5, day: 14 }, now, KYIV, TEN)).toEqual({
      at: new Date('2027-05-14T07:00:00.000Z'),
      date: '2027-05-14',
    });
  });

  it('follows the zone’s offset (winter) and the local date, not the UTC one', () => {
    // 23:30 UTC on 13 January is already 14 January in Kyiv (UTC+2 in winter).
    const now = new Date('2026-01-13T23:30:00.000Z');
    expect(nextBirthday({ month: 1, day: 14 }, now, KYIV, TEN).at).toEqual(new Date('2026-01-14T08:00:00.000Z'));
    expect(nextBirthday({ month: 1, day: 14 }, now, 'America/New_York', TEN).at).toEqual(
      new Date('2026-01-14T15:00:00.000Z'),
    );
  });

  it('celebrates 29 February on the 28th in other years', () => {
    const now = new Date('2026-01-01T00:00:00.000Z');
    expect(nextBirthday({ year: 2000, month: 2, day: 29 }, now, 'UTC', TEN)).toEqual({
      at: new Date('2026-02-28T10:00:00.000Z'),
      date: '2026-02-28',
      age: 26,
    });
    expect(isBirthdayToday({ month: 2, day: 29 }, new Date('2026-02-28T12:00:00.000Z'), 'UTC')).toBe(true);
    expect(isBirthdayToday({ month: 2, day: 29 }, new Date('2028-02-28T12:00:00.000Z'), 'UTC')).toBe(false);
  });
});

describe('zonedInstant and localDate', () => {
  it('maps a wall-clock time to its instant across a DST change', () => {
    // Kyiv moves to summer time on 29 March 2026 at 03:00 local (00:00 UTC).
    expect(zonedInstant(2026, 3, 28, 600, 'Europe/Kyiv')).toEqual(new Date('2026-03-28T08:00:00.000Z'));
    expect(zonedInstant(2026, 3, 29, 600, 'Europe/Kyiv')).toEqual(new Date('2026-03-29T07:00:00.000Z'));
    expect(localDate(new Date('2026-03-28T22:30:00.000Z'), 'Europe/Kyiv')).toBe('2026-03-29');
  });
});

describe('inactiveAt', () => {
  it('is the last interaction plus the days', () => {
    expect(inactiveAt('2026-01-01T10:00:00.000Z', 90)).toEqual(new Date('2026-04-01T10:00:00.000Z'));
  });
});

describe('the runner’s name for imported events', () => {
  it('is the import connector’s', async () => {
    const { IMPORT_CONNECTOR } = await import('../../../functions/domain/import.js');
    const runner = await import('node:fs').then((fs) => fs.readFileSync('functions/automations/runner.ts', 'utf8'));
    expect(runner).toContain(`const IMPORT_CONNECTOR = '${IMPORT_CONNECTOR}';`);
  });
});
