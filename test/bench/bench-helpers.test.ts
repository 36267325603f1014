import { describe, expect, it } from 'vitest';
import { floorSource } from '../../bench/bundles.js';
import { floorDecode } from '../../bench/ingest-cpu.js';

describe('Bench: floors', () => {
  it('decodes a body the cheapest way its format allows', () => {
    // Act & Assess
    expect(floorDecode(Buffer.from('{"a":1}'), 'application/json')).toEqual({ a: 1 });
    expect(floorDecode(Buffer.from('a=1&b=x%20y'), 'application/x-www-form-urlencoded')).toEqual({ a: '1', b: 'x y' });
    expect(floorDecode(Buffer.from('--b\r\nx\r\n--b--'), 'multipart/form-data; boundary=b')).toHaveLength(3);
    expect(floorDecode(Buffer.from('{"Type":"Notification"}'), 'text/plain; charset=UTF-8')).toEqual({
      Type: 'Notification',
    });
  });

  it('builds an SDK-only handler with each client the bundle contains, once', () => {
    // Act
    const { source, unmapped } = floorSource([
      '@aws-sdk/client-dynamodb',
      '@aws-sdk/client-eventbridge',
      '@aws-sdk/client-unknown',
      '@aws-sdk/lib-dynamodb',
    ]);

    // Assess
    expect(source.match(/import \{ DynamoDBClient \}/g)).toHaveLength(1);
    expect(source).toContain("import { EventBridgeClient } from '@aws-sdk/client-eventbridge';");
    expect(source).toContain('DynamoDBDocumentClient.from(new DynamoDBClient({}))');
    expect(source).toContain('export const handler');
    expect(unmapped).toEqual(['@aws-sdk/client-unknown']);
  });
});
