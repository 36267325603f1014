/**
 * Exact int64 ids in JSON, in a module of its own (no form parser, no zod):
 * the senders parse vendors' answers with it, and the functions that send
 * should not load the webhook body parsers (`./body.ts`) at init.
 */
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
