/**
 * Body decoding shared by the connectors (`functions/connectors/shared/body.ts`):
 * int64 ids kept exact through `JSON.parse` (Viber, Messenger/Instagram).
 */
import { describe, expect, it } from 'vitest';
import { parseJson } from '../../functions/connectors/shared/body.js';
import { parseJsonPreservingIntegers } from '../../functions/connectors/shared/json-integers.js';
import { ValidationError } from '../../functions/shared/errors.js';
import { rawRequest, TEST_BASE_URL } from '../helpers/fixtures.js';

describe('Connector body decoding (shared)', () => {
  describe('parseJsonPreservingIntegers', () => {
    it('keeps a 19-digit id exactly, which JSON.parse alone would round', () => {
      // Prepare
      const json = '{"id":4912661846655238145,"other":4912661846655238145}';

      // Act
      const parsed = parseJsonPreservingIntegers(json, ['id']) as { id: unknown; other: unknown };

      // Assess
      expect(parsed.id).toBe('4912661846655238145');
      expect(String(parsed.other)).not.toBe('4912661846655238145'); // not a listed key: rounded as before
      expect(String((JSON.parse(json) as { id: number }).id)).not.toBe('4912661846655238145');
    });

    it('quotes negative ids and any spacing, and leaves fractions, exponents, arrays and look-alikes in strings alone', () => {
      // Prepare
      const json = String.raw`{"a" : -9223372036854775808, "b":1.5, "c":1e3, "d":[12], "text":"\"a\":1", "e":"a"}`;

      // Act
      const parsed = parseJsonPreservingIntegers(json, ['a', 'b', 'c', 'd']);

      // Assess
      expect(parsed).toEqual({ a: '-9223372036854775808', b: 1.5, c: 1000, d: [12], text: '"a":1', e: 'a' });
    });

    it('is plain JSON.parse without keys', () => {
      // Act & Assess
      expect(parseJsonPreservingIntegers('{"id":12,"s":"x"}', [])).toEqual({ id: 12, s: 'x' });
      expect(() => parseJsonPreservingIntegers('{"id":', ['id'])).toThrow(SyntaxError);
    });
  });

  describe('parseJson', () => {
    const post = (body: string) =>
      rawRequest({
        method: 'POST',
        url: `${TEST_BASE_URL}/webhooks/test`,
        headers: { 'content-type': 'application/json' },
        body,
      });

    it('keeps the listed int64 keys exact in a request body', () => {
      // Act & Assess
      expect(parseJson(post('{"message_token":5741311803571721087}'), ['message_token'])).toEqual({
        message_token: '5741311803571721087',
      });
    });

    it.each([[''], ['{"message_token":']])('refuses %j as a ValidationError', (body) => {
      // Act & Assess
      expect(() => parseJson(post(body), ['message_token'])).toThrow(ValidationError);
    });
  });
});
