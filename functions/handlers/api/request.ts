/**
 * Reading API requests: query strings, JSON bodies and `type:value`
 * identities, each refused with a 400 that names the bad field.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { z } from 'zod';
import { describeIssues } from '../../shared/issues.js';
import { parseIdentityKey, type CountryCode } from '../../domain/identity.js';
import type { Identity } from '../../events/hub-event.js';
import { ValidationError } from '../../shared/errors.js';

/** Validates the query string; `what` names it in the error. */
export const parseQuery = <T>(schema: z.ZodType<T>, event: APIGatewayProxyEventV2): T => {
  const result = schema.safeParse(event.queryStringParameters ?? {});
  if (!result.success) throw new ValidationError(`Invalid query: ${describeIssues(result.error)}`);
  return result.data;
};

/** Validates the path parameters (API Gateway fills them from the route's `{name}` placeholders). */
export const parseParams = <T>(schema: z.ZodType<T>, event: APIGatewayProxyEventV2): T => {
  const result = schema.safeParse(event.pathParameters ?? {});
  if (!result.success) throw new ValidationError(`Invalid path: ${describeIssues(result.error)}`);
  return result.data;
};

/** The body as JSON; an empty body reads as `{}` so optional-field bodies may be omitted. */
export const readJsonBody = (event: APIGatewayProxyEventV2): unknown => {
  const raw = event.body
    ? event.isBase64Encoded
      ? Buffer.from(event.body, 'base64').toString('utf8')
      : event.body
    : '';
  if (!raw.trim()) return {};
  try {
    return JSON.parse(raw);
  } catch (err) {
    throw new ValidationError(`The request body is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
};

/** The JSON body validated by `schema`. */
export const parseBody = <T>(schema: z.ZodType<T>, event: APIGatewayProxyEventV2, what = 'body'): T => {
  const result = schema.safeParse(readJsonBody(event));
  if (!result.success) throw new ValidationError(`Invalid ${what}: ${describeIssues(result.error)}`);
  return result.data;
};

/** `phone:050 111 22 33` → the normalized identity, so every spelling finds the same customer. */
export const parseIdentityParam = (
  raw: string | undefined,
  defaultCountry: CountryCode,
  name = 'identity',
): Identity => {
  if (!raw) throw new ValidationError(`"${name}" is required, e.g. ${name}=phone:+380501112233`);
  const parsed = parseIdentityKey(raw, defaultCountry);
  if ('problem' in parsed) throw new ValidationError(parsed.problem);
  return parsed;
};
