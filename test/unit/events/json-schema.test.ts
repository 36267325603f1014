import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderCatalogue, renderJsonSchema } from '../../../functions/events/json-schema.js';

describe('generated contract docs', () => {
  it('docs/hub-event.schema.json is current (run `npm run schema`)', () => {
    expect(readFileSync('docs/hub-event.schema.json', 'utf8')).toBe(renderJsonSchema());
  });
  it('docs/event-catalogue.md is current (run `npm run schema`)', () => {
    expect(readFileSync('docs/event-catalogue.md', 'utf8')).toBe(renderCatalogue());
  });
  it('the JSON Schema has one variant per event type', () => {
    const schema = JSON.parse(renderJsonSchema()) as { oneOf: unknown[] };
    expect(schema.oneOf.length).toBe(21);
  });
});
