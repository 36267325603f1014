import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CUSTOMER_EVENT_TYPES, customerEvent } from '../../../functions/events/customer-events.js';
import { HUB_EVENT_TYPES, HUB_SOURCE } from '../../../functions/events/hub-event.js';
import { renderCatalogue, renderJsonSchema } from '../../../functions/events/json-schema.js';

describe('generated contract docs', () => {
  it('docs/hub-event.schema.json is current (run `npm run schema`)', () => {
    expect(readFileSync('docs/hub-event.schema.json', 'utf8')).toBe(renderJsonSchema());
  });
  it('docs/event-catalogue.md is current (run `npm run schema`)', () => {
    expect(readFileSync('docs/event-catalogue.md', 'utf8')).toBe(renderCatalogue());
  });
  it('the JSON Schema has one variant per event the hub publishes: touchpoints and customer.*', () => {
    const schema = JSON.parse(renderJsonSchema()) as { oneOf: { properties: { type: { const: string } } }[] };
    const types = schema.oneOf.map((v) => v.properties.type.const);
    expect(types).toEqual([...HUB_EVENT_TYPES, ...CUSTOMER_EVENT_TYPES]);
    expect(types).toContain('customer.erased');
  });

  it('the catalogue describes every customer.* notification', () => {
    const catalogue = renderCatalogue();
    for (const type of CUSTOMER_EVENT_TYPES) expect(catalogue).toContain(`| \`${type}\` |`);
  });

  it('publishes customer.* notifications only as the contract allows', () => {
    // Prepare
    const fields = { occurredAt: '2025-01-01T00:00:00.000Z', customerId: 'cus_a', relatedIds: ['cus_b'] };

    // Act
    const merged = customerEvent('customer.merged', { ...fields, causedBy: 'evt_1' });

    // Assess: the entry is the notification, from the hub's own source, with a deterministic id.
    expect(merged).toMatchObject({
      source: HUB_SOURCE,
      detailType: 'customer.merged',
      detail: { type: 'customer.merged' },
    });
    expect(customerEvent('customer.merged', { ...fields, causedBy: 'evt_1' })).toEqual(merged);
    // An unmerge must say which identities moved; an unknown field is refused, not published.
    expect(() => customerEvent('customer.unmerged', fields)).toThrow(/identities/);
    expect(() =>
      customerEvent('customer.erased', { ...fields, causedBy: 'evt_1' } as Parameters<typeof customerEvent>[1]),
    ).toThrow(/causedBy/);
  });
});
