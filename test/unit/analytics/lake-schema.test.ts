/** The lake's columns are generated from the zod event contract and carry no direct identifier. */
import { describe, expect, it } from 'vitest';
import { eventRow, erasureRow, mergeRow } from '../../../functions/analytics/lake-row.js';
import { LAKE_COLUMNS, LakeRowSchema } from '../../../functions/analytics/lake-schema.js';
import { EVENTS } from './journey.js';

describe('Analytics lake: schema', () => {
  it('derives each column type from the zod schema at its path', () => {
    const types = Object.fromEntries(LAKE_COLUMNS.map((c) => [c.name, c.type]));
    expect(types).toMatchObject({
      id: 'string',
      occurred_at: 'timestamp',
      schema_version: 'bigint',
      channel: 'string',
      duration_sec: 'bigint',
      total_amount_minor: 'bigint',
      total_currency: 'string',
      score_kind: 'string',
      score_value: 'bigint',
      related_ids: 'array<string>',
    });
  });

  it('keeps no identity, name, text, summary, URL or answer', () => {
    const names = LAKE_COLUMNS.map((c) => c.name).join(' ');
    expect(names).not.toMatch(/identit|trait|name|text|summary|url|answer|phone|email|media|snippet|subject/);
  });

  it('projects an applied event onto the columns, null where the event has no such field', () => {
    // Act
    const row = eventRow(EVENTS.o11, 'cus_o', new Date('2024-05-07T09:00:01.000Z'));

    // Assess
    expect(LakeRowSchema.parse(row)).toEqual(row);
    expect(row).toMatchObject({
      id: EVENTS.o11.id,
      type: 'order.refunded',
      dt: '2024-05-07',
      occurred_at: Date.parse('2024-05-07T09:00:00.000Z'),
      customer_id: 'cus_o',
      order_id: 'A2',
      total_amount_minor: 80_000,
      refunded_amount_minor: 30_000,
      refunded_currency: 'UAH',
      message_id: null,
      score_kind: null,
    });
  });

  it('writes merge and erasure facts with their sets sorted and de-duplicated', () => {
    const at = new Date('2024-05-03T10:01:00.000Z');
    expect(mergeRow('evt_m', at, 'cus_a', ['cus_c', 'cus_b', 'cus_c'])).toMatchObject({
      type: 'customer.merged',
      customer_id: 'cus_a',
      related_ids: ['cus_b', 'cus_c'],
      dt: '2024-05-03',
    });
    expect(LakeRowSchema.parse(erasureRow('evt_e', at, 'cus_a', []))).toMatchObject({ related_ids: [] });
  });
});
