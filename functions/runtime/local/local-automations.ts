/**
 * The automations side of the local hub: `automations.config.ts` validated
 * (patterns included) before anything starts, the `automations` rule → a
 * journaled queue → the automation runner, and the runner's timers on
 * `LocalTimers` (`<data dir>/automation-timers.json`), which put
 * `automation.due` back on that queue and survive a restart — the same
 * shape as the stack's rule, queue and EventBridge Scheduler group.
 */
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import { LocalTimers } from '../../adapters/local/local-timers.js';
import type { LocalEventBus } from '../../adapters/local/local-event-bus.js';
import { LocalQueue } from '../../adapters/local/local-queue.js';
import type { AutomationsFile, AutomationsFileInput } from '../../automations/config.js';
import {
  AUTOMATIONS_RULE_PATTERN,
  clocksOf,
  reactionsOf,
  type TimeBasedSettings,
} from '../../automations/reactions.js';
import { validateAutomations } from '../../automations/validate.js';
import type { CountryCode } from '../../domain/identity.js';
import { createAutomationsHandler } from '../../handlers/automations.js';
import type { OutboundSettings } from '../../outbound/settings.js';
import type { MessageStore, ProfileStore } from '../../ports.js';
import { StoreUnavailableError } from '../../shared/store-availability.js';

export interface LocalAutomationsOptions {
  /** The automations; omitted → `automations.config.ts` at the repository root. */
  readonly automations?: AutomationsFileInput;
  readonly timeBased: TimeBasedSettings;
  readonly bus: LocalEventBus;
  readonly store: ProfileStore;
  readonly messages: MessageStore;
  readonly settings: OutboundSettings;
  readonly defaultCountry: CountryCode;
  readonly dataDir?: string;
  readonly retryBaseMs?: number;
  readonly fsync?: boolean;
  readonly now?: () => Date;
}

export interface LocalAutomations {
  readonly file: AutomationsFile;
  readonly timers: LocalTimers;
  readonly queue: LocalQueue;
  stop(): void;
}

const context = {
  functionName: 'omnihub-local-automations',
  awsRequestId: 'local',
  getRemainingTimeInMillis: () => 30_000,
} as Context;

export const startLocalAutomations = async (options: LocalAutomationsOptions): Promise<LocalAutomations> => {
  const file = validateAutomations(options.automations ?? (await import('../../../automations.config.js')).automations);
  const now = options.now ?? (() => new Date());
  let queue: LocalQueue | undefined;
  const early: string[] = [];
  // Timers due at start (they fell due while the hub was down) fire before the queue exists: held, then sent.
  const timers = new LocalTimers({
    send: (body) => (queue ? queue.send(body) : early.push(body)),
    now,
    ...(options.dataDir ? { journalPath: join(options.dataDir, 'automation-timers.json') } : {}),
  });
  const handler = createAutomationsHandler({
    store: options.store,
    messages: options.messages,
    publisher: options.bus,
    timers,
    settings: options.settings,
    defaultCountry: options.defaultCountry,
    reactions: reactionsOf(file, options.timeBased),
    clocks: clocksOf(options.timeBased),
    ...(file.marketingCap ? { marketingCap: file.marketingCap } : {}),
    now,
  });
  queue = new LocalQueue('automations', async (event) => (await handler(event, context)) ?? undefined, {
    retryBaseMs: options.retryBaseMs ?? 500,
    concurrency: 2,
    ...(options.fsync ? { fsync: true } : {}),
    isUnavailable: (err) => err instanceof StoreUnavailableError,
    ...(options.dataDir ? { journalPath: join(options.dataDir, 'queues', 'automations.jsonl') } : {}),
  });
  options.bus.addRoute({ name: 'automations', pattern: AUTOMATIONS_RULE_PATTERN, queue });
  for (const body of early.splice(0)) queue.send(body);
  return {
    file,
    timers,
    queue,
    // The queue is a bus route: the hub stops it with the others. Pending timers stay in their journal.
    stop: () => timers.stop(),
  };
};
