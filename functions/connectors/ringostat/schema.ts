/**
 * Ringostat "After call" webhook. Ringostat has no fixed payload: the user
 * picks the HTTP method, the format (JSON or form) and the parameters in
 * Integrations → Webhooks. The hub supports POST with the parameters listed
 * in ./README.md, named as in Ringostat's call-log export (`uniqueid`,
 * `calldate`, `caller`, `dst`, `disposition`, `billsec`, …; see
 * https://help.ringostat.com/en/articles/6559993-webhooks-incoming-call-event
 * and the export parameter list of Ringostat's API). Only `uniqueid` is
 * required; JSON may send numbers where a form sends strings.
 */
import * as z from 'zod';

/** A parameter value as JSON or a form delivers it. */
const Value = z.union([z.string(), z.number()]).nullish();

export const RingostatCallSchema = z
  .object({
    /** Ringostat's call id: the dedup key. */
    uniqueid: z.union([z.string().min(1), z.number()]),
    /** Call start, in the webhook's configured date format (Unix time or a time with an offset is unambiguous). */
    calldate: Value,
    /** Who called (for incoming calls, the customer). */
    caller: Value,
    /** The caller's number alone, when `caller` also carries a name. */
    caller_number: Value,
    /** Who was called (for outgoing calls, the customer). */
    dst: Value,
    /** `in`, `out` or `callback` (a website callback, an incoming call). */
    call_type: Value,
    /** ANSWERED, PROPER, NO ANSWER, BUSY, FAILED, VOICEMAIL, … */
    disposition: Value,
    /** Whole call, seconds. */
    duration: Value,
    /** Talk time, seconds. */
    billsec: Value,
    /** Ringing time, seconds. */
    waittime: Value,
    recording: Value,
    recording_wav: Value,
    employee_fio: Value,
    employee_number: Value,
    /** The number pool (tracking line) the call came through. */
    pool_name: Value,
    utm_source: Value,
    utm_medium: Value,
    utm_campaign: Value,
    utm_content: Value,
    utm_term: Value,
  })
  .loose();
export type RingostatCall = z.infer<typeof RingostatCallSchema>;
