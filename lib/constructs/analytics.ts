/**
 * `HubAnalytics`: the data lake and its query engine.
 *
 * - A Firehose stream (Direct PUT, encrypted) receives the lake rows the
 *   profile writer and the privacy routes send, converts them to Parquet with
 *   the Glue table's schema and writes them to S3 partitioned by the event's
 *   date and type (dynamic partitioning on the record's `dt` and `type`):
 *   `events/dt=YYYY-MM-DD/type=<type>/…parquet`.
 * - The Glue table's columns are generated from the zod event contract
 *   (`functions/analytics/lake-schema.ts`); partitions are projected, so no
 *   crawler or `MSCK REPAIR` is ever needed.
 * - An Athena workgroup (engine 3) enforces an encrypted results bucket and a
 *   bytes-scanned limit per query; a custom resource creates the views of
 *   `analytics/views` in it at deploy time.
 * - A daily compaction job rewrites the partitions holding an erased
 *   customer's rows without them (`functions/handlers/lake-compactor.ts`).
 * - `grantQuery` lets a function run the metrics (Athena on this workgroup,
 *   Glue reads of this database, S3 reads of the lake and its results only);
 *   `grantWrite` lets it feed the stream.
 */
import { createHash } from 'node:crypto';
import { CustomResource, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import { CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import { CfnDatabase, CfnTable } from 'aws-cdk-lib/aws-glue';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { CfnDeliveryStream } from 'aws-cdk-lib/aws-kinesisfirehose';
import { LogGroup, LogStream, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { glueType, LAKE_COLUMNS, LAKE_RECORD_TYPES, PARTITION_COLUMNS } from '../../functions/analytics/lake-schema.js';
import { VIEWS } from '../../functions/analytics/sql.generated.js';
import { HUB_EVENT_TYPES } from '../../functions/events/hub-event.js';
import { ENV, FUNCTION_CONFIGS } from '../../functions/shared/config.js';
import { HubFunction, type HubFunctionProps } from './hub-function.js';

/** Name of the lake table in the Glue database. */
const LAKE_TABLE = 'hub_lake';

export interface HubAnalyticsProps {
  /** `omnihub-<stage>`: the stream, workgroup and bucket names start with it. */
  readonly prefix: string;
  /** Disposable data (dev): buckets and their objects are destroyed with the stack. @default false */
  readonly disposable?: boolean;
  /** Entry of the views custom-resource Lambda. */
  readonly viewsEntry: string;
  /** Entry of the daily compaction Lambda (erased customers' rows out of the files). */
  readonly compactorEntry: string;
  /** When the compaction runs. @default daily at 03:17 UTC */
  readonly compactionSchedule?: Schedule;
  /** House settings of the views and compaction functions (logs: retention, removal, level, sampling). */
  readonly functionDefaults?: Pick<
    HubFunctionProps,
    'logRetention' | 'logRemovalPolicy' | 'logLevel' | 'logSampleRate' | 'environment'
  >;
  /** Most bytes one query may scan before Athena cancels it. @default 1 GiB */
  readonly bytesScannedCutoffPerQuery?: number;
  /** Firehose buffering: data is queryable at most this long after it happened. @default 300 s */
  readonly bufferInterval?: Duration;
  /** Days query results are kept in the results bucket. @default 7 */
  readonly resultRetentionDays?: number;
}

export class HubAnalytics extends Construct {
  public readonly lakeBucket: Bucket;
  public readonly resultsBucket: Bucket;
  public readonly databaseName: string;
  public readonly deliveryStream: CfnDeliveryStream;
  public readonly workGroup: CfnWorkGroup;
  public readonly viewsFunction: HubFunction;
  public readonly compactor: HubFunction;

  constructor(scope: Construct, id: string, props: HubAnalyticsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const removal = props.disposable ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    this.databaseName = props.prefix.replace(/-/g, '_');

    /** Buckets — the lake, the query results, and the access logs of both. */
    const bucketDefaults = {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // No versioning: an erased customer's rows are deleted by rewriting files, and a noncurrent
      // version would keep them.
      versioned: false,
      removalPolicy: removal,
      autoDeleteObjects: props.disposable ?? false,
    };
    const logs = new Bucket(this, 'access-logs', {
      ...bucketDefaults,
      lifecycleRules: [{ expiration: Duration.days(90) }],
    });
    Validations.of(logs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket of the lake and results buckets; logging it into itself would loop.',
    });
    this.lakeBucket = new Bucket(this, 'lake', {
      ...bucketDefaults,
      serverAccessLogsBucket: logs,
      serverAccessLogsPrefix: 'lake/',
      // Records Firehose could not convert (schema mismatch) land under errors/ for a look, then go.
      lifecycleRules: [
        { prefix: 'errors/', expiration: Duration.days(14) },
        // Staging copies of a compaction run that died before it cleaned up.
        { prefix: 'compaction/', expiration: Duration.days(2) },
      ],
    });
    this.resultsBucket = new Bucket(this, 'results', {
      ...bucketDefaults,
      serverAccessLogsBucket: logs,
      serverAccessLogsPrefix: 'results/',
      lifecycleRules: [{ expiration: Duration.days(props.resultRetentionDays ?? 7) }],
    });

    /** Catalog — the lake table, its columns generated from the event contract. */
    const database = new CfnDatabase(this, 'database', {
      catalogId: stack.account,
      databaseInput: { name: this.databaseName, description: `Omnihub analytics lake (${props.prefix})` },
    });
    const location = `s3://${this.lakeBucket.bucketName}/events/`;
    const table = new CfnTable(this, 'table', {
      catalogId: stack.account,
      databaseName: this.databaseName,
      tableInput: {
        name: LAKE_TABLE,
        description: 'Hub events with the customer they were applied to, and the merge/unmerge/erasure facts',
        tableType: 'EXTERNAL_TABLE',
        partitionKeys: PARTITION_COLUMNS.map((c) => ({ name: c.name, type: glueType(c.type), comment: c.description })),
        parameters: {
          classification: 'parquet',
          EXTERNAL: 'TRUE',
          'parquet.compression': 'SNAPPY',
          // Partition projection: Athena computes the partitions from the predicates; nothing to register.
          'projection.enabled': 'true',
          'projection.dt.type': 'date',
          'projection.dt.format': 'yyyy-MM-dd',
          'projection.dt.range': '2020-01-01,NOW',
          'projection.dt.interval': '1',
          'projection.dt.interval.unit': 'DAYS',
          'projection.type.type': 'enum',
          'projection.type.values': [...HUB_EVENT_TYPES, ...LAKE_RECORD_TYPES].join(','),
          'storage.location.template': `${location}dt=\${dt}/type=\${type}/`,
        },
        storageDescriptor: {
          location,
          columns: LAKE_COLUMNS.map((c) => ({
            name: c.name,
            type: glueType(c.type),
            comment: c.description.slice(0, 255),
          })),
          inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
          serdeInfo: { serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
        },
      },
    });
    table.addDependency(database);
    const tableArn = stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${this.databaseName}/*` });
    const databaseArn = stack.formatArn({ service: 'glue', resource: 'database', resourceName: this.databaseName });
    const catalogArn = stack.formatArn({ service: 'glue', resource: 'catalog' });

    /** Delivery — Firehose: JSON lake rows → Parquet → S3, partitioned by date and type. */
    const firehoseLogs = new LogGroup(this, 'firehose-logs', {
      retention: props.functionDefaults?.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: removal,
    });
    const firehoseLogStream = new LogStream(this, 'firehose-log-stream', { logGroup: firehoseLogs });
    const role = new Role(this, 'firehose-role', {
      assumedBy: new ServicePrincipal('firehose.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: 'Firehose delivery of the analytics lake: write Parquet to the lake bucket, read the Glue schema',
    });
    role.addToPolicy(
      new PolicyStatement({
        actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
        resources: [this.lakeBucket.arnForObjects('events/*'), this.lakeBucket.arnForObjects('errors/*')],
      }),
    );
    for (const prefix of ['events', 'errors'])
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(this.lakeBucket.node.defaultChild as CfnTable)}.Arn>/${prefix}/*]`,
        reason:
          prefix === 'events'
            ? 'Firehose writes one Parquet object per buffer flush under events/dt=…/type=…/; the keys are chosen by Firehose, so only the prefix can be named'
            : 'Firehose writes the records it could not convert under errors/ with keys it chooses; only the prefix can be named',
      });
    role.addToPolicy(
      new PolicyStatement({
        actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
        resources: [this.lakeBucket.bucketArn],
      }),
    );
    role.addToPolicy(
      new PolicyStatement({
        actions: ['glue:GetTable', 'glue:GetTableVersion', 'glue:GetTableVersions'],
        resources: [
          catalogArn,
          databaseArn,
          stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${this.databaseName}/${LAKE_TABLE}` }),
        ],
      }),
    );
    firehoseLogs.grantWrite(role);
    this.deliveryStream = new CfnDeliveryStream(this, 'stream', {
      deliveryStreamName: `${props.prefix}-lake`,
      deliveryStreamType: 'DirectPut',
      deliveryStreamEncryptionConfigurationInput: { keyType: 'AWS_OWNED_CMK' },
      extendedS3DestinationConfiguration: {
        bucketArn: this.lakeBucket.bucketArn,
        roleArn: role.roleArn,
        prefix: 'events/dt=!{partitionKeyFromQuery:dt}/type=!{partitionKeyFromQuery:type}/',
        errorOutputPrefix: 'errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/',
        // Dynamic partitioning needs at least 64 MB; the interval bounds how stale the metrics are.
        bufferingHints: {
          sizeInMBs: 128,
          intervalInSeconds: (props.bufferInterval ?? Duration.seconds(300)).toSeconds(),
        },
        compressionFormat: 'UNCOMPRESSED',
        dynamicPartitioningConfiguration: { enabled: true, retryOptions: { durationInSeconds: 300 } },
        processingConfiguration: {
          enabled: true,
          processors: [
            {
              type: 'MetadataExtraction',
              parameters: [
                { parameterName: 'MetadataExtractionQuery', parameterValue: '{dt: .dt, type: .type}' },
                { parameterName: 'JsonParsingEngine', parameterValue: 'JQ-1.6' },
              ],
            },
          ],
        },
        dataFormatConversionConfiguration: {
          enabled: true,
          // Timestamps are epoch milliseconds in the rows (functions/analytics/lake-row.ts).
          inputFormatConfiguration: { deserializer: { hiveJsonSerDe: { timestampFormats: ['millis'] } } },
          outputFormatConfiguration: { serializer: { parquetSerDe: { compression: 'SNAPPY' } } },
          schemaConfiguration: {
            catalogId: stack.account,
            databaseName: this.databaseName,
            tableName: LAKE_TABLE,
            region: stack.region,
            roleArn: role.roleArn,
            versionId: 'LATEST',
          },
        },
        cloudWatchLoggingOptions: {
          enabled: true,
          logGroupName: firehoseLogs.logGroupName,
          logStreamName: firehoseLogStream.logStreamName,
        },
      },
    });
    this.deliveryStream.node.addDependency(role);
    this.deliveryStream.addDependency(table);

    /** Queries — Athena engine 3, results encrypted and kept a week, a bytes-scanned limit per query. */
    this.workGroup = new CfnWorkGroup(this, 'workgroup', {
      name: `${props.prefix}-analytics`,
      description: 'Omnihub metrics (GET /v1/metrics)',
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: props.bytesScannedCutoffPerQuery ?? 1024 ** 3,
        resultConfiguration: {
          outputLocation: `s3://${this.resultsBucket.bucketName}/results/`,
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
        },
      },
    });

    /** Views — created in the workgroup at deploy time by a custom resource, in order. */
    this.viewsFunction = new HubFunction(this, 'views', {
      ...props.functionDefaults,
      config: FUNCTION_CONFIGS['analytics-views'],
      entry: props.viewsEntry,
      description: 'Creates the analytics views in Athena (CloudFormation custom resource)',
      memorySize: 256,
      timeout: Duration.minutes(5),
    });
    this.grantQuery(this.viewsFunction);
    // Creating and dropping views writes their definitions into the Glue catalog.
    this.viewsFunction.addToRolePolicy(
      new PolicyStatement({
        actions: ['glue:CreateTable', 'glue:UpdateTable', 'glue:DeleteTable'],
        resources: [catalogArn, databaseArn, tableArn],
      }),
    );
    const views = new CustomResource(this, 'views-resource', {
      serviceToken: this.viewsFunction.functionArn,
      resourceType: 'Custom::AthenaViews',
      // A changed view definition re-runs the resource.
      properties: {
        ViewsSha256: createHash('sha256')
          .update(VIEWS.map((v) => v.sql).join('\n'))
          .digest('hex'),
      },
    });
    views.node.addDependency(table, this.workGroup, this.viewsFunction);

    /** Compaction — daily, rewrites the partitions that hold erased customers' rows without them. */
    this.compactor = new HubFunction(this, 'compactor', {
      ...props.functionDefaults,
      config: FUNCTION_CONFIGS['lake-compactor'],
      entry: props.compactorEntry,
      description: "Removes erased customers' rows from the analytics lake's Parquet files (daily)",
      memorySize: 256,
      timeout: Duration.minutes(15),
      // One run at a time: two runs rewriting the same partition would delete each other's files.
      reservedConcurrentExecutions: 1,
    });
    this.grantQuery(this.compactor);
    this.compactor.addEnvironment(ENV.lakeBucket, this.lakeBucket.bucketName);
    // UNLOAD writes its Parquet under compaction/ with the caller's credentials; the job then copies it
    // into the partition and deletes the partition's old files and the staging copies.
    this.compactor.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
        resources: [this.lakeBucket.arnForObjects('compaction/*')],
      }),
    );
    this.compactor.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:PutObject', 's3:DeleteObject'],
        resources: [this.lakeBucket.arnForObjects('events/*')],
      }),
    );
    const lakeObjects = `<${stack.getLogicalId(this.lakeBucket.node.defaultChild as CfnTable)}.Arn>`;
    Validations.of(this.compactor.role ?? this.compactor).acknowledge(
      {
        id: `AwsSolutions-IAM5[Resource::${lakeObjects}/compaction/*]`,
        reason:
          'Athena UNLOAD writes the kept rows of a partition under compaction/<run>/ with keys it chooses; the job reads, copies and deletes them there',
      },
      {
        id: `AwsSolutions-IAM5[Resource::${lakeObjects}/events/*]`,
        reason:
          "The job replaces a partition's files under events/dt=…/type=…/ (keys chosen by Firehose) with the compacted ones, so it may put and delete there",
      },
    );
    new Rule(this, 'compaction-schedule', {
      description: "Daily lake compaction: erased customers' rows out of the Parquet files",
      schedule: props.compactionSchedule ?? Schedule.cron({ hour: '3', minute: '17' }),
      targets: [new LambdaFunction(this.compactor, { retryAttempts: 2 })],
    });
  }

  /**
   * Lets `fn` run the metrics: start/read queries in this workgroup, read this
   * database's catalog entries, read the lake, write and read its results.
   * Sets the workgroup and database variables.
   */
  public grantQuery(fn: HubFunction): void {
    const stack = Stack.of(this);
    fn.addEnvironment(ENV.athenaWorkGroup, this.workGroup.ref);
    fn.addEnvironment(ENV.analyticsDatabase, this.databaseName);
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: [
          'athena:StartQueryExecution',
          'athena:GetQueryExecution',
          'athena:GetQueryResults',
          'athena:StopQueryExecution',
          'athena:GetWorkGroup',
        ],
        resources: [stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: this.workGroup.ref })],
      }),
    );
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartition', 'glue:GetPartitions'],
        resources: [
          stack.formatArn({ service: 'glue', resource: 'catalog' }),
          stack.formatArn({ service: 'glue', resource: 'database', resourceName: this.databaseName }),
          stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${this.databaseName}/*` }),
        ],
      }),
    );
    this.lakeBucket.grantRead(fn, 'events/*');
    this.resultsBucket.grantReadWrite(fn, 'results/*');
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:GetBucketLocation'],
        resources: [this.lakeBucket.bucketArn, this.resultsBucket.bucketArn],
      }),
    );
    const role = fn.role ?? fn;
    const logicalId = (c: Construct) => stack.getLogicalId(c.node.defaultChild as CfnTable);
    // cdk-nag names an ARN by its pseudo parameters when the stack is environment-agnostic.
    const pseudo = (value: string, name: string) => (Token.isUnresolved(value) ? `<AWS::${name}>` : value);
    const glueTables = `arn:${pseudo(stack.partition, 'Partition')}:glue:${pseudo(stack.region, 'Region')}:${pseudo(stack.account, 'AccountId')}:table/${this.databaseName}/*`;
    for (const [resource, reason] of [
      [
        `Resource::${glueTables}`,
        'Athena reads the lake table and the views of this one database; the views are created by the stack, so their names are not known to IAM in advance',
      ],
      [
        `Resource::<${logicalId(this.lakeBucket)}.Arn>/events/*`,
        'Athena reads the Parquet objects of the lake under events/ (object keys are dt/type partitions written by Firehose)',
      ],
      [
        `Resource::<${logicalId(this.resultsBucket)}.Arn>/results/*`,
        'Athena writes and reads query results under results/ of the results bucket, one object per query execution id',
      ],
      [
        'Action::s3:GetObject*',
        'The CDK read grant on the lake (events/) and results (results/) prefixes only: GetObject and its version/ACL variants Athena uses to read Parquet and result objects',
      ],
      [
        'Action::s3:GetBucket*',
        'The CDK read grant on the two analytics buckets only: Athena checks bucket location and ownership before it reads a partition or writes a result',
      ],
      [
        'Action::s3:List*',
        'The CDK read grant on the two analytics buckets only: Athena lists the dt/type partition prefixes it reads and the result objects of its queries',
      ],
      [
        'Action::s3:DeleteObject*',
        'The CDK read/write grant on results/ only (never the lake): Athena replaces or removes a result object it rewrites during a query',
      ],
      [
        'Action::s3:Abort*',
        'The CDK read/write grant on results/ only (never the lake): Athena aborts the multipart upload of a large result when a query fails',
      ],
    ] as const)
      Validations.of(role).acknowledge({ id: `AwsSolutions-IAM5[${resource}]`, reason });
  }

  /** Lets `fn` put lake rows into the stream (`firehose:PutRecordBatch` on it only). */
  public grantWrite(fn: HubFunction): void {
    fn.addEnvironment(ENV.lakeStream, this.deliveryStream.ref);
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['firehose:PutRecordBatch', 'firehose:PutRecord'],
        resources: [this.deliveryStream.attrArn],
      }),
    );
  }
}
