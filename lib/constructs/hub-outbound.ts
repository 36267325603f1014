/**
 * `HubOutbound`: the outbound side of the hub — the `sender`
 * function (vendor APIs, SES), the `message-status` function (receipts →
 * status) and the EventBridge Scheduler group and role that bring deferred
 * messages back to the sender's queue. Each function gets only what it
 * uses: the sender reads the secrets of the connectors that send (and no
 * other), may call `ses:SendEmail` on the configured identity only, may send
 * to its own queue (SQS delays) and create one-time schedules in its group;
 * `message-status` touches the table and the bus, nothing else. The rule
 * queues (with their DLQs and alarms) come from the stack's `RuleQueue` loop,
 * as every rule's do; `attachSenderQueue` wires the sender to its queue.
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ENV, FUNCTION_CONFIGS } from '../../functions/shared/config.js';
import { HubFunction, type HubFunctionProps } from './hub-function.js';
import type { RuleQueue } from './rule-queue.js';

export interface HubOutboundProps {
  readonly table: ITable;
  readonly eventBus: IEventBus;
  /** Connector secrets by connector name; only those in `connectors` are granted. */
  readonly secrets: ReadonlyMap<string, ISecret>;
  readonly secretPrefix: string;
  /** Connectors that send, first per channel wins (`whatsapp,telegram,twilio,ses`). @default none */
  readonly connectors?: readonly string[];
  /** SES identity (domain or address) `ses:SendEmail` is granted on; required when `ses` sends. */
  readonly sesIdentity?: string;
  /** `21:00-09:00`, or `off`. @default the functions' default (21:00-09:00) */
  readonly quietHours?: string;
  readonly senderEntry: string;
  readonly messageStatusEntry: string;
  /** `omnihub-<stage>`: names of the schedule group. */
  readonly namePrefix: string;
  /** Log retention, removal policy and shared environment of every hub function. */
  readonly functionDefaults: Pick<HubFunctionProps, 'logRetention' | 'logRemovalPolicy' | 'environment'>;
  /** The profile store's settings (default country, dedupe horizon), as the profile writer gets them. */
  readonly storeEnvironment: Readonly<Record<string, string>>;
  /** The `api` function: told which channels send and the quiet hours (reachability). */
  readonly apiFunction: HubFunction;
}

export class HubOutbound extends Construct {
  public readonly sender: HubFunction;
  public readonly messageStatus: HubFunction;
  public readonly scheduleGroup: CfnScheduleGroup;
  /** Role EventBridge Scheduler assumes to put a deferred message on the sender queue. */
  public readonly scheduleRole: Role;

  constructor(scope: Construct, id: string, props: HubOutboundProps) {
    super(scope, id);
    const connectors = props.connectors ?? [];
    if (connectors.includes('ses') && !props.sesIdentity)
      throw new Error('outboundConnectors includes ses: set -c sesIdentity=<verified domain or address>');
    const settingsEnv = {
      [ENV.outboundConnectors]: connectors.join(','),
      ...(props.quietHours ? { [ENV.quietHours]: props.quietHours } : {}),
    };

    this.sender = new HubFunction(scope, 'sender', {
      ...props.functionDefaults,
      config: FUNCTION_CONFIGS.sender,
      entry: props.senderEntry,
      description: 'Sends outbound messages through the vendor APIs and SES, with retries and fallbacks',
      memorySize: 256,
      // Each vendor call is bounded by 10 s; a message that would fall back past the remaining
      // time continues in a new invocation (deliverMessage's time budget).
      timeout: Duration.seconds(60),
      environment: { ...props.functionDefaults.environment, ...props.storeEnvironment, ...settingsEnv },
    });
    this.messageStatus = new HubFunction(scope, 'message-status', {
      ...props.functionDefaults,
      config: FUNCTION_CONFIGS['message-status'],
      entry: props.messageStatusEntry,
      description: 'Applies delivery and read receipts to the status of outbound messages',
      memorySize: 256,
      environment: { ...props.functionDefaults.environment, ...props.storeEnvironment },
    });
    for (const [key, value] of Object.entries(settingsEnv)) props.apiFunction.addEnvironment(key, value);

    // Messages and profiles (reads, the erasure check); message.sent / message.failed on the bus.
    this.sender.bindTable(props.table, 'RW');
    this.sender.bindBus(props.eventBus);
    const sending = connectors.flatMap((c) => {
      const secret = props.secrets.get(c);
      return secret ? [secret] : [];
    });
    this.sender.bindSecrets(sending, props.secretPrefix, 'read');
    if (connectors.includes('ses') && props.sesIdentity) {
      this.sender.addToRolePolicy(
        new PolicyStatement({
          actions: ['ses:SendEmail'],
          resources: [
            Stack.of(this).formatArn({ service: 'ses', resource: 'identity', resourceName: props.sesIdentity }),
          ],
        }),
      );
    }
    // Status updates; a fallback after an asynchronous failure puts message.requested on the bus.
    this.messageStatus.bindTable(props.table, 'RW');
    this.messageStatus.bindBus(props.eventBus);

    this.scheduleGroup = new CfnScheduleGroup(this, 'schedule-group', { name: `${props.namePrefix}-messages` });
    this.scheduleRole = new Role(this, 'schedule-role', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: 'EventBridge Scheduler puts deferred outbound messages on the sender queue',
    });
    const schedules = Stack.of(this).formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `${props.namePrefix}-messages/*`,
    });
    this.sender.addToRolePolicy(new PolicyStatement({ actions: ['scheduler:CreateSchedule'], resources: [schedules] }));
    this.sender.addToRolePolicy(
      new PolicyStatement({ actions: ['iam:PassRole'], resources: [this.scheduleRole.roleArn] }),
    );
    Validations.of(this.sender.role ?? this.sender).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/${props.namePrefix}-messages/*]`,
      reason:
        'One-time schedules are created per deferred message (named <messageId>-<time>), so their ARNs are not known at deploy time; the wildcard is confined to the hub’s own schedule group.',
    });
    this.sender.addEnvironment(ENV.scheduleGroup, this.scheduleGroup.ref);
    this.sender.addEnvironment(ENV.scheduleRoleArn, this.scheduleRole.roleArn);
  }

  /**
   * Points the sender at its rule queue: it re-queues with SQS delays
   * (≤ 15 min) and Scheduler targets it (longer), with the queue's DLQ as
   * the schedules' dead-letter queue.
   */
  public attachSenderQueue(ruleQueue: RuleQueue): void {
    const { queue, deadLetterQueue } = ruleQueue;
    this.sender.addEnvironment(ENV.senderQueueUrl, queue.queueUrl);
    this.sender.addEnvironment(ENV.senderQueueArn, queue.queueArn);
    this.sender.addEnvironment(ENV.senderDlqArn, deadLetterQueue.queueArn);
    queue.grantSendMessages(this.sender);
    queue.grantSendMessages(this.scheduleRole);
    deadLetterQueue.grantSendMessages(this.scheduleRole);
  }
}
