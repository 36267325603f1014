/**
 * Twilio webhook parameters (`application/x-www-form-urlencoded`, flat): the
 * incoming-message request, the message status callback and the Voice call
 * status callback share one endpoint and are told apart by their fields.
 * Twilio adds parameters without notice, so everything is optional and
 * `.loose()`; the only essential is a message or call SID.
 *
 * Sources: https://www.twilio.com/docs/messaging/guides/webhook-request,
 * https://www.twilio.com/docs/messaging/guides/track-outbound-message-status,
 * https://www.twilio.com/docs/voice/api/call-resource#statuscallback
 */
import * as z from 'zod';

const Param = z.string().optional();

export const TwilioWebhookSchema = z
  .object({
    AccountSid: Param,
    ApiVersion: Param,
    // Messaging
    MessageSid: Param,
    /** Deprecated aliases of MessageSid, still sent. */
    SmsSid: Param,
    SmsMessageSid: Param,
    MessagingServiceSid: Param,
    /** `received` on an incoming message; the status on older status callbacks. */
    SmsStatus: Param,
    /** Status callbacks: queued, sending, sent, delivered, read, undelivered, failed, … */
    MessageStatus: Param,
    /** `+E164`, or `whatsapp:+E164` / `messenger:<id>` / `rcs:+E164` for other channels. */
    From: Param,
    To: Param,
    Body: Param,
    NumMedia: Param,
    MediaUrl0: Param,
    MediaContentType0: Param,
    Latitude: Param,
    Longitude: Param,
    Address: Param,
    ButtonText: Param,
    /** WhatsApp sender's id (their phone number without `+`) and profile name. */
    WaId: Param,
    ProfileName: Param,
    /** STOP / START / HELP, sent when the Messaging Service has Advanced Opt-Out. */
    OptOutType: Param,
    ErrorCode: Param,
    ErrorMessage: Param,
    // Voice
    CallSid: Param,
    ParentCallSid: Param,
    /** queued, initiated, ringing, in-progress, completed, busy, no-answer, failed, canceled. */
    CallStatus: Param,
    /** inbound, outbound-api, outbound-dial. */
    Direction: Param,
    /** Seconds, on terminal statuses. */
    CallDuration: Param,
    RecordingUrl: Param,
    /** RFC 2822 time of the status change (status callbacks only). */
    Timestamp: Param,
    /** Order of this call's status callbacks, from 0. */
    SequenceNumber: Param,
    AnsweredBy: Param,
  })
  .loose()
  .refine((p) => Boolean(p.MessageSid || p.SmsSid || p.SmsMessageSid || p.CallSid), {
    message: 'a Twilio webhook carries MessageSid (messages) or CallSid (calls)',
    path: ['MessageSid'],
  });
export type TwilioWebhook = z.infer<typeof TwilioWebhookSchema>;

/** Which of the three request kinds a payload is. */
export type TwilioKind = 'call-status' | 'message' | 'message-status';

/** Calls carry CallSid; an incoming message is `received` (or has no status at all); any other message status is a status callback. */
export const twilioKind = (p: TwilioWebhook): TwilioKind => {
  if (p.CallSid) return 'call-status';
  const status = (p.MessageStatus ?? p.SmsStatus ?? '').toLowerCase();
  return status === 'received' || (!p.MessageStatus && !p.SmsStatus && p.Body !== undefined)
    ? 'message'
    : 'message-status';
};

/** The message SID under whichever name this request uses. */
export const messageSid = (p: TwilioWebhook): string => p.MessageSid ?? p.SmsMessageSid ?? p.SmsSid ?? '';
