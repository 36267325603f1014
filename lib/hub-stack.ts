/**
 * The Omnihub stack: composition only. Every resource comes from a construct
 * in `lib/constructs/`; this file wires them together from the tables the
 * functions also use (`HTTP_ROUTES`, `HUB_RULES`, the connector registry), so
 * the deployed hub cannot drift from the code.
 */
import { fileURLToPath } from 'node:url';
import { ArnFormat, CfnOutput, Duration, Fn, RemovalPolicy, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import { type FunctionUrl, FunctionUrlAuthType, InvokeMode } from 'aws-cdk-lib/aws-lambda';
import { CfnSamplingRule } from 'aws-cdk-lib/aws-xray';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { listConnectors } from '../functions/connectors/index.js';
import { ARCHIVE_PATTERN, HUB_RULES, type HubRule } from '../functions/events/rules.js';
import { ENV, FUNCTION_CONFIGS } from '../functions/shared/config.js';
import { INGEST_KEY_PREFIXES } from '../functions/shared/ingest-keys.js';
import { CARD_KEY_PREFIX } from '../functions/domain/caller-card.js';
import { HTTP_ROUTES } from '../functions/shared/routes.js';
import type { StageConfig } from './config.js';
import { ConnectorSecrets, type ConnectorInfo } from './constructs/connector-secrets.js';
import { HubConsole, type HubConsoleProps } from './constructs/console.js';
import { HubEventBus } from './constructs/hub-event-bus.js';
import { HubFunction } from './constructs/hub-function.js';
import { HubHttpApi, type Throttle } from './constructs/hub-http-api.js';
import { HubTable } from './constructs/hub-table.js';
import { HubAnalytics } from './constructs/analytics.js';
import { ApiAccess } from './constructs/api-access.js';
import { RuleQueue } from './constructs/rule-queue.js';
import { HubSubscriptions } from './constructs/subscriptions.js';
import { HubOutbound } from './constructs/hub-outbound.js';
import type { Subscription } from '../functions/subscriptions/config.js';
import { subscriptionSecretPrefix } from '../functions/subscriptions/naming.js';
import { subscriptions as configuredSubscriptions } from '../subscriptions.config.js';
import { automations as configuredAutomations } from '../automations.config.js';
import { HubAutomations } from './constructs/hub-automations.js';

/** Lambda entry points, resolved from this file so the CLI's cwd does not matter. */
const entry = (name: string): string => fileURLToPath(new URL(`../functions/runtime/aws/${name}.ts`, import.meta.url));

/**
 * Throttle of the GET handshake routes (Meta's `hub.challenge` and the like):
 * a vendor sends one when a subscription is saved, so a low fixed budget
 * keeps them from being a cheap way to spend ingest's concurrency.
 */
const HANDSHAKE_THROTTLE: Throttle = { rateLimit: 10, burstLimit: 20 };

/** `profile-writer` → `ProfileWriter`, for output ids. */
const pascal = (s: string): string =>
  s.replace(/(^|[^a-zA-Z0-9]+)([a-zA-Z0-9])/g, (_, __, c: string) => c.toUpperCase());

export interface HubStackProps extends StackProps {
  readonly config: StageConfig;
  /** @default listConnectors() — the registry in `functions/connectors/index.ts` */
  readonly connectors?: readonly ConnectorInfo[];
  /**
   * @default the `subscriptions` of `subscriptions.config.ts` — which the
   * dispatcher and api functions bundle too; pass a list only in tests.
   */
  readonly subscriptions?: readonly Subscription[];
  /** The customer console: CloudFront + S3, Cognito, a JWT-authorized API. `false` leaves it out. @default on */
  readonly console?: false | Pick<HubConsoleProps, 'domainPrefix' | 'customDomain' | 'webAclArn'>;
}

export class HubStack extends Stack {
  public readonly api: HubHttpApi;
  /** The function URL vendors call when `webhookEndpoint` is `functionUrl`. */
  public readonly webhookUrl?: FunctionUrl;
  public readonly bus: HubEventBus;
  public readonly table: HubTable;
  public readonly secrets: ConnectorSecrets;
  public readonly functions: {
    readonly ingest: HubFunction;
    readonly profileWriter: HubFunction;
    readonly api: HubFunction;
    readonly hydrator: HubFunction;
    readonly sender: HubFunction;
    readonly messageStatus: HubFunction;
  };
  public readonly ruleQueues: ReadonlyMap<string, RuleQueue>;
  /** IAM policies and roles per access level of the route table (read, send, admin). */
  public readonly access: ApiAccess;
  public readonly subscriptions: HubSubscriptions;
  public readonly analytics: HubAnalytics;
  public readonly outbound: HubOutbound;
  public readonly automations: HubAutomations;
  public readonly console?: HubConsole;

  constructor(scope: Construct, id: string, props: HubStackProps) {
    super(scope, id, {
      description: `Omnihub (${props.config.stage}): omnichannel webhooks in, single customer view out`,
      ...props,
    });
    const { config } = props;
    const connectors = props.connectors ?? listConnectors();
    const prefix = `omnihub-${config.stage}`;
    const retain = config.isDev ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    Tags.of(this).add('project', 'omnihub');
    Tags.of(this).add('stage', config.stage);

    /** Storage — the single customer view. */
    this.table = new HubTable(this, 'table', { disposable: config.isDev });

    /** Events — the bus connectors publish to, archived for replays. */
    this.bus = new HubEventBus(this, 'events', {
      eventBusName: prefix,
      archivePattern: ARCHIVE_PATTERN,
      archiveRetentionDays: config.archiveRetentionDays,
    });

    /** Secrets — one per connector, values put by operators. */
    this.secrets = new ConnectorSecrets(this, 'connector-secrets', { connectors, prefix: config.secretPrefix });

    /** Functions — thin handlers; shared settings first, then one grant per need. */
    // Each function is given only the variables its configuration declares
    // (FUNCTION_CONFIGS); HubFunction refuses others and checks the required ones.
    const common = {
      logRetention: config.logRetention,
      logRemovalPolicy: retain,
      // Deliberate log volume: WARN and up, plus every line of a sampled share of invocations.
      logLevel: config.logLevel,
      logSampleRate: config.logSampleRate,
      environment: { POWERTOOLS_SERVICE_NAME: 'omnihub' },
    };
    const country = { ...common.environment, [ENV.defaultCountry]: config.defaultCountry };
    // The store's settings; erasure holds last as long as the archive can replay (profile writer, api).
    const dedupe = {
      [ENV.dedupeTtlDays]: String(config.dedupeTtlDays),
      [ENV.archiveRetentionDays]: String(config.archiveRetentionDays),
    };
    const ingest = new HubFunction(this, 'ingest', {
      ...common,
      config: FUNCTION_CONFIGS.ingest,
      entry: entry('ingest'),
      description: 'Verifies, normalizes and publishes vendor webhooks',
      // Vendors time out after 5–20 s; ingest only verifies and publishes.
      memorySize: 512,
      timeout: Duration.seconds(10),
      ...(config.ingestReservedConcurrency === 'none'
        ? {}
        : { reservedConcurrentExecutions: config.ingestReservedConcurrency }),
      environment: { ...country, [ENV.maxBodyBytes]: String(config.maxBodyBytes) },
    });
    const profileWriter = new HubFunction(this, 'profile-writer', {
      ...common,
      config: FUNCTION_CONFIGS['profile-writer'],
      entry: entry('profile-writer'),
      description: 'Applies hub events to the single customer view',
      memorySize: 512,
      timeout: Duration.seconds(30),
      environment: { ...country, ...dedupe },
    });
    const api = new HubFunction(this, 'api', {
      ...common,
      config: FUNCTION_CONFIGS.api,
      entry: entry('api'),
      description: 'IAM-authorized read API over the customer view',
      memorySize: 256,
      timeout: Duration.seconds(10),
      // The same dedupe horizon as the writer: erase and unmerge write through the same store.
      environment: { ...country, ...dedupe },
    });
    const hydrator = new HubFunction(this, 'hydrator', {
      ...common,
      config: FUNCTION_CONFIGS.hydrator,
      entry: entry('hydrator'),
      description: 'Fetches the details of thin webhooks from vendor APIs and publishes the complete events',
      memorySize: 256,
      // Vendor APIs can be slow; the queue's visibility timeout follows this.
      timeout: Duration.seconds(30),
      environment: country,
    });

    ingest.bindBus(this.bus.eventBus);
    ingest.bindSecrets(this.secrets.secrets, config.secretPrefix, 'read');
    profileWriter.bindTable(this.table.table, 'RW');
    // Publishes `customer.merged`.
    profileWriter.bindBus(this.bus.eventBus);
    // Read API plus the privacy and repair operations: erase, unmerge (writes) and their notifications.
    api.bindTable(this.table.table, 'RW');
    api.bindBus(this.bus.eventBus);
    // Vendor API credentials live in the connector's secret: only connectors with a hydrate step.
    hydrator.bindSecrets(this.secrets.hydrationSecrets, config.secretPrefix, 'read');
    hydrator.bindBus(this.bus.eventBus);
    // GET /v1/connectors says whether a value was set from version metadata
    // (the stack creates each secret holding `{}`, so an operator's value is a
    // second labelled version); the api never reads a signing secret.
    api.bindSecrets(this.secrets.secrets, config.secretPrefix, 'status');
    ingest.addEnvironment(ENV.tableName, this.table.table.tableName);
    // Replay guard (Mailgun tokens) and secret problems for GET /v1/connectors: single items under
    // REPLAY# and CONNECTOR# only — never a profile, identity or dedupe record.
    ingest.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        resources: [this.table.table.tableArn],
        conditions: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': INGEST_KEY_PREFIXES.map((prefix) => `${prefix}*`) },
        },
      }),
    );

    /** Analytics — Firehose → S3 Parquet lake, Glue table, Athena workgroup and views. */
    this.analytics = new HubAnalytics(this, 'analytics', {
      prefix,
      disposable: config.isDev,
      viewsEntry: entry('analytics-views'),
      compactorEntry: entry('lake-compactor'),
      functionDefaults: common,
    });
    this.analytics.grantWrite(profileWriter);
    this.analytics.grantWrite(api);
    this.analytics.grantQuery(api);

    /**
     * Endpoints — the `/v1` API on the HTTP API behind SigV4; webhooks on the
     * same HTTP API (throttled per route) or on a Lambda function URL of
     * ingest (no per-request charge; reserved concurrency is its limit).
     */
    const onFunctionUrl = config.webhookEndpoint === 'functionUrl';
    this.api = new HubHttpApi(this, 'http', {
      apiName: prefix,
      routes: onFunctionUrl ? HTTP_ROUTES.filter((r) => r.fn !== 'ingest') : HTTP_ROUTES,
      handlers: { ingest, api },
      throttleRateLimit: config.throttleRateLimit,
      throttleBurstLimit: config.throttleBurstLimit,
      // Webhooks get their own budgets: a webhook flood cannot throttle the API, nor the reverse.
      routeThrottle: (route) =>
        route.auth !== 'none'
          ? undefined
          : route.method === 'GET'
            ? HANDSHAKE_THROTTLE
            : { rateLimit: config.webhookThrottleRateLimit, burstLimit: config.webhookThrottleBurstLimit },
      accessLogRetention: config.logRetention,
      accessLogRemovalPolicy: retain,
    });
    if (onFunctionUrl) {
      // Vendors authenticate by signature, checked in ingest (as on the HTTP API's public routes); cdk-nag's
      // AwsSolutions pack has no function-URL rule to acknowledge (LambdaFunctionUrlAuth is in none of its checks).
      this.webhookUrl = ingest.addFunctionUrl({ authType: FunctionUrlAuthType.NONE, invokeMode: InvokeMode.BUFFERED });
    }
    const apiBaseUrl = onFunctionUrl
      ? this.api.httpApi.apiEndpoint
      : (config.publicBaseUrl ?? this.api.httpApi.apiEndpoint);
    // `https://<id>.lambda-url.<region>.on.aws/` without the trailing slash.
    const functionUrlBase = this.webhookUrl ? `https://${Fn.select(2, Fn.split('/', this.webhookUrl.url))}` : undefined;
    const webhookBaseUrl = config.publicBaseUrl ?? functionUrlBase ?? this.api.httpApi.apiEndpoint;

    /** Access — one managed policy and role per access level, from the route table. */
    this.access = new ApiAccess(this, 'api-access', {
      httpApi: this.api.httpApi,
      stageName: this.api.stage.stageName,
      routes: HTTP_ROUTES,
      namePrefix: prefix,
    });
    // URL-signing vendors (Twilio) sign the URL they call. Ingest cannot be told its own function URL (a
    // cycle); it then rebuilds the URL from the Host header, which is that URL.
    if (!(onFunctionUrl && !config.publicBaseUrl)) ingest.addEnvironment(ENV.publicBaseUrl, webhookBaseUrl);
    api.addEnvironment(ENV.publicBaseUrl, webhookBaseUrl);

    /** Tracing — one X-Ray sampling rule for this stack's functions, instead of the account default (1/s + 5 %). */
    new CfnSamplingRule(this, 'trace-sampling', {
      samplingRule: {
        ruleName: prefix,
        priority: 100,
        reservoirSize: config.traceReservoirPerSecond,
        fixedRate: config.traceSampleRate,
        // Lambda names the stack's functions <stack name>-<id>-<suffix>.
        serviceName: `${this.stackName}-*`,
        serviceType: '*',
        host: '*',
        httpMethod: '*',
        urlPath: '*',
        resourceArn: '*',
        version: 1,
      },
    });

    /** Console — people read and act on customers through their own sign-in and API (docs/console.md). */
    if (props.console !== false) {
      this.console = new HubConsole(this, 'console', {
        prefix,
        apiFunction: api,
        routes: HTTP_ROUTES,
        tokenTriggerEntry: entry('console-token'),
        functionDefaults: common,
        removalPolicy: retain,
        logRetention: config.logRetention,
        ...props.console,
      });
    }

    // Caller recognition's console links (GET /v1/lookup on api, Binotel's apiCallSettings on ingest).
    const consoleUrl = config.consoleUrl ?? this.console?.url;
    if (consoleUrl) for (const fn of [ingest, api]) fn.addEnvironment(ENV.consoleUrl, consoleUrl);
    // Binotel's apiCallSettings: ingest reads the caller card (K#<phone>) and nothing else of the customer view.
    ingest.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:GetItem'],
        resources: [this.table.table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${CARD_KEY_PREFIX}*`] } },
      }),
    );

    /** Alarms — optional email topic for the dead-letter alarms. */
    const alarmAction = config.alarmEmail ? this.alarmTopic(prefix, config.alarmEmail) : undefined;

    /** Outbound — sender and receipt functions, least privilege. */
    this.outbound = new HubOutbound(this, 'outbound', {
      table: this.table.table,
      eventBus: this.bus.eventBus,
      secrets: this.secrets.byConnector,
      secretPrefix: config.secretPrefix,
      connectors: config.outboundConnectors,
      ...(config.sesIdentity ? { sesIdentity: config.sesIdentity } : {}),
      ...(config.quietHours ? { quietHours: config.quietHours } : {}),
      senderEntry: entry('sender'),
      messageStatusEntry: entry('message-status'),
      namePrefix: prefix,
      functionDefaults: common,
      storeEnvironment: { ...country, ...dedupe },
      apiFunction: api,
    });
    // Per-message receipt callbacks (Twilio) go to the webhooks, wherever they are served.
    this.outbound.sender.addEnvironment(ENV.publicBaseUrl, webhookBaseUrl);
    this.functions = {
      ingest,
      profileWriter,
      api,
      hydrator,
      sender: this.outbound.sender,
      messageStatus: this.outbound.messageStatus,
    };

    /** Rules — one rule → queue → consumer per entry of `HUB_RULES`. */
    const consumers: Record<HubRule['consumer'], HubFunction> = {
      'profile-writer': profileWriter,
      hydrator,
      sender: this.outbound.sender,
      'message-status': this.outbound.messageStatus,
    };
    const ruleQueues = new Map<string, RuleQueue>();
    for (const rule of HUB_RULES) {
      const consumer = consumers[rule.consumer];
      const ruleQueue = new RuleQueue(this, `rule-${rule.name}`, {
        eventBus: this.bus.eventBus,
        namePrefix: `${prefix}-${rule.name}`,
        description: rule.description,
        eventPattern: rule.pattern,
        consumerTimeout: consumer.timeout ?? Duration.seconds(30),
        alarmAction,
      });
      ruleQueue.addConsumer(consumer);
      // `/v1/queues`: depths and redrives of the hub's queues.
      ruleQueue.grantRedrive(api);
      ruleQueues.set(rule.name, ruleQueue);
      if (rule.consumer === 'sender') this.outbound.attachSenderQueue(ruleQueue);
    }
    api.addEnvironment(ENV.queueArnPrefix, this.formatArn({ service: 'sqs', resource: `${prefix}-` }));
    this.ruleQueues = ruleQueues;

    /** Automations — the runner, its rule queue and its Scheduler group (automations.config.ts). */
    this.automations = new HubAutomations(this, 'automation-runner', {
      automations: configuredAutomations,
      table: this.table.table,
      eventBus: this.bus.eventBus,
      entry: entry('automations'),
      namePrefix: prefix,
      functionDefaults: common,
      environment: {
        ...country,
        ...dedupe,
        [ENV.outboundConnectors]: (config.outboundConnectors ?? []).join(','),
        ...(config.quietHours ? { [ENV.quietHours]: config.quietHours } : {}),
        ...(config.inactiveDays !== undefined ? { [ENV.inactiveDays]: String(config.inactiveDays) } : {}),
        ...(config.birthdayTime ? { [ENV.birthdayTime]: config.birthdayTime } : {}),
      },
      ...(alarmAction ? { alarmAction } : {}),
    });

    /** Subscriptions — one rule, DLQ and retry policy per entry of subscriptions.config.ts. */
    this.subscriptions = new HubSubscriptions(this, 'subscriptions', {
      subscriptions: props.subscriptions ?? configuredSubscriptions,
      eventBus: this.bus.eventBus,
      ...(this.bus.archive ? { archive: this.bus.archive } : {}),
      stagePrefix: prefix,
      stage: config.stage,
      secretPrefix: subscriptionSecretPrefix(config.stage),
      table: this.table.table,
      dispatcherEntry: entry('dispatcher'),
      functionDefaults: common,
      apiFunction: api,
      crossAccountPrincipals: config.crossAccountPrincipals,
      ...(alarmAction ? { alarmAction } : {}),
    });

    /** Outputs — what operators paste into vendor consoles and policies. */
    new CfnOutput(this, 'ApiBaseUrl', {
      value: apiBaseUrl,
      description: 'Base URL of the /v1 API (publicBaseUrl when set and the webhooks share the HTTP API)',
    });
    new CfnOutput(this, 'WebhookBaseUrl', {
      value: webhookBaseUrl,
      description: `Base URL vendors call (${config.webhookEndpoint}; publicBaseUrl when set)`,
    });
    new CfnOutput(this, 'ApiEndpoint', {
      value: this.api.httpApi.apiEndpoint,
      description: 'execute-api endpoint; the target of a custom domain mapping',
    });
    for (const connector of connectors) {
      new CfnOutput(this, `WebhookUrl${pascal(connector.name)}`, {
        value: `${webhookBaseUrl}/webhooks/${connector.name}`,
        description: `Webhook URL to register in the ${connector.name} console`,
      });
    }
    if (this.console) {
      new CfnOutput(this, 'ConsoleUrl', { value: this.console.url, description: 'The customer console' });
      new CfnOutput(this, 'ConsoleUserPoolId', {
        value: this.console.userPool.userPoolId,
        description:
          'Create console users here (aws cognito-idp admin-create-user) and add them to viewer, agent or admin',
      });
      new CfnOutput(this, 'ConsoleApiEndpoint', {
        value: this.console.api.httpApi.apiEndpoint,
        description: 'Console API (Cognito JWT); the console calls it through the distribution at /v1/*',
      });
    }
    new CfnOutput(this, 'SecretPrefix', {
      value: config.secretPrefix,
      description: 'Connector secrets: <prefix><connector>',
    });
    new CfnOutput(this, 'EventBusName', { value: this.bus.eventBus.eventBusName });
    new CfnOutput(this, 'EventBusArn', { value: this.bus.eventBus.eventBusArn });
    if (this.bus.archive) new CfnOutput(this, 'EventArchiveName', { value: this.bus.archive.archiveName });
    new CfnOutput(this, 'TableName', { value: this.table.table.tableName });
    for (const [name, rq] of ruleQueues) {
      new CfnOutput(this, `${pascal(name)}DlqUrl`, {
        value: rq.deadLetterQueue.queueUrl,
        description: `Events the ${name} consumer could not process (redrive after fixing the cause)`,
      });
      new CfnOutput(this, `${pascal(name)}DeliveryDlqUrl`, {
        value: rq.deliveryDeadLetterQueue.queueUrl,
        description: `Events EventBridge could not deliver into the ${name} queue`,
      });
    }
    new CfnOutput(this, 'DlqAlarmNames', {
      value: [...ruleQueues.values()].flatMap((rq) => rq.alarms.map((a) => a.alarmName)).join(','),
      description: 'CloudWatch alarms that fire on the first dead-lettered event',
    });
  }

  /**
   * SNS topic for the alarms, encrypted with a key CloudWatch may use (the
   * AWS-managed SNS key excludes it). CloudWatch may use the key and publish
   * to the topic only on behalf of this stage's alarms in this account
   * (`aws:SourceAccount` + `aws:SourceArn`, against the confused deputy): every
   * alarm of the hub is named `<prefix>-…` (`RuleQueue`, `HubSubscription`),
   * and a test holds them to it.
   */
  private alarmTopic(prefix: string, email: string): SnsAction {
    const cloudWatch = new ServicePrincipal('cloudwatch.amazonaws.com');
    const fromOurAlarms = {
      StringEquals: { 'aws:SourceAccount': this.account },
      ArnLike: {
        'aws:SourceArn': this.formatArn({
          service: 'cloudwatch',
          resource: 'alarm',
          resourceName: `${prefix}-*`,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      },
    };
    const key = new Key(this, 'alarm-topic-key', {
      description: `${prefix} alarm topic encryption`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsOfThisStage',
        principals: [cloudWatch],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: fromOurAlarms,
      }),
    );
    const topic = new Topic(this, 'alarm-topic', {
      topicName: `${prefix}-alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    // The topic policy the stack writes replaces SNS's default one (which let the account's services publish).
    topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'PublishFromAlarmsOfThisStage',
        principals: [cloudWatch],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: fromOurAlarms,
      }),
    );
    topic.addSubscription(new EmailSubscription(email));
    return new SnsAction(topic);
  }
}
