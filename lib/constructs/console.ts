/**
 * `HubConsole`: the customer console on AWS.
 *
 * - **Static files** (built from `console/src` at synth time) in a private,
 *   encrypted S3 bucket, readable only by one CloudFront distribution through
 *   origin access control; a response headers policy adds the same CSP and
 *   security headers `npm start` sends (`functions/shared/security-headers.ts`).
 * - **People** sign in to an Amazon Cognito user pool: administrator-created
 *   users only, MFA required (TOTP), Plus-tier threat protection enforced,
 *   groups `viewer`, `agent`, `admin`. A pre-token-generation trigger turns the
 *   groups into OAuth scopes (`omnihub/read|send|admin`, cumulative).
 * - **The console API** is a second HTTP API in front of the same `api`
 *   function, with the same route keys (so the function serves both
 *   unchanged), where every route has a Cognito JWT authorizer requiring the
 *   scope of its access level in `HTTP_ROUTES`. Machines keep SigV4 on the
 *   hub's own API, untouched: a route can have only one authorizer, and a
 *   separate API also keeps the throttling and access logs of people apart
 *   from those of machines. The distribution serves it at `/v1/*`, so the
 *   page calls its own origin: no CORS, and `connect-src 'self'`.
 */
import { Duration, Lazy, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import {
  AllowedMethods,
  CacheCookieBehavior,
  CacheHeaderBehavior,
  CachePolicy,
  CacheQueryStringBehavior,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestCookieBehavior,
  OriginRequestHeaderBehavior,
  OriginRequestPolicy,
  OriginRequestQueryStringBehavior,
  PriceClass,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AccountRecovery,
  CfnUserPoolGroup,
  FeaturePlan,
  LambdaVersion,
  Mfa,
  OAuthScope,
  ResourceServerScope,
  StandardThreatProtectionMode,
  UserPool,
  type UserPoolClient,
  UserPoolClientIdentityProvider,
  type UserPoolDomain,
  UserPoolOperation,
  UserPoolResourceServer,
} from 'aws-cdk-lib/aws-cognito';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { buildConsole, writeConsole } from '../../console/build.js';
import { CONSOLE_ROLES, type ConsoleRole, ROLE_ACCESS, SCOPE_SERVER, scopeOf } from '../../functions/shared/access.js';
import type { HttpRoute as HubRoute } from '../../functions/shared/routes.js';
import { API_CSP, COMMON_SECURITY_HEADERS, consoleCsp, HSTS } from '../../functions/shared/security-headers.js';
import { FUNCTION_CONFIGS } from '../../functions/shared/config.js';
import { HubFunction, type HubFunctionProps } from './hub-function.js';
import { HubHttpApi } from './hub-http-api.js';

const HSTS_MAX_AGE_SECONDS = Number(/max-age=(\d+)/.exec(HSTS)?.[1]);

const GROUP_DESCRIPTIONS: Record<ConsoleRole, string> = {
  viewer: 'Reads customers, timelines, conversations and connectors',
  agent: 'Also messages customers',
  admin: 'Also unmerges, exports and erases customers',
};

export interface HubConsoleProps {
  /** `omnihub-<stage>`: names of the user pool, API and buckets. */
  readonly prefix: string;
  /** The `api` function the console API integrates (the hub's own read/admin API). */
  readonly apiFunction: IFunction;
  /** The route table; its `fn: 'api'` routes become the console API. */
  readonly routes: readonly HubRoute[];
  /** Entry of the Cognito token trigger (`functions/runtime/aws/console-token.ts`). */
  readonly tokenTriggerEntry: string;
  /** House defaults of the trigger function (log retention, removal policy). */
  readonly functionDefaults?: Pick<HubFunctionProps, 'logRetention' | 'logRemovalPolicy'>;
  /**
   * Prefix of the Cognito managed-login domain (`<prefix>.auth.<region>.amazoncognito.com`),
   * unique per region. @default `<prefix>-<account id>`
   */
  readonly domainPrefix?: string;
  /** Data of real people: retained unless the stage is disposable. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** Retention of access logs (API, CloudFront, S3). @default RetentionDays.THREE_MONTHS */
  readonly logRetention?: RetentionDays;
  /** Steady-state requests per second of the console API. @default 50 */
  readonly throttleRateLimit?: number;
  /** @default 100 */
  readonly throttleBurstLimit?: number;
  /**
   * Serve the console on your own name (`console.example.com`) with an ACM
   * certificate in us-east-1; TLS 1.2 or newer is then enforced.
   * @default the distribution's `*.cloudfront.net` name
   */
  readonly customDomain?: { readonly domainName: string; readonly certificateArn: string };
  /** A WAF web ACL (CLOUDFRONT scope) to put in front of the console. @default none */
  readonly webAclArn?: string;
}

export class HubConsole extends Construct {
  public readonly userPool: UserPool;
  public readonly client: UserPoolClient;
  public readonly domain: UserPoolDomain;
  public readonly api: HubHttpApi;
  public readonly bucket: Bucket;
  public readonly logBucket: Bucket;
  public readonly distribution: Distribution;
  public readonly tokenTrigger: HubFunction;
  /** `https://<distribution>.cloudfront.net` */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: HubConsoleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const retention = props.logRetention ?? RetentionDays.THREE_MONTHS;

    /** Storage — the built console, private; and the access logs of bucket and distribution. */
    this.logBucket = new Bucket(this, 'access-logs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // CloudFront standard logs are written with an ACL.
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(retention) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.logBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This is the access-log bucket of the console bucket and distribution; logging its own access into itself would loop, and its writers are only S3 and CloudFront log delivery.',
    });
    this.bucket = new Bucket(this, 'site', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 's3/',
      removalPolicy,
    });

    /** People — the user pool, its groups, the scopes, and the trigger that maps one to the other. */
    this.userPool = new UserPool(this, 'users', {
      userPoolName: `${props.prefix}-console`,
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy,
      userInvitation: {
        emailSubject: 'Your Omnihub console account',
        emailBody:
          'An administrator created your Omnihub console account. User name: {username}, temporary password: {####}. You will set a new password and an authenticator app at the first sign-in.',
      },
    });
    CONSOLE_ROLES.forEach((role, i) => {
      new CfnUserPoolGroup(this, `group-${role}`, {
        userPoolId: this.userPool.userPoolId,
        groupName: role,
        description: GROUP_DESCRIPTIONS[role],
        // Lower wins when a person is in several groups: admin, then agent, then viewer.
        precedence: CONSOLE_ROLES.length - i,
      });
    });
    new UserPoolResourceServer(this, 'scopes', {
      userPool: this.userPool,
      identifier: SCOPE_SERVER,
      userPoolResourceServerName: 'Omnihub console API',
      scopes: ROLE_ACCESS.admin.map(
        (access) => new ResourceServerScope({ scopeName: access, scopeDescription: `${access} access (HTTP_ROUTES)` }),
      ),
    });
    this.tokenTrigger = new HubFunction(this, 'token-trigger', {
      ...props.functionDefaults,
      entry: props.tokenTriggerEntry,
      config: FUNCTION_CONFIGS['console-token'],
      description: 'Cognito pre-token-generation: console groups to omnihub/* access-token scopes',
      memorySize: 128,
      timeout: Duration.seconds(5),
    });
    this.userPool.addTrigger(UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG, this.tokenTrigger, LambdaVersion.V2_0);
    this.domain = this.userPool.addDomain('login', {
      cognitoDomain: { domainPrefix: props.domainPrefix ?? `${props.prefix}-${stack.account}` },
    });

    /**
     * People's API — the read/admin routes again, each with the JWT authorizer and its access level's scope.
     * The audience is the web client, created below (its callback URL needs the distribution, which needs
     * this API): read lazily at synth.
     */
    const jwt = new HttpJwtAuthorizer(
      'console-jwt',
      `https://cognito-idp.${stack.region}.${stack.urlSuffix}/${this.userPool.userPoolId}`,
      {
        jwtAudience: [Lazy.string({ produce: () => this.client.userPoolClientId })],
      },
    );
    this.api = new HubHttpApi(this, 'api', {
      apiName: `${props.prefix}-console`,
      description: 'Omnihub console API: the read/admin routes for people, Cognito JWT with a scope per access level',
      routes: props.routes.filter((r) => r.fn === 'api' && r.auth === 'iam'),
      handlers: { api: props.apiFunction },
      throttleRateLimit: props.throttleRateLimit ?? 50,
      throttleBurstLimit: props.throttleBurstLimit ?? 100,
      accessLogRetention: retention,
      accessLogRemovalPolicy: removalPolicy,
      // Only `iam` routes are here (`none` ones are webhooks), so every route demands a scope.
      authorizerFor: (route) => ({
        authorizer: jwt,
        scopes: [scopeOf(route.access === 'none' ? 'admin' : route.access)],
      }),
    });

    /** Delivery — one CloudFront origin for the page (S3, OAC) and one for /v1/* (the console API): same origin, no CORS. */
    const pageHeaders = new ResponseHeadersPolicy(this, 'page-headers', {
      comment: `${props.prefix} console page: CSP without unsafe-inline, no framing, no sniffing, no referrer`,
      securityHeadersBehavior: securityHeaders(consoleCsp({ connect: [this.domain.baseUrl()] })),
      customHeadersBehavior: { customHeaders: CUSTOM_HEADERS },
    });
    const apiHeaders = new ResponseHeadersPolicy(this, 'api-headers', {
      comment: `${props.prefix} console API: JSON is never a document`,
      securityHeadersBehavior: securityHeaders(API_CSP),
      customHeadersBehavior: { customHeaders: CUSTOM_HEADERS },
    });
    // The bearer token reaches API Gateway only as part of the cache key (an origin request policy may not
    // forward Authorization); with a default TTL of 0 and no Cache-Control from the API nothing is cached,
    // and if it ever were, only for the same token, path and query.
    const apiCache = new CachePolicy(this, 'api-cache', {
      comment: `${props.prefix} console API: keyed by the bearer token, not cached`,
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.seconds(0),
      maxTtl: Duration.seconds(1),
      headerBehavior: CacheHeaderBehavior.allowList('Authorization'),
      queryStringBehavior: CacheQueryStringBehavior.all(),
      cookieBehavior: CacheCookieBehavior.none(),
    });
    // Never the Host header: API Gateway answers 403 to a host that is not its own.
    const apiRequests = new OriginRequestPolicy(this, 'api-requests', {
      comment: `${props.prefix} console API: query and JSON content headers, no cookies`,
      headerBehavior: OriginRequestHeaderBehavior.allowList('Content-Type', 'Accept', 'Accept-Language'),
      queryStringBehavior: OriginRequestQueryStringBehavior.all(),
      cookieBehavior: OriginRequestCookieBehavior.none(),
    });
    const apiDomain = `${this.api.httpApi.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`;
    this.distribution = new Distribution(this, 'cdn', {
      comment: `${props.prefix} customer console`,
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: pageHeaders,
        compress: true,
      },
      additionalBehaviors: {
        '/v1/*': {
          origin: new HttpOrigin(apiDomain, { protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY }),
          viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: AllowedMethods.ALLOW_ALL,
          cachePolicy: apiCache,
          originRequestPolicy: apiRequests,
          responseHeadersPolicy: apiHeaders,
          compress: true,
        },
      },
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
      ...(props.customDomain
        ? {
            domainNames: [props.customDomain.domainName],
            certificate: Certificate.fromCertificateArn(this, 'certificate', props.customDomain.certificateArn),
            minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
      ...(props.webAclArn ? { webAclId: props.webAclArn } : {}),
    });
    this.url = `https://${props.customDomain?.domainName ?? this.distribution.distributionDomainName}`;
    this.acknowledgeDistribution(props);

    /** The sign-in client — public (PKCE, no secret), authorization code only, back to the distribution. */
    this.client = this.userPool.addClient('web', {
      userPoolClientName: `${props.prefix}-console`,
      generateSecret: false,
      authFlows: {},
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: [`${this.url}/`],
        logoutUrls: [`${this.url}/`],
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      // A working day; the page keeps it in memory only.
      refreshTokenValidity: Duration.hours(8),
    });

    /** Files — hashed assets cached for a year, then index.html and config.json revalidated on every load. */
    const built = writeConsole(buildConsole());
    const assets = new BucketDeployment(this, 'assets', {
      destinationBucket: this.bucket,
      sources: [Source.asset(built, { exclude: ['index.html'] })],
      exclude: ['index.html', 'config.json'],
      // Old hashed files stay: a page loaded before a deploy still finds its scripts.
      prune: false,
      retainOnDelete: removalPolicy === RemovalPolicy.RETAIN,
      cacheControl: [CacheControl.fromString('public, max-age=31536000, immutable')],
      memoryLimit: 256,
      logGroup: new LogGroup(this, 'deploy-logs', { retention, removalPolicy }),
    });
    const entry = new BucketDeployment(this, 'entry', {
      destinationBucket: this.bucket,
      sources: [
        Source.asset(built, { exclude: ['assets', 'assets/**'] }),
        Source.jsonData('config.json', {
          auth: 'cognito',
          // The API is behind the same distribution.
          apiBaseUrl: '',
          cognito: { domain: this.domain.baseUrl(), clientId: this.client.userPoolClientId },
        }),
      ],
      exclude: ['*'],
      include: ['index.html', 'config.json'],
      prune: false,
      retainOnDelete: removalPolicy === RemovalPolicy.RETAIN,
      cacheControl: [CacheControl.noCache()],
      distribution: this.distribution,
      distributionPaths: ['/', '/index.html', '/config.json'],
      memoryLimit: 256,
      logGroup: new LogGroup(this, 'entry-deploy-logs', { retention, removalPolicy }),
    });
    // The new index.html must never point at scripts that are not uploaded yet.
    entry.node.addDependency(assets);
    this.acknowledgeDeployer();
  }

  private acknowledgeDistribution(props: HubConsoleProps): void {
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason:
        'No geo restriction: managers sign in from wherever they work (travel, remote staff), and every API call needs a Cognito session with MFA; a country allowlist is a business decision an operator adds on the distribution.',
    });
    if (!props.webAclArn)
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR2',
        reason:
          'No WAF by default: the distribution serves static files and an API where every route needs a Cognito JWT with the right scope and is throttled; sign-in attacks are met by Cognito Plus threat protection. A web ACL (a monthly fee plus per request) is attached with the webAclArn option.',
      });
    if (!props.customDomain)
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR4',
        reason:
          'On its default *.cloudfront.net name CloudFront fixes the viewer TLS policy; the minimum of TLS 1.2 needs a custom domain and certificate, which the customDomain option sets (and then enforces TLSv1.2_2021).',
      });
  }

  /**
   * The BucketDeployment provider (one singleton Lambda per stack and memory
   * size, created by aws-cdk-lib): its findings are the library's choices,
   * scoped to what it does — copy the built files in at deploy time.
   */
  private acknowledgeDeployer(): void {
    const stack = Stack.of(this);
    const provider = stack.node.children.find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
    if (!provider) throw new Error('HubConsole: the BucketDeployment provider function was not found');
    Validations.of(provider).acknowledge(
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason:
          'The role of aws-cdk-lib BucketDeployment provider, which runs only during a deployment; the managed policy lets it write its own CloudWatch logs and nothing else.',
      },
      {
        id: 'AwsSolutions-IAM5[Action::s3:GetObject*]',
        reason:
          'BucketDeployment reads the zipped console from the CDK asset bucket (GetObject*, GetBucket*, List*: the grant aws-cdk-lib makes for an asset) to copy it in.',
      },
      {
        id: 'AwsSolutions-IAM5[Action::s3:GetBucket*]',
        reason:
          'BucketDeployment reads the zipped console from the CDK asset bucket and lists the console bucket to sync it; aws-cdk-lib grants the read actions as GetBucket*.',
      },
      {
        id: 'AwsSolutions-IAM5[Action::s3:List*]',
        reason:
          'BucketDeployment lists the asset and console buckets to sync the files (aws s3 sync); aws-cdk-lib grants List* on those two buckets only.',
      },
      {
        id: 'AwsSolutions-IAM5[Action::s3:DeleteObject*]',
        reason:
          'BucketDeployment may replace the files it uploaded in the console bucket (readWrite grant of aws-cdk-lib), on that bucket only; prune is off, so it never deletes other files.',
      },
      {
        id: 'AwsSolutions-IAM5[Action::s3:Abort*]',
        reason:
          'BucketDeployment aborts its own failed multipart uploads into the console bucket (readWrite grant of aws-cdk-lib), on that bucket only.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::<consolesiteAA286500.Arn>/*]',
        reason:
          'The object-level grant of BucketDeployment: every object of the console bucket, which holds only the built console.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]',
        reason:
          'The CDK bootstrap asset bucket, from which BucketDeployment downloads the zipped console; aws-cdk-lib grants read on its objects.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'cloudfront:CreateInvalidation and GetInvalidation, granted by BucketDeployment to invalidate index.html and config.json after a deployment; aws-cdk-lib grants them on every distribution.',
      },
      {
        id: 'AwsSolutions-L1',
        reason:
          'The BucketDeployment provider runtime (Python) is chosen and upgraded by aws-cdk-lib with each release; it is not ours to pin, and it only runs during deployments.',
      },
    );
  }
}

const CUSTOM_HEADERS = [
  {
    header: 'Cross-Origin-Opener-Policy',
    value: COMMON_SECURITY_HEADERS['cross-origin-opener-policy'] as string,
    override: true,
  },
  { header: 'Permissions-Policy', value: COMMON_SECURITY_HEADERS['permissions-policy'] as string, override: true },
];

/** The CloudFront form of the security headers both runtimes send. */
const securityHeaders = (csp: string) => ({
  contentSecurityPolicy: { contentSecurityPolicy: csp, override: true },
  contentTypeOptions: { override: true },
  frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
  referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
  strictTransportSecurity: {
    accessControlMaxAge: Duration.seconds(HSTS_MAX_AGE_SECONDS),
    includeSubdomains: true,
    override: true,
  },
});
