/**
 * The analytics construct in a stack of its own (fast to synthesize):
 * Firehose → S3 Parquet by date and type with the Glue schema generated from
 * the event contract, the Athena workgroup with encrypted results and a
 * bytes-scanned limit, the views created by a custom resource, least
 * privilege for the querying and writing functions, cdk-nag clean.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { LAKE_COLUMNS } from '../../functions/analytics/lake-schema.js';
import { VIEWS } from '../../functions/analytics/sql.generated.js';
import { ENV, FUNCTION_CONFIGS } from '../../functions/shared/config.js';
import { HubAnalytics } from '../../lib/constructs/analytics.js';
import { HubFunction } from '../../lib/constructs/hub-function.js';

let template: Template;
let stack: Stack;

/** The feature flags `cdk synth` runs with. */
const CDK_CONTEXT = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')).context;

const entry = (name: string) => fileURLToPath(new URL(`../../functions/runtime/aws/${name}.ts`, import.meta.url));

beforeAll(() => {
  // Prepare
  const app = new App({ context: CDK_CONTEXT });
  stack = new Stack(app, 'Analytics', { env: { account: '123456789012', region: 'eu-central-1' } });
  const analytics = new HubAnalytics(stack, 'analytics', {
    prefix: 'omnihub-test',
    viewsEntry: entry('analytics-views'),
    compactorEntry: entry('lake-compactor'),
  });
  // The hub's table and bus are not part of this stack: their names stand in.
  const environment = { [ENV.tableName]: 'table', [ENV.eventBusName]: 'bus' };
  const api = new HubFunction(stack, 'api', {
    config: FUNCTION_CONFIGS.api,
    entry: entry('api'),
    description: 'api',
    environment,
  });
  const writer = new HubFunction(stack, 'writer', {
    config: FUNCTION_CONFIGS['profile-writer'],
    environment,
    entry: entry('profile-writer'),
    description: 'writer',
  });
  analytics.grantQuery(api);
  analytics.grantWrite(api);
  analytics.grantWrite(writer);
  // Act
  template = Template.fromStack(stack);
}, 180_000);

describe('Infra: analytics lake', () => {
  it('delivers through an encrypted Firehose stream as Parquet, partitioned by date and type', () => {
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamType: 'DirectPut',
      DeliveryStreamEncryptionConfigurationInput: { KeyType: 'AWS_OWNED_CMK' },
      ExtendedS3DestinationConfiguration: Match.objectLike({
        Prefix: 'events/dt=!{partitionKeyFromQuery:dt}/type=!{partitionKeyFromQuery:type}/',
        DynamicPartitioningConfiguration: Match.objectLike({ Enabled: true }),
        DataFormatConversionConfiguration: Match.objectLike({
          Enabled: true,
          InputFormatConfiguration: { Deserializer: { HiveJsonSerDe: { TimestampFormats: ['millis'] } } },
          OutputFormatConfiguration: { Serializer: { ParquetSerDe: { Compression: 'SNAPPY' } } },
          SchemaConfiguration: Match.objectLike({ DatabaseName: 'omnihub_test', TableName: 'hub_lake' }),
        }),
      }),
    });
  });

  it('declares the Glue table with the columns generated from the event contract and projected partitions', () => {
    const tables = template.findResources('AWS::Glue::Table');
    const input = (Object.values(tables)[0] as any).Properties.TableInput;
    expect(input.StorageDescriptor.Columns.map((c: any) => [c.Name, c.Type])).toEqual(
      LAKE_COLUMNS.map((c) => [c.name, c.type]),
    );
    expect(input.PartitionKeys.map((c: any) => c.Name)).toEqual(['dt', 'type']);
    expect(input.Parameters).toMatchObject({ 'projection.enabled': 'true', 'projection.dt.type': 'date' });
    expect(input.Parameters['projection.type.values'].split(',')).toEqual(
      expect.arrayContaining(['order.paid', 'customer.merged', 'customer.erased', 'customer.reassigned']),
    );
  });

  it('queries through an engine-3 workgroup with encrypted results and a bytes-scanned limit', () => {
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      WorkGroupConfiguration: Match.objectLike({
        EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
        EnforceWorkGroupConfiguration: true,
        BytesScannedCutoffPerQuery: 1024 ** 3,
        ResultConfiguration: Match.objectLike({ EncryptionConfiguration: { EncryptionOption: 'SSE_S3' } }),
      }),
    });
  });

  it('creates the views with a custom resource that re-runs when a view changes', () => {
    template.resourceCountIs('Custom::AthenaViews', 1);
    template.hasResourceProperties('Custom::AthenaViews', { ViewsSha256: Match.stringLikeRegexp('^[0-9a-f]{64}$') });
    expect(VIEWS.map((v) => v.name)).toContain('hub_events');
  });

  it('keeps buckets private, encrypted, TLS-only and unversioned (erasure rewrites files)', () => {
    const buckets = template.findResources('AWS::S3::Bucket');
    expect(Object.keys(buckets)).toHaveLength(3);
    for (const b of Object.values(buckets) as any[]) {
      expect(b.Properties.BucketEncryption).toBeDefined();
      expect(b.Properties.PublicAccessBlockConfiguration).toMatchObject({
        BlockPublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(b.Properties.VersioningConfiguration).toBeUndefined();
    }
  });

  it('grants the api exactly the workgroup, the database and the lake/result prefixes; the writer only the stream', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as any[];
    const statementsOf = (fragment: string) =>
      policies
        .filter((p) => JSON.stringify(p.Properties.Roles).includes(fragment))
        .flatMap((p) => p.Properties.PolicyDocument.Statement);
    const api = JSON.stringify(statementsOf('apirole'));
    expect(api).toContain('athena:StartQueryExecution');
    expect(api).toContain('workgroup/');
    expect(api).not.toContain('athena:*');
    expect(api).not.toMatch(/"Resource":"\*"[^}]*athena/);
    const writer = statementsOf('writerrole').filter((s: any) => JSON.stringify(s.Action).includes('firehose'));
    expect(writer).toHaveLength(1);
    expect([...writer[0].Action].sort()).toEqual(['firehose:PutRecord', 'firehose:PutRecordBatch']);
    expect(JSON.stringify(writer[0].Resource)).toContain('Arn');
    expect(JSON.stringify(statementsOf('writerrole'))).not.toContain('athena');
  });

  it('runs the compaction job daily, one run at a time, deleting only in the lake partitions and its staging', () => {
    const compactor = stack.getLogicalId(
      (stack.node.findChild('analytics').node.findChild('compactor') as HubFunction).node.defaultChild as any,
    );
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(17 3 * * ? *)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [compactor, 'Arn'] } })],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      ReservedConcurrentExecutions: 1,
      Timeout: 900,
      Environment: { Variables: Match.objectLike({ [ENV.lakeBucket]: Match.anyValue() }) },
    });
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as any[];
    const statements = (fragment: string) =>
      policies
        .filter((p) => JSON.stringify(p.Properties.Roles).includes(fragment))
        .flatMap((p) => p.Properties.PolicyDocument.Statement);
    const deletes = (fragment: string) =>
      statements(fragment)
        .filter((s: any) => [s.Action].flat().some((a: string) => a.startsWith('s3:Delete')))
        .flatMap((s: any) => [s.Resource].flat().map((r: unknown) => JSON.stringify(r)));
    const lake = stack.getLogicalId(
      (stack.node.findChild('analytics') as HubAnalytics).lakeBucket.node.defaultChild as any,
    );
    const onLake = (r: string) => r.includes(lake);
    // The compactor deletes in the lake under events/ and compaction/ only (and in the results prefix, as Athena does).
    expect(deletes('compactorrole').filter(onLake).sort()).toEqual([
      expect.stringContaining('/compaction/*'),
      expect.stringContaining('/events/*'),
    ]);
    // Nothing else may delete from the lake.
    expect(deletes('apirole').filter(onLake)).toEqual([]);
    expect(deletes('writerrole')).toEqual([]);
  });

  it('is cdk-nag AwsSolutions clean', () => {
    const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(stack);
    const findings = report.violations.map(
      (v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(findings.filter((f) => !f.startsWith('info'))).toEqual([]);
  });
});
