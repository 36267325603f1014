/** Body decoding shared by connectors: JSON and form bodies into validated payloads. */
import qs from 'qs';
import type { z } from 'zod';
import { ValidationError } from '../../shared/errors.js';
import type { RawRequest } from '../../shared/http.js';
import { describeIssues } from '../../shared/issues.js';
import { parseJsonPreservingIntegers } from './json-integers.js';

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
