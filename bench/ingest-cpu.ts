/**
 * Phase 1: ingest CPU per connector. For every fixture of every registered
 * connector, the per-webhook work of the ingest handler — authenticate
 * (`verify`), parse + validate (`parse`), `normalize`, and `HubEventSchema`
 * on every event (as the handler does before publishing) — beside its floor
 * measured in the same process on the same bytes: one minimal decode of the
 * body (`JSON.parse`; `URLSearchParams` for form bodies, a boundary split
 * for multipart) plus one HMAC-SHA256 over it. The stages are also timed
 * alone, so a miss says where the time goes.
 *
 * Also times one whole handler invocation per connector (API Gateway event →
 * middy → response, publisher stubbed) for the cost model's Lambda duration.
 */
import { createHmac } from 'node:crypto';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { listLoadedConnectors as listConnectors } from '../functions/connectors/loaded.js';
import type { Connector, NormalizeContext, NormalizeResult, VerifyResult } from '../functions/connectors/types.js';
import { parseHubEvent } from '../functions/events/hub-event.js';
import { createIngestHandler } from '../functions/handlers/ingest.js';
import { DEFAULT_MAX_BODY_BYTES, type RawRequest } from '../functions/shared/http.js';
import {
  loadFixtures,
  signedRequest,
  TEST_BASE_URL,
  TEST_NOW,
  TEST_SECRETS,
  type LoadedFixture,
} from '../test/helpers/fixtures.js';
import { measureInterleaved, pairedRatio, type MicroOp, type MicroOptions } from './lib/micro.js';
import { geomean, round } from './lib/stats.js';
import { isEntry, isQuick, progress, runPhase } from './lib/phase.js';

const PHASE = 'ingest-cpu';
const CTX: NormalizeContext = { receivedAt: TEST_NOW.toISOString(), defaultCountry: 'UA' };
const VERIFY_CTX = { now: TEST_NOW };
const FLOOR_KEY = String(TEST_SECRETS.secret);

/** The floor's decode: the least any handler must do to read the body. */
export const floorDecode = (body: Buffer, contentType: string): unknown => {
  const ct = contentType.toLowerCase();
  const text = body.toString('utf8');
  if (ct.startsWith('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(text));
  if (ct.startsWith('multipart/form-data')) {
    const boundary = /boundary=("?)([^";]+)\1/i.exec(contentType)?.[2] ?? '';
    return text.split(`--${boundary}`);
  }
  return JSON.parse(text);
};

const isThenable = (v: unknown): v is Promise<unknown> => typeof (v as { then?: unknown } | null)?.then === 'function';

export interface FixtureFigures {
  readonly connector: string;
  readonly fixture: string;
  readonly bytes: number;
  readonly contentType: string;
  readonly events: number;
  readonly asyncVerify: boolean;
  /** Microseconds per webhook. */
  readonly pipelineUs: number | null;
  readonly floorUs: number | null;
  /** Median of per-round pipeline/floor ratios. */
  readonly ratio: number | null;
  readonly stagesUs: {
    verify: number | null;
    parse: number | null;
    normalize: number | null;
    hubEventSchema: number | null;
  };
}

export interface ConnectorFigures {
  readonly connector: string;
  readonly fixtures: number;
  /** Sum over the connector's fixtures (one of each), microseconds. */
  readonly pipelineUs: number | null;
  readonly floorUs: number | null;
  /** Geometric mean of the fixtures' paired ratios: the connector's figure against its floor. */
  readonly ratio: number | null;
  /** pipeline sum / floor sum: one of each fixture, dominated by the largest payloads. */
  readonly sumRatio: number | null;
  readonly worst: { fixture: string; ratio: number | null } | null;
  /** Share of the pipeline time per stage (sums of stage medians). */
  readonly stageShare: Record<string, number | null>;
  /** Whole handler invocation (API Gateway event in, response out, publisher stubbed), first fixture. */
  readonly handlerUs: number | null;
  readonly handlerFixture: string | null;
  readonly skipped: string[];
}

const ns2us = (ns: number | undefined): number | null => (ns === undefined ? null : round(ns / 1000, 2));

const measureFixture = async (
  connector: Connector<unknown>,
  fixture: LoadedFixture,
  options: MicroOptions,
): Promise<FixtureFigures> => {
  const req: RawRequest = signedRequest(connector, fixture, TEST_SECRETS);
  const first = connector.verify(req, TEST_SECRETS, VERIFY_CTX);
  const asyncVerify = isThenable(first);
  const verdict = (asyncVerify ? await first : first) as VerifyResult;
  if (!verdict.ok) throw new Error(`verify refused the signed fixture: ${verdict.reason}`);
  const payload = connector.parse(req);
  const result: NormalizeResult = connector.normalize(payload, CTX);
  const events = result.events;
  events.forEach((e) => parseHubEvent(e));
  const contentType = fixture.case.contentType;

  const rest = () => {
    const p = connector.parse(req);
    const r = connector.normalize(p, CTX);
    for (const e of r.events) parseHubEvent(e);
    return r;
  };
  const ops: MicroOp[] = [
    {
      name: 'floor',
      fn: () => {
        floorDecode(req.body, contentType);
        return createHmac('sha256', FLOOR_KEY).update(req.body).digest('hex');
      },
    },
    asyncVerify
      ? {
          name: 'pipeline',
          async: true,
          fn: async () => {
            const v = await connector.verify(req, TEST_SECRETS, VERIFY_CTX);
            if (!v.ok) throw new Error(v.reason);
            return rest();
          },
        }
      : {
          name: 'pipeline',
          fn: () => {
            const v = connector.verify(req, TEST_SECRETS, VERIFY_CTX) as VerifyResult;
            if (!v.ok) throw new Error(v.reason);
            return rest();
          },
        },
    { name: 'verify', async: asyncVerify, fn: () => connector.verify(req, TEST_SECRETS, VERIFY_CTX) },
    { name: 'parse', fn: () => connector.parse(req) },
    { name: 'normalize', fn: () => connector.normalize(payload, CTX) },
    { name: 'hubEventSchema', fn: () => events.map((e) => parseHubEvent(e)) },
  ];
  const m = await measureInterleaved(ops, options);
  return {
    connector: connector.name,
    fixture: fixture.case.file,
    bytes: req.body.length,
    contentType,
    events: events.length,
    asyncVerify,
    pipelineUs: ns2us(m.medianNs.pipeline),
    floorUs: ns2us(m.medianNs.floor),
    ratio: round(pairedRatio(m, 'pipeline', 'floor'), 2),
    stagesUs: {
      verify: ns2us(m.medianNs.verify),
      parse: ns2us(m.medianNs.parse),
      normalize: ns2us(m.medianNs.normalize),
      hubEventSchema: ns2us(m.medianNs.hubEventSchema),
    },
  };
};

/** The API Gateway v2 event a signed delivery of `fixture` produces (what the Lambda receives). */
const apiGatewayEvent = (connector: Connector<unknown>, fixture: LoadedFixture): APIGatewayProxyEventV2 => {
  const url = `${TEST_BASE_URL}/webhooks/${connector.name}`;
  const { method, contentType } = fixture.case;
  const signed = connector.signSample({ url, method, body: fixture.body, contentType, now: TEST_NOW }, TEST_SECRETS);
  const target = new URL(signed.url);
  const body = signed.body ?? fixture.body;
  const headers = Object.fromEntries(
    Object.entries({ 'content-type': contentType, host: target.host, ...signed.headers }).map(([k, v]) => [
      k.toLowerCase(),
      v,
    ]),
  );
  return {
    version: '2.0',
    routeKey: `${method} /webhooks/{connector}`,
    rawPath: target.pathname,
    rawQueryString: target.search.replace(/^\?/, ''),
    headers,
    pathParameters: { connector: connector.name },
    body: body.toString('base64'),
    isBase64Encoded: true,
    requestContext: {
      accountId: '123456789012',
      apiId: 'bench',
      domainName: target.host,
      domainPrefix: 'hooks',
      http: { method, path: target.pathname, protocol: 'HTTP/1.1', sourceIp: '203.0.113.10', userAgent: 'bench' },
      requestId: 'bench',
      routeKey: `${method} /webhooks/{connector}`,
      stage: '$default',
      time: '01/May/2024:12:00:00 +0000',
      timeEpoch: TEST_NOW.getTime(),
    },
  };
};

const LAMBDA_CONTEXT = {
  functionName: 'omnihub-bench-ingest',
  awsRequestId: 'bench',
  getRemainingTimeInMillis: () => 10_000,
} as Context;

const measureHandler = async (
  connector: Connector<unknown>,
  fixture: LoadedFixture,
  options: MicroOptions,
): Promise<number | null> => {
  const handler = createIngestHandler({
    publisher: { publish: async () => undefined, putEntries: async () => undefined },
    secrets: { get: async () => TEST_SECRETS },
    // The same request is measured thousands of times: a real guard would refuse every repeat of a Mailgun token.
    replayGuard: {
      claim: async () => ({ status: 'first', commit: async () => undefined, release: async () => undefined }),
    },
    defaultCountry: 'UA',
    maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
    publicBaseUrl: TEST_BASE_URL,
    now: () => TEST_NOW,
  });
  const event = apiGatewayEvent(connector, fixture);
  const first = await handler(event, LAMBDA_CONTEXT);
  if (first.statusCode !== 200)
    throw new Error(`handler answered ${first.statusCode}: ${String(first.body).slice(0, 200)}`);
  const m = await measureInterleaved(
    [{ name: 'handler', async: true, fn: () => handler(event, LAMBDA_CONTEXT) }],
    options,
  );
  return ns2us(m.medianNs.handler);
};

const sum = (values: readonly (number | null)[]): number | null =>
  values.some((v) => v === null) ? null : values.reduce((s: number, v) => s + (v as number), 0);

export const runIngestCpu = async () => {
  const quick = isQuick();
  const options: MicroOptions = quick
    ? { rounds: 3, roundMs: 3, warmupMs: 10 }
    : { rounds: 7, roundMs: 10, warmupMs: 30 };
  const fixtures: FixtureFigures[] = [];
  const connectors: ConnectorFigures[] = [];
  for (const connector of listConnectors()) {
    const skipped: string[] = [];
    const own: FixtureFigures[] = [];
    let cases: LoadedFixture[] = [];
    try {
      cases = loadFixtures(connector.name);
    } catch (err) {
      skipped.push(`manifest: ${(err as Error).message}`);
    }
    for (const fixture of cases) {
      try {
        own.push(await measureFixture(connector, fixture, options));
      } catch (err) {
        skipped.push(`${fixture.case.file}: ${(err as Error).message}`);
      }
    }
    let handlerUs: number | null = null;
    let handlerFixture: string | null = null;
    for (const fixture of cases.slice(0, 3)) {
      try {
        handlerUs = await measureHandler(connector, fixture, options);
        handlerFixture = fixture.case.file;
        break;
      } catch (err) {
        skipped.push(`handler with ${fixture.case.file}: ${(err as Error).message}`);
      }
    }
    const pipelineUs = sum(own.map((f) => f.pipelineUs));
    const floorUs = sum(own.map((f) => f.floorUs));
    const ratios = own.map((f) => f.ratio).filter((r): r is number => r !== null);
    const worst = own.reduce<FixtureFigures | undefined>(
      (w, f) => (w === undefined || (f.ratio ?? 0) > (w.ratio ?? 0) ? f : w),
      undefined,
    );
    const stage = (k: keyof FixtureFigures['stagesUs']) => {
      const total = sum(own.map((f) => f.stagesUs[k]));
      return total === null || !pipelineUs ? null : round(total / pipelineUs, 2);
    };
    connectors.push({
      connector: connector.name,
      fixtures: own.length,
      pipelineUs: pipelineUs === null ? null : round(pipelineUs, 1),
      floorUs: floorUs === null ? null : round(floorUs, 1),
      ratio: ratios.length ? round(geomean(ratios), 2) : null,
      sumRatio: pipelineUs !== null && floorUs ? round(pipelineUs / floorUs, 2) : null,
      worst: worst ? { fixture: worst.fixture, ratio: worst.ratio } : null,
      stageShare: {
        verify: stage('verify'),
        parse: stage('parse'),
        normalize: stage('normalize'),
        hubEventSchema: stage('hubEventSchema'),
      },
      handlerUs,
      handlerFixture,
      skipped,
    });
    fixtures.push(...own);
    progress(
      PHASE,
      `${connector.name}: ${own.length} fixtures, ratio ${connectors.at(-1)?.ratio ?? 'n/a'}${skipped.length ? `, skipped ${skipped.length}` : ''}`,
    );
  }
  return {
    method:
      'Interleaved hrtime rounds (floor and subject alternate, rotating order); median of rounds; fixture ratio = median of per-round pipeline/floor; connector ratio = geometric mean of its fixture ratios. ' +
      'Pipeline = verify + parse (decode + zod) + normalize + HubEventSchema per event, on the RawRequest the edge builds. ' +
      'Floor = one minimal decode of the same bytes (JSON.parse; URLSearchParams for form bodies; boundary split for multipart) + one HMAC-SHA256 over them.',
    options,
    connectors,
    fixtures,
  };
};

if (isEntry(import.meta.url)) runPhase(PHASE, runIngestCpu);
