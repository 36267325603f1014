/**
 * The EventBridge form of a hub event: `Source: omnihub.<connector>`,
 * `DetailType: <type>`, `Detail: <HubEvent>`. Shared by the AWS publisher and
 * the local bus so both put identical envelopes on the wire.
 */
import { randomUUID } from 'node:crypto';
import { SOURCE_PREFIX, type HubEvent } from './hub-event.js';

export interface BusEntry {
  readonly source: string;
  readonly detailType: string;
  readonly detail: unknown;
}

/** An event as EventBridge delivers it to rule targets. */
export interface EventBridgeEnvelope<Detail = unknown> {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: string[];
  readonly detail: Detail;
  /** Set by EventBridge on events re-sent by an archive replay. */
  readonly 'replay-name'?: string;
}

export const toBusEntry = (event: HubEvent): BusEntry => ({
  source: `${SOURCE_PREFIX}${event.connector}`,
  detailType: event.type,
  detail: event,
});

/** Wraps an entry the way EventBridge would (the local bus uses it). */
export const toEnvelope = (
  entry: BusEntry,
  opts: { account?: string; region?: string; time?: Date } = {},
): EventBridgeEnvelope => ({
  version: '0',
  id: randomUUID(),
  'detail-type': entry.detailType,
  source: entry.source,
  account: opts.account ?? '000000000000',
  time: (opts.time ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  region: opts.region ?? 'local',
  resources: [],
  detail: entry.detail,
});
