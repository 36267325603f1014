/**
 * `automations.config.ts` is validated before the hub starts, every problem
 * named by its field path (as for subscriptions), event patterns checked by
 * the very matcher the bus uses.
 */
import { describe, expect, it } from 'vitest';
import { AutomationConfigError, defineAutomations } from '../../../functions/automations/config.js';
import { validateAutomations } from '../../../functions/automations/validate.js';

const valid = {
  name: 'abandoned-cart',
  when: { 'detail-type': ['cart.abandoned'] },
  send: { purpose: 'marketing', template: { name: 'cart_reminder', language: 'uk' } },
} as const;

const issuesOf = (input: unknown): readonly string[] => {
  try {
    validateAutomations(input);
  } catch (err) {
    if (err instanceof AutomationConfigError) return err.issues;
    throw err;
  }
  return [];
};

describe('automations.config.ts', () => {
  it('accepts a valid file and fills the defaults', () => {
    const file = defineAutomations({ automations: [valid], marketingCap: { max: 2, per: '7d' } });
    expect(file.automations[0]).toMatchObject({ name: 'abandoned-cart', enabled: true });
    expect(file.marketingCap).toEqual({ max: 2, per: '7d' });
  });

  it('names every bad field by its path', () => {
    const issues = issuesOf({
      automations: [
        {
          ...valid,
          name: 'Abandoned Cart',
          wait: '2 hours',
          quietHours: '9pm-9am',
          send: { purpose: 'promo', channel: 'pigeon' },
        },
        { ...valid, unless: { 'detail-type': ['order.placed'] } },
        valid,
        valid,
      ],
      marketingCap: { max: 0, per: '1w' },
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^automations\[0\]\.name: kebab-case/),
        expect.stringMatching(/^automations\[0\]\.wait: a duration like 90s/),
        expect.stringMatching(/^automations\[0\]\.quietHours: quiet hours look like 21:00-09:00/),
        expect.stringMatching(/^automations\[0\]\.send\.purpose: /),
        expect.stringMatching(/^automations\[0\]\.send\.channel: /),
        expect.stringMatching(/^automations\[1\]\.unless: `unless` cancels a waiting run: give a `wait` too/),
        'automations[2].name: duplicate name (also automations[1])',
        'automations[3].name: duplicate name (also automations[1])',
        expect.stringMatching(/^marketingCap\.max: /),
        expect.stringMatching(/^marketingCap\.per: a duration/),
      ]),
    );
  });

  it('a send with neither text nor template is refused', () => {
    expect(issuesOf({ automations: [{ ...valid, send: { purpose: 'service' } }] })).toEqual([
      'automations[0].send: needs a text, a template or both',
    ]);
  });

  it('checks the event patterns with the bus matcher, naming the path inside the pattern', () => {
    const issues = issuesOf({
      automations: [{ ...valid, wait: '1h', when: { 'detail-type': 'cart.abandoned' }, unless: { detail: {} } }],
    });
    expect(issues).toEqual([
      expect.stringMatching(/^automations\[0\]\.when\.detail-type: /),
      expect.stringMatching(/^automations\[0\]\.unless\.detail: /),
    ]);
  });
});
