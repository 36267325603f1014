/**
 * Binotel webhook → hub events. Pure. `apiCallCompleted` (sent after the
 * call ends, with everything about it) becomes `call.completed` or
 * `call.missed`; the live-progress request types and the synchronous
 * `apiCallSettings` are acknowledged and listed in `ignored`, because the
 * completed record repeats what they say.
 */
import { normalizePhone } from '../../domain/identity.js';
import type { HubEventType } from '../../events/hub-event.js';
import { buildEvent, formatDuration, fromUnixSeconds } from '../shared/build-event.js';
import type { NormalizeContext, NormalizeResult } from '../types.js';
import { isCallCompleted, type BinotelCallCompleted, type BinotelCallDetails, type BinotelWebhook } from './schema.js';

const CONNECTOR = 'binotel';

/** Answered by a person (TRANSFER: answered, then transferred). */
const ANSWERED = new Set(['ANSWER', 'TRANSFER']);
/** Not answered by a person; VM-SUCCESS means the caller left a voicemail. */
const MISSED = new Set(['BUSY', 'NOANSWER', 'CANCEL', 'CONGESTION', 'CHANUNAVAIL', 'VM', 'VM-SUCCESS', 'FAILED']);
/** Binotel also reports SMS through the call statistics; they are not calls. */
const SMS_PREFIX = 'SMS-';
/** Still running: not a final record. */
const IN_PROGRESS = new Set(['ONLINE', 'CALLING']);

/** Why the other request types are only acknowledged. */
const OTHER_REQUESTS: Readonly<Record<string, string>> = {
  apiCallSettings:
    "apiCallSettings: a lookup, answered with the caller's card when the number is known; the call is recorded from apiCallCompleted",
  receivedTheCall: 'receivedTheCall: live progress; the call is recorded from apiCallCompleted',
  answeredTheCall: 'answeredTheCall: live progress; the call is recorded from apiCallCompleted',
  hangupTheCall: 'hangupTheCall: live progress; the call is recorded from apiCallCompleted',
  transferredTheCall: 'transferredTheCall: live progress; the call is recorded from apiCallCompleted',
};

const wholeSeconds = (value: string | undefined): number => {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
};

const orUndefined = (value: string | undefined): string | undefined => (value?.trim() ? value.trim() : undefined);

/**
 * Outcome of a finished call: answered, missed, or not a call at all.
 * Unknown dispositions fall back on talk time.
 */
const callOutcome = (disposition: string, billsec: number): HubEventType | 'not-a-call' | 'in-progress' => {
  if (disposition.startsWith(SMS_PREFIX)) return 'not-a-call';
  if (IN_PROGRESS.has(disposition)) return 'in-progress';
  if (ANSWERED.has(disposition)) return 'call.completed';
  if (MISSED.has(disposition)) return 'call.missed';
  return billsec > 0 ? 'call.completed' : 'call.missed';
};

const tracking = (details: BinotelCallDetails) => details.callTrackingData ?? details.getCallData;

const normalizeCallCompleted = (
  { callDetails: details }: BinotelCallCompleted,
  ctx: NormalizeContext,
): NormalizeResult => {
  const id = details.generalCallID;
  const disposition = (details.disposition ?? '').trim().toUpperCase();
  const billsec = wholeSeconds(details.billsec);
  const outcome = callOutcome(disposition, billsec);
  if (outcome === 'not-a-call')
    return { events: [], ignored: [`call ${id}: ${disposition} is an SMS record, not a call`] };
  if (outcome === 'in-progress')
    return { events: [], ignored: [`call ${id}: disposition ${disposition} is not final`] };
  const inbound = (details.callType ?? '0').trim() !== '1';
  const customer = details.customerData;
  const employee = details.employeeData;
  const agent =
    orUndefined(employee?.id) || orUndefined(employee?.name)
      ? { id: orUndefined(employee?.id), name: orUndefined(employee?.name) }
      : undefined;
  const pbxNumber = orUndefined(details.pbxNumberData?.number);
  const utm = tracking(details);
  const direction = inbound ? 'incoming' : 'outgoing';
  const durationSec = outcome === 'call.completed' ? billsec : 0;
  const event = buildEvent(
    {
      connector: CONNECTOR,
      providerEventId: id,
      type: outcome,
      channel: 'phone',
      occurredAt: fromUnixSeconds(details.startTime),
      identities: [
        details.externalNumber ? { type: 'phone', value: details.externalNumber } : undefined,
        // employeeData.email is the agent's; only the customer card's email is the customer's.
        customer?.email ? { type: 'email', value: customer.email } : undefined,
      ],
      traits: {
        name: orUndefined(customer?.name),
        utmSource: orUndefined(utm?.utm_source),
        utmMedium: orUndefined(utm?.utm_medium),
        utmCampaign: orUndefined(utm?.utm_campaign),
        utmContent: orUndefined(utm?.utm_content),
        utmTerm: orUndefined(utm?.utm_term),
      },
      summary:
        outcome === 'call.completed'
          ? `${inbound ? 'Incoming' : 'Outgoing'} call, ${formatDuration(durationSec)}`
          : `Missed ${direction} call (${disposition || 'no disposition'})`,
      data: {
        callId: id,
        direction: inbound ? 'inbound' : 'outbound',
        durationSec,
        waitSec: details.waitsec !== undefined ? wholeSeconds(details.waitsec) : undefined,
        disposition: disposition || undefined,
        recordingUrl: orUndefined(details.linkToCallRecordInMyBusiness),
        agent,
        line: pbxNumber ? (normalizePhone(pbxNumber, ctx.defaultCountry) ?? pbxNumber) : undefined,
      },
    },
    ctx,
  );
  return event
    ? { events: [event], ignored: [] }
    : { events: [], ignored: [`call ${id}: no usable customer number (internal call?)`] };
};

export const normalizeBinotel = (payload: BinotelWebhook, ctx: NormalizeContext): NormalizeResult => {
  if (isCallCompleted(payload)) return normalizeCallCompleted(payload, ctx);
  const why = Object.hasOwn(OTHER_REQUESTS, payload.requestType) ? OTHER_REQUESTS[payload.requestType] : undefined;
  return { events: [], ignored: [why ?? `unsupported requestType: ${payload.requestType}`] };
};
