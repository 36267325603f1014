/**
 * The load generator, run as its own process by `bench/e2e.ts` so its CPU is
 * not the hub's event loop. Reads a job file (pre-signed requests), posts
 * them over keep-alive connections, and writes one record per request.
 *
 * - `closed`: `concurrency` requests in flight, each sent as soon as one
 *   finishes: the most the hub can acknowledge.
 * - `paced`: open loop at `rate` requests/s (request i is due at
 *   start + i/rate, whatever happened before), at most `maxInFlight`
 *   outstanding. Latency is measured from the due time, so a stall is not
 *   hidden by the sender waiting for it (no coordinated omission).
 *
 * Optionally probes the read API for every `probeEvery`-th acknowledged
 * request: polls until the event is in the customer's timeline, giving
 * acknowledgement → visible through the API the way a client would see it.
 * Keep probes few: each poll is read traffic on the hub being measured.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';

export interface LoadJob {
  readonly baseUrl: string;
  readonly apiToken: string;
  readonly mode: 'closed' | 'paced';
  readonly concurrency: number;
  /** Requests per second (paced). */
  readonly rate?: number;
  /** Outstanding requests allowed in paced mode. @default 256 */
  readonly maxInFlight?: number;
  readonly requests: readonly {
    path: string;
    headers: Record<string, string>;
    body: string;
    identity: string;
    eventIds: string[];
  }[];
  /** Probe every n-th request through the read API; 0 = none. */
  readonly probeEvery: number;
  /** Longest interval between two polls of one probe. */
  readonly probePollMs: number;
  readonly probeTimeoutMs: number;
  /** Hard stop for the whole job. */
  readonly deadlineMs: number;
}

/** Per request: [dueAt, sentAt, ackAt, status] in wall-clock ms (status 0 = network error or not sent). */
export type RequestRecord = [number, number, number, number];

export interface ProbeRecord {
  readonly index: number;
  readonly eventId: string;
  readonly ackAt: number;
  /** When the event was first seen in the timeline; null when the probe timed out. */
  readonly visibleAt: number | null;
  readonly polls: number;
  /** Polling interval when it was seen (the measurement's resolution). */
  readonly intervalMs: number;
}

export interface LoadResult {
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly records: RequestRecord[];
  readonly probes: ProbeRecord[];
  /** A few response bodies of failed requests, for diagnosis. */
  readonly failures: string[];
  readonly timedOut: boolean;
  /** CPU this process used for the job (user + system, ms): the load generator's share of the machine. */
  readonly cpuMs: number;
}

const wallNow = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const post = (
  agent: Agent,
  base: URL,
  path: string,
  headers: Record<string, string>,
  body: Buffer,
): Promise<{ status: number; text: string }> =>
  new Promise((resolve) => {
    const req = request(
      {
        agent,
        host: base.hostname,
        port: base.port,
        method: 'POST',
        path,
        headers: { ...headers, 'content-length': String(body.length) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', () => resolve({ status: 0, text: 'response error' }));
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve({ status: 0, text: err.message }));
    req.end(body);
  });

export const runLoad = async (job: LoadJob): Promise<LoadResult> => {
  const base = new URL(job.baseUrl);
  const maxSockets = job.mode === 'closed' ? job.concurrency : (job.maxInFlight ?? 256);
  const agent = new Agent({ keepAlive: true, maxSockets });
  const bodies = job.requests.map((r) => Buffer.from(r.body, 'base64'));
  const records: RequestRecord[] = job.requests.map(() => [0, 0, 0, 0]);
  const failures: string[] = [];
  const probes: ProbeRecord[] = [];
  const startedAt = wallNow();
  const cpuAtStart = process.cpuUsage();
  const deadline = startedAt + job.deadlineMs;
  let timedOut = false;

  const send = async (i: number, dueAt: number) => {
    const r = job.requests[i] as LoadJob['requests'][number];
    const sentAt = wallNow();
    const res = await post(agent, base, r.path, r.headers, bodies[i] as Buffer);
    const ackAt = wallNow();
    records[i] = [dueAt, sentAt, ackAt, res.status];
    if (res.status < 200 || res.status >= 300) {
      if (failures.length < 10) failures.push(`${res.status} ${r.path.split('?')[0]}: ${res.text.slice(0, 300)}`);
    } else if (job.probeEvery > 0 && i % job.probeEvery === 0) probing.push(probe(i, ackAt));
  };

  // Probes start the moment their request is acknowledged (never queued behind
  // each other) and poll with a growing interval (2 ms doubling to 50 ms), so a
  // fast commit is seen within milliseconds and a slow one costs few requests.
  const api = async (path: string): Promise<{ status: number; body: any }> => {
    try {
      const res = await fetch(`${job.baseUrl}${path}`, {
        headers: { authorization: `Bearer ${job.apiToken}` },
        signal: AbortSignal.timeout(10_000),
      });
      return { status: res.status, body: res.status === 200 ? await res.json() : await res.text() };
    } catch {
      return { status: 0, body: undefined };
    }
  };
  const probe = async (index: number, ackAt: number): Promise<void> => {
    const r = job.requests[index] as LoadJob['requests'][number];
    const eventId = r.eventIds[0] as string;
    let customerId: string | undefined;
    let polls = 0;
    let interval = 2;
    const until = Math.min(ackAt + job.probeTimeoutMs, deadline);
    while (wallNow() < until) {
      polls++;
      if (!customerId) {
        const found = await api(`/v1/customers?identity=${encodeURIComponent(r.identity)}`);
        if (found.status === 200) customerId = found.body.customerId as string;
      }
      if (customerId) {
        const page = await api(`/v1/customers/${encodeURIComponent(customerId)}/timeline?limit=25`);
        if (page.status === 200 && (page.body.items as { eventId: string }[]).some((it) => it.eventId === eventId)) {
          probes.push({ index, eventId, ackAt, visibleAt: wallNow(), polls, intervalMs: interval });
          return;
        }
      }
      await sleep(interval);
      interval = Math.min(interval * 2, job.probePollMs);
    }
    probes.push({ index, eventId, ackAt, visibleAt: null, polls, intervalMs: interval });
  };
  const probing: Promise<void>[] = [];

  if (job.mode === 'closed') {
    let next = 0;
    await Promise.all(
      Array.from({ length: job.concurrency }, async () => {
        while (next < job.requests.length) {
          if (wallNow() > deadline) {
            timedOut = true;
            return;
          }
          const i = next++;
          await send(i, wallNow());
        }
      }),
    );
  } else {
    const rate = job.rate ?? 100;
    const maxInFlight = job.maxInFlight ?? 256;
    const inFlight = new Set<Promise<void>>();
    const t0 = wallNow() + 20;
    for (let i = 0; i < job.requests.length; i++) {
      const dueAt = t0 + (i * 1000) / rate;
      if (dueAt > deadline) {
        timedOut = true;
        break;
      }
      let wait = dueAt - wallNow();
      if (wait > 1) await sleep(wait - 1);
      while ((wait = dueAt - wallNow()) > 0) if (wait > 0.2) await new Promise((r) => setImmediate(r));
      while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
      const p: Promise<void> = send(i, dueAt).finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await Promise.all(inFlight);
  }
  await Promise.all(probing);
  agent.destroy();
  const cpu = process.cpuUsage(cpuAtStart);
  return {
    startedAt,
    finishedAt: wallNow(),
    records,
    probes,
    failures,
    timedOut,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
};

// Run as a script: `node --import tsx bench/loadgen.ts <job.json> <result.json>`.
const [, , jobPath, resultPath] = process.argv;
if (jobPath && resultPath) {
  const job = JSON.parse(readFileSync(jobPath, 'utf8')) as LoadJob;
  runLoad(job).then(
    (result) => {
      writeFileSync(resultPath, JSON.stringify(result));
      process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(`[loadgen] ${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
