/** The messages API's refusals, each with its own code (the JSON error body as everywhere). */
import type { ChannelVerdict } from '../domain/reachability/types.js';
import { HubError } from '../shared/errors.js';

const summary = (channels: readonly ChannelVerdict[]) =>
  channels.map((c) => ({ channel: c.channel, allowed: c.allowed, reasons: c.reasons, message: c.message }));

/** 409: no channel may carry the message now; `channels` says why for each. */
export class NoReachableChannelError extends HubError {
  constructor(channels: readonly ChannelVerdict[]) {
    super('No channel may carry this message to the customer now', 409, 'no_reachable_channel', {
      details: { channels: summary(channels) },
    });
  }
}

/** 422: the only channels left are outside their free-form window, and no template was given. */
export class TemplateRequiredError extends HubError {
  constructor(channels: readonly ChannelVerdict[]) {
    super(
      'The channels that could carry this message are outside their free-form window: give a template',
      422,
      'template_required',
      { details: { channels: summary(channels) } },
    );
  }
}

/** 400: the text is over the limit of every channel that could carry it. */
export class TextTooLongError extends HubError {
  constructor(length: number, limits: readonly { channel: string; max: number; unit: string }[]) {
    super(
      `The text (${length} characters) exceeds the limit of ${limits.map((l) => `${l.channel} (${l.max} ${l.unit})`).join(', ')}`,
      400,
      'text_too_long',
      { details: { limits } },
    );
  }
}

/** 400: a channel the hub does not send on. */
export class UnknownChannelError extends HubError {
  constructor(channel: string, known: readonly string[]) {
    super(`Unknown channel "${channel}"; one of ${known.join(', ')}`, 400, 'unknown_channel');
  }
}

/** 400: every send needs an idempotency key, so a retried request sends once. */
export class IdempotencyKeyRequiredError extends HubError {
  constructor() {
    super(
      '"idempotencyKey" is required (1–255 characters; the same key returns the same message and sends once)',
      400,
      'idempotency_key_required',
    );
  }
}

/** 409: the key was used for a different request. */
export class IdempotencyKeyReusedError extends HubError {
  constructor() {
    super('This idempotencyKey was already used for a different message', 409, 'idempotency_key_reused');
  }
}
