/**
 * The messages between the main thread (queues, consumers, DynamoDB Local)
 * and the HTTP front's worker thread of the local hub. Everything crossing is
 * plain data (structured clone): configuration in, journaled hand-offs and
 * operation calls out, their results back.
 */
import type { LinkingPolicy } from '../../domain/linking.js';
import type { CountryCode } from '../../domain/identity.js';
import type { EventPattern } from '../../events/rules.js';
import type { HandedOffMessage } from '../../adapters/local/journaled-hand-off.js';
import type { LocalHttpLimits } from '../../adapters/local/http-server.js';
import type { Subscription } from '../../subscriptions/config.js';
import type { LocalAuthOptions } from '../../adapters/local/console-auth.js';
import type { OutboundConfig } from '../../outbound/settings.js';
import type { MetricOptions } from '../../analytics/metrics.js';

/** What the front thread is started with. */
export interface FrontWorkerData {
  readonly port: number;
  readonly host: string;
  readonly apiToken: string;
  readonly maxBodyBytes: number;
  readonly defaultCountry: CountryCode;
  readonly publicBaseUrl?: string | undefined;
  readonly traits: { readonly lifespanYears: number; readonly abandonedCartAfterHours: number };
  /** The console's configured address; unset, the front's own. */
  readonly consoleUrl?: string | undefined;
  readonly dynamoEndpoint: string;
  readonly tableName: string;
  /** Days the archive keeps events: how long the store keeps erasure holds. */
  readonly archiveRetentionDays: number;
  readonly linking: LinkingPolicy;
  /** Connector secrets are read from it (`OMNIHUB_SECRET_*`). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly fsync: boolean;
  readonly archivePath?: string | undefined;
  /** The bus's routes: the front matches events and journals them into these queues. */
  readonly routes: readonly { readonly name: string; readonly pattern: EventPattern; readonly journalPath?: string }[];
  /** The subscriptions as configured (disabled ones included), for `/v1/subscriptions`. */
  readonly subscriptions: readonly Subscription[];
  readonly limits?: Partial<LocalHttpLimits> | undefined;
  /** The outbound variables: the front computes the settings the messages API checks reachability with. */
  readonly outbound: OutboundConfig;
  /** Logins and session lifetimes (users parsed and checked in the main thread); sessions live in the front. */
  readonly auth: Omit<LocalAuthOptions, 'now'>;
  /** Settings of `GET /v1/metrics` (the engine and the lake stay in the main thread, called over the port). */
  readonly analytics: Partial<MetricOptions>;
  /** Serve the console at `/` (built in the front thread on the first page request). */
  readonly console: boolean;
}

/** Operations the front calls in the main thread. */
export type CallTarget = 'queues' | 'subscriptions' | 'lake' | 'metrics';

export type FrontToMain =
  | { readonly type: 'listening'; readonly port: number }
  | { readonly type: 'hand-off'; readonly message: HandedOffMessage }
  | {
      readonly type: 'call';
      readonly id: number;
      readonly target: CallTarget;
      readonly method: string;
      readonly args: readonly unknown[];
    }
  | { readonly type: 'flushed'; readonly id: number }
  | { readonly type: 'closed' };

/** An error as it crosses: enough to rebuild a `HubError` with its status. */
export interface ErrorData {
  readonly name: string;
  readonly message: string;
  readonly statusCode?: number;
  readonly code?: string;
}

export type MainToFront =
  | { readonly type: 'result'; readonly id: number; readonly value: unknown }
  | { readonly type: 'error'; readonly id: number; readonly error: ErrorData }
  | { readonly type: 'flush'; readonly id: number }
  | { readonly type: 'drain' }
  | { readonly type: 'close' };
