/**
 * Infrastructure tests: the synthesized templates of a `prod` and a `dev`
 * stage, asserted against the same tables the functions use (`HTTP_ROUTES`,
 * `HUB_RULES`, the connector registry), plus cdk-nag with zero unacknowledged
 * findings. One app, built once: the second stack reuses the first one's
 * esbuild bundles (CDK caches identical asset staging).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, type CfnElement, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { listConnectors } from '../../functions/connectors/index.js';
import { listLoadedConnectors } from '../../functions/connectors/loaded.js';
import { ARCHIVE_PATTERN, HUB_RULES } from '../../functions/events/rules.js';
import { ENV, FUNCTION_CONFIGS, undeclaredVariables, unsetRequiredVariables } from '../../functions/shared/config.js';
import { HTTP_ROUTES, routeKey } from '../../functions/shared/routes.js';
import { ESM_REQUIRE_BANNER } from '../../lib/bundling.js';
import { parseStageConfig } from '../../lib/config.js';
import { ACCESS_LEVELS, accessPlan } from '../../lib/constructs/api-access.js';
import type { ConnectorInfo } from '../../lib/constructs/connector-secrets.js';
import { HubStack } from '../../lib/hub-stack.js';

/** The feature flags `cdk synth` runs with, so the test synthesizes the same template. */
const CDK_CONTEXT = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')).context;

/** Stand-ins so per-connector wiring is exercised whatever the registry holds. */
const FIXTURE_CONNECTORS: ConnectorInfo[] = [
  {
    name: 'acme-chat',
    secrets: [
      {
        name: 'secret',
        env: 'OMNIHUB_SECRET_ACME_CHAT',
        description: 'HMAC key',
        required: true,
        rotation: { by: 'vendor', how: 'Issued in the Acme console.' },
      },
    ],
    hydrates: false,
  },
  { name: 'forms', secrets: [], hydrates: false },
  {
    name: 'acme-crm',
    secrets: [
      {
        name: 'apiToken',
        env: 'OMNIHUB_API_TOKEN_ACME_CRM',
        description: 'API token',
        required: true,
        rotation: { by: 'vendor', how: 'Issued in the Acme CRM console.' },
      },
    ],
    hydrates: true,
  },
];

/** Every acknowledged cdk-nag rule; adding one must be a reviewed change here. */
const expectedAcknowledgements = (
  tableLogicalId: string,
  apiLogicalId: string,
  lake: { lake: string; results: string },
): string[] =>
  [
    'AwsSolutions-APIG4',
    'AwsSolutions-IAM5[Resource::*]',
    `AwsSolutions-IAM5[Resource::<${tableLogicalId}.Arn>/index/*]`,
    // The sender's one-time schedules (deferred messages) in the hub's own schedule group.
    'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/omnihub-prod-messages/*]',
    // The automation runner's timers in its own schedule group (test/infra/automations.test.ts).
    'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/omnihub-prod-automations/*]',
    // The path parameters of the IAM routes in the access-level policies (test/infra/api-access.test.ts).
    ...[...new Set(ACCESS_LEVELS.flatMap((l) => accessPlan(HTTP_ROUTES)[l].allow))]
      .filter((p) => p.includes('*'))
      .map(
        (p) =>
          `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${apiLogicalId}>/$default/${p}]`,
      ),
    'AwsSolutions-L1',
    'AwsSolutions-SMG4',
    'AwsSolutions-SQS3',
    // Analytics (lib/constructs/analytics.ts): the access-log bucket, object prefixes Firehose and Athena write
    // and read, the views of the one Glue database, and the CDK bucket grants' action groups.
    'AwsSolutions-S1',
    `AwsSolutions-IAM5[Resource::<${lake.lake}.Arn>/events/*]`,
    `AwsSolutions-IAM5[Resource::<${lake.lake}.Arn>/errors/*]`,
    // The compaction job's staging prefix (Athena UNLOAD writes there).
    `AwsSolutions-IAM5[Resource::<${lake.lake}.Arn>/compaction/*]`,
    `AwsSolutions-IAM5[Resource::<${lake.results}.Arn>/results/*]`,
    'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:table/omnihub_prod/*]',
    'AwsSolutions-IAM5[Action::s3:Abort*]',
    'AwsSolutions-IAM5[Action::s3:DeleteObject*]',
    'AwsSolutions-IAM5[Action::s3:GetBucket*]',
    'AwsSolutions-IAM5[Action::s3:GetObject*]',
    'AwsSolutions-IAM5[Action::s3:List*]',
  ].sort();

/** Rule → queue → consumer sets: one per HUB_RULES entry, plus the automations rule (test/infra/automations.test.ts). */
const RULE_QUEUES = HUB_RULES.length + 1;

interface Synth {
  readonly app: App;
  readonly stack: HubStack;
  readonly template: Template;
}

type Resources = Record<
  string,
  { Type: string; Properties: Record<string, any>; DeletionPolicy?: string; UpdateReplacePolicy?: string }
>;

const resourcesOf = (t: Template, type: string): Resources => t.findResources(type) as Resources;
const logicalIdOf = (t: Template, type: string, props: Record<string, unknown>): string => {
  const ids = Object.keys(t.findResources(type, { Properties: props }));
  expect(ids, `${type} matching ${JSON.stringify(props)}`).toHaveLength(1);
  return ids[0] as string;
};
/** Statements of the default policy attached to `roleId`. */
const statementsOfRole = (
  t: Template,
  roleId: string,
): Array<{ Action: string | string[]; Resource: unknown; Effect: string }> =>
  Object.values(resourcesOf(t, 'AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
const roleOfFunction = (t: Template, fnId: string): string =>
  (resourcesOf(t, 'AWS::Lambda::Function')[fnId]?.Properties.Role as { 'Fn::GetAtt': [string, string] })[
    'Fn::GetAtt'
  ][0];
const functionId = (synth: Synth, fn: keyof HubStack['functions']): string =>
  synth.stack.getLogicalId(synth.stack.functions[fn].node.defaultChild as CfnElement);
const actionsOf = (s: { Action: string | string[] }): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);
/** Secrets Manager statements as `{ actions, effect, resources }`, resource references sorted. */
const secretGrantsOf = (statements: Array<{ Action: string | string[]; Resource: unknown; Effect: string }>) =>
  statements
    .filter((s) => actionsOf(s).some((a) => a.startsWith('secretsmanager:')))
    .map((s) => ({
      actions: actionsOf(s),
      effect: s.Effect,
      resources: [s.Resource]
        .flat()
        .map((r) => JSON.stringify(r))
        .sort(),
    }));
const refs = (ids: readonly string[]): string[] => ids.map((id) => JSON.stringify({ Ref: id })).sort();

let prod: Synth;
let dev: Synth;
/** Webhooks on a Lambda function URL. */
let url: Synth;

beforeAll(() => {
  // Prepare
  const app = new App({ context: CDK_CONTEXT });
  // No subscriptions: the core stack's counts must not depend on a user's subscriptions.config.ts.
  // No console either: test/infra/console.test.ts synthesizes the whole stack with it.
  const prodStack = new HubStack(app, 'Omnihub-prod', {
    config: parseStageConfig({ stage: 'prod', alarmEmail: 'ops@example.com' }),
    subscriptions: [],
    console: false,
  });
  const devStack = new HubStack(app, 'Omnihub-dev', {
    config: parseStageConfig({
      stage: 'dev',
      publicBaseUrl: 'https://hooks.example.com/',
      consoleUrl: 'https://console.example.com/',
      throttleRateLimit: 20,
      throttleBurstLimit: 40,
      webhookThrottleRateLimit: '300',
      webhookThrottleBurstLimit: '600',
      ingestReservedConcurrency: 'none',
    }),
    connectors: FIXTURE_CONNECTORS,
    subscriptions: [],
    console: false,
  });
  const urlStack = new HubStack(app, 'Omnihub-url', {
    config: parseStageConfig({ stage: 'url', webhookEndpoint: 'functionUrl', ingestReservedConcurrency: 30 }),
    connectors: FIXTURE_CONNECTORS,
    subscriptions: [],
  });
  // Act
  prod = { app, stack: prodStack, template: Template.fromStack(prodStack) };
  dev = { app, stack: devStack, template: Template.fromStack(devStack) };
  url = { app, stack: urlStack, template: Template.fromStack(urlStack) };
}, 180_000);

describe('Infra: DynamoDB table', () => {
  it('is on-demand, PITR, KMS-encrypted, with pk/sk, the ttl attribute and gsi1', () => {
    // Assess
    prod.template.resourceCountIs('AWS::DynamoDB::Table', 1);
    prod.template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      // SSEEnabled without a key id = KMS with the AWS-managed aws/dynamodb key.
      SSESpecification: Match.exact({ SSEEnabled: true }),
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        Match.objectLike({
          IndexName: 'gsi1',
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
        }),
      ],
    });
  });

  it('is deletion-protected and retained outside dev', () => {
    // Assess
    prod.template.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({ DeletionProtectionEnabled: true }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('is disposable in dev', () => {
    // Assess
    dev.template.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({ DeletionProtectionEnabled: false }),
      DeletionPolicy: 'Delete',
    });
  });
});

describe('Infra: event bus', () => {
  it('creates the omnihub-<stage> bus with an archive of ARCHIVE_PATTERN', () => {
    // Assess
    prod.template.resourceCountIs('AWS::Events::EventBus', 1);
    const busId = logicalIdOf(prod.template, 'AWS::Events::EventBus', { Name: 'omnihub-prod' });
    prod.template.resourceCountIs('AWS::Events::Archive', 1);
    prod.template.hasResourceProperties('AWS::Events::Archive', {
      SourceArn: { 'Fn::GetAtt': [busId, 'Arn'] },
      EventPattern: Match.exact(ARCHIVE_PATTERN),
      RetentionDays: 90,
    });
  });

  it('keeps a shorter archive in dev', () => {
    // Assess
    dev.template.hasResourceProperties('AWS::Events::Archive', { RetentionDays: 30 });
  });

  it('tells the functions that erase and apply how long the archive keeps events (erasure holds last as long)', () => {
    for (const [template, days] of [
      [prod.template, '90'],
      [dev.template, '30'],
    ] as const) {
      const withStore = Object.values(resourcesOf(template, 'AWS::Lambda::Function')).filter(
        (f) => f.Properties.Environment?.Variables?.[ENV.dedupeTtlDays] !== undefined,
      );
      expect(withStore.length).toBeGreaterThanOrEqual(2);
      for (const f of withStore) expect(f.Properties.Environment.Variables[ENV.archiveRetentionDays]).toBe(days);
    }
  });
});

describe('Infra: rules and queues', () => {
  it('creates one rule per HUB_RULES entry with exactly its pattern', () => {
    // Assess
    // One per HUB_RULES entry and the automations rule on the hub bus, and the lake compaction's daily schedule.
    prod.template.resourceCountIs('AWS::Events::Rule', RULE_QUEUES + 1);
    prod.template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(17 3 * * ? *)' });
    const rules = Object.values(resourcesOf(prod.template, 'AWS::Events::Rule'));
    for (const rule of HUB_RULES) {
      const found = rules.find((r) => r.Properties.Name === `omnihub-prod-${rule.name}`);
      expect(found, rule.name).toBeDefined();
      expect(found?.Properties.EventPattern).toEqual(rule.pattern);
    }
  });

  it('targets the queue with a delivery DLQ, retries and a maximum event age', () => {
    for (const rule of HUB_RULES) {
      // Prepare
      const queueId = logicalIdOf(prod.template, 'AWS::SQS::Queue', { QueueName: `omnihub-prod-${rule.name}` });
      const deliveryDlqId = logicalIdOf(prod.template, 'AWS::SQS::Queue', {
        QueueName: `omnihub-prod-${rule.name}-delivery-dlq`,
      });

      // Assess
      prod.template.hasResourceProperties('AWS::Events::Rule', {
        Name: `omnihub-prod-${rule.name}`,
        Targets: [
          Match.objectLike({
            Arn: { 'Fn::GetAtt': [queueId, 'Arn'] },
            DeadLetterConfig: { Arn: { 'Fn::GetAtt': [deliveryDlqId, 'Arn'] } },
            RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 },
          }),
        ],
      });
    }
  });

  it('gives each rule queue a redrive DLQ and a visibility timeout of 6x the consumer timeout', () => {
    // Prepare
    const consumerKey = {
      'profile-writer': 'profileWriter',
      hydrator: 'hydrator',
      sender: 'sender',
      'message-status': 'messageStatus',
    } as const;
    const timeoutOf = (rule: (typeof HUB_RULES)[number]) =>
      resourcesOf(prod.template, 'AWS::Lambda::Function')[functionId(prod, consumerKey[rule.consumer])]?.Properties
        .Timeout as number;

    for (const rule of HUB_RULES) {
      const writerTimeout = timeoutOf(rule);
      const dlqId = logicalIdOf(prod.template, 'AWS::SQS::Queue', { QueueName: `omnihub-prod-${rule.name}-dlq` });

      // Assess
      prod.template.hasResourceProperties('AWS::SQS::Queue', {
        QueueName: `omnihub-prod-${rule.name}`,
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 5 },
        VisibilityTimeout: 6 * writerTimeout,
      });
    }
  });

  it('keeps a backlog 14 days and lets the api function redrive every dead-letter queue', () => {
    // Prepare
    const apiId = functionId(prod, 'api');
    const statements = statementsOfRole(prod.template, roleOfFunction(prod.template, apiId));
    const arnOf = (name: string) => ({
      'Fn::GetAtt': [logicalIdOf(prod.template, 'AWS::SQS::Queue', { QueueName: name }), 'Arn'],
    });
    const allowed = (action: string, name: string) =>
      statements.some(
        (s) =>
          s.Effect === 'Allow' &&
          actionsOf(s).includes(action) &&
          JSON.stringify(s.Resource).includes(JSON.stringify(arnOf(name))),
      );

    for (const rule of HUB_RULES) {
      const queue = `omnihub-prod-${rule.name}`;
      // Assess: SQS's longest retention on the queue and its DLQs.
      for (const name of [queue, `${queue}-dlq`, `${queue}-delivery-dlq`])
        prod.template.hasResourceProperties('AWS::SQS::Queue', {
          QueueName: name,
          MessageRetentionPeriod: 14 * 86_400,
        });
      // What StartMessageMoveTask needs from its caller, on exactly these queues.
      for (const dlq of [`${queue}-dlq`, `${queue}-delivery-dlq`])
        for (const action of [
          'sqs:StartMessageMoveTask',
          'sqs:ListMessageMoveTasks',
          'sqs:ReceiveMessage',
          'sqs:DeleteMessage',
        ])
          expect(allowed(action, dlq), `${action} on ${dlq}`).toBe(true);
      expect(allowed('sqs:SendMessage', queue)).toBe(true);
      expect(allowed('sqs:GetQueueAttributes', queue)).toBe(true);
    }
    prod.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          OMNIHUB_QUEUE_ARN_PREFIX: {
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':sqs:',
                { Ref: 'AWS::Region' },
                ':',
                { Ref: 'AWS::AccountId' },
                ':omnihub-prod-',
              ],
            ],
          },
        }),
      },
    });
  });

  it('encrypts every queue and denies non-TLS access to it', () => {
    // Prepare
    const queues = resourcesOf(prod.template, 'AWS::SQS::Queue');
    const policies = Object.values(resourcesOf(prod.template, 'AWS::SQS::QueuePolicy'));

    // Assess
    expect(Object.keys(queues)).toHaveLength(3 * RULE_QUEUES);
    for (const [id, queue] of Object.entries(queues)) {
      expect(queue.Properties.SqsManagedSseEnabled, id).toBe(true);
      const sslDeny = policies.some(
        (p) =>
          JSON.stringify(p.Properties.Queues).includes(`"${id}"`) &&
          p.Properties.PolicyDocument.Statement.some(
            (s: any) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false',
          ),
      );
      expect(sslDeny, `${id} enforces SSL`).toBe(true);
    }
  });

  it('feeds the consumer in batches with partial batch responses', () => {
    // Prepare
    const writerId = functionId(prod, 'profileWriter');

    // Assess
    prod.template.resourceCountIs('AWS::Lambda::EventSourceMapping', RULE_QUEUES);
    prod.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: writerId },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: Match.anyValue(),
      ScalingConfig: { MaximumConcurrency: Match.anyValue() },
    });
  });

  it('alarms on the first message in every dead-letter queue, notifying the topic when configured', () => {
    // Assess
    prod.template.resourceCountIs('AWS::CloudWatch::Alarm', 2 * RULE_QUEUES);
    prod.template.allResourcesProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('alarmtopic') }],
    });
    dev.template.resourceCountIs('AWS::SNS::Topic', 0);
    prod.template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
  });
});

describe('Infra: HTTP API', () => {
  it('has exactly the routes of HTTP_ROUTES, IAM-authorized where the table says so', () => {
    // Prepare
    const routes = Object.values(resourcesOf(prod.template, 'AWS::ApiGatewayV2::Route'));

    // Assess
    expect(routes.map((r) => r.Properties.RouteKey).sort()).toEqual(HTTP_ROUTES.map(routeKey).sort());
    for (const route of HTTP_ROUTES) {
      const found = routes.find((r) => r.Properties.RouteKey === routeKey(route));
      expect(found?.Properties.AuthorizationType, routeKey(route)).toBe(route.auth === 'iam' ? 'AWS_IAM' : 'NONE');
    }
  });

  it('sends each route to the function the table names', () => {
    // Prepare
    const fnIds = { ingest: functionId(prod, 'ingest'), api: functionId(prod, 'api') };
    const integrations = resourcesOf(prod.template, 'AWS::ApiGatewayV2::Integration');
    const routes = Object.values(resourcesOf(prod.template, 'AWS::ApiGatewayV2::Route'));

    for (const route of HTTP_ROUTES) {
      // Act
      const target = routes.find((r) => r.Properties.RouteKey === routeKey(route))?.Properties.Target;
      const integrationId = JSON.stringify(target).match(/"Ref":"([^"]+)"/)?.[1] as string;

      // Assess
      expect(integrations[integrationId]?.Properties.IntegrationUri, routeKey(route)).toEqual({
        'Fn::GetAtt': [fnIds[route.fn], 'Arn'],
      });
    }
  });

  it('throttles the API routes by the stage default and each webhook route by its own budget', () => {
    // Prepare
    const [stageId, stage] = Object.entries(resourcesOf(prod.template, 'AWS::ApiGatewayV2::Stage'))[0] ?? [];
    const routeIds = Object.entries(resourcesOf(prod.template, 'AWS::ApiGatewayV2::Route'))
      .filter(([, r]) => String(r.Properties.RouteKey).includes('/webhooks/'))
      .map(([id]) => id);

    // Assess
    prod.template.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
    expect(stage?.Properties).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      RouteSettings: {
        'POST /webhooks/{connector}': { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
        'GET /webhooks/{connector}': { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 },
      },
    });
    expect(Object.keys(stage?.Properties.RouteSettings)).toHaveLength(
      HTTP_ROUTES.filter((r) => r.auth === 'none').length,
    );
    // A route setting names a route that must exist when the stage is created.
    const dependsOn = (prod.template.toJSON().Resources[stageId as string].DependsOn ?? []) as string[];
    expect(dependsOn).toEqual(expect.arrayContaining(routeIds));
    prod.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] },
        Format: Match.stringLikeRegexp('requestId'),
      },
    });
  });

  it('takes the webhook and API budgets from the stage configuration', () => {
    // Assess
    dev.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 },
      RouteSettings: Match.objectLike({
        'POST /webhooks/{connector}': { ThrottlingRateLimit: 300, ThrottlingBurstLimit: 600 },
      }),
    });
  });
});

describe('Infra: functions', () => {
  it('gives each function exactly the variables its configuration declares, every required one set', () => {
    const configs = {
      ingest: FUNCTION_CONFIGS.ingest,
      profileWriter: FUNCTION_CONFIGS['profile-writer'],
      api: FUNCTION_CONFIGS.api,
      hydrator: FUNCTION_CONFIGS.hydrator,
      sender: FUNCTION_CONFIGS.sender,
      messageStatus: FUNCTION_CONFIGS['message-status'],
    } as const;
    const views = resourcesOf(prod.template, 'AWS::Lambda::Function')[
      prod.stack.getLogicalId(prod.stack.analytics.viewsFunction.node.defaultChild as CfnElement)
    ];
    const viewNames = Object.keys(views?.Properties.Environment.Variables);
    expect(undeclaredVariables(FUNCTION_CONFIGS['analytics-views'], viewNames)).toEqual([]);
    expect(unsetRequiredVariables(FUNCTION_CONFIGS['analytics-views'], viewNames)).toEqual([]);
    for (const synth of [prod, dev]) {
      for (const [fn, config] of Object.entries(configs)) {
        const id = functionId(synth, fn as keyof HubStack['functions']);
        const names = Object.keys(
          resourcesOf(synth.template, 'AWS::Lambda::Function')[id]?.Properties.Environment.Variables,
        );
        expect(undeclaredVariables(config, names), fn).toEqual([]);
        expect(unsetRequiredVariables(config, names), fn).toEqual([]);
      }
    }
    // Ingest publishes and claims one-time tokens; it never reads profiles, so it gets no store settings.
    const ingest = resourcesOf(prod.template, 'AWS::Lambda::Function')[functionId(prod, 'ingest')];
    expect(ingest?.Properties.Environment.Variables).not.toHaveProperty(ENV.dedupeTtlDays);
    expect(ingest?.Properties.Environment.Variables).not.toHaveProperty(ENV.ignoredIdentities);
  });

  it('runs the nine Node.js 22 arm64 functions with tracing, source maps and owned log groups', () => {
    // Assess: ingest, api, profile-writer, hydrator, sender, message-status, automations, the analytics views
    // custom resource and the lake compaction job.
    prod.template.resourceCountIs('AWS::Lambda::Function', 9);
    prod.template.allResourcesProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      TracingConfig: { Mode: 'Active' },
      // Text: Lambda's JSON-format level filtering would override Powertools' level and sampling.
      LoggingConfig: Match.exact({ LogGroup: { Ref: Match.anyValue() }, LogFormat: 'Text' }),
      Environment: { Variables: Match.objectLike({ NODE_OPTIONS: '--enable-source-maps' }) },
    });
    prod.template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    dev.template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
  });

  it('logs WARN and up plus 1 % of invocations in full outside dev, INFO in dev (Powertools)', () => {
    // Prepare: the hub's own functions (POWERTOOLS_SERVICE_NAME omnihub); CDK's providers (a dev bucket's
    // auto-delete) are not ours to configure.
    const logSettings = (t: Template) =>
      Object.values(t.findResources('AWS::Lambda::Function'))
        .map((r) => r.Properties.Environment?.Variables)
        .filter((v) => v?.POWERTOOLS_SERVICE_NAME === 'omnihub')
        .map((v) => `${v.POWERTOOLS_LOG_LEVEL},${v.POWERTOOLS_LOGGER_SAMPLE_RATE}`);

    // Assess
    expect(logSettings(prod.template).length).toBeGreaterThanOrEqual(8);
    expect(new Set(logSettings(prod.template))).toEqual(new Set(['WARN,0.01']));
    expect(logSettings(dev.template)).toHaveLength(logSettings(prod.template).length);
    expect(new Set(logSettings(dev.template))).toEqual(new Set(['INFO,0']));
  });

  it("samples this stack's traces by its own X-Ray rule (1/s + 1 % by default)", () => {
    // Assess
    prod.template.resourceCountIs('AWS::XRay::SamplingRule', 1);
    prod.template.hasResourceProperties('AWS::XRay::SamplingRule', {
      SamplingRule: Match.objectLike({
        RuleName: 'omnihub-prod',
        ReservoirSize: 1,
        FixedRate: 0.01,
        ServiceName: 'Omnihub-prod-*',
        Priority: 100,
      }),
    });
    // Lambda names functions <stack name>-<id>-<suffix>: no physical name may escape the rule's pattern.
    for (const fn of Object.values(resourcesOf(prod.template, 'AWS::Lambda::Function')))
      expect(fn.Properties.FunctionName).toBeUndefined();
  });

  it('bundles each handler as ESM with code splitting, each output file with the createRequire banner and a source map', () => {
    // Prepare
    const fns = resourcesOf(prod.template, 'AWS::Lambda::Function');
    const dirOf = (fnId: string) =>
      join(prod.app.outdir, `asset.${String(fns[fnId]?.Properties.Code.S3Key).replace(/\.zip$/, '')}`);

    for (const [id, fn] of Object.entries(fns)) {
      // Act
      const dir = dirOf(id);
      const files = [
        'index.mjs',
        ...(existsSync(join(dir, 'chunks')) ? readdirSync(join(dir, 'chunks')) : [])
          .filter((f) => f.endsWith('.mjs'))
          .map((f) => `chunks/${f}`),
      ];

      // Assess
      expect(fn.Properties.Handler).toBe('index.handler');
      for (const file of files) {
        expect(readFileSync(join(dir, file), 'utf8').startsWith(ESM_REQUIRE_BANNER), `${id} ${file}`).toBe(true);
        expect(existsSync(join(dir, `${file}.map`)), `${id} ${file}.map`).toBe(true);
      }
    }
    // Ingest loads a connector on its first webhook: one chunk per connector at least, none read at init.
    const ingestChunks = readdirSync(join(dirOf(functionId(prod, 'ingest')), 'chunks'));
    expect(ingestChunks.filter((f) => f.endsWith('.mjs')).length).toBeGreaterThanOrEqual(listConnectors().length);
  });

  it('reserves (and caps) the concurrency of ingest only, unless configured none', () => {
    // Prepare
    const fns = resourcesOf(prod.template, 'AWS::Lambda::Function');

    // Assess
    expect(fns[functionId(prod, 'ingest')]?.Properties.ReservedConcurrentExecutions).toBe(50);
    for (const fn of ['profileWriter', 'api', 'hydrator'] as const)
      expect(fns[functionId(prod, fn)]?.Properties.ReservedConcurrentExecutions, fn).toBeUndefined();
    expect(
      resourcesOf(dev.template, 'AWS::Lambda::Function')[functionId(dev, 'ingest')]?.Properties
        .ReservedConcurrentExecutions,
    ).toBeUndefined();
  });

  it('uses Resource "*" only for the X-Ray actions (the one acknowledged IAM5 finding)', () => {
    for (const fn of ['ingest', 'profileWriter', 'api'] as const) {
      // Prepare
      const statements = statementsOfRole(prod.template, roleOfFunction(prod.template, functionId(prod, fn)));

      // Assess
      const starActions = statements.filter((s) => s.Resource === '*').flatMap(actionsOf);
      expect(starActions.sort(), fn).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    }
  });

  it('lets ingest put events on the hub bus only, and touch nothing else', () => {
    // Prepare
    const busId = logicalIdOf(prod.template, 'AWS::Events::EventBus', { Name: 'omnihub-prod' });
    const statements = statementsOfRole(prod.template, roleOfFunction(prod.template, functionId(prod, 'ingest')));

    // Assess
    const putEvents = statements.filter((s) => actionsOf(s).includes('events:PutEvents'));
    expect(putEvents).toHaveLength(1);
    expect(putEvents[0]?.Resource).toEqual({ 'Fn::GetAtt': [busId, 'Arn'] });
    expect(statements.flatMap(actionsOf).filter((a) => a.startsWith('sqs:'))).toEqual([]);
    expect(statements.every((s) => s.Effect === 'Allow' && !actionsOf(s).some((a) => a.endsWith('*')))).toBe(true);
  });

  it('lets ingest read exactly the connector secrets, with GetSecretValue only', () => {
    // Prepare
    const secretIds = Object.keys(resourcesOf(dev.template, 'AWS::SecretsManager::Secret'));
    const statements = statementsOfRole(dev.template, roleOfFunction(dev.template, functionId(dev, 'ingest')));

    // Assess
    expect(secretGrantsOf(statements)).toEqual([
      { actions: ['secretsmanager:GetSecretValue'], effect: 'Allow', resources: refs(secretIds) },
    ]);
  });

  it.each([
    ['dev', () => dev, FIXTURE_CONNECTORS.filter((c) => c.hydrates).map((c) => c.name)],
    [
      'prod',
      () => prod,
      // From the modules themselves: the grant follows the real hydrate steps, not only the metadata.
      listLoadedConnectors()
        .filter((c) => c.hydrate)
        .map((c) => c.name),
    ],
  ] as const)(
    'lets the hydrator read only the secrets of connectors with a hydrate step (%s)',
    (_stage, synth, hydrating) => {
      // Prepare
      const { template } = synth();
      const secretIdOf = (name: string) =>
        logicalIdOf(template, 'AWS::SecretsManager::Secret', { Name: Match.stringLikeRegexp(`/connectors/${name}$`) });
      const statements = statementsOfRole(template, roleOfFunction(template, functionId(synth(), 'hydrator')));

      // Assess
      expect(hydrating.length).toBeGreaterThan(0);
      expect(secretGrantsOf(statements)).toEqual([
        { actions: ['secretsmanager:GetSecretValue'], effect: 'Allow', resources: refs(hydrating.map(secretIdOf)) },
      ]);
    },
  );

  it('lets the api list secret versions (metadata) of every connector and read no secret value', () => {
    // Prepare
    const secretIds = Object.keys(resourcesOf(prod.template, 'AWS::SecretsManager::Secret'));
    const statements = statementsOfRole(prod.template, roleOfFunction(prod.template, functionId(prod, 'api')));

    // Assess
    expect(secretGrantsOf(statements)).toEqual([
      { actions: ['secretsmanager:ListSecretVersionIds'], effect: 'Allow', resources: refs(secretIds) },
    ]);
    expect(statements.flatMap(actionsOf)).not.toContain('secretsmanager:GetSecretValue');
  });

  it('gives the table to the functions that need it and keeps ingest away from it', () => {
    // Prepare
    const writer = statementsOfRole(prod.template, roleOfFunction(prod.template, functionId(prod, 'profileWriter')));
    const api = statementsOfRole(prod.template, roleOfFunction(prod.template, functionId(prod, 'api')));
    const ingest = statementsOfRole(prod.template, roleOfFunction(prod.template, functionId(prod, 'ingest')));

    // Assess
    expect(writer.flatMap(actionsOf)).toEqual(
      expect.arrayContaining(['dynamodb:PutItem', 'events:PutEvents', 'sqs:DeleteMessage']),
    );
    // Erase and unmerge write, and announce customer.erased / customer.unmerged.
    expect(api.flatMap(actionsOf)).toEqual(
      expect.arrayContaining(['dynamodb:Query', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'events:PutEvents']),
    );
    // Ingest touches only its own items: single-item calls on the table, REPLAY# and CONNECTOR# keys only;
    // and it reads the caller cards (K#<phone>) for Binotel's apiCallSettings — GetItem, nothing else.
    const tableId = logicalIdOf(prod.template, 'AWS::DynamoDB::Table', {});
    const ingestTable = ingest.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    expect(ingestTable).toEqual([
      {
        Action: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['REPLAY#*', 'CONNECTOR#*'] } },
      },
      {
        Action: 'dynamodb:GetItem',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['K#*'] } },
      },
    ]);
  });

  it("sets the console's address for caller recognition on ingest and api: the context value, else the stack's console", () => {
    const envOf = (synth: Synth, fn: 'ingest' | 'api') =>
      resourcesOf(synth.template, 'AWS::Lambda::Function')[functionId(synth, fn)]?.Properties.Environment.Variables;
    for (const fn of ['ingest', 'api'] as const) {
      expect(envOf(dev, fn)?.[ENV.consoleUrl], fn).toBe('https://console.example.com');
      // The stack with a console links to its distribution.
      expect(JSON.stringify(envOf(url, fn)?.[ENV.consoleUrl]), fn).toMatch(/DomainName/);
      // No console, no context value: the card has no link.
      expect(envOf(prod, fn), fn).not.toHaveProperty(ENV.consoleUrl);
    }
  });
});

describe('Infra: connectors', () => {
  it('creates one secret per registered connector, named <prefix><connector>, holding {}', () => {
    // Assess
    prod.template.resourceCountIs('AWS::SecretsManager::Secret', listConnectors().length);
    for (const connector of listConnectors()) {
      prod.template.hasResourceProperties('AWS::SecretsManager::Secret', {
        Name: `omnihub/prod/connectors/${connector.name}`,
        SecretString: '{}',
      });
    }
    dev.template.resourceCountIs('AWS::SecretsManager::Secret', FIXTURE_CONNECTORS.length);
  });

  it('outputs one webhook URL per connector on the public base URL', () => {
    // Assess
    for (const connector of FIXTURE_CONNECTORS) {
      const [output] = Object.values(
        dev.template.findOutputs('*', { Value: `https://hooks.example.com/webhooks/${connector.name}` }),
      );
      expect(output, connector.name).toBeDefined();
    }
    expect(Object.keys(prod.template.toJSON().Outputs).filter((id) => id.startsWith('WebhookUrl'))).toHaveLength(
      listConnectors().length,
    );
  });

  it('outputs the API URL, bus, table, dead-letter queues and alarm names', () => {
    // Prepare
    const outputs = Object.keys(prod.template.toJSON().Outputs);

    // Assess
    expect(outputs).toEqual(
      expect.arrayContaining([
        'ApiBaseUrl',
        'ApiReadPolicyArn',
        'ApiSendPolicyArn',
        'ApiAdminPolicyArn',
        'ApiReadRoleArn',
        'ApiSendRoleArn',
        'ApiAdminRoleArn',
        'EventBusName',
        'EventBusArn',
        'TableName',
        'DlqAlarmNames',
        'ProfileWriterDlqUrl',
        'ProfileWriterDeliveryDlqUrl',
      ]),
    );
  });
});

describe('Infra: webhooks on a Lambda function URL', () => {
  it('gives ingest a public (AuthType NONE) buffered function URL with both permissions Lambda requires', () => {
    // Prepare
    const ingestId = functionId(url, 'ingest');

    // Assess
    url.template.resourceCountIs('AWS::Lambda::Url', 1);
    url.template.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'NONE',
      InvokeMode: 'BUFFERED',
      TargetFunctionArn: { 'Fn::GetAtt': [ingestId, 'Arn'] },
    });
    url.template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunctionUrl',
      FunctionUrlAuthType: 'NONE',
      Principal: '*',
    });
    url.template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      InvokedViaFunctionUrl: true,
      Principal: '*',
    });
    prod.template.resourceCountIs('AWS::Lambda::Url', 0);
  });

  it('keeps the /v1 API on the HTTP API with IAM and takes the webhooks off it', () => {
    // Prepare
    // The hub's HTTP API (the console's JWT API beside it has routes of its own).
    const apiId = url.stack.getLogicalId(url.stack.api.httpApi.node.defaultChild as CfnElement);
    const routes = Object.values(resourcesOf(url.template, 'AWS::ApiGatewayV2::Route')).filter(
      (r) => r.Properties.ApiId?.Ref === apiId,
    );
    const [stage] = Object.values(resourcesOf(url.template, 'AWS::ApiGatewayV2::Stage')).filter(
      (s) => s.Properties.ApiId?.Ref === apiId,
    );

    // Assess
    expect(routes.map((r) => r.Properties.RouteKey).sort()).toEqual(
      HTTP_ROUTES.filter((r) => r.auth === 'iam')
        .map(routeKey)
        .sort(),
    );
    expect(routes.every((r) => r.Properties.AuthorizationType === 'AWS_IAM')).toBe(true);
    expect(stage?.Properties.RouteSettings).toBeUndefined();
  });

  it("caps ingest by its reserved concurrency, the function URL's only limit, and refuses to go without one", () => {
    // Assess
    expect(
      resourcesOf(url.template, 'AWS::Lambda::Function')[functionId(url, 'ingest')]?.Properties
        .ReservedConcurrentExecutions,
    ).toBe(30);
    expect(() => parseStageConfig({ webhookEndpoint: 'functionUrl', ingestReservedConcurrency: 'none' })).toThrow(
      /ingestReservedConcurrency: a number with webhookEndpoint=functionUrl/,
    );
  });

  it('publishes webhook URLs on the function URL host; ingest rebuilds its URL from Host (no cycle)', () => {
    // Prepare
    const urlId = Object.keys(resourcesOf(url.template, 'AWS::Lambda::Url'))[0] as string;
    const host = { 'Fn::Select': [2, { 'Fn::Split': ['/', { 'Fn::GetAtt': [urlId, 'FunctionUrl'] }] }] };
    const ingestEnv = resourcesOf(url.template, 'AWS::Lambda::Function')[functionId(url, 'ingest')]?.Properties
      .Environment.Variables;

    // Assess
    const [output] = Object.values(url.template.findOutputs('WebhookUrlAcmeChat'));
    expect(output?.Value).toEqual({ 'Fn::Join': ['', ['https://', host, '/webhooks/acme-chat']] });
    expect(ingestEnv[ENV.publicBaseUrl]).toBeUndefined();
    const apiEnv = resourcesOf(url.template, 'AWS::Lambda::Function')[functionId(url, 'api')]?.Properties.Environment
      .Variables;
    expect(apiEnv[ENV.publicBaseUrl]).toEqual({ 'Fn::Join': ['', ['https://', host]] });
  });

  it('is cdk-nag clean with no new acknowledgement (AwsSolutions has no function-URL rule)', () => {
    // Act
    const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(url.stack);

    // Assess
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });
});

describe('Infra: alarm topic', () => {
  const conditionsOf = (statement: Record<string, any>) => statement.Condition;
  const expectedConditions = {
    StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
    ArnLike: {
      'aws:SourceArn': {
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':cloudwatch:',
            { Ref: 'AWS::Region' },
            ':',
            { Ref: 'AWS::AccountId' },
            ':alarm:omnihub-prod-*',
          ],
        ],
      },
    },
  };

  it("lets CloudWatch use the topic's key only for this stage's alarms in this account", () => {
    // Prepare
    const [key] = Object.values(resourcesOf(prod.template, 'AWS::KMS::Key'));
    const statements = key?.Properties.KeyPolicy.Statement as Record<string, any>[];

    // Assess
    const cloudWatch = statements.filter((st) => st.Principal?.Service === 'cloudwatch.amazonaws.com');
    expect(cloudWatch).toHaveLength(1);
    expect(cloudWatch[0]?.Action).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
    expect(conditionsOf(cloudWatch[0] as Record<string, any>)).toEqual(expectedConditions);
  });

  it('lets CloudWatch publish to the topic (the stack replaces SNS’s default policy) only for those alarms', () => {
    // Prepare
    const [policy] = Object.values(resourcesOf(prod.template, 'AWS::SNS::TopicPolicy'));
    const statements = policy?.Properties.PolicyDocument.Statement as Record<string, any>[];

    // Assess
    const publish = statements.filter((st) => st.Principal?.Service === 'cloudwatch.amazonaws.com');
    expect(publish).toHaveLength(1);
    const topicId = logicalIdOf(prod.template, 'AWS::SNS::Topic', { TopicName: 'omnihub-prod-alarms' });
    expect(publish[0]).toMatchObject({ Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: topicId } });
    expect(conditionsOf(publish[0] as Record<string, any>)).toEqual(expectedConditions);
    // SSL is still enforced.
    expect(
      statements.some((st) => st.Effect === 'Deny' && st.Condition?.Bool?.['aws:SecureTransport'] === 'false'),
    ).toBe(true);
  });

  it('names every alarm under the stage prefix the conditions name', () => {
    // Prepare
    const names = Object.values(resourcesOf(prod.template, 'AWS::CloudWatch::Alarm')).map(
      (a) => a.Properties.AlarmName as string,
    );

    // Assess
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(name).toMatch(/^omnihub-prod-/);
  });
});

describe('Infra: connector secret rotation (cdk-nag SMG4)', () => {
  const smg4Reasons = (synth: Synth): Map<string, string> =>
    new Map(
      [...synth.stack.secrets.byConnector].map(([name, secret]) => {
        const reasons = secret.node.metadata
          .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
          .flatMap((m) => Object.entries(m.data as Record<string, string>))
          .filter(([id]) => id.replace(/^annotation::/i, '') === 'AwsSolutions-SMG4')
          .map(([, reason]) => reason);
        expect(reasons, name).toHaveLength(1);
        return [name, reasons[0] as string];
      }),
    );

  it("gives each connector's secret its own reason, naming each key and who issues it", () => {
    // Prepare
    const reasons = smg4Reasons(prod);

    // Assess
    expect(reasons.size).toBe(listConnectors().length);
    expect(new Set(reasons.values()).size).toBe(listConnectors().length);
    for (const connector of listConnectors()) {
      const reason = reasons.get(connector.name) as string;
      expect(reason).toContain(`Omnihub ${connector.name} connector secret`);
      for (const spec of connector.secrets) {
        expect(reason, `${connector.name}.${spec.name}`).toContain(`"${spec.name}"`);
        const clause = reason.slice(reason.indexOf(`"${spec.name}"`));
        const expected = { vendor: 'issued by the vendor', operator: 'chosen by the operator', none: 'configuration' };
        expect(clause, `${connector.name}.${spec.name}`).toContain(expected[spec.rotation.by]);
      }
      expect(reason).toContain('docs/security.md#rotating-connector-secrets');
    }
  });

  it('says how to replace every connector secret key', () => {
    for (const connector of listConnectors())
      for (const spec of connector.secrets)
        expect(spec.rotation.how.length, `${connector.name}.${spec.name}`).toBeGreaterThan(30);
  });
});

describe('Infra: cdk-nag (AwsSolutions)', () => {
  it.each(['prod', 'dev'] as const)('reports no unacknowledged error or warning in %s', (stage) => {
    // Prepare
    const { stack } = stage === 'prod' ? prod : dev;

    // Act
    const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(stack);

    // Assess
    const findings = report.violations.map(
      (v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(findings.filter((f) => f.startsWith('error'))).toEqual([]);
    expect(findings.filter((f) => f.startsWith('warning'))).toEqual([]);
  });

  it('acknowledges only the reviewed rules, each with a specific reason', () => {
    // Prepare
    const acknowledgements = prod.stack.node
      .findAll()
      .flatMap((c) => c.node.metadata)
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) => Object.entries(m.data as Record<string, string>))
      .map(([id, reason]) => ({ id: id.replace(/^annotation::/i, ''), reason }));

    // Assess
    const tableLogicalId = prod.stack.getLogicalId(prod.stack.table.table.node.defaultChild as CfnElement);
    const apiLogicalId = prod.stack.getLogicalId(prod.stack.api.httpApi.node.defaultChild as CfnElement);
    const bucketId = (b: { node: { defaultChild?: unknown } }) =>
      prod.stack.getLogicalId(b.node.defaultChild as CfnElement);
    expect([...new Set(acknowledgements.map((a) => a.id))].sort()).toEqual(
      expectedAcknowledgements(tableLogicalId, apiLogicalId, {
        lake: bucketId(prod.stack.analytics.lakeBucket),
        results: bucketId(prod.stack.analytics.resultsBucket),
      }),
    );
    for (const { id, reason } of acknowledgements) expect(reason.length, id).toBeGreaterThan(80);
  });
});

describe('Infra: stage configuration', () => {
  it('defaults to a disposable dev stage', () => {
    // Act
    const config = parseStageConfig({});

    // Assess
    expect(config).toMatchObject({
      stage: 'dev',
      isDev: true,
      defaultCountry: 'UA',
      secretPrefix: 'omnihub/dev/connectors/',
      archiveRetentionDays: 30,
      logRetention: 7,
    });
  });

  it('coerces context strings and keeps production defaults outside dev', () => {
    // Act
    const config = parseStageConfig({
      stage: 'prod',
      throttleRateLimit: '50',
      logRetentionDays: '30',
      publicBaseUrl: '',
    });

    // Assess
    expect(config).toMatchObject({ isDev: false, throttleRateLimit: 50, logRetention: 30, archiveRetentionDays: 90 });
    expect(config).toMatchObject({ webhookThrottleRateLimit: 100, webhookThrottleBurstLimit: 200 });
    expect(config.ingestReservedConcurrency).toBe(50);
    expect(parseStageConfig({ ingestReservedConcurrency: '120' }).ingestReservedConcurrency).toBe(120);
    expect(parseStageConfig({ ingestReservedConcurrency: 'none' }).ingestReservedConcurrency).toBe('none');
    expect(config.publicBaseUrl).toBeUndefined();
  });

  it.each([
    [{ stage: 'Prod' }, /stage: lowercase/],
    [{ defaultCountry: 'ua' }, /defaultCountry: ISO 3166-1/],
    [{ logRetentionDays: '10' }, /logRetentionDays: one of 1, 3, 5, 7, 14/],
    [{ archiveRetentionDays: 0 }, /archiveRetentionDays: at least 1 day/],
    [{ publicBaseUrl: 'http://hooks.example.com' }, /publicBaseUrl: an https:\/\/ URL/],
    [{ ingestReservedConcurrency: '0' }, /ingestReservedConcurrency: /],
    [{ webhookThrottleRateLimit: 'lots' }, /webhookThrottleRateLimit: /],
  ])('rejects %j naming the key and how to set it', (raw, message) => {
    // Act & Assess
    expect(() => parseStageConfig(raw)).toThrow(message);
    expect(() => parseStageConfig(raw)).toThrow(/set with -c /);
  });
});
