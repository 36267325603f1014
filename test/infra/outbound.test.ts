/**
 * The outbound side of the stack, synthesized with senders
 * configured: the sender reads exactly the secrets of the connectors that
 * send, may `ses:SendEmail` on the configured identity only, re-queue on its
 * own queue and create schedules in its own group; `message-status` touches
 * only the table and the bus; the rules, queues, DLQs and alarms come from
 * HUB_RULES like every rule's; cdk-nag has nothing unacknowledged.
 */
import { readFileSync } from 'node:fs';
import { App, type CfnElement, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { SENDER_RULE, MESSAGE_STATUS_RULE } from '../../functions/events/rules.js';
import { parseStageConfig } from '../../lib/config.js';
import { HubStack } from '../../lib/hub-stack.js';

const CDK_CONTEXT = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')).context;

type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;
type Statement = { Action: string | string[]; Resource: unknown; Effect: string; Condition?: unknown };

let stack: HubStack;
let template: Template;
let app: App;

const resourcesOf = (type: string): Resources => template.findResources(type) as Resources;
const idOf = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as CfnElement);
const statementsOf = (fn: 'sender' | 'messageStatus' | 'api'): Statement[] => {
  const fnResource = resourcesOf('AWS::Lambda::Function')[idOf(stack.functions[fn])];
  const roleId = (fnResource?.Properties.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
  return Object.values(resourcesOf('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
};
const actions = (s: Statement[]) => s.flatMap((x) => [x.Action].flat());

beforeAll(() => {
  app = new App({ context: CDK_CONTEXT });
  stack = new HubStack(app, 'Omnihub-prod', {
    config: parseStageConfig({
      stage: 'prod',
      outboundConnectors: 'telegram,twilio,ses',
      sesIdentity: 'example.com',
      quietHours: '22:00-08:00',
    }),
    subscriptions: [],
  });
  template = Template.fromStack(stack);
}, 180_000);

describe('Infra: outbound', () => {
  it('lets the sender read exactly the secrets of the connectors that send', () => {
    const secrets = stack.secrets.byConnector;
    const read = statementsOf('sender').filter((s) => actions([s]).includes('secretsmanager:GetSecretValue'));
    expect(read).toHaveLength(1);
    const refs = (read[0]?.Resource as { Ref: string }[]).map((r) => r.Ref).sort();
    expect(refs).toEqual(['telegram', 'twilio', 'ses'].map((c) => idOf(secrets.get(c) as never)).sort());
  });

  it('allows ses:SendEmail on the configured identity only', () => {
    const ses = statementsOf('sender').filter((s) => actions([s]).some((a) => a.startsWith('ses:')));
    expect(ses).toEqual([
      {
        Action: 'ses:SendEmail',
        Effect: 'Allow',
        Resource: {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':ses:',
              { Ref: 'AWS::Region' },
              ':',
              { Ref: 'AWS::AccountId' },
              ':identity/example.com',
            ],
          ],
        },
      },
    ]);
  });

  it('lets the sender re-queue on its own queue and create schedules in its own group, passing only the schedule role', () => {
    const sender = statementsOf('sender');
    const queueId = Object.keys(
      template.findResources('AWS::SQS::Queue', { Properties: { QueueName: 'omnihub-prod-sender' } }),
    )[0];
    const send = sender.filter((s) => actions([s]).includes('sqs:SendMessage'));
    expect(send.map((s) => s.Resource)).toEqual([{ 'Fn::GetAtt': [queueId, 'Arn'] }]);
    const create = sender.find((s) => actions([s]).includes('scheduler:CreateSchedule'));
    expect(JSON.stringify(create?.Resource)).toContain(':schedule/omnihub-prod-messages/*');
    const pass = sender.find((s) => actions([s]).includes('iam:PassRole'));
    expect(pass?.Resource).toEqual({ 'Fn::GetAtt': [idOf(stack.outbound.scheduleRole as never), 'Arn'] });
    template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'omnihub-prod-messages' });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ],
      },
    });
  });

  it('gives message-status the table and the bus, and no secrets, SES or scheduler', () => {
    const all = actions(statementsOf('messageStatus'));
    expect(all).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'events:PutEvents', 'sqs:DeleteMessage']));
    expect(all.filter((a) => /^(secretsmanager|ses|scheduler|iam):/.test(a))).toEqual([]);
  });

  it('tells the sender, the api and only them which connectors send and the quiet hours', () => {
    for (const fn of ['sender', 'api'] as const) {
      const env = resourcesOf('AWS::Lambda::Function')[idOf(stack.functions[fn])]?.Properties.Environment.Variables;
      expect(env, fn).toMatchObject({
        OMNIHUB_OUTBOUND_CONNECTORS: 'telegram,twilio,ses',
        OMNIHUB_QUIET_HOURS: '22:00-08:00',
      });
    }
    const sender = resourcesOf('AWS::Lambda::Function')[idOf(stack.functions.sender)]?.Properties.Environment.Variables;
    expect(Object.keys(sender)).toEqual(
      expect.arrayContaining([
        'OMNIHUB_SENDER_QUEUE_URL',
        'OMNIHUB_SENDER_QUEUE_ARN',
        'OMNIHUB_SCHEDULE_GROUP',
        'OMNIHUB_SCHEDULE_ROLE_ARN',
      ]),
    );
  });

  it('feeds the sender and message-status from their own rules with DLQs and alarms', () => {
    for (const rule of [SENDER_RULE, MESSAGE_STATUS_RULE]) {
      template.hasResourceProperties('AWS::Events::Rule', {
        Name: `omnihub-prod-${rule.name}`,
        EventPattern: rule.pattern,
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `omnihub-prod-${rule.name}-dlq-not-empty`,
      });
    }
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: idOf(stack.functions.sender) },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('is cdk-nag clean', () => {
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
    expect(() => app.synth()).not.toThrow();
  });

  it('refuses ses without an identity, at synth', () => {
    expect(() => parseStageConfig({ stage: 'prod', outboundConnectors: 'ses' })).toThrow(/sesIdentity/);
    expect(() => parseStageConfig({ stage: 'prod', outboundConnectors: 'fax' })).toThrow(/outboundConnectors/);
  });
});
