/**
 * House middy middleware for HTTP handlers: every thrown error becomes the
 * JSON error body with its status; 5xx are logged with the cause (no payload).
 */
import type middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { errorResponse, type HttpResponse } from '../shared/http.js';
import { isHubError, NotConfiguredError } from '../shared/errors.js';
import { logger } from '../shared/logger.js';

/** One WARN per connector per this many ms per execution environment; hits in between are counted into the next. */
export const NOT_CONFIGURED_LOG_INTERVAL_MS = 60_000;

/**
 * An unconfigured connector is an operator's to-do, not a fault: anyone can
 * hit its webhook URL, so logging each hit as an ERROR with a stack would let
 * a caller flood the logs. One WARN line (no stack, no request data) per
 * connector per interval, with the number of hits it stands for.
 */
const notConfiguredLog = (now: () => number = Date.now) => {
  const last = new Map<string, { at: number; suppressed: number }>();
  return (routeKey: string | undefined, err: NotConfiguredError, status: number): void => {
    const seen = last.get(err.connector);
    if (seen && now() - seen.at < NOT_CONFIGURED_LOG_INTERVAL_MS) {
      seen.suppressed++;
      return;
    }
    logger.warn('connector not configured: request refused', {
      routeKey,
      status,
      code: err.code,
      connector: err.connector,
      ...(err.problems?.length ? { problems: err.problems } : {}),
      refusedSinceLastLine: seen?.suppressed ?? 0,
    });
    last.set(err.connector, { at: now(), suppressed: 0 });
  };
};

export interface HttpErrorsOptions {
  /** Clock of the WARN rate limit; injected by tests. @default Date.now */
  readonly now?: () => number;
}

export const httpErrors = (
  options: HttpErrorsOptions = {},
): middy.MiddlewareObj<APIGatewayProxyEventV2, HttpResponse> => {
  const warnNotConfigured = notConfiguredLog(options.now);
  return {
    onError: async (request) => {
      const err = request.error;
      const response = errorResponse(err);
      const routeKey = request.event.routeKey;
      if (err instanceof NotConfiguredError) warnNotConfigured(routeKey, err, response.statusCode);
      else if (response.statusCode >= 500) logger.error('request failed', { routeKey, error: err as Error });
      // The code only: messages may echo what the caller sent (an identity, a field value), and logs hold no PII.
      else if (isHubError(err))
        logger.info('request refused', { routeKey, status: response.statusCode, code: err.code });
      request.response = response;
    },
  };
};

/**
 * Draws Powertools' debug-log sample (`POWERTOOLS_LOGGER_SAMPLE_RATE`) again
 * for every invocation; without it the draw happens once per execution
 * environment, so a sampled environment would log everything for its whole
 * life and the others nothing. Used by the Lambda entries.
 */
export const logSampling = <E, R>(): middy.MiddlewareObj<E, R> => ({
  before: async () => {
    logger.refreshSampleRateCalculation();
  },
});
