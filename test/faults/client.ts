/**
 * The fault suite's outside client: vendor webhooks signed as the vendors
 * sign them (the benchmark workload's bodies: the connectors' own fixtures
 * with each customer's identifiers), posted over HTTP, and the verdict read
 * back through the hub's read API — never from the hub's own counters:
 *
 * - acked: events of webhooks the hub answered 2xx;
 * - applied: acked events found on a profile's timeline;
 * - lost: acked and not applied;
 * - duplicated: an event on a timeline twice, or counted on its profile more
 *   often than its timeline holds it (`eventCount` vs distinct timeline items).
 */
import { request } from 'node:http';
import { findConnector } from '../../functions/connectors/loaded.js';
import { customer, signSteps, type Step, type Touch } from '../../bench/lib/workload.js';
import type { HubProcess } from './hub-process.js';
import { sleep } from './hub-process.js';

/** Every connector's secret in the fault suite (at least 24 bytes, as the hub requires). */
export const SECRET = 'fault-suite-secret-0123456789abcdef';

export interface Webhook {
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  /** The hub events it yields (the connector's own parse + normalize). */
  readonly eventIds: readonly string[];
  /** Read-API lookup of its customer. */
  readonly identity: string;
}

/** Signed webhooks of `touches[i]` for customer `customers[i]` of `stream` (streams never share people). */
export const webhooks = (
  baseUrl: string,
  stream: number,
  plan: readonly { customer: number; touch: Touch }[],
): Webhook[] => {
  const steps: Step[] = plan.map((p, seq) => ({
    seq,
    customer: p.customer,
    journey: 'whatsapp',
    touch: p.touch,
    wave: 0,
    expectMerge: false,
  }));
  const now = new Date();
  return signSteps(steps, {
    stream,
    baseUrl,
    secrets: { secret: SECRET },
    now,
    tag: `f${stream}`,
    startMs: now.getTime() - 60_000,
  }).map((w) => ({
    path: w.path,
    headers: w.headers,
    body: Buffer.from(w.body, 'base64'),
    eventIds: w.eventIds,
    identity: w.identity,
  }));
};

/** `body` (any bytes, e.g. malformed JSON) signed for `connector` exactly as its vendor signs. */
export const signedRaw = (baseUrl: string, connectorName: string, body: Buffer): Webhook => {
  const connector = findConnector(connectorName);
  if (!connector) throw new Error(`no connector ${connectorName}`);
  const signed = connector.signSample(
    {
      url: `${baseUrl}/webhooks/${connectorName}`,
      method: 'POST',
      body,
      contentType: 'application/json',
      now: new Date(),
    },
    { secret: SECRET },
  );
  const url = new URL(signed.url);
  return {
    path: `${url.pathname}${url.search}`,
    headers: { 'content-type': 'application/json', ...signed.headers },
    body: signed.body ?? body,
    eventIds: [],
    identity: '',
  };
};

/** The phone identity every touch of a stream's customer shares. */
export const phoneOf = (stream: number, index: number): string => `phone:${customer(stream, index).phone}`;

/** `OMNIHUB_SECRET_<CONNECTOR>` for every connector the suite posts to. */
export const connectorSecretsEnv = (): Record<string, string> => {
  const env: Record<string, string> = {};
  for (const name of ['whatsapp', 'marquiz', 'ringostat', 'binotel', 'telegram']) {
    const c = findConnector(name);
    for (const s of c?.secrets ?? []) if (s.name === 'secret') env[s.env] = SECRET;
  }
  return env;
};

export interface Outcome {
  /** HTTP status; 0 when no answer came (connection refused or reset). */
  readonly status: number;
  readonly body?: { error?: { code?: string } };
  readonly retryAfter?: string | null;
  /** Epoch ms the request was sent and answered. */
  readonly sentAt?: number;
  readonly answeredAt?: number;
}

export const acked = (o: Outcome): boolean => o.status >= 200 && o.status < 300;

/** Posts one webhook; a connection failure is status 0, as a vendor would see no answer. */
export const post = async (
  hub: Pick<HubProcess, 'url'>,
  w: Pick<Webhook, 'path' | 'headers' | 'body'>,
): Promise<Outcome> => {
  const sentAt = Date.now();
  try {
    const res = await fetch(`${hub.url}${w.path}`, {
      method: 'POST',
      headers: w.headers,
      body: w.body,
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    let body: Outcome['body'];
    try {
      body = JSON.parse(text) as Outcome['body'];
    } catch {
      body = undefined;
    }
    return { status: res.status, body, retryAfter: res.headers.get('retry-after'), sentAt, answeredAt: Date.now() };
  } catch {
    return { status: 0, sentAt, answeredAt: Date.now() };
  }
};

/** Posts with `concurrency` in flight; `onResult` sees each outcome as it lands (e.g. to inject a fault). */
export const postAll = async (
  hub: Pick<HubProcess, 'url'>,
  list: readonly Webhook[],
  options: { concurrency: number; onResult?: (done: number, outcome: Outcome) => void; paceMs?: number },
): Promise<Outcome[]> => {
  const outcomes: Outcome[] = new Array(list.length);
  let next = 0;
  let done = 0;
  const start = Date.now();
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= list.length) return;
      if (options.paceMs) {
        const due = start + i * options.paceMs;
        if (due > Date.now()) await sleep(due - Date.now());
      }
      const outcome = await post(hub, list[i] as Webhook);
      outcomes[i] = outcome;
      options.onResult?.(++done, outcome);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return outcomes;
};

/** A raw request (headers as given, Host included), for inputs fetch refuses to send. */
export const rawPost = (hub: Pick<HubProcess, 'port'>, path: string, headers: Record<string, string>, body: string) =>
  new Promise<Outcome>((done) => {
    const req = request({ host: '127.0.0.1', port: hub.port, method: 'POST', path, headers, setHost: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        let parsed: Outcome['body'];
        try {
          parsed = JSON.parse(Buffer.concat(chunks).toString()) as Outcome['body'];
        } catch {
          parsed = undefined;
        }
        done({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    req.on('error', () => done({ status: 0 }));
    req.end(body);
  });

export const api = async (hub: Pick<HubProcess, 'url' | 'token'>, path: string, method = 'GET') => {
  const res = await fetch(`${hub.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${hub.token}` },
    signal: AbortSignal.timeout(30_000),
  });
  return { status: res.status, body: (await res.json()) as any };
};

export interface QueueState {
  readonly name: string;
  readonly pending: number;
  readonly inFlight: number;
  readonly deadLettered: number;
  readonly paused: boolean;
}

export const queues = async (hub: Pick<HubProcess, 'url' | 'token'>): Promise<QueueState[]> =>
  (await api(hub, '/v1/queues')).body.queues as QueueState[];

/** Waits until no hub queue has anything pending or in flight, twice in a row. */
export const waitDrained = async (hub: Pick<HubProcess, 'url' | 'token'>, timeoutMs = 120_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  let quiet = 0;
  for (;;) {
    const busy = (await queues(hub)).reduce((n, q) => n + q.pending + q.inFlight, 0);
    quiet = busy === 0 ? quiet + 1 : 0;
    if (quiet >= 2) return;
    if (Date.now() > deadline) throw new Error(`queues not drained within ${timeoutMs} ms (${busy} busy)`);
    await sleep(250);
  }
};

export interface Applied {
  /** Event id → times it is on a timeline. */
  readonly onTimeline: Map<string, number>;
  /** Profile `eventCount` beyond its distinct timeline items, summed (double-counted events). */
  readonly overCounted: number;
  /** Customer ids the identities resolved to. */
  readonly customers: Set<string>;
}

/** Reads the profiles of `identities` and their whole timelines through the read API. */
export const readApplied = async (
  hub: Pick<HubProcess, 'url' | 'token'>,
  identities: Iterable<string>,
): Promise<Applied> => {
  const onTimeline = new Map<string, number>();
  const customers = new Set<string>();
  let overCounted = 0;
  for (const identity of new Set(identities)) {
    const profile = await api(hub, `/v1/customers?identity=${encodeURIComponent(identity)}`);
    if (profile.status === 404) continue;
    if (profile.status !== 200) throw new Error(`GET customer ${identity}: ${profile.status}`);
    const id = profile.body.customerId as string;
    if (customers.has(id)) continue;
    customers.add(id);
    const distinct = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = await api(
        hub,
        `/v1/customers/${id}/timeline?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      for (const item of page.body.items as { eventId: string }[]) {
        onTimeline.set(item.eventId, (onTimeline.get(item.eventId) ?? 0) + 1);
        distinct.add(item.eventId);
      }
      cursor = page.body.nextCursor;
    } while (cursor);
    const merged = (profile.body.mergedIds as string[] | undefined)?.length ?? 0;
    if (merged === 0) overCounted += Math.max(0, (profile.body.eventCount as number) - distinct.size);
  }
  return { onTimeline, overCounted, customers };
};

/** One row of the suite's table. */
export interface Verdict {
  readonly scenario: string;
  /** Webhook requests sent (bad ones and redeliveries included). */
  readonly sent: number;
  /** Distinct events the hub acknowledged (2xx). */
  readonly acked: number;
  readonly applied: number;
  readonly lost: number;
  readonly duplicated: number;
  /** Answers that were neither 2xx nor the expected 4xx (5xx, no answer): what a vendor would retry. */
  readonly retried: number;
  readonly seconds: number;
  readonly note: string;
}

/** Lost and duplicated among `ackedIds`, from what the read API shows (the lost ids are printed). */
export const judge = (ackedIds: Iterable<string>, applied: Applied, options: { quiet?: boolean } = {}) => {
  const ids = new Set(ackedIds);
  let found = 0;
  let twice = 0;
  const lostIds: string[] = [];
  for (const id of ids) {
    const n = applied.onTimeline.get(id) ?? 0;
    if (n > 0) found++;
    else lostIds.push(id);
    if (n > 1) twice += n - 1;
  }
  if (lostIds.length && !options.quiet) console.log(`lost event ids: ${lostIds.join(', ')}`);
  return { acked: ids.size, applied: found, lost: ids.size - found, duplicated: twice + applied.overCounted };
};
