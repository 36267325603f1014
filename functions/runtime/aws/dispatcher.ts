/**
 * Lambda entry: one record at a time from a webhook subscription's queue
 * (one event source mapping per subscription, with its MaximumConcurrency).
 * The subscriptions are bundled from `subscriptions.config.ts`, the same file
 * the stack was synthesized from.
 */
import { awsDispatcherDeps } from './deps/subscriptions.js';
import { createDispatcherHandler } from '../../handlers/dispatcher.js';
import { subscriptions } from '../../../subscriptions.config.js';
import { logSampling } from '../../handlers/middleware.js';

export const handler = createDispatcherHandler({ subscriptions, ...awsDispatcherDeps() }).use(logSampling());
