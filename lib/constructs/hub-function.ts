/**
 * `HubFunction`: a Lambda function bundled by `lib/bundling.ts`, with the house defaults every Omnihub
 * Lambda shares, and `bindX()` helpers that set an environment variable and
 * the matching IAM grant in one call, so a function can never be told about a
 * resource it may not use, or be granted one it is not told about
 * (powertools `examples/app` `FunctionWithLogGroup`).
 */
import { AssetHashType, DockerImage, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { CfnTable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  Architecture,
  Code,
  Function as LambdaFunction,
  LoggingFormat,
  Runtime,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import {
  ENV,
  type FunctionConfig,
  undeclaredVariables,
  unsetRequiredVariables,
} from '../../functions/shared/config.js';
import { BUNDLE_TARGET, buildLambdaBundle, entryKey, PROJECT_ROOT } from '../bundling.js';

/**
 * The code of a function: its entry bundled by `lib/bundling.ts` on this
 * machine (esbuild is a dependency; there is no Docker fallback), hashed by
 * the output so an unchanged bundle is not re-uploaded.
 */
const bundledCode = (entry: string): Code =>
  Code.fromAsset(PROJECT_ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never pulled: local bundling always succeeds or throws. The command names the entry, which keeps
      // CDK's asset-staging cache (keyed by these options) from handing one function another's bundle.
      image: DockerImage.fromRegistry('omnihub-local-esbuild-only'),
      command: ['esbuild', entryKey(entry), `--target=${BUNDLE_TARGET}`],
      local: {
        tryBundle: (outputDir) => {
          buildLambdaBundle(entry, outputDir);
          return true;
        },
      },
    },
  });

export interface HubFunctionProps {
  /** Absolute path of the Lambda entry file; it must export `handler`. */
  readonly entry: string;
  /**
   * The function's configuration (`FUNCTION_CONFIGS.<fn>`): the only
   * variables it may be given besides the runtime's own (`NODE_OPTIONS`,
   * `POWERTOOLS_*`); synth fails when a required one without a default is
   * not set.
   */
  readonly config: FunctionConfig;
  /** What the function does, shown in the console. */
  readonly description: string;
  /** @default 256 */
  readonly memorySize?: number;
  /** @default Duration.seconds(30) */
  readonly timeout?: Duration;
  /** Retention of the function's own log group. @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /** What happens to the log group when the function is removed. @default RemovalPolicy.RETAIN */
  readonly logRemovalPolicy?: RemovalPolicy;
  /** Extra environment variables (non-secret configuration only). @default none */
  readonly environment?: Readonly<Record<string, string>>;
  /** Concurrency reserved for (and capping) this function. @default none: the account's unreserved pool */
  readonly reservedConcurrentExecutions?: number;
  /** Lowest level Powertools writes (`POWERTOOLS_LOG_LEVEL`). @default 'INFO' */
  readonly logLevel?: LogLevel;
  /**
   * Share of invocations that log everything down to DEBUG
   * (`POWERTOOLS_LOGGER_SAMPLE_RATE`, drawn per invocation). @default 0
   */
  readonly logSampleRate?: number;
}

/** Powertools log levels the stack sets. */
export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

const undeclaredMessage = (id: string, config: FunctionConfig, names: readonly string[]): string =>
  `${id}: ${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} not in the ${config.fn} configuration (FUNCTION_CONFIGS in functions/shared/config.ts): declare what the function reads, set nothing else`;

/** Access a function gets to the table. */
export type TableAccess = 'RW' | 'R';

/** What a function may do with connector secrets. */
export type SecretAccess =
  /** `GetSecretValue`: verify webhook signatures, call vendor APIs. */
  | 'read'
  /** `ListSecretVersionIds`: versions and their labels (whether a value was set), never the value. */
  | 'status';

/** Item-level DynamoDB actions a partition-scoped grant may hold (no Scan, no index, no table management). */
export type TableItemAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:PutItem'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:DeleteItem'
  | 'dynamodb:Query'
  | 'dynamodb:ConditionCheckItem';

const SECRET_ACTION: Record<SecretAccess, string> = {
  read: 'secretsmanager:GetSecretValue',
  status: 'secretsmanager:ListSecretVersionIds',
};

/**
 * A Node.js 22 / arm64 Lambda bundled by esbuild as minified ESM with source
 * maps, X-Ray active tracing, Powertools JSON lines into a log group it owns (retention
 * set, no `AWSLambdaBasicExecutionRole`), and a role that starts empty.
 */
export class HubFunction extends LambdaFunction {
  /** Set after `super()`: the CDK constructor adds `props.environment` itself, checked before. */
  private hubConfig: FunctionConfig | undefined;
  /** Names of the variables set, including those `super()` adds (hence `declare`: no initializer runs after it). */
  declare private environmentNames: Set<string> | undefined;

  constructor(scope: Construct, id: string, props: HubFunctionProps) {
    const undeclared = undeclaredVariables(props.config, Object.keys(props.environment ?? {}));
    if (undeclared.length > 0) throw new Error(undeclaredMessage(id, props.config, undeclared));
    const logGroup = new LogGroup(scope, `${id}-logs`, {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    // An explicit role instead of the default one, which attaches the AWS
    // managed AWSLambdaBasicExecutionRole (log writes to every log group).
    const role = new Role(scope, `${id}-role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${id}`,
    });
    logGroup.grantWrite(role);

    super(scope, id, {
      code: bundledCode(props.entry),
      handler: 'index.handler',
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(30),
      ...(props.reservedConcurrentExecutions !== undefined
        ? { reservedConcurrentExecutions: props.reservedConcurrentExecutions }
        : {}),
      tracing: Tracing.ACTIVE,
      role,
      logGroup,
      // Text, not JSON: Powertools writes one JSON object per line either way,
      // and with Lambda's JSON format any log-level filtering sets
      // AWS_LAMBDA_LOG_LEVEL, which Powertools obeys over POWERTOOLS_LOG_LEVEL
      // and the sample rate (Lambda then decides what is logged, and sampling
      // cannot lift an invocation to DEBUG). The platform's START/END/REPORT
      // lines stay, in their short text form (the cost model counts them).
      loggingFormat: LoggingFormat.TEXT,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_LOG_LEVEL: props.logLevel ?? 'INFO',
        POWERTOOLS_LOGGER_SAMPLE_RATE: String(props.logSampleRate ?? 0),
        ...props.environment,
      },
    });

    this.hubConfig = props.config;
    this.node.addValidation({
      validate: () =>
        unsetRequiredVariables(props.config, [...(this.environmentNames ?? [])]).map(
          (name) => `${id}: ${name} is required by the ${props.config.fn} configuration but the stack does not set it`,
        ),
    });

    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active X-Ray tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which do not support resource-level permissions (Resource must be *).',
    });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'The runtime is pinned to nodejs22.x on purpose: it is the runtime the hub is tested on (local Node 20/22 LTS line); moving to nodejs24.x is a deliberate upgrade with the toolchain, not a drift.',
    });
  }

  /** Refuses a variable the function's configuration does not declare (it would be read by nobody). */
  public override addEnvironment(
    key: string,
    value: string,
    options?: Parameters<LambdaFunction['addEnvironment']>[2],
  ) {
    if (this.hubConfig) {
      const undeclared = undeclaredVariables(this.hubConfig, [key]);
      if (undeclared.length > 0) throw new Error(undeclaredMessage(this.node.id, this.hubConfig, undeclared));
    }
    this.environmentNames ??= new Set();
    this.environmentNames.add(key);
    return super.addEnvironment(key, value, options);
  }

  /**
   * Tells the function the table name (`OMNIHUB_TABLE_NAME`) and grants item
   * access: `RW` = read/write data (no table management), `R` = read only.
   * The grant covers the table's indexes (`<table>/index/*`), acknowledged as
   * the only wildcard.
   */
  public bindTable(table: ITable, access: TableAccess): void {
    this.addEnvironment(ENV.tableName, table.tableName);
    if (access === 'RW') table.grantReadWriteData(this);
    else table.grantReadData(this);

    const cfnTable = table.node.defaultChild;
    if (cfnTable instanceof CfnTable && cfnTable.globalSecondaryIndexes !== undefined) {
      const logicalId = Stack.of(cfnTable).getLogicalId(cfnTable);
      Validations.of(this.role ?? this).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/index/*]`,
        reason:
          "Queries on the table's global secondary indexes (gsi1) need <table-arn>/index/*; the wildcard spans only this table's indexes, the CDK grant's documented form.",
      });
    }
  }

  /**
   * Tells the function the table name (`OMNIHUB_TABLE_NAME`) and grants
   * `actions` on the table's items only where the partition key is one of
   * `partitionKeys` (`ForAllValues:StringEquals` on `dynamodb:LeadingKeys`;
   * every action allowed here always carries its key, so the condition cannot
   * hold vacuously). No index, no Scan, no table management.
   */
  public bindTablePartitions(
    table: ITable,
    partitionKeys: readonly string[],
    actions: readonly TableItemAction[],
  ): void {
    if (partitionKeys.length === 0 || actions.length === 0)
      throw new Error(`${this.node.path}: a partition-scoped table grant needs partition keys and actions`);
    this.addEnvironment(ENV.tableName, table.tableName);
    this.addToRolePolicy(
      new PolicyStatement({
        actions: [...actions],
        resources: [table.tableArn],
        conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [...partitionKeys] } },
      }),
    );
  }

  /**
   * Tells the function the bus name (`OMNIHUB_EVENT_BUS_NAME`) and grants
   * `events:PutEvents` on that bus only.
   */
  public bindBus(bus: IEventBus): void {
    this.addEnvironment(ENV.eventBusName, bus.eventBusName);
    bus.grantPutEventsTo(this);
  }

  /**
   * Tells the function the connector secret prefix
   * (`OMNIHUB_SECRET_PREFIX`) and grants exactly one action on exactly these
   * secrets: `read` → `secretsmanager:GetSecretValue`, `status` →
   * `secretsmanager:ListSecretVersionIds`. With no secrets only the variable is set.
   */
  public bindSecrets(secrets: readonly ISecret[], prefix: string, access: SecretAccess): void {
    this.addEnvironment(ENV.secretPrefix, prefix);
    if (secrets.length === 0) return;
    this.addToRolePolicy(
      new PolicyStatement({ actions: [SECRET_ACTION[access]], resources: secrets.map((s) => s.secretArn) }),
    );
  }
}
