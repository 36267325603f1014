/**
 * Lambda entry: one record at a time from a webhook subscription's queue
 * (one event source mapping per subscription, with its MaximumConcurrency).
 * The subscriptions are bundled from `subscriptions.config.ts`, the same file
 * the stack was synthesized from; configuration `FUNCTION_CONFIGS.dispatcher`.
 */
import { subscriptions } from '../../../subscriptions.config.js';
import { createDispatcherHandler } from '../../handlers/dispatcher.js';
import { logSampling } from '../../handlers/middleware.js';
import { FUNCTION_CONFIGS, readFunctionConfig } from '../../shared/config.js';
import { outboundFetch } from '../../shared/outbound-fetch.js';
import { OUTBOUND_AWS } from '../../shared/outbound-url.js';
import { awsDispatcherDeps } from './deps/subscriptions.js';

export const handler = createDispatcherHandler({
  subscriptions,
  ...awsDispatcherDeps(readFunctionConfig(FUNCTION_CONFIGS.dispatcher)),
  // Subscription endpoints: public https hosts, checked again at connect time (DNS rebinding).
  fetch: outboundFetch({ policy: OUTBOUND_AWS }),
}).use(logSampling());
