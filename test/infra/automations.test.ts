/**
 * The automations side of the stack: the runner function fed by its own rule
 * (queue, DLQ, alarm), its own EventBridge Scheduler group and role; least
 * privilege — the function may create, update and delete schedules in its
 * group only, pass only its schedule role, send to its own queue only, and
 * reads no secrets and sends no email; the role may only put on that queue
 * and its DLQ; cdk-nag has nothing unacknowledged.
 */
import { readFileSync } from 'node:fs';
import { App, type CfnElement, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { AUTOMATIONS_RULE_PATTERN } from '../../functions/automations/reactions.js';
import { parseStageConfig } from '../../lib/config.js';
import { HubStack } from '../../lib/hub-stack.js';

const CDK_CONTEXT = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')).context;

type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;
type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

let stack: HubStack;
let template: Template;
let app: App;

const resourcesOf = (type: string): Resources => template.findResources(type) as Resources;
const idOf = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as CfnElement);
const statementsOfRole = (roleId: string): Statement[] =>
  Object.values(resourcesOf('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
const functionStatements = (): Statement[] => {
  const fn = resourcesOf('AWS::Lambda::Function')[idOf(stack.automations.function)];
  return statementsOfRole((fn?.Properties.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0]);
};
const actions = (s: Statement[]) => s.flatMap((x) => [x.Action].flat());

beforeAll(() => {
  app = new App({ context: CDK_CONTEXT });
  stack = new HubStack(app, 'Omnihub-prod', {
    config: parseStageConfig({
      stage: 'prod',
      outboundConnectors: 'whatsapp,telegram',
      quietHours: '22:00-08:00',
      inactiveDays: '90',
      birthdayTime: '11:00',
    }),
    subscriptions: [],
  });
  template = Template.fromStack(stack);
}, 180_000);

describe('Infra: automations', () => {
  it('passes the stage’s clock settings to the runner (customer.inactive after 90 days, birthdays at 11:00)', () => {
    const fn = resourcesOf('AWS::Lambda::Function')[idOf(stack.automations.function)];
    expect(fn?.Properties.Environment.Variables).toMatchObject({
      OMNIHUB_INACTIVE_DAYS: '90',
      OMNIHUB_BIRTHDAY_TIME: '11:00',
    });
  });

  it('feeds the runner from its own rule with a DLQ and an alarm', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      Name: 'omnihub-prod-automations',
      EventPattern: AUTOMATIONS_RULE_PATTERN,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'omnihub-prod-automations-dlq-not-empty' });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: idOf(stack.automations.function) },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('lets the function manage schedules in its own group only, pass only its role, send to its own queue only', () => {
    const statements = functionStatements();
    const scheduler = statements.filter((s) => actions([s]).some((a) => a.startsWith('scheduler:')));
    expect(scheduler).toHaveLength(1);
    expect(actions(scheduler).sort()).toEqual([
      'scheduler:CreateSchedule',
      'scheduler:DeleteSchedule',
      'scheduler:UpdateSchedule',
    ]);
    expect(JSON.stringify(scheduler[0]?.Resource)).toContain(':schedule/omnihub-prod-automations/*');
    const pass = statements.filter((s) => actions([s]).includes('iam:PassRole'));
    expect(pass.map((s) => s.Resource)).toEqual([
      { 'Fn::GetAtt': [idOf(stack.automations.scheduleRole as never), 'Arn'] },
    ]);
    const queueId = Object.keys(
      template.findResources('AWS::SQS::Queue', { Properties: { QueueName: 'omnihub-prod-automations' } }),
    )[0];
    const send = statements.filter((s) => actions([s]).includes('sqs:SendMessage'));
    expect(send.map((s) => s.Resource)).toEqual([{ 'Fn::GetAtt': [queueId, 'Arn'] }]);
    expect(actions(statements).filter((a) => /^(secretsmanager|ses):/.test(a))).toEqual([]);
    template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'omnihub-prod-automations' });
  });

  it('lets the schedule role put on the automations queue and its DLQ, nothing else', () => {
    const roleStatements = statementsOfRole(idOf(stack.automations.scheduleRole as never));
    expect(new Set(actions(roleStatements).filter((a) => !a.startsWith('sqs:')))).toEqual(new Set());
    const queues = roleStatements.flatMap((s) => [s.Resource].flat()).map((r) => JSON.stringify(r));
    expect(queues).toHaveLength(2);
    const { queue, deadLetterQueue } = stack.automations.ruleQueue;
    for (const q of [queue, deadLetterQueue])
      expect(queues).toContain(
        JSON.stringify({ 'Fn::GetAtt': [stack.getLogicalId(q.node.defaultChild as CfnElement), 'Arn'] }),
      );
  });

  it('tells the runner its queue, group, role, and the outbound settings reachability needs', () => {
    const env =
      resourcesOf('AWS::Lambda::Function')[idOf(stack.automations.function)]?.Properties.Environment.Variables;
    expect(env).toMatchObject({
      OMNIHUB_OUTBOUND_CONNECTORS: 'whatsapp,telegram',
      OMNIHUB_QUIET_HOURS: '22:00-08:00',
    });
    expect(Object.keys(env)).toEqual(
      expect.arrayContaining([
        'OMNIHUB_AUTOMATIONS_QUEUE_URL',
        'OMNIHUB_AUTOMATIONS_QUEUE_ARN',
        'OMNIHUB_AUTOMATIONS_DLQ_ARN',
        'OMNIHUB_SCHEDULE_GROUP',
        'OMNIHUB_SCHEDULE_ROLE_ARN',
        'OMNIHUB_TABLE_NAME',
        'OMNIHUB_EVENT_BUS_NAME',
      ]),
    );
  });

  it('is cdk-nag clean', () => {
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
    expect(() => app.synth()).not.toThrow();
  });
});
