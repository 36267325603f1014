import { describe, expect, it } from 'vitest';
import { planSearch } from '../../../functions/domain/search.js';

const identities = (query: string) => {
  const plan = planSearch(query, 'UA');
  return plan.kind === 'identities' ? plan.identities.map((i) => `${i.type}:${i.value}`) : plan;
};

describe('Search: free text to identities', () => {
  it.each([['050 111 22 33'], ['+380501112233'], ['380501112233'], ['(050) 111-22-33'], [' +38 050 111 22 33 ']])(
    'reads the phone %j, in any spelling, as +380501112233 first',
    (query) => {
      // Act
      const found = identities(query);

      // Assess
      expect(Array.isArray(found) && found[0]).toBe('phone:+380501112233');
    },
  );

  it('also tries bare digits as a messenger id or card number, after the phone', () => {
    expect(identities('380501112233')).toEqual([
      'phone:+380501112233',
      'telegram:380501112233',
      'loyalty_card:380501112233',
      'messenger:380501112233',
      'instagram:380501112233',
    ]);
    // Too short to be a phone: only the platform ids remain.
    expect(identities('7000001')).toEqual([
      'telegram:7000001',
      'loyalty_card:7000001',
      'messenger:7000001',
      'instagram:7000001',
    ]);
  });

  it('reads an email, lowercased', () => {
    expect(identities('  Olena.K@Example.COM ')).toEqual(['email:olena.k@example.com']);
  });

  it('takes an explicit type:value as written, normalized', () => {
    expect(identities('telegram:123')).toEqual(['telegram:123']);
    expect(identities('Phone:050 111 22 33')).toEqual(['phone:+380501112233']);
    expect(identities('whatsapp:380501112233')).toEqual(['whatsapp:380501112233']);
  });

  it('reads @username as a Telegram username', () => {
    expect(identities('@Iryna_Sofa')).toEqual(['telegram_username:iryna_sofa']);
  });

  it('tries a bare token as a Telegram username and the platform ids', () => {
    expect(identities('journey-viber-id=')).toEqual([
      'viber:journey-viber-id=',
      'instagram:journey-viber-id=',
      'messenger:journey-viber-id=',
      'site:journey-viber-id=',
      'loyalty_card:journey-viber-id=',
    ]);
    expect((identities('iryna_sofa') as string[])[0]).toBe('telegram_username:iryna_sofa');
  });

  it('recognizes a customer id', () => {
    expect(planSearch('cus_0123456789abcdef01234567', 'UA')).toEqual({
      kind: 'customer',
      customerId: 'cus_0123456789abcdef01234567',
    });
  });

  it.each([
    ['', /Type a phone/],
    ['   ', /Type a phone/],
    ['a@b', /not a valid email/],
    ['phone:12', /not a valid phone/],
    ['hello world, who is this', /not a phone, email/],
    ['x'.repeat(400), /At most 320/],
  ])('refuses %j with a reason', (query, problem) => {
    const plan = planSearch(query, 'UA');
    expect(plan.kind).toBe('invalid');
    expect(plan.kind === 'invalid' && plan.problem).toMatch(problem);
  });
});
