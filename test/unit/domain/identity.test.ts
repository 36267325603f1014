import { describe, expect, it } from 'vitest';
import {
  identityKey,
  normalizeEmail,
  normalizeIdentities,
  normalizePhone,
} from '../../../functions/domain/identity.js';

describe('normalizePhone', () => {
  it.each([
    ['050 111 22 33', '+380501112233'],
    ['+380501112233', '+380501112233'],
    ['380501112233', '+380501112233'], // WhatsApp wa_id: international digits without "+"
    ['(050) 111-22-33', '+380501112233'],
    ['00380501112233', '+380501112233'],
    ['+1 650 555 1234', '+16505551234'],
    ['16505551234', '+16505551234'],
  ])('normalizes %s to %s', (input, expected) => {
    expect(normalizePhone(input, 'UA')).toBe(expected);
  });

  it('reads national numbers in the configured default country', () => {
    expect(normalizePhone('030 123456', 'DE')).toBe('+4930123456');
    expect(normalizePhone('050 111 22 33', 'DE')).not.toBe('+380501112233');
  });

  it.each(['', '   ', 'abc', '123', '+999 1234'])('rejects %j', (input) => {
    expect(normalizePhone(input, 'UA')).toBeUndefined();
  });
});

describe('normalizeEmail', () => {
  it('trims and lowercases', () => {
    expect(normalizeEmail('  Olena.K@Example.COM ')).toBe('olena.k@example.com');
  });
  it.each(['not-an-email', 'a@b', '@x.com', 'a b@x.com'])('rejects %j', (input) => {
    expect(normalizeEmail(input)).toBeUndefined();
  });
});

describe('normalizeIdentities', () => {
  it('collapses the three spellings of one phone into one identity and drops unusable ones', () => {
    // Prepare
    const identities = [
      { type: 'phone' as const, value: '050 111 22 33' },
      { type: 'phone' as const, value: '+380501112233' },
      { type: 'phone' as const, value: '380501112233' },
      { type: 'email' as const, value: 'nope' },
      { type: 'telegram' as const, value: ' 123456789 ' },
    ];
    // Act
    const result = normalizeIdentities(identities, 'UA');
    // Assess
    expect(result.map(identityKey)).toEqual(['phone:+380501112233', 'telegram:123456789']);
  });
});

describe('normalizePhone with numbers the metadata does not know', () => {
  it('keeps a number of possible length that a vendor vouches for', () => {
    expect(normalizePhone('972987654321', 'UA')).toBe('+972987654321'); // WhatsApp test wa_id
    expect(normalizePhone('+11234567890', 'UA')).toBe('+11234567890');
  });
  it('prefers the valid reading of digits without "+"', () => {
    expect(normalizePhone('380501112233', 'UA')).toBe('+380501112233');
  });
  it('still rejects text and impossible lengths', () => {
    expect(normalizePhone('call me', 'UA')).toBeUndefined();
    expect(normalizePhone('+38050', 'UA')).toBeUndefined();
  });
});

describe('normalizeTelegramUsername', () => {
  it.each([
    ['@Olena_K', 'olena_k'],
    ['https://t.me/olena_k', 'olena_k'],
    ['olena_k', 'olena_k'],
  ])('normalizes %s', async (input, expected) => {
    const { normalizeTelegramUsername } = await import('../../../functions/domain/identity.js');
    expect(normalizeTelegramUsername(input)).toBe(expected);
  });
  it.each(['@ab', '1olena', 'olena k'])('rejects %j', async (input) => {
    const { normalizeTelegramUsername } = await import('../../../functions/domain/identity.js');
    expect(normalizeTelegramUsername(input)).toBeUndefined();
  });
});

describe('normalizePhone on the min metadata (what the Lambdas bundle)', () => {
  /** The same reading with libphonenumber's full metadata: the reference the min metadata must agree with. */
  const withFullMetadata = async (raw: string, country: 'UA' | 'DE' | 'US' | 'GB' | 'PL') => {
    const { parsePhoneNumberFromString } = await import('libphonenumber-js/max');
    const trimmed = raw.trim();
    const candidates =
      trimmed.startsWith('+') || trimmed.startsWith('00')
        ? [trimmed.replace(/^00/, '+')]
        : [trimmed, `+${trimmed.replace(/[^\d+]/g, '')}`];
    const parsed = candidates.map((c) =>
      c.startsWith('+') ? parsePhoneNumberFromString(c) : parsePhoneNumberFromString(c, country),
    );
    return (parsed.find((p) => p?.isValid()) ?? parsed.find((p) => p?.isPossible()))?.number;
  };

  it.each([
    ['050 111 22 33', 'UA'],
    ['067 123 45 67', 'UA'],
    ['044 123 45 67', 'UA'],
    ['380671234567', 'UA'],
    ['972987654321', 'UA'],
    ['+11234567890', 'UA'],
    ['030 123456', 'DE'],
    ['0151 23456789', 'DE'],
    ['4915123456789', 'DE'],
    ['(650) 555-1234', 'US'],
    ['16505551234', 'US'],
    ['07911 123456', 'GB'],
    ['020 7946 0018', 'GB'],
    ['447911123456', 'GB'],
    ['512 345 678', 'PL'],
    ['48512345678', 'PL'],
    ['0048 22 123 45 67', 'PL'],
  ] as const)('reads %s (%s) as the full metadata does', async (input, country) => {
    // Prepare
    const expected = await withFullMetadata(input, country);

    // Assess
    expect(expected).toBeDefined();
    expect(normalizePhone(input, country)).toBe(expected);
  });
});

describe('phone country on the min metadata (quiet hours read the time zone from it)', () => {
  it.each([
    '+14165551234', // Toronto: CA, not US, on a shared +1
    '+16045551234',
    '+12125551234',
    '+18095551234',
    '+12465551234',
    '+447911123456',
    '+79161234567',
    '+77011234567', // Kazakhstan on Russia's +7
    '+380501112233',
    '+61412345678',
    '+590690123456',
    '+262692123456',
    '+3584570123456',
  ])('%s gets the country the full metadata gives', async (input) => {
    // Prepare
    const min = await import('libphonenumber-js/min');
    const max = await import('libphonenumber-js/max');
    const expected = max.parsePhoneNumberFromString(input)?.country;

    // Assess
    expect(expected).toBeDefined();
    expect(min.parsePhoneNumberFromString(input)?.country).toBe(expected);
  });
});
