/**
 * `HubHttpApi`: the HTTP API (API Gateway v2) built from the route table in
 * `functions/shared/routes.ts`, so the deployed API and `npm start` expose
 * exactly the same routes. Webhook routes are public (vendors authenticate by
 * signature, checked in the function); the read API requires SigV4 (IAM).
 */
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnStage,
  type CorsPreflightOptions,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  type IHttpRouteAuthorizer,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { FunctionName, HttpRoute as HubRoute } from '../../functions/shared/routes.js';
import { routeKey } from '../../functions/shared/routes.js';

/**
 * One JSON line per request. `$context.path` has no query string on purpose:
 * handshakes such as Meta's carry `hub.verify_token` in the query.
 */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    ip: '$context.identity.sourceIp',
    userAgent: '$context.identity.userAgent',
    caller: '$context.identity.userArn',
    routeKey: '$context.routeKey',
    path: '$context.path',
    status: '$context.status',
    responseLength: '$context.responseLength',
    latencyMs: '$context.responseLatency',
    integrationStatus: '$context.integration.status',
    integrationLatencyMs: '$context.integration.latency',
    integrationError: '$context.integration.error',
    error: '$context.error.message',
  }),
);

/** `GET /v1/customers/{customerId}` → `get-v1-customers-customerid` (construct ids cannot hold `/`). */
const constructIdOf = (key: string): string =>
  key
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** A token bucket of API Gateway: steady requests per second and burst. */
export interface Throttle {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

export interface HubHttpApiProps {
  /** Physical API name, e.g. `omnihub-prod`. */
  readonly apiName: string;
  /** The route table (`HTTP_ROUTES`). */
  readonly routes: readonly HubRoute[];
  /** The function behind each `fn` of the route table (only those the routes name are needed). */
  readonly handlers: Readonly<Partial<Record<FunctionName, IFunction>>>;
  /** Steady-state requests per second of every route without a throttle of its own (the stage default). */
  readonly throttleRateLimit: number;
  /** Burst of every route without a throttle of its own. */
  readonly throttleBurstLimit: number;
  /**
   * A throttle of its own for a route (a stage route setting), so one kind of
   * traffic cannot spend another's budget. @default none: the stage default
   */
  readonly routeThrottle?: (route: HubRoute) => Throttle | undefined;
  /** @default RetentionDays.ONE_MONTH */
  readonly accessLogRetention?: RetentionDays;
  /** @default RemovalPolicy.RETAIN */
  readonly accessLogRemovalPolicy?: RemovalPolicy;
  /**
   * Authorizer and scopes of each `auth: 'iam'` route; the console's API uses
   * a Cognito JWT authorizer with a scope per access level here.
   * @default IAM (SigV4) on every such route
   */
  readonly authorizerFor?: (route: HubRoute) => { authorizer: IHttpRouteAuthorizer; scopes?: string[] };
  /** CORS for a browser client on another origin. @default none */
  readonly corsPreflight?: CorsPreflightOptions;
  /** @default 'Omnihub: vendor webhooks in, customer view out' */
  readonly description?: string;
}

export class HubHttpApi extends Construct {
  public readonly httpApi: HttpApi;
  public readonly stage: HttpStage;
  public readonly accessLogGroup: LogGroup;
  /** Routes by route key (`GET /v1/customers`). */
  public readonly routes: ReadonlyMap<string, HttpRoute>;

  constructor(scope: Construct, id: string, props: HubHttpApiProps) {
    super(scope, id);
    this.httpApi = new HttpApi(this, 'api', {
      apiName: props.apiName,
      description: props.description ?? 'Omnihub: vendor webhooks in, customer view out',
      ...(props.corsPreflight ? { corsPreflight: props.corsPreflight } : {}),
      // The default stage is created below with throttling and access logs.
      createDefaultStage: false,
    });
    this.accessLogGroup = new LogGroup(this, 'access-logs', {
      retention: props.accessLogRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: props.accessLogRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.stage = new HttpStage(this, 'default-stage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.throttleRateLimit, burstLimit: props.throttleBurstLimit },
      accessLogSettings: { destination: new LogGroupLogDestination(this.accessLogGroup), format: ACCESS_LOG_FORMAT },
    });

    const integrations = new Map<FunctionName, HttpLambdaIntegration>();
    const integrationFor = (fn: FunctionName): HttpLambdaIntegration => {
      let integration = integrations.get(fn);
      if (!integration) {
        const handler = props.handlers[fn];
        if (!handler) throw new Error(`HubHttpApi ${id}: a route names the ${fn} function, but no handler was given`);
        integration = new HttpLambdaIntegration(`${fn}-integration`, handler);
        integrations.set(fn, integration);
      }
      return integration;
    };
    const iam = new HttpIamAuthorizer();
    const none = new HttpNoneAuthorizer();

    const routes = new Map<string, HttpRoute>();
    for (const route of props.routes) {
      const key = routeKey(route);
      const custom = route.auth === 'iam' ? props.authorizerFor?.(route) : undefined;
      const authorizer: IHttpRouteAuthorizer = custom?.authorizer ?? (route.auth === 'iam' ? iam : none);
      const httpRoute = new HttpRoute(this, constructIdOf(key), {
        httpApi: this.httpApi,
        routeKey: HttpRouteKey.with(route.path, HttpMethod[route.method]),
        integration: integrationFor(route.fn),
        authorizer,
        ...(custom?.scopes ? { authorizationScopes: custom.scopes } : {}),
      });
      if (route.auth === 'none') {
        Validations.of(httpRoute).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            'Vendor webhook endpoint: vendors cannot sign with SigV4 or send Cognito tokens; every request is authenticated in the ingest function by the vendor signature over the raw body (timing-safe, fails closed, 401).',
        });
      }
      routes.set(key, httpRoute);
    }
    this.routes = routes;

    // Route settings name routes by key, so the stage must be created after them; the L1
    // property is untyped JSON, hence CloudFormation's own (PascalCase) names.
    const routeSettings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};
    const cfnStage = this.stage.node.defaultChild as CfnStage;
    for (const route of props.routes) {
      const throttle = props.routeThrottle?.(route);
      if (!throttle) continue;
      routeSettings[routeKey(route)] = {
        ThrottlingRateLimit: throttle.rateLimit,
        ThrottlingBurstLimit: throttle.burstLimit,
      };
      cfnStage.node.addDependency(routes.get(routeKey(route)) as HttpRoute);
    }
    if (Object.keys(routeSettings).length > 0) cfnStage.routeSettings = routeSettings;
  }
}
