/**
 * Aircall webhook bodies: `{resource, event, timestamp, token, data}`
 * (https://developer.aircall.io/api-references/#webhooks). For `call.*`
 * events `data` is the Call object
 * (https://developer.aircall.io/api-references/#call-overview); times are
 * unix seconds, null until reached.
 */
import * as z from 'zod';

const Id = z.union([z.string(), z.number()]).transform(String);

export const AircallEnvelopeSchema = z.looseObject({
  resource: z.string(),
  event: z.string(),
  timestamp: z.number().nullish(),
  token: z.string().nullish(),
  data: z.unknown(),
});
export type AircallEnvelope = z.infer<typeof AircallEnvelopeSchema>;

const LabeledSchema = z.looseObject({ label: z.string().nullish(), value: z.string().nullish() });

export const AircallCallSchema = z.looseObject({
  id: Id,
  direct_link: z.string().nullish(),
  direction: z.enum(['inbound', 'outbound']),
  status: z.string().nullish(),
  started_at: z.number().nullish(),
  answered_at: z.number().nullish(),
  ended_at: z.number().nullish(),
  duration: z.number().nullish(),
  /** The customer's number as Aircall formats it (`+33 6 12 34 56 78`), or `anonymous`. */
  raw_digits: z.string().nullish(),
  missed_call_reason: z.string().nullish(),
  recording: z.string().nullish(),
  voicemail: z.string().nullish(),
  number: z.looseObject({ id: Id.nullish(), name: z.string().nullish(), digits: z.string().nullish() }).nullish(),
  user: z.looseObject({ id: Id.nullish(), name: z.string().nullish(), email: z.string().nullish() }).nullish(),
  contact: z
    .looseObject({
      id: Id.nullish(),
      first_name: z.string().nullish(),
      last_name: z.string().nullish(),
      phone_numbers: z.array(LabeledSchema).nullish(),
      emails: z.array(LabeledSchema).nullish(),
    })
    .nullish(),
  tags: z.array(z.looseObject({ name: z.string().nullish() })).nullish(),
});
export type AircallCall = z.infer<typeof AircallCallSchema>;
