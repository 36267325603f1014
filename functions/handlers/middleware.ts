/**
 * House middy middleware for HTTP handlers: every thrown error becomes the
 * JSON error body with its status; 5xx are logged with the cause (no payload).
 */
import type middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { errorResponse, type HttpResponse } from '../shared/http.js';
import { isHubError } from '../shared/errors.js';
import { logger } from '../shared/logger.js';

export const httpErrors = (): middy.MiddlewareObj<APIGatewayProxyEventV2, HttpResponse> => ({
  onError: async (request) => {
    const err = request.error;
    const response = errorResponse(err);
    if (response.statusCode >= 500)
      logger.error('request failed', { routeKey: request.event.routeKey, error: err as Error });
    // The code only: messages may echo what the caller sent (an identity, a field value), and logs hold no PII.
    else if (isHubError(err))
      logger.info('request refused', { routeKey: request.event.routeKey, status: response.statusCode, code: err.code });
    request.response = response;
  },
});
