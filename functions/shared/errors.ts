/**
 * Typed errors, mapped to HTTP only at the edge (`errorResponse`).
 * 4xx errors tell the caller what was wrong and are not worth a retry;
 * anything else is a 500 so the vendor redelivers later.
 */
export class HubError extends Error {
  /** Machine-readable detail the error body carries beside `code` and `message` (e.g. per-channel reasons). */
  readonly details?: Readonly<Record<string, unknown>>;

  constructor(
    message: string,
    readonly statusCode: number,
    readonly code: string,
    options?: { cause?: unknown; details?: Readonly<Record<string, unknown>> },
  ) {
    super(message, options);
    this.name = new.target.name;
    if (options?.details) this.details = options.details;
  }
}

/** Missing, malformed or wrong signature/token: 401, nothing published. */
export class SignatureError extends HubError {
  constructor(message = 'The request signature is missing or does not match', options?: { cause?: unknown }) {
    super(message, 401, 'invalid_signature', options);
  }
}

/** Request signed correctly but too old or from the future (replay window). */
export class StaleRequestError extends HubError {
  constructor(message = 'The request timestamp is outside the allowed window') {
    super(message, 401, 'stale_request');
  }
}

/**
 * A correctly signed request whose one-time value (nonce, token) was already
 * used by an acknowledged request: a replay. Nothing is published; the status
 * is the connector's (Mailgun: 406, which stops its retries).
 */
export class ReplayedRequestError extends HubError {
  constructor(message: string, statusCode = 409) {
    super(message, statusCode, 'replayed_request');
  }
}

/**
 * Another request with the same one-time value is being processed right
 * now: 409, which the vendor retries; by then the first one has either been
 * acknowledged (the retry is a replay) or failed (the retry goes through).
 */
export class RequestInFlightError extends HubError {
  constructor(message: string) {
    super(message, 409, 'request_in_flight');
  }
}

/** Body could not be decoded or does not match the vendor's payload schema. */
export class ValidationError extends HubError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 400, 'malformed_request', options);
  }
}

export class NotFoundError extends HubError {
  constructor(message: string) {
    super(message, 404, 'not_found');
  }
}

export class PayloadTooLargeError extends HubError {
  constructor(limitBytes: number) {
    super(`The request body exceeds the limit of ${limitBytes} bytes`, 413, 'payload_too_large');
  }
}

export class UnauthorizedError extends HubError {
  constructor(message = 'A valid bearer token is required') {
    super(message, 401, 'unauthorized');
  }
}

export class ForbiddenError extends HubError {
  constructor(message: string) {
    super(message, 403, 'forbidden');
  }
}

export class MethodNotAllowedError extends HubError {
  constructor(message: string) {
    super(message, 405, 'method_not_allowed');
  }
}

/**
 * A connector is called but its secret is not configured, or is too short to
 * be used: fail closed, with a 503 so the vendor keeps redelivering until an
 * operator fixes it. The message says no more than that (GET /v1/connectors
 * and the WARN log say which secret, to operators).
 */
export class NotConfiguredError extends HubError {
  /**
   * @param problems For the operator's log only (a secret too short: its
   *   name and length, never its value); not sent to the caller.
   */
  constructor(
    readonly connector: string,
    readonly problems?: readonly string[],
  ) {
    super(
      `Connector ${connector} has no usable secret configured; requests are refused until an operator sets it`,
      503,
      'connector_not_configured',
    );
  }
}

export const isHubError = (err: unknown): err is HubError => err instanceof HubError;
