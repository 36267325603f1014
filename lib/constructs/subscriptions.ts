/**
 * `HubSubscriptions`: every subscription of `subscriptions.config.ts` (one
 * `HubSubscription` each), the shared dispatcher function with one event
 * source mapping per webhook subscription, one generated signing secret per
 * webhook, what the `api` function needs for `/v1/subscriptions` (stats,
 * redrive, replay), and the bus policy that lets other accounts put their own
 * rules on the hub bus.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type Archive, CfnEventBusPolicy, type IEventBus } from 'aws-cdk-lib/aws-events';
import { AccountPrincipal, Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { isDispatched, type Subscription } from '../../functions/subscriptions/config.js';
import { assertDeployable } from '../../functions/subscriptions/validate.js';
import {
  deliveryLogPartition,
  subscriptionPrefix,
  subscriptionResourceName,
} from '../../functions/subscriptions/naming.js';
import { ENV, FUNCTION_CONFIGS } from '../../functions/shared/config.js';
import { CUSTOMER_VIEW_KEY_PREFIXES, ERASURE_KEY_PREFIX } from '../../functions/domain/store-model.js';
import { HubFunction, type HubFunctionProps } from './hub-function.js';
import { HubSubscription } from './subscription.js';

/** Actions another account needs to manage its own rules on the hub bus (EventBridge docs, "creatorAccount" example). */
const RULE_MANAGEMENT_ACTIONS = [
  'events:PutRule',
  'events:DeleteRule',
  'events:DescribeRule',
  'events:DisableRule',
  'events:EnableRule',
  'events:PutTargets',
  'events:RemoveTargets',
  'events:ListTargetsByRule',
];

/** `prod-crm` → `ProdCrm`, for output ids. */
const pascal = (s: string): string =>
  s.replace(/(^|[^a-zA-Z0-9]+)([a-zA-Z0-9])/g, (_, __, c: string) => c.toUpperCase());

export interface HubSubscriptionsProps {
  readonly subscriptions: readonly Subscription[];
  readonly eventBus: IEventBus;
  /** The bus archive replays read; without it the replay API answers 409. */
  readonly archive?: Archive;
  /** `omnihub-<stage>`: prefix of every physical name. */
  readonly stagePrefix: string;
  readonly stage: string;
  /** Secrets Manager prefix of subscription secrets, e.g. `omnihub/prod/subscriptions/`. */
  readonly secretPrefix: string;
  /** The hub table: the delivery log lives there. */
  readonly table: ITable;
  /** Entry file of the dispatcher Lambda. */
  readonly dispatcherEntry: string;
  /** Shared function settings (log retention, environment). */
  readonly functionDefaults?: Pick<
    HubFunctionProps,
    'logRetention' | 'logRemovalPolicy' | 'environment' | 'logLevel' | 'logSampleRate'
  >;
  /** The function serving `/v1/subscriptions`: gets the variables and the grants for stats, redrive and replay. */
  readonly apiFunction?: HubFunction;
  /**
   * AWS account ids allowed to create and manage their own rules on the hub
   * bus (`events:creatorAccount` = the caller, so no account touches
   * another's rules). @default none
   */
  readonly crossAccountPrincipals?: readonly string[];
  readonly alarmAction?: IAlarmAction;
  /** Removal policy of the generated signing secrets. @default RemovalPolicy.DESTROY */
  readonly secretRemovalPolicy?: RemovalPolicy;
}

export class HubSubscriptions extends Construct {
  /** By subscription name. */
  public readonly subscriptions: ReadonlyMap<string, HubSubscription>;
  /** Created only when at least one webhook subscription exists. */
  public readonly dispatcher?: HubFunction;
  /** Generated signing secrets of webhook subscriptions, by name. */
  public readonly signingSecrets: ReadonlyMap<string, ISecret>;

  constructor(scope: Construct, id: string, props: HubSubscriptionsProps) {
    super(scope, id);
    assertDeployable(props.subscriptions);
    const webhooks = props.subscriptions.filter((s) => isDispatched(s, 'aws'));

    /** Dispatcher — one function, one event source mapping (and concurrency cap) per webhook subscription. */
    if (webhooks.length > 0) {
      const longestAttempt = Math.max(
        ...webhooks.map((s) => (s.target.type === 'webhook' ? s.target.timeoutSeconds : 0)),
      );
      this.dispatcher = new HubFunction(this, 'dispatcher', {
        ...props.functionDefaults,
        config: FUNCTION_CONFIGS.dispatcher,
        entry: props.dispatcherEntry,
        description: 'Delivers subscription events to webhooks, signed per Standard Webhooks, with retries and a DLQ',
        memorySize: 256,
        // One attempt per invocation, plus the secret and log round trips.
        timeout: Duration.seconds(longestAttempt + 10),
        environment: {
          ...props.functionDefaults?.environment,
          [ENV.subscriptionPrefix]: subscriptionPrefix(props.stagePrefix),
          [ENV.subscriptionSecretPrefix]: props.secretPrefix,
        },
      });
      // The delivery log only: its attempts and counters, one partition per webhook subscription.
      this.dispatcher.bindTablePartitions(
        props.table,
        webhooks.map((s) => deliveryLogPartition(s.name)),
        ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
      );
      // Read only: the erasure holds (an erased customer's events are not delivered, functions/domain/erasure.ts),
      // and with `enrich: 'customer'` the identity links and profiles the customer is read from
      // (functions/adapters/store/applied-customers.ts) — never the outbox, the delivery logs of others or the log.
      const enriches = webhooks.some((s) => s.enrich === 'customer');
      this.dispatcher.addToRolePolicy(
        new PolicyStatement({
          actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem'],
          resources: [props.table.tableArn],
          conditions: {
            'ForAllValues:StringLike': {
              'dynamodb:LeadingKeys': [
                `${ERASURE_KEY_PREFIX}*`,
                ...(enriches ? CUSTOMER_VIEW_KEY_PREFIXES.map((p) => `${p}*`) : []),
              ],
            },
          },
        }),
      );
    }

    /** Signing secrets — generated per webhook; receivers get the value from an operator. */
    const signingSecrets = new Map<string, ISecret>();
    for (const s of webhooks) {
      const secret = new Secret(this, `${s.name}-signing-secret`, {
        secretName: `${props.secretPrefix}${s.name}`,
        description: `Omnihub subscription ${s.name}: Standard Webhooks signing secret ("whsec_" + the "secret" value)`,
        // 32 base64-alphabet characters = a 24-byte key, the Standard Webhooks minimum.
        generateSecretString: {
          secretStringTemplate: '{}',
          generateStringKey: 'secret',
          excludePunctuation: true,
          includeSpace: false,
          passwordLength: 32,
        },
        removalPolicy: props.secretRemovalPolicy ?? RemovalPolicy.DESTROY,
      });
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'Webhook signing secret shared with an external subscriber: rotating it needs the subscriber to accept the new value at the same moment, so it is rotated by hand in coordination with them (docs/subscriptions.md), not by a rotation Lambda.',
      });
      signingSecrets.set(s.name, secret);
    }
    this.signingSecrets = signingSecrets;
    if (this.dispatcher && signingSecrets.size > 0) {
      this.dispatcher.addToRolePolicy(
        new PolicyStatement({
          actions: ['secretsmanager:GetSecretValue'],
          resources: [...signingSecrets.values()].map((x) => x.secretArn),
        }),
      );
    }

    /** Subscriptions — rule, DLQ and retry policy each. */
    const subscriptions = new Map<string, HubSubscription>();
    for (const s of props.subscriptions) {
      const resourceName = subscriptionResourceName(props.stagePrefix, s.name);
      const sub = new HubSubscription(this, s.name, {
        eventBus: props.eventBus,
        subscription: s,
        resourceName,
        ...(this.dispatcher && isDispatched(s, 'aws') ? { dispatcher: this.dispatcher } : {}),
        ...(s.target.type === 'apiDestination' ? { credentialSecretName: `${props.secretPrefix}${s.name}` } : {}),
        ...(props.alarmAction ? { alarmAction: props.alarmAction } : {}),
      });
      subscriptions.set(s.name, sub);
      new CfnOutput(this, `${pascal(s.name)}DlqUrl`, {
        value: sub.deadLetterQueue.queueUrl,
        description: `Events subscription ${s.name} could not deliver`,
      });
    }
    this.subscriptions = subscriptions;

    if (props.apiFunction && subscriptions.size > 0) this.bindApi(props.apiFunction, props);
    if (props.crossAccountPrincipals?.length) this.allowRulesFrom(props.eventBus, props.crossAccountPrincipals);
  }

  /** `/v1/subscriptions` on AWS: queue depths, DLQ redrive (message move task), archive replay filtered to one rule. */
  private bindApi(fn: HubFunction, props: HubSubscriptionsProps): void {
    fn.addEnvironment(ENV.subscriptionPrefix, subscriptionPrefix(props.stagePrefix));
    fn.addEnvironment(ENV.eventBusArn, props.eventBus.eventBusArn);
    const subs = [...this.subscriptions.values()];
    const queues = subs.flatMap((s) => [s.deadLetterQueue, ...(s.queue ? [s.queue] : [])]);
    fn.addToRolePolicy(
      new PolicyStatement({ actions: ['sqs:GetQueueAttributes'], resources: queues.map((q) => q.queueArn) }),
    );
    const redrivable = subs.filter((s) => s.queue);
    if (redrivable.length > 0) {
      // What SQS requires of the caller of StartMessageMoveTask, on the source (DLQ) and the destination.
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: [
            'sqs:StartMessageMoveTask',
            'sqs:ListMessageMoveTasks',
            'sqs:ReceiveMessage',
            'sqs:DeleteMessage',
            'sqs:GetQueueAttributes',
          ],
          resources: redrivable.map((s) => s.deadLetterQueue.queueArn),
        }),
      );
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: ['sqs:SendMessage'],
          resources: redrivable.map((s) => s.queue?.queueArn as string),
        }),
      );
    }
    if (props.archive) {
      fn.addEnvironment(ENV.archiveArn, props.archive.archiveArn);
      const stack = Stack.of(this);
      const replays = stack.formatArn({ service: 'events', resource: 'replay', resourceName: `${props.stage}-*` });
      fn.addToRolePolicy(
        new PolicyStatement({ actions: ['events:StartReplay'], resources: [props.archive.archiveArn, replays] }),
      );
      Validations.of(fn.role ?? fn).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:events:<AWS::Region>:<AWS::AccountId>:replay/${props.stage}-*]`,
        reason:
          "StartReplay creates a replay whose name is chosen at call time (<stage>-<subscription>-<timestamp>); the wildcard is limited to this stage's replay names, and each replay is filtered to one subscription rule.",
      });
    }
  }

  /** Lets each account create and manage only the rules it created on the hub bus. */
  private allowRulesFrom(eventBus: IEventBus, accounts: readonly string[]): void {
    const stack = Stack.of(this);
    const busName = eventBus.eventBusName;
    for (const account of accounts) {
      // L1: the L2 EventBusPolicy passes a PolicyStatement through unrendered (EventBus.addToResourcePolicy renders it first).
      new CfnEventBusPolicy(this, `rules-from-${account}`, {
        eventBusName: busName,
        statementId: `omnihub-rules-${account}`,
        statement: new PolicyStatement({
          sid: `omnihub-rules-${account}`,
          effect: Effect.ALLOW,
          principals: [new AccountPrincipal(account)],
          actions: RULE_MANAGEMENT_ACTIONS,
          resources: [stack.formatArn({ service: 'events', resource: 'rule', resourceName: `${busName}/*` })],
          conditions: { StringEqualsIfExists: { 'events:creatorAccount': account } },
        }).toJSON(),
      });
    }
  }
}
