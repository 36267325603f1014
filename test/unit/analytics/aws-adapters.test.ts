/**
 * The AWS side of analytics against stand-ins of the AWS APIs (vendors, for
 * this code): the Athena engine sends a metric's SQL with positional Trino
 * literals in the workgroup and reads typed rows; the Firehose sink resends
 * refused records; the views custom resource creates the views in order and
 * answers CloudFormation.
 */
import type { AthenaClient } from '@aws-sdk/client-athena';
import type { FirehoseClient } from '@aws-sdk/client-firehose';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { AthenaMetricsEngine } from '../../../functions/adapters/aws/athena-metrics-engine.js';
import { FirehoseAnalyticsSink } from '../../../functions/adapters/aws/firehose-analytics-sink.js';
import { placeholders } from '../../../functions/analytics/dialect.js';
import { VIEWS } from '../../../functions/analytics/sql.generated.js';
import { createAnalyticsViewsHandler } from '../../../functions/handlers/analytics-views.js';
import { EVENTS, row } from './journey.js';

type Sent = { name: string; input: any };

const athena = (states: string[], rows: string[][] = []) => {
  const sent: Sent[] = [];
  const client = {
    send: async (command: { constructor: { name: string }; input: unknown }) => {
      sent.push({ name: command.constructor.name, input: command.input });
      switch (command.constructor.name) {
        case 'StartQueryExecutionCommand':
          return { QueryExecutionId: 'q-1' };
        case 'GetQueryExecutionCommand':
          return { QueryExecution: { Status: { State: states.shift() ?? 'SUCCEEDED', StateChangeReason: 'bad SQL' } } };
        default:
          return {
            ResultSet: {
              ResultSetMetadata: {
                ColumnInfo: [
                  { Name: 'bucket', Type: 'date' },
                  { Name: 'channel', Type: 'varchar' },
                  { Name: 'contacts', Type: 'bigint' },
                  { Name: 'share', Type: 'double' },
                ],
              },
              Rows: [
                { Data: [{ VarCharValue: 'bucket' }, { VarCharValue: 'channel' }] },
                ...rows.map((r) => ({ Data: r.map((v) => (v === '' ? {} : { VarCharValue: v })) })),
              ],
            },
          };
      }
    },
  };
  return { client: client as unknown as AthenaClient, sent };
};

describe('Athena engine', () => {
  it('runs the metric SQL in the workgroup with positional literals and types the rows', async () => {
    // Prepare
    const { client, sent } = athena(['QUEUED', 'RUNNING'], [['2024-05-01', 'whatsapp', '4', '']]);
    const engine = new AthenaMetricsEngine(client, { workGroup: 'wg', database: 'omnihub_prod', pollMs: 1 });

    // Act
    const rows = await engine.run('channel_mix', {
      granularity: 'day',
      tz: 'Europe/Kyiv',
      from_dt: '2024-05-01',
      to_dt: '2024-05-08',
      from_ts: '2024-05-01 00:00:00.000',
      to_ts: '2024-05-08 00:00:00.000',
      connector: "o'hare",
    });

    // Assess
    const start = sent[0]?.input;
    expect(start).toMatchObject({ WorkGroup: 'wg', QueryExecutionContext: { Database: 'omnihub_prod' } });
    expect(placeholders(start.QueryString)).toEqual([]);
    expect(start.QueryString.match(/\?/g)).toHaveLength(8);
    expect(start.ExecutionParameters).toEqual([
      "'day'",
      "'Europe/Kyiv'",
      "'2024-05-01'",
      "'2024-05-08'",
      "'2024-05-01 00:00:00.000'",
      "'2024-05-08 00:00:00.000'",
      "'o''hare'",
      "'o''hare'",
    ]);
    expect(sent.filter((s) => s.name === 'GetQueryExecutionCommand')).toHaveLength(3);
    expect(rows).toEqual([{ bucket: '2024-05-01', channel: 'whatsapp', contacts: 4, share: null }]);
  });

  it('fails with the reason Athena gives', async () => {
    const { client } = athena(['FAILED']);
    const engine = new AthenaMetricsEngine(client, { workGroup: 'wg', database: 'd', pollMs: 1 });
    await expect(engine.execute('SELECT 1')).rejects.toThrow(/q-1 failed: bad SQL/);
  });
});

describe('Firehose sink', () => {
  it('sends rows as JSON lines and resends exactly the refused ones', async () => {
    // Prepare: the first call refuses the second record.
    const calls: string[][] = [];
    const client = {
      send: async (command: { input: { Records: { Data: Uint8Array }[] } }) => {
        calls.push(command.input.Records.map((r) => new TextDecoder().decode(r.Data)));
        return calls.length === 1
          ? { FailedPutCount: 1, RequestResponses: [{ RecordId: 'a' }, { ErrorCode: 'ServiceUnavailableException' }] }
          : { FailedPutCount: 0, RequestResponses: [{ RecordId: 'b' }] };
      },
    } as unknown as FirehoseClient;
    const rows = [row('cus_o', EVENTS.o1), row('cus_o', EVENTS.o2)];

    // Act
    await new FirehoseAnalyticsSink(client, 'omnihub-prod-lake').record(rows);

    // Assess
    expect(calls).toHaveLength(2);
    expect(calls[1]).toEqual([`${JSON.stringify(rows[1])}\n`]);
    expect(JSON.parse(calls[0]?.[0] ?? '{}')).toMatchObject({
      id: EVENTS.o1.id,
      dt: '2024-05-01',
      type: 'lead.submitted',
    });
  });
});

describe('Analytics views custom resource', () => {
  const event = (RequestType: 'Create' | 'Delete') =>
    ({
      RequestType,
      ResponseURL: 'https://cloudformation-custom-resource-response.example/presigned',
      StackId: 'stack',
      RequestId: 'req',
      LogicalResourceId: 'views',
      ResourceType: 'Custom::AthenaViews',
      ServiceToken: 'arn',
      ResourceProperties: { ServiceToken: 'arn' },
      ...(RequestType === 'Delete' ? { PhysicalResourceId: 'omnihub-analytics-views' } : {}),
    }) as CloudFormationCustomResourceEvent;

  const run = async (type: 'Create' | 'Delete', fail?: string) => {
    const executed: string[] = [];
    const responses: any[] = [];
    const handler = createAnalyticsViewsHandler({
      execute: async (sql) => {
        executed.push(sql);
        if (fail && sql.includes(fail)) throw new Error(`cannot create ${fail}`);
      },
      fetch: (async (_url: string, init: RequestInit) => {
        responses.push(JSON.parse(String(init.body)));
        return new Response('', { status: 200 });
      }) as typeof fetch,
    });
    await handler(event(type));
    return { executed, responses };
  };

  it('creates every view in file order and reports success to CloudFormation', async () => {
    const { executed, responses } = await run('Create');
    expect(executed).toEqual(VIEWS.map((v) => v.sql));
    expect(responses).toEqual([
      expect.objectContaining({ Status: 'SUCCESS', PhysicalResourceId: 'omnihub-analytics-views', RequestId: 'req' }),
    ]);
  });

  it('reports a failing view as FAILED with the reason, and drops views in reverse on delete', async () => {
    const failed = await run('Create', 'hub_lake_resolved AS');
    expect(failed.responses[0]).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/cannot create/) });
    const deleted = await run('Delete');
    expect(deleted.executed).toEqual([...VIEWS].reverse().map((v) => `DROP VIEW IF EXISTS ${v.name}`));
  });
});
