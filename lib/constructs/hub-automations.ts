/**
 * `HubAutomations`: the automation runner — its function, the `automations`
 * rule → queue (DLQ, alarms, as every rule's), and the EventBridge Scheduler
 * group and role that bring its timers (`cart.abandoned` waits, automation
 * waits) back to that queue. Least privilege: the function reads and writes
 * the hub table (profiles and timeline read, outbound message records
 * written), puts events on the bus, sends to its own queue (SQS delays) and
 * creates, updates and deletes schedules in its own group only, passing
 * only the scheduler role; the role may only send to that queue and its DLQ.
 * `automations.config.ts` is validated here, patterns included, so a
 * mistake fails `cdk synth` naming the field.
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type { IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import type { AutomationsFileInput } from '../../functions/automations/config.js';
import { AUTOMATIONS_RULE_PATTERN } from '../../functions/automations/reactions.js';
import { validateAutomations } from '../../functions/automations/validate.js';
import { ENV, FUNCTION_CONFIGS } from '../../functions/shared/config.js';
import { HubFunction, type HubFunctionProps } from './hub-function.js';
import { RuleQueue } from './rule-queue.js';

export interface HubAutomationsProps {
  readonly automations: AutomationsFileInput;
  readonly table: ITable;
  readonly eventBus: IEventBus;
  readonly entry: string;
  /** `omnihub-<stage>`: names of the rule, queue and schedule group. */
  readonly namePrefix: string;
  readonly functionDefaults: Pick<HubFunctionProps, 'logRetention' | 'logRemovalPolicy' | 'environment'>;
  /** The profile store's and the outbound settings (reachability), as the sender gets them. */
  readonly environment: Readonly<Record<string, string>>;
  readonly alarmAction?: IAlarmAction;
}

export class HubAutomations extends Construct {
  public readonly function: HubFunction;
  public readonly ruleQueue: RuleQueue;
  public readonly scheduleGroup: CfnScheduleGroup;
  /** Role EventBridge Scheduler assumes to put a timer's `automation.due` on the automations queue. */
  public readonly scheduleRole: Role;

  constructor(scope: Construct, id: string, props: HubAutomationsProps) {
    super(scope, id);
    validateAutomations(props.automations);
    this.function = new HubFunction(scope, 'automations', {
      ...props.functionDefaults,
      config: FUNCTION_CONFIGS.automations,
      entry: props.entry,
      description: 'Automations: time-based events and automation runs (timers, cancels, messages)',
      memorySize: 256,
      timeout: Duration.seconds(30),
      environment: { ...props.functionDefaults.environment, ...props.environment },
    });
    this.function.bindTable(props.table, 'RW');
    this.function.bindBus(props.eventBus);

    this.ruleQueue = new RuleQueue(this, 'rule', {
      eventBus: props.eventBus,
      namePrefix: `${props.namePrefix}-automations`,
      description: 'Hub events into the automation runner (automations.config.ts, cart.abandoned, lead.unanswered)',
      eventPattern: AUTOMATIONS_RULE_PATTERN,
      consumerTimeout: Duration.seconds(30),
      ...(props.alarmAction ? { alarmAction: props.alarmAction } : {}),
    });
    this.ruleQueue.addConsumer(this.function);
    const { queue, deadLetterQueue } = this.ruleQueue;

    const groupName = `${props.namePrefix}-automations`;
    this.scheduleGroup = new CfnScheduleGroup(this, 'schedule-group', { name: groupName });
    this.scheduleRole = new Role(this, 'schedule-role', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: 'EventBridge Scheduler puts automation timers on the automations queue',
    });
    queue.grantSendMessages(this.function);
    queue.grantSendMessages(this.scheduleRole);
    deadLetterQueue.grantSendMessages(this.scheduleRole);
    const schedules = Stack.of(this).formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `${groupName}/*`,
    });
    this.function.addToRolePolicy(
      new PolicyStatement({
        actions: ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule'],
        resources: [schedules],
      }),
    );
    this.function.addToRolePolicy(
      new PolicyStatement({ actions: ['iam:PassRole'], resources: [this.scheduleRole.roleArn] }),
    );
    Validations.of(this.function.role ?? this.function).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/${groupName}/*]`,
      reason:
        'One-time schedules are named per condition and customer (t-cart-<customerId>, a-<automation>-<customerId>), so their ARNs are not known at deploy time; the wildcard is confined to the automations schedule group.',
    });
    this.function.addEnvironment(ENV.automationsQueueUrl, queue.queueUrl);
    this.function.addEnvironment(ENV.automationsQueueArn, queue.queueArn);
    this.function.addEnvironment(ENV.automationsDlqArn, deadLetterQueue.queueArn);
    this.function.addEnvironment(ENV.scheduleGroup, this.scheduleGroup.ref);
    this.function.addEnvironment(ENV.scheduleRoleArn, this.scheduleRole.roleArn);
  }
}
