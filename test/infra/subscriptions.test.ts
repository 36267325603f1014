/**
 * Infrastructure of subscriptions: one stack synthesized with one
 * subscription of every target type, asserted per subscription (one rule,
 * one DLQ, the right target, retry policy and transform), plus the
 * dispatcher, the api grants, the cross-account bus policy and cdk-nag.
 */
import { readFileSync } from 'node:fs';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { HUB_RULES } from '../../functions/events/rules.js';
import { defineSubscriptions } from '../../functions/subscriptions/config.js';
import { ENV } from '../../functions/shared/config.js';
import { parseStageConfig } from '../../lib/config.js';
import { HubStack } from '../../lib/hub-stack.js';
import { HubSubscriptions } from '../../lib/constructs/subscriptions.js';

const CDK_CONTEXT = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')).context;

const SUBSCRIPTIONS = defineSubscriptions([
  {
    name: 'crm-leads',
    pattern: { 'detail-type': ['lead.submitted'] },
    target: { type: 'webhook', url: 'https://crm.example.com/hooks/omnihub', maxConcurrency: 1, timeoutSeconds: 15 },
    retry: { maxAttempts: 8, windowSeconds: 7_200 },
  },
  {
    name: 'loyalty',
    pattern: { 'detail-type': ['purchase.completed', 'order.paid'] },
    target: { type: 'webhook', url: 'https://loyalty.example.com/in', maxConcurrency: 25 },
  },
  {
    name: 'ads-exclusions',
    pattern: { 'detail-type': ['purchase.completed'] },
    target: {
      type: 'apiDestination',
      url: 'https://ads.example.com/audiences',
      auth: { type: 'apiKey', header: 'x-api-key' },
      rateLimitPerSecond: 10,
    },
    transform: { phone: '$.detail.customer.identities[0].value' },
  },
  {
    name: 'lake',
    pattern: { source: [{ prefix: 'omnihub.' }] },
    target: { type: 'sqs', queueArn: 'arn:aws:sqs:eu-central-1:123456789012:lake' },
    retry: { maxAttempts: 50, windowSeconds: 3_600 },
    transform: { id: '$.detail.id', type: '$.detail-type', customer: '$.detail.customer' },
  },
  {
    name: 'scoring',
    pattern: { 'detail-type': ['lead.submitted'] },
    target: { type: 'lambda', functionArn: 'arn:aws:lambda:eu-central-1:123456789012:function:score-lead' },
  },
  {
    name: 'crm-account',
    pattern: { 'detail-type': [{ prefix: 'deal.' }] },
    target: { type: 'eventBus', eventBusArn: 'arn:aws:events:eu-central-1:210987654321:event-bus/crm' },
    enabled: false,
  },
]);

type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;
let stack: HubStack;
let template: Template;

const resources = (type: string): Resources => template.findResources(type) as Resources;
const idOf = (type: string, props: Record<string, unknown>): string => {
  const ids = Object.keys(template.findResources(type, { Properties: props }));
  expect(ids, `${type} ${JSON.stringify(props)}`).toHaveLength(1);
  return ids[0] as string;
};
const ruleOf = (name: string) =>
  Object.values(resources('AWS::Events::Rule')).find((r) => r.Properties.Name === `omnihub-prod-sub-${name}`);
const dlqId = (name: string) => idOf('AWS::SQS::Queue', { QueueName: `omnihub-prod-sub-${name}-dlq` });

beforeAll(() => {
  // Prepare & Act
  const app = new App({ context: CDK_CONTEXT });
  stack = new HubStack(app, 'Omnihub-prod', {
    config: parseStageConfig({
      stage: 'prod',
      alarmEmail: 'ops@example.com',
      crossAccountPrincipals: '111122223333,444455556666',
    }),
    subscriptions: SUBSCRIPTIONS,
  });
  template = Template.fromStack(stack);
}, 180_000);

describe('Infra: subscriptions', () => {
  it('creates exactly one rule per subscription, with its pattern, enabled as configured', () => {
    // Assess
    // The hub's rules (HUB_RULES and the automations rule), one per subscription, and the lake compaction's daily
    // schedule (lib/constructs/analytics.ts).
    template.resourceCountIs('AWS::Events::Rule', HUB_RULES.length + 1 + SUBSCRIPTIONS.length + 1);
    for (const s of SUBSCRIPTIONS) {
      const rule = ruleOf(s.name);
      expect(rule?.Properties.EventPattern, s.name).toEqual(s.pattern);
      expect(rule?.Properties.State, s.name).toBe(s.enabled ? 'ENABLED' : 'DISABLED');
      expect(rule?.Properties.Targets, s.name).toHaveLength(1);
    }
  });

  it('gives every subscription exactly one DLQ, alarmed, and a queue only to webhooks', () => {
    // Prepare
    const names = Object.values(resources('AWS::SQS::Queue')).map((q) => q.Properties.QueueName as string);

    // Assess
    for (const s of SUBSCRIPTIONS) {
      expect(
        names.filter((n) => n === `omnihub-prod-sub-${s.name}-dlq`),
        s.name,
      ).toHaveLength(1);
      expect(
        names.filter((n) => n === `omnihub-prod-sub-${s.name}`),
        s.name,
      ).toHaveLength(s.target.type === 'webhook' ? 1 : 0);
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `omnihub-prod-sub-${s.name}-dlq-not-empty`,
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId(s.name), 'QueueName'] } }],
        AlarmActions: [{ Ref: Match.stringLikeRegexp('alarmtopic') }],
      });
    }
    expect(names.filter((n) => n.startsWith('omnihub-prod-sub-'))).toHaveLength(SUBSCRIPTIONS.length + 2);
  });

  it("routes a webhook rule into its own queue, redriven to its DLQ after the dispatcher's attempts", () => {
    for (const [name, maxAttempts] of [
      ['crm-leads', 8],
      ['loyalty', 10],
    ] as const) {
      // Prepare
      const queueId = idOf('AWS::SQS::Queue', { QueueName: `omnihub-prod-sub-${name}` });

      // Assess
      expect(ruleOf(name)?.Properties.Targets[0]).toMatchObject({
        Arn: { 'Fn::GetAtt': [queueId, 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlqId(name), 'Arn'] } },
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 },
      });
      template.hasResourceProperties('AWS::SQS::Queue', {
        QueueName: `omnihub-prod-sub-${name}`,
        RedrivePolicy: {
          deadLetterTargetArn: { 'Fn::GetAtt': [dlqId(name), 'Arn'] },
          maxReceiveCount: maxAttempts + 3,
        },
        SqsManagedSseEnabled: true,
      });
    }
  });

  it("feeds the dispatcher one record at a time with the subscription's concurrency (Lambda minimum 2)", () => {
    // Prepare
    const dispatcherId = stack.getLogicalId(stack.subscriptions.dispatcher?.node.defaultChild as CfnElement);

    // Assess
    for (const [name, concurrency] of [
      ['crm-leads', 2],
      ['loyalty', 25],
    ] as const) {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: dispatcherId },
        EventSourceArn: { 'Fn::GetAtt': [idOf('AWS::SQS::Queue', { QueueName: `omnihub-prod-sub-${name}` }), 'Arn'] },
        BatchSize: 1,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: concurrency },
      });
    }
    // HUB_RULES' consumers, the automation runner, and the two dispatched subscriptions.
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', HUB_RULES.length + 1 + 2);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Timeout: 25,
      Environment: {
        Variables: Match.objectLike({
          [ENV.subscriptionPrefix]: 'omnihub-prod-sub-',
          [ENV.subscriptionSecretPrefix]: 'omnihub/prod/subscriptions/',
        }),
      },
    });
  });

  it('generates one signing secret per webhook and lets only the dispatcher read them', () => {
    // Assess
    for (const name of ['crm-leads', 'loyalty']) {
      template.hasResourceProperties('AWS::SecretsManager::Secret', {
        Name: `omnihub/prod/subscriptions/${name}`,
        GenerateSecretString: Match.objectLike({
          GenerateStringKey: 'secret',
          PasswordLength: 32,
          ExcludePunctuation: true,
        }),
      });
    }
    const policies = Object.values(resources('AWS::IAM::Policy')).filter(
      (p) =>
        JSON.stringify(p.Properties).includes('omnihub/prod/subscriptions') ||
        JSON.stringify(p.Properties).includes('crmleadssigningsecret'),
    );
    expect(policies).toHaveLength(1);
    expect(JSON.stringify(policies[0]?.Properties.Roles)).toMatch(/dispatcher/);
  });

  it('lets the dispatcher write only its delivery-log partitions and read only the erasure holds, identity links and profiles (dynamodb:LeadingKeys)', () => {
    // Prepare
    const dispatcherId = stack.getLogicalId(stack.subscriptions.dispatcher?.node.defaultChild as CfnElement);
    const roleId = resources('AWS::Lambda::Function')[dispatcherId]?.Properties.Role['Fn::GetAtt'][0];
    const tableId = stack.getLogicalId(stack.table.table.node.defaultChild as CfnElement);
    // Every policy attached to the role: CDK moves what outgrows the inline policy into overflow managed policies.
    const statements = [
      ...Object.values(resources('AWS::IAM::Policy')),
      ...Object.values(resources('AWS::IAM::ManagedPolicy')),
    ]
      .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<Record<string, any>>);

    // Assess
    const dynamo = statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('dynamodb:')));
    expect(dynamo).toEqual([
      {
        Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
        Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['S#crm-leads', 'S#loyalty'] } },
      },
      {
        Action: ['dynamodb:BatchGetItem', 'dynamodb:GetItem'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
        // Identity links and customer partitions: the webhooks carry the customer (enrich: 'customer', the default).
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['H#*', 'I#*', 'C#*'] } },
      },
    ]);
  });

  it('delivers native targets with their retry policy, DLQ and input transformer', () => {
    // Assess: SQS with a transform.
    expect(ruleOf('lake')?.Properties.Targets[0]).toMatchObject({
      Arn: 'arn:aws:sqs:eu-central-1:123456789012:lake',
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlqId('lake'), 'Arn'] } },
      RetryPolicy: { MaximumRetryAttempts: 49, MaximumEventAgeInSeconds: 3_600 },
      // CDK names each placeholder after its path.
      InputTransformer: {
        InputPathsMap: {
          'detail-id': '$.detail.id',
          'detail-type': '$.detail-type',
          'detail-customer': '$.detail.customer',
        },
        InputTemplate: '{"id":<detail-id>,"type":<detail-type>,"customer":<detail-customer>}',
      },
    });
    // Lambda: invoked by EventBridge through a permission on the function.
    expect(ruleOf('scoring')?.Properties.Targets[0]).toMatchObject({
      Arn: 'arn:aws:lambda:eu-central-1:123456789012:function:score-lead',
      RetryPolicy: { MaximumRetryAttempts: 9, MaximumEventAgeInSeconds: 86_400 },
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      FunctionName: 'arn:aws:lambda:eu-central-1:123456789012:function:score-lead',
      Principal: 'events.amazonaws.com',
    });
    // Another account's bus: a role to put events there, the DLQ for what fails.
    expect(ruleOf('crm-account')?.Properties.Targets[0]).toMatchObject({
      Arn: 'arn:aws:events:eu-central-1:210987654321:event-bus/crm',
      RoleArn: { 'Fn::GetAtt': [expect.any(String), 'Arn'] },
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlqId('crm-account'), 'Arn'] } },
    });
  });

  it('creates an API destination whose connection reads its credential from Secrets Manager', () => {
    // Prepare
    const destinationId = idOf('AWS::Events::ApiDestination', { Name: 'omnihub-prod-sub-ads-exclusions' });

    // Assess
    template.hasResourceProperties('AWS::Events::Connection', {
      Name: 'omnihub-prod-sub-ads-exclusions',
      AuthorizationType: 'API_KEY',
      AuthParameters: {
        ApiKeyAuthParameters: {
          ApiKeyName: 'x-api-key',
          ApiKeyValue: '{{resolve:secretsmanager:omnihub/prod/subscriptions/ads-exclusions:SecretString:secret::}}',
        },
      },
    });
    template.hasResourceProperties('AWS::Events::ApiDestination', {
      InvocationEndpoint: 'https://ads.example.com/audiences',
      HttpMethod: 'POST',
      InvocationRateLimitPerSecond: 10,
    });
    expect(ruleOf('ads-exclusions')?.Properties.Targets[0]).toMatchObject({
      Arn: { 'Fn::GetAtt': [destinationId, 'Arn'] },
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlqId('ads-exclusions'), 'Arn'] } },
      InputTransformer: {
        InputPathsMap: { 'detail-customer-identities-0--value': '$.detail.customer.identities[0].value' },
        InputTemplate: '{"phone":<detail-customer-identities-0--value>}',
      },
    });
  });

  it('gives the api function queue stats, redrive and a replay limited to the archive', () => {
    // Prepare
    const apiId = stack.getLogicalId(stack.functions.api.node.defaultChild as CfnElement);
    const roleId = (resources('AWS::Lambda::Function')[apiId]?.Properties.Role as { 'Fn::GetAtt': [string] })[
      'Fn::GetAtt'
    ][0];
    // Every policy attached to the role: CDK moves what outgrows the inline policy into overflow managed policies.
    const statements = [
      ...Object.values(resources('AWS::IAM::Policy')),
      ...Object.values(resources('AWS::IAM::ManagedPolicy')),
    ]
      .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]);
    const actions = (s: { Action: string | string[] }) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
    const archiveId = Object.keys(resources('AWS::Events::Archive'))[0] as string;

    // Assess
    // Of the subscriptions' DLQs, exactly the dispatched ones (the hub's rule DLQs are granted too: hub-stack.test.ts).
    const moved = statements
      .filter((s) => actions(s).includes('sqs:StartMessageMoveTask'))
      .flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource])) as { 'Fn::GetAtt': [string] }[];
    expect(moved.filter((r) => r['Fn::GetAtt'][0].startsWith('subscriptions'))).toEqual(
      ['crm-leads', 'loyalty'].map((n) => ({ 'Fn::GetAtt': [dlqId(n), 'Arn'] })),
    );
    const replay = statements.find((s) => actions(s).includes('events:StartReplay'));
    expect(JSON.stringify(replay?.Resource)).toContain(archiveId);
    expect(JSON.stringify(replay?.Resource)).toContain(':replay/prod-*');
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('read API'),
      Environment: {
        Variables: Match.objectLike({
          [ENV.subscriptionPrefix]: 'omnihub-prod-sub-',
          [ENV.archiveArn]: Match.anyValue(),
          [ENV.eventBusArn]: Match.anyValue(),
        }),
      },
    });
  });

  it('lets the configured accounts manage only their own rules on the hub bus', () => {
    for (const account of ['111122223333', '444455556666']) {
      template.hasResourceProperties('AWS::Events::EventBusPolicy', {
        StatementId: `omnihub-rules-${account}`,
        Statement: Match.objectLike({
          Effect: 'Allow',
          Principal: { AWS: { 'Fn::Join': ['', Match.arrayWith([`:iam::${account}:root`])] } },
          Action: Match.arrayWith(['events:PutRule', 'events:DeleteRule', 'events:PutTargets', 'events:RemoveTargets']),
          Condition: { StringEqualsIfExists: { 'events:creatorAccount': account } },
        }),
      });
    }
  });

  it('refuses to synthesize a local-only http:// endpoint (the outbound URL check of a deployed hub)', () => {
    // Prepare: the construct alone (a whole HubStack would bundle every function first).
    const scope = new Stack(new App(), 'x');

    // Act & Assess
    expect(
      () =>
        new HubSubscriptions(scope, 'subscriptions', {
          subscriptions: defineSubscriptions([
            {
              name: 'dev',
              pattern: { 'detail-type': ['lead.submitted'] },
              target: { type: 'webhook', url: 'http://localhost:4000/h' },
            },
          ]),
          eventBus: new EventBus(scope, 'bus'),
          stagePrefix: 'omnihub-x',
          stage: 'x',
          secretPrefix: 'omnihub/x/subscriptions/',
          table: new Table(scope, 'table', { partitionKey: { name: 'pk', type: AttributeType.STRING } }),
          dispatcherEntry: 'unused.ts',
        }),
    ).toThrow(/subscriptions\[0\]\.target\.url: http:\/\/localhost:4000\/h must be https:\/\//);
  });

  it('is cdk-nag clean (AwsSolutions), every suppression with a reason', () => {
    // Act
    const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(stack);

    // Assess
    const findings = report.violations.map(
      (v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(findings.filter((f) => f.startsWith('error'))).toEqual([]);
    expect(findings.filter((f) => f.startsWith('warning'))).toEqual([]);
  });
});
