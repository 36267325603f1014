/**
 * The hub's own queues, served by the `api` function (IAM on AWS, the bearer
 * token locally): what waits, what is dead-lettered, and the redrive an
 * operator runs once the cause (a store outage, a bug) is fixed.
 *
 *   GET  /v1/queues                  every queue with its depth and dead letters
 *   GET  /v1/queues/{name}           one queue: dead letters (local) or redrives in progress (AWS)
 *   POST /v1/queues/{name}/redrive   dead letters → the queue (admin)
 */
import * as z from 'zod';
import type { HubQueueOperations } from '../../ports.js';
import { logger } from '../../shared/logger.js';
import { type RouteContracts, respond } from './contract.js';
import { parseParams } from './request.js';
import type { ApiRoutes } from './types.js';

export type QueueRouteKey = 'GET /v1/queues' | 'GET /v1/queues/{name}' | 'POST /v1/queues/{name}/redrive';

const NameParamsSchema = z.object({
  name: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, "-" and "_" (GET /v1/queues lists the names)')
    .meta({
      description:
        'The queue: a hub rule (`profile-writer`, `hydrator`, `sender`, `message-status`) or `sub-<subscription>`',
    }),
});

const QueueSummarySchema = z
  .object({
    name: z.string().meta({ description: 'The AWS queue name without `omnihub-<stage>-`' }),
    kind: z.enum(['hub', 'subscription']),
    pending: z.number().int().optional().meta({ description: 'Waiting or scheduled for a retry' }),
    inFlight: z.number().int().optional(),
    deadLettered: z.number().int().meta({ description: 'In its dead-letter queue(s)' }),
    paused: z.boolean().optional().meta({ description: 'Local: waiting for the store to come back' }),
  })
  .meta({ id: 'QueueSummary' });

const DeadLetterSchema = z
  .object({
    messageId: z.string(),
    eventId: z.string().optional().meta({ description: 'Hub event id, or the envelope id of other entries' }),
    detailType: z.string().optional(),
    source: z.string().optional(),
    receiveCount: z.number().int(),
    deadLetteredAt: z.string().optional(),
    reason: z.string().optional().meta({ description: 'Error name, or what decided it (`maxReceiveCount`)' }),
  })
  .meta({ id: 'DeadLetter', description: 'Ids and why, never the message body (it holds personal data)' });

const MoveTaskSchema = z
  .object({
    source: z.string().meta({ description: 'The dead-letter queue ARN moved from' }),
    status: z.string().optional(),
    taskHandle: z.string().optional(),
    approximateMessagesMoved: z.number().int().optional(),
    approximateMessagesToMove: z.number().int().optional(),
    startedAt: z.string().optional(),
    failureReason: z.string().optional(),
  })
  .meta({ id: 'MoveTask', description: 'An SQS message move task (a redrive on AWS)' });

/** `GET /v1/queues/{name}`. */
export const QueueDetailSchema = QueueSummarySchema.extend({
  deadLetters: z.array(DeadLetterSchema).optional().meta({ description: 'Local: newest first, at most 100' }),
  moveTasks: z.array(MoveTaskSchema).optional().meta({ description: 'AWS: recent redrives of its DLQs' }),
}).meta({ id: 'QueueDetail' });

/** `POST /v1/queues/{name}/redrive`. */
export const QueueRedriveSchema = z.union([
  z.object({ queue: z.string(), moved: z.number().int().meta({ description: 'Local: moved back, delivered now' }) }),
  z.object({ queue: z.string(), tasks: z.array(MoveTaskSchema).meta({ description: 'AWS: one per non-empty DLQ' }) }),
]);

/** `GET /v1/queues`. */
export const QueueListSchema = z.object({ queues: z.array(QueueSummarySchema) });

export const queueContracts = {
  'GET /v1/queues': {
    summary: "List the hub's queues with their depths and dead letters",
    description: 'The profile writer, the hydrator and one queue per subscription (`sub-<name>`).',
    status: 200,
    response: QueueListSchema,
  },
  'GET /v1/queues/{name}': {
    summary: 'Describe one queue: its dead letters (local) or the redrives under way (AWS)',
    params: NameParamsSchema,
    status: 200,
    response: QueueDetailSchema,
    errors: [400, 404],
  },
  'POST /v1/queues/{name}/redrive': {
    summary: "Move a queue's dead letters back into it",
    description:
      'Fix the cause first. Locally the messages are moved at once; on AWS one SQS message move task starts per non-empty dead-letter queue (409 while one runs). Consumers are idempotent, so a repeated redrive changes nothing.',
    params: NameParamsSchema,
    status: 202,
    response: QueueRedriveSchema,
    errors: [400, 404, 409],
  },
} as const satisfies RouteContracts<QueueRouteKey>;

export const createQueueRoutes = (queues: HubQueueOperations): ApiRoutes<QueueRouteKey> => ({
  'GET /v1/queues': async () => respond(queueContracts['GET /v1/queues'], { queues: await queues.list() }),

  'GET /v1/queues/{name}': async (event) => {
    const { name } = parseParams(queueContracts['GET /v1/queues/{name}'].params, event);
    return respond(queueContracts['GET /v1/queues/{name}'], await queues.describe(name));
  },

  'POST /v1/queues/{name}/redrive': async (event) => {
    const contract = queueContracts['POST /v1/queues/{name}/redrive'];
    const { name } = parseParams(contract.params, event);
    const result = await queues.redrive(name);
    logger.info('queue dead letters redriven', {
      queue: result.queue,
      ...('moved' in result ? { moved: result.moved } : { tasks: result.tasks.length }),
    });
    return respond(contract, result);
  },
});
