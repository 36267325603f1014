/**
 * Placeholders in an automation's message: checked when the file loads (an
 * unknown profile field, an event field the `when` types lack — named by
 * the field path), filled from the profile and the trigger when the run acts,
 * the first missing value named.
 */
import { describe, expect, it } from 'vitest';
import { AutomationConfigError } from '../../../functions/automations/config.js';
import { checkPlaceholders, fillPlaceholders, placeholdersOf } from '../../../functions/automations/placeholders.js';
import { validateAutomations } from '../../../functions/automations/validate.js';
import { emptyProfile, type Profile } from '../../../functions/domain/profile.js';
import type { HubEvent } from '../../../functions/events/hub-event.js';

const profile = {
  ...emptyProfile('cus_1', '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z'),
  traits: { name: 'Олена Петренко', city: 'Львів' },
} as Profile;

const cartAbandoned = {
  type: 'cart.abandoned',
  channel: 'ecommerce',
  data: {
    cartId: 'cart_1',
    total: { amountMinor: 2549900, currency: 'UAH' },
    items: [{ name: 'Sofa Oslo', quantity: 1 }],
    cartUpdatedAt: '2026-11-23T10:00:00.000Z',
    cartEventId: 'evt_1',
  },
} as unknown as HubEvent;

const issuesOf = (input: unknown): readonly string[] => {
  try {
    validateAutomations(input);
  } catch (err) {
    if (err instanceof AutomationConfigError) return err.issues;
    throw err;
  }
  return [];
};

describe('placeholders', () => {
  it('finds each placeholder with its fallback', () => {
    expect(placeholdersOf('Hi {{ profile.firstName | друже }}, {{event.data.total}}!')).toEqual([
      { path: 'profile.firstName', fallback: 'друже' },
      { path: 'event.data.total' },
    ]);
  });

  it('fills profile fields, traits and event data (money as amount and currency)', () => {
    expect(
      fillPlaceholders(
        '{{profile.firstName}} з {{profile.traits.city}}: {{event.data.items.0.name}}, {{event.data.total}}',
        profile,
        cartAbandoned,
      ),
    ).toEqual({ text: 'Олена з Львів: Sofa Oslo, 25499.00 UAH' });
  });

  it('names the first value the customer does not have, unless a fallback is given', () => {
    expect(fillPlaceholders('{{profile.name}} {{profile.traits.segment}}', profile, cartAbandoned)).toEqual({
      missing: 'profile.traits.segment',
    });
    expect(fillPlaceholders('Hi {{profile.traits.segment | there}}', profile, cartAbandoned)).toEqual({
      text: 'Hi there',
    });
  });

  it('checks paths against the profile fields and the data of every `when` type', () => {
    const when = { 'detail-type': ['cart.abandoned', 'lead.submitted'] };
    expect(checkPlaceholders('{{profile.name}} {{profile.traits.city}} {{event.summary}}', when)).toEqual([]);
    expect(checkPlaceholders('{{profile.nmae}}', when)).toEqual([
      expect.stringMatching(/^\{\{profile\.nmae\}\}: unknown profile field/),
    ]);
    expect(checkPlaceholders('{{event.data.total}}', when)).toEqual([
      '{{event.data.total}}: lead.submitted has no data.total',
    ]);
    expect(checkPlaceholders('{{event.data.total.amountMinor}}', { 'detail-type': ['cart.abandoned'] })).toEqual([]);
    expect(checkPlaceholders('{{cart.total}}', when)).toEqual([
      expect.stringMatching(/a placeholder is profile\.<field> or event\.<field>/),
    ]);
  });
});

describe('placeholders in automations.config.ts', () => {
  it('are validated at load, each problem named by its field path', () => {
    const issues = issuesOf({
      automations: [
        {
          name: 'abandoned-cart',
          when: { 'detail-type': ['cart.abandoned'] },
          send: {
            purpose: 'marketing',
            text: 'Hi {{profile.nmae}}',
            template: {
              name: 'cart_reminder',
              language: 'uk',
              parameters: ['{{profile.name}}', '{{event.data.orderId}}'],
            },
          },
        },
      ],
    });
    expect(issues).toEqual([
      expect.stringMatching(/^automations\[0\]\.send\.text: \{\{profile\.nmae\}\}: unknown profile field/),
      'automations[0].send.template.parameters[1]: {{event.data.orderId}}: cart.abandoned has no data.orderId',
    ]);
  });
});
