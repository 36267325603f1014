/**
 * Marquiz "Webhooks" integration lead. Marquiz publishes no schema and no
 * verbatim sample could be retrieved, so this is modelled loosely from the
 * documented field names (see fixtures/fixtures.json): only the essentials —
 * a `contacts` object and an `answers` array — are required, everything else
 * is optional, nullable and `.loose()`, so a real lead never 400s over a
 * field we guessed wrong.
 */
import * as z from 'zod';

const OptionalText = z.string().nullish();

const MarquizAnswerSchema = z
  .object({
    q: z.string(),
    /** A string, a list of chosen options, a number…: rendered as text by the normalizer. */
    a: z.unknown(),
  })
  .loose();

const MarquizContactsSchema = z
  .object({ name: OptionalText, phone: OptionalText, email: OptionalText, telegram: OptionalText })
  .loose();

export const MarquizLeadSchema = z
  .object({
    quiz: z
      .object({ id: z.union([z.string(), z.number()]).nullish(), name: OptionalText })
      .loose()
      .nullish(),
    contacts: MarquizContactsSchema,
    answers: z.array(MarquizAnswerSchema),
    result: z.union([z.object({ title: OptionalText }).loose(), z.string(), z.null()]).optional(),
    extra: z
      .object({
        utm: z
          .object({
            source: OptionalText,
            medium: OptionalText,
            name: OptionalText,
            content: OptionalText,
            term: OptionalText,
          })
          .loose()
          .nullish(),
        referrer: OptionalText,
        href: OptionalText,
      })
      .loose()
      .nullish(),
    /** ISO time or unix seconds; the only timestamp, and part of the dedup key. */
    created: z.union([z.string(), z.number()]).nullish(),
  })
  .loose();
export type MarquizLead = z.infer<typeof MarquizLeadSchema>;
