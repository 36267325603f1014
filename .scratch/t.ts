import { z } from 'zod';
import { ProfileViewSchema, TimelinePageSchema } from '../functions/handlers/api/views.ts';
const s = z.object({
  a: ProfileViewSchema,
  b: z.coerce.number().int().min(1).default(3),
  c: z
    .string()
    .transform((x) => x.split(','))
    .pipe(z.array(z.string()))
    .optional(),
});
const j = z.toJSONSchema(s, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' });
console.log(JSON.stringify(j).slice(0, 600));
console.log(
  JSON.stringify(
    z.toJSONSchema(TimelinePageSchema, { target: 'draft-2020-12', io: 'output', unrepresentable: 'any' }),
  ).slice(0, 400),
);
