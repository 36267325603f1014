/**
 * The hub's own queues, served by the `api` function (IAM on AWS, the bearer
 * token locally): what waits, what is dead-lettered, and the redrive an
 * operator runs once the cause (a store outage, a bug) is fixed.
 *
 *   GET  /v1/queues                  every queue with its depth and dead letters
 *   GET  /v1/queues/{name}           one queue: dead letters (local) or redrives in progress (AWS)
 *   POST /v1/queues/{name}/redrive   dead letters → the queue (admin)
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { HubQueueOperations } from '../../ports.js';
import { ValidationError } from '../../shared/errors.js';
import { jsonResponse } from '../../shared/http.js';
import { logger } from '../../shared/logger.js';
import type { ApiRoutes } from './types.js';

export type QueueRouteKey = 'GET /v1/queues' | 'GET /v1/queues/{name}' | 'POST /v1/queues/{name}/redrive';

/** Queue names are SQS name suffixes: the check keeps anything else out of the adapters. */
const QUEUE_NAME = /^[A-Za-z0-9_-]{1,64}$/;

const queueName = (event: APIGatewayProxyEventV2): string => {
  const name = event.pathParameters?.name ?? '';
  if (!QUEUE_NAME.test(name))
    throw new ValidationError('A queue name is letters, digits, "-" and "_" (GET /v1/queues)');
  return name;
};

export const createQueueRoutes = (queues: HubQueueOperations): ApiRoutes<QueueRouteKey> => ({
  'GET /v1/queues': async () => jsonResponse(200, { queues: await queues.list() }),

  'GET /v1/queues/{name}': async (event) => jsonResponse(200, await queues.describe(queueName(event))),

  'POST /v1/queues/{name}/redrive': async (event) => {
    const result = await queues.redrive(queueName(event));
    logger.info('queue dead letters redriven', {
      queue: result.queue,
      ...('moved' in result ? { moved: result.moved } : { tasks: result.tasks.length }),
    });
    return jsonResponse(202, result);
  },
});
