/**
 * zod issues as one message, for every layer that validates input. Here, not
 * beside the connectors' body parsers (`connectors/shared/body.ts`), so the
 * `api` function names bad fields without loading connector code or the
 * CommonJS form parser (`qs`) at init.
 */
import type { z } from 'zod';

/** Turns zod issues into one message that names the bad fields. */
export const describeIssues = (error: z.ZodError): string =>
  error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
