import { describe, expect, it } from 'vitest';
import {
  awsUnitsOf,
  isMarshalled,
  itemSize,
  numberSize,
  readUnits,
  reportedUnits,
  writeUnits,
} from '../../bench/lib/dynamo-meter.js';

describe('Bench: DynamoDB meter', () => {
  it('sizes numbers by significant digits', () => {
    // Act & Assess
    expect(numberSize('123')).toBe(3);
    expect(numberSize('1500')).toBe(2);
    expect(numberSize('-0.001')).toBe(2);
    expect(numberSize('1714558501')).toBe(6);
    expect(numberSize('1714558500')).toBe(5); // trailing zeros are not significant
  });

  it('sizes an item the same in plain and wire form, by the developer guide rules', () => {
    // Prepare: pk 2+2, n 1+2, m 1+(3+1+1+1), l 1+(3+1+1), b 1+1
    const plain = { pk: 'ab', n: 12, m: { a: 'x' }, l: [true], b: null, skipped: undefined };
    const wire = {
      pk: { S: 'ab' },
      n: { N: '12' },
      m: { M: { a: { S: 'x' } } },
      l: { L: [{ BOOL: true }] },
      b: { NULL: true },
    };

    // Act & Assess
    expect(isMarshalled(plain)).toBe(false);
    expect(isMarshalled(wire)).toBe(true);
    expect(itemSize(plain)).toBe(22);
    expect(itemSize(wire)).toBe(22);
    expect(itemSize({ s: 'é' })).toBe(3);
  });

  it('rounds write units per started KB and read units per started 4 KB, with a minimum of one', () => {
    // Act & Assess
    expect(writeUnits(0)).toBe(1);
    expect(writeUnits(1024)).toBe(1);
    expect(writeUnits(1025)).toBe(2);
    expect(readUnits(0, true)).toBe(1);
    expect(readUnits(0, false)).toBe(0.5);
    expect(readUnits(8193, true)).toBe(3);
  });

  it('charges a transaction two units per started KB of every item', () => {
    // Prepare
    const small = { pk: 'E#1', sk: 'E' };
    const large = { pk: 'C#1', sk: 'P', d: 'x'.repeat(1500) };

    // Act
    const units = awsUnitsOf(
      'TransactWriteItemsCommand',
      { TransactItems: [{ Put: { Item: small } }, { Put: { Item: large } }] },
      {},
    );

    // Assess
    expect(units).toEqual({ read: 0, write: 2 * 1 + 2 * 2 });
  });

  it('charges BatchGetItem per key, a missing key as a whole read', () => {
    // Prepare
    const input = { RequestItems: { t: { Keys: [{ pk: 'a' }, { pk: 'b' }], ConsistentRead: true } } };
    const output = { Responses: { t: [{ pk: 'a', v: 'x'.repeat(5000) }] } };

    // Act & Assess
    expect(awsUnitsOf('BatchGetItemCommand', input, output)).toEqual({ read: 2 + 1, write: 0 });
    expect(
      awsUnitsOf('BatchGetItemCommand', { RequestItems: { t: { Keys: [{ pk: 'b' }] } } }, { Responses: { t: [] } }),
    ).toEqual({ read: 0.5, write: 0 });
  });

  it('charges GetItem and Query on what they return, and leaves Update to the reported figure', () => {
    // Act & Assess
    expect(awsUnitsOf('GetItemCommand', { ConsistentRead: true }, {})).toEqual({ read: 1, write: 0 });
    expect(awsUnitsOf('QueryCommand', {}, { Items: [{ d: 'x'.repeat(3000) }, { d: 'x'.repeat(3000) }] })).toEqual({
      read: 1,
      write: 0,
    });
    expect(awsUnitsOf('UpdateItemCommand', {}, {})).toBeUndefined();
  });

  it('sums reported capacity whether DynamoDB returned one entry or a list', () => {
    // Act & Assess
    expect(reportedUnits({ CapacityUnits: 1.5 })).toBe(1.5);
    expect(reportedUnits([{ CapacityUnits: 4 }, { CapacityUnits: 2 }])).toBe(6);
    expect(reportedUnits(undefined)).toBe(0);
  });
});
