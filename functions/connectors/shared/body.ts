/** Body decoding shared by connectors: JSON and form bodies into validated payloads. */
import qs from 'qs';
import type { z } from 'zod';
import { ValidationError } from '../../shared/errors.js';
import type { RawRequest } from '../../shared/http.js';
import { describeIssues } from '../../shared/issues.js';

/** Re-exported for the connectors that name the bad fields of a vendor's answer. */
export { describeIssues };

export const validate = <T>(schema: z.ZodType<T>, input: unknown, what: string): T => {
  const result = schema.safeParse(input);
  if (!result.success)
    throw new ValidationError(`${what} does not match the expected payload: ${describeIssues(result.error)}`, {
      cause: result.error,
    });
  return result.data;
};

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * `JSON.parse` that keeps the bare integer values of `keys` exact by quoting
 * them in the raw text first: vendors send int64 ids as JSON numbers
 * (Viber's 19-digit `message_token`, Meta's 17-digit `leadgen_id`), which
 * `JSON.parse` would round to the nearest double (4912661846655238145 →
 * 4912661846655238000). Safe on arbitrary JSON: a key can only appear as
 * `"key"` followed by `:` outside a string, because quotes inside strings
 * are escaped (`\"key\"` never matches); the lookahead takes the whole
 * number, so fractions and exponents are left alone. Only `"key": <integer>`
 * is rewritten, not integers inside arrays.
 */
export const parseJsonPreservingIntegers = (text: string, keys: readonly string[]): unknown =>
  JSON.parse(
    keys.reduce(
      (json, key) =>
        json.replace(
          new RegExp(`"${escapeRegExp(key)}"(\\s*):(\\s*)(-?\\d+)(?=\\s*[,}\\]])`, 'g'),
          (_, before: string, after: string, digits: string) => `"${key}"${before}:${after}"${digits}"`,
        ),
      text,
    ),
  );

/**
 * Decodes a JSON body; throws `ValidationError` when it is empty or not JSON.
 * The integer values of `integerKeys` come back as exact decimal strings
 * (see `parseJsonPreservingIntegers`).
 */
export const parseJson = (req: RawRequest, integerKeys: readonly string[] = []): unknown => {
  if (req.body.length === 0) throw new ValidationError('The request body is empty; a JSON payload was expected');
  try {
    return parseJsonPreservingIntegers(req.body.toString('utf8'), integerKeys);
  } catch (err) {
    throw new ValidationError(`The request body is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
};

export const parseJsonBody = <T>(
  req: RawRequest,
  schema: z.ZodType<T>,
  what: string,
  integerKeys: readonly string[] = [],
): T => validate(schema, parseJson(req, integerKeys), what);

/** Flat `application/x-www-form-urlencoded` (Twilio): first value of each key. */
export const parseFlatForm = (req: RawRequest): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(req.body.toString('utf8'))) if (!(k in out)) out[k] = v;
  return out;
};

/** PHP-style nested form (`callDetails[customerData][name]=…`: Binotel, Bitrix24, Kommo). */
export const parseNestedForm = (req: RawRequest): Record<string, unknown> =>
  qs.parse(req.body.toString('utf8'), { depth: 10, arrayLimit: 100, parameterLimit: 2000 }) as Record<string, unknown>;
