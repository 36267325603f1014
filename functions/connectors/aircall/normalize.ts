/**
 * Aircall calls → `call.completed` / `call.missed` on the phone channel.
 * Pure. Only `call.ended` is read: Aircall sends it about 30 s after
 * hang-up with the complete call (duration, recording, tags), while
 * `call.created`/`answered`/`hungup` describe the same call half done.
 */
import type { Identity } from '../../events/hub-event.js';
import { buildEvent, formatDuration, fromUnixSeconds } from '../shared/build-event.js';
import { validate } from '../shared/body.js';
import type { NormalizeContext, NormalizeResult } from '../types.js';
import { AircallCallSchema, type AircallCall, type AircallEnvelope } from './schema.js';

const CONNECTOR = 'aircall';

const present = (v: string | null | undefined): string | undefined => v?.trim() || undefined;

/** `anonymous` (hidden caller id) and empty numbers are no identity. */
const callerPhone = (raw: string | null | undefined): Identity | undefined => {
  const digits = present(raw);
  return digits && /\d/.test(digits) && !/anonymous/i.test(digits) ? { type: 'phone', value: digits } : undefined;
};

const emailOf = (raw: string | null | undefined): Identity | undefined => {
  const value = present(raw);
  return value ? { type: 'email', value } : undefined;
};

const seconds = (from: number | null | undefined, to: number | null | undefined): number | undefined =>
  typeof from === 'number' && typeof to === 'number' && to >= from ? Math.round(to - from) : undefined;

/** Talk time: answered → ended. A call nobody answered lasted 0 for the customer, whatever its ringing. */
const talkSeconds = (call: AircallCall): number =>
  call.answered_at ? (seconds(call.answered_at, call.ended_at) ?? Math.max(0, Math.round(call.duration ?? 0))) : 0;

const fromCall = (envelope: AircallEnvelope, call: AircallCall, ctx: NormalizeContext): NormalizeResult => {
  const answered = Boolean(call.answered_at);
  const type = answered ? 'call.completed' : 'call.missed';
  const durationSec = talkSeconds(call);
  const line = present(call.number?.name) ?? present(call.number?.digits);
  const name = [present(call.contact?.first_name), present(call.contact?.last_name)].filter(Boolean).join(' ');
  const direction = call.direction === 'inbound' ? 'Inbound' : 'Outbound';
  const summary = answered
    ? `${direction} call, ${formatDuration(durationSec)}${line ? ` (${line})` : ''}`
    : `Missed ${call.direction} call${call.missed_call_reason ? ` (${call.missed_call_reason})` : ''}${line ? ` on ${line}` : ''}`;
  const built = buildEvent(
    {
      connector: CONNECTOR,
      providerEventId: `call:${call.id}:ended`,
      type,
      channel: 'phone',
      occurredAt: fromUnixSeconds(call.started_at ?? undefined) ?? fromUnixSeconds(envelope.timestamp ?? undefined),
      identities: [
        callerPhone(call.raw_digits),
        ...(call.contact?.phone_numbers ?? []).map((p) => callerPhone(p.value)),
        ...(call.contact?.emails ?? []).map((e) => emailOf(e.value)),
      ],
      traits: { name: name || undefined },
      summary,
      data: {
        callId: call.id,
        direction: call.direction,
        durationSec,
        waitSec: answered ? seconds(call.started_at, call.answered_at) : undefined,
        disposition: answered ? 'answered' : (present(call.missed_call_reason) ?? 'missed'),
        recordingUrl: present(call.recording) ?? present(call.voicemail),
        agent: call.user ? { id: call.user.id ?? undefined, name: present(call.user.name) } : undefined,
        line: present(call.number?.digits),
      },
    },
    ctx,
  );
  return built
    ? { events: [built], ignored: [] }
    : { events: [], ignored: [`call ${call.id}: anonymous caller and no known contact`] };
};

export const normalizeAircall = (envelope: AircallEnvelope, ctx: NormalizeContext): NormalizeResult => {
  const what = `${envelope.resource}/${envelope.event}`;
  if (envelope.event !== 'call.ended')
    return {
      events: [],
      ignored: [
        envelope.resource === 'call'
          ? `${what}: the call is read from call.ended, which carries it complete`
          : `${what}: not a call`,
      ],
    };
  return fromCall(envelope, validate(AircallCallSchema, envelope.data, 'Aircall call'), ctx);
};
