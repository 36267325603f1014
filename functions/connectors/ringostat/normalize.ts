/**
 * Ringostat "After call" webhook → `call.completed` or `call.missed`. Pure.
 * Calls still in progress (a webhook configured for another moment) are
 * acknowledged and listed in `ignored`.
 */
import type { HubEventType } from '../../events/hub-event.js';
import { buildEvent, formatDuration, fromDateString, fromUnixMillis, fromUnixSeconds } from '../shared/build-event.js';
import type { NormalizeContext, NormalizeResult } from '../types.js';
import type { RingostatCall } from './schema.js';

const CONNECTOR = 'ringostat';

/** PROPER: an answered call Ringostat counts as a proper (target) call. */
const ANSWERED = new Set(['ANSWERED', 'ANSWER', 'PROPER']);
const MISSED = new Set([
  'NO ANSWER',
  'NOANSWER',
  'MISSED',
  'BUSY',
  'FAILED',
  'VOICEMAIL',
  'CANCEL',
  'CANCELED',
  'CANCELLED',
  'CONGESTION',
  'CHANUNAVAIL',
]);
const IN_PROGRESS = new Set(['IN PROGRESS', 'CALLING', 'RINGING', 'ONLINE']);

/** A parameter as trimmed text; undefined when absent or blank. */
const text = (value: string | number | null | undefined): string | undefined => {
  if (value === null || value === undefined) return undefined;
  const s = String(value).trim();
  return s ? s : undefined;
};

const wholeSeconds = (value: string | number | null | undefined): number | undefined => {
  const s = text(value);
  if (s === undefined) return undefined;
  const n = Number(s);
  return Number.isFinite(n) && n >= 0 ? Math.floor(n) : undefined;
};

/**
 * `calldate` as ISO when it is unambiguous: Unix seconds or milliseconds, or
 * a date-time with an explicit offset. A zone-less `2024-05-01 13:15:00`
 * would be read in the server's zone, so it falls back to `receivedAt`.
 */
export const parseCallDate = (value: string | number | null | undefined): string | undefined => {
  const s = text(value);
  if (s === undefined) return undefined;
  if (/^\d+(\.\d+)?$/.test(s)) {
    const n = Number(s);
    return n > 1e12 ? fromUnixMillis(n) : fromUnixSeconds(n);
  }
  if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(s)) return undefined;
  return fromDateString(s.replace(' ', 'T'));
};

type Outcome = Extract<HubEventType, 'call.completed' | 'call.missed'> | 'in-progress';

/** Answered or missed by disposition; an unknown disposition falls back on talk time. */
const callOutcome = (disposition: string | undefined, billsec: number): Outcome => {
  const d = (disposition ?? '').toUpperCase().replace(/[_-]+/g, ' ').replace(/\s+/g, ' ');
  if (!d || IN_PROGRESS.has(d)) return 'in-progress';
  if (ANSWERED.has(d)) return 'call.completed';
  if (MISSED.has(d)) return 'call.missed';
  return billsec > 0 ? 'call.completed' : 'call.missed';
};

export const normalizeRingostat = (call: RingostatCall, ctx: NormalizeContext): NormalizeResult => {
  const id = String(call.uniqueid);
  const disposition = text(call.disposition);
  const billsec = wholeSeconds(call.billsec);
  const outcome = callOutcome(disposition, billsec ?? 0);
  if (outcome === 'in-progress') {
    return {
      events: [],
      ignored: [`call ${id}: ${disposition ? `disposition ${disposition}` : 'no disposition'}, not a finished call`],
    };
  }
  const outbound = /^out/i.test(text(call.call_type) ?? '');
  const customer = outbound ? text(call.dst) : (text(call.caller_number) ?? text(call.caller));
  const durationSec = outcome === 'call.completed' ? (billsec ?? wholeSeconds(call.duration) ?? 0) : 0;
  const agentName = text(call.employee_fio);
  const agentId = text(call.employee_number);
  const event = buildEvent(
    {
      connector: CONNECTOR,
      providerEventId: id,
      type: outcome,
      channel: 'phone',
      occurredAt: parseCallDate(call.calldate),
      identities: [customer ? { type: 'phone', value: customer } : undefined],
      // CallData has no attribution field; the UTM of the call is kept as the customer's latest.
      traits: {
        utmSource: text(call.utm_source),
        utmMedium: text(call.utm_medium),
        utmCampaign: text(call.utm_campaign),
        utmContent: text(call.utm_content),
        utmTerm: text(call.utm_term),
      },
      summary:
        outcome === 'call.completed'
          ? `${outbound ? 'Outgoing' : 'Incoming'} call, ${formatDuration(durationSec)}`
          : `Missed ${outbound ? 'outgoing' : 'incoming'} call (${disposition ?? 'no disposition'})`,
      data: {
        callId: id,
        direction: outbound ? 'outbound' : 'inbound',
        durationSec,
        waitSec: wholeSeconds(call.waittime),
        disposition,
        recordingUrl: text(call.recording) ?? text(call.recording_wav),
        agent: agentName || agentId ? { id: agentId, name: agentName } : undefined,
        line: text(call.pool_name),
      },
    },
    ctx,
  );
  return event ? { events: [event], ignored: [] } : { events: [], ignored: [`call ${id}: no usable customer number`] };
};
