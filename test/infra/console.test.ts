/**
 * The console on AWS, asserted on the synthesized template of the whole
 * default stack: private bucket behind CloudFront with origin access control,
 * the same security headers as `npm start`, a Cognito user pool for people
 * (administrator-created, MFA, Plus threat protection, three groups, a
 * groups → scopes trigger), a second HTTP API whose every route needs the
 * JWT scope of its access level in HTTP_ROUTES, the machines' IAM API
 * untouched, and cdk-nag clean with a reviewed reason per acknowledgement.
 */
import { readFileSync } from 'node:fs';
import { App, type CfnElement, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_ROLES, scopeOf } from '../../functions/shared/access.js';
import { HTTP_ROUTES, routeKey } from '../../functions/shared/routes.js';
import { parseStageConfig } from '../../lib/config.js';
import { HubStack } from '../../lib/hub-stack.js';

const CDK_CONTEXT = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')).context;

type Resources = Record<string, { Type: string; Properties: Record<string, any>; DependsOn?: string[] }>;

let stack: HubStack;
let template: Template;
/** The same stack on a custom domain behind a web ACL. */
let custom: HubStack;
const resources = (type: string): Resources => template.findResources(type) as Resources;
const only = (type: string) => {
  const found = Object.entries(resources(type));
  expect(found, type).toHaveLength(1);
  return found[0] as [string, Resources[string]];
};
const idOf = (element: unknown): string => stack.getLogicalId(element as CfnElement);

beforeAll(() => {
  const app = new App({ context: CDK_CONTEXT });
  stack = new HubStack(app, 'Omnihub-prod', {
    config: parseStageConfig({ stage: 'prod', alarmEmail: 'ops@example.com' }),
    subscriptions: [],
  });
  custom = new HubStack(app, 'Omnihub-custom', {
    config: parseStageConfig({ stage: 'custom' }),
    subscriptions: [],
    console: {
      customDomain: {
        domainName: 'console.example.com',
        certificateArn: 'arn:aws:acm:us-east-1:111122223333:certificate/0f0e0d0c-0b0a-4999-8888-777766665555',
      },
      webAclArn: 'arn:aws:wafv2:us-east-1:111122223333:global/webacl/omnihub/0f0e0d0c-0b0a-4999-8888-777766665555',
    },
  });
  // One app: the second stack reuses the first one's function bundles.
  template = Template.fromStack(stack);
}, 180_000);

describe('Infra: console files and delivery', () => {
  it('keeps the built console in a private, encrypted, TLS-only bucket that only the distribution reads (OAC)', () => {
    // Prepare
    const siteId = idOf(stack.console?.bucket.node.defaultChild);
    const distributionId = idOf(stack.console?.distribution.node.defaultChild);

    // Assess
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: Match.objectLike({}),
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 's3/' }),
    });
    expect(resources('AWS::S3::Bucket')[siteId]?.Properties.WebsiteConfiguration).toBeUndefined();
    const policy = Object.values(resources('AWS::S3::BucketPolicy')).find((p) => p.Properties.Bucket.Ref === siteId);
    const statements = policy?.Properties.PolicyDocument.Statement as any[];
    expect(statements.find((s) => s.Effect === 'Deny')?.Condition).toEqual({
      Bool: { 'aws:SecureTransport': 'false' },
    });
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({ Action: 's3:GetObject', Principal: { Service: 'cloudfront.amazonaws.com' } });
    expect(JSON.stringify(allows[0].Condition)).toContain(distributionId);
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    template.resourceCountIs('AWS::CloudFront::CloudFrontOriginAccessIdentity', 0);
  });

  it('serves the page over HTTPS with the security headers, logs access, and routes /v1/* to the console API', () => {
    // Prepare
    const [, distribution] = only('AWS::CloudFront::Distribution');
    const config = distribution.Properties.DistributionConfig;
    const apiId = idOf(stack.console?.api.httpApi.node.defaultChild);

    // Assess
    expect(config.DefaultRootObject).toBe('index.html');
    expect(config.DefaultCacheBehavior).toMatchObject({
      ViewerProtocolPolicy: 'redirect-to-https',
      AllowedMethods: ['GET', 'HEAD'],
    });
    expect(config.Logging).toMatchObject({ Prefix: 'cloudfront/' });
    expect(config.Origins.find((o: any) => o.S3OriginConfig)?.OriginAccessControlId).toBeDefined();
    const api = config.CacheBehaviors.find((b: any) => b.PathPattern === '/v1/*');
    expect(api).toMatchObject({ ViewerProtocolPolicy: 'https-only' });
    const apiOrigin = config.Origins.find((o: any) => o.Id === api.TargetOriginId);
    expect(JSON.stringify(apiOrigin.DomainName)).toContain(apiId);
    expect(apiOrigin.CustomOriginConfig).toMatchObject({
      OriginProtocolPolicy: 'https-only',
      OriginSSLProtocols: ['TLSv1.2'],
    });
  });

  it('forwards the bearer token to the API only as part of the cache key, never the Host header, and caches nothing by default', () => {
    // Prepare
    const [, cache] = only('AWS::CloudFront::CachePolicy');
    const [, requests] = only('AWS::CloudFront::OriginRequestPolicy');

    // Assess
    expect(cache.Properties.CachePolicyConfig).toMatchObject({
      DefaultTTL: 0,
      MinTTL: 0,
      ParametersInCacheKeyAndForwardedToOrigin: {
        HeadersConfig: { HeaderBehavior: 'whitelist', Headers: ['Authorization'] },
        CookiesConfig: { CookieBehavior: 'none' },
        QueryStringsConfig: { QueryStringBehavior: 'all' },
      },
    });
    const headers = requests.Properties.OriginRequestPolicyConfig.HeadersConfig;
    expect(headers.HeaderBehavior).toBe('whitelist');
    expect(headers.Headers.map((h: string) => h.toLowerCase())).not.toContain('host');
    expect(requests.Properties.OriginRequestPolicyConfig.CookiesConfig.CookieBehavior).toBe('none');
  });

  it('sends a CSP without unsafe-inline, frame-ancestors none, nosniff, DENY, no referrer and HSTS', () => {
    for (const policy of Object.values(resources('AWS::CloudFront::ResponseHeadersPolicy'))) {
      // Prepare
      const security = policy.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
      const csp = JSON.stringify(security.ContentSecurityPolicy.ContentSecurityPolicy);

      // Assess
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("default-src 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
      expect(security).toMatchObject({
        ContentTypeOptions: { Override: true },
        FrameOptions: { FrameOption: 'DENY', Override: true },
        ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
        StrictTransportSecurity: { AccessControlMaxAgeSec: 63_072_000, IncludeSubdomains: true, Override: true },
      });
    }
    const page = Object.values(resources('AWS::CloudFront::ResponseHeadersPolicy')).find((p) =>
      JSON.stringify(p.Properties).includes("script-src 'self'"),
    );
    // The page may talk to its own origin (the API is behind it) and Cognito's token endpoint only.
    expect(JSON.stringify(page?.Properties)).toMatch(/connect-src 'self' https:\/\/.*amazoncognito\.com/);
  });

  it('uploads hashed assets cached for a year, then index.html and config.json revalidated and invalidated', () => {
    // Prepare
    const deployments = Object.values(resources('Custom::CDKBucketDeployment'));

    // Assess
    expect(deployments).toHaveLength(2);
    const assets = deployments.find((d) => JSON.stringify(d.Properties.SystemMetadata ?? {}).includes('immutable'));
    const entry = deployments.find((d) => d.Properties.DistributionPaths);
    expect(assets?.Properties.Exclude).toEqual(['index.html', 'config.json']);
    expect(entry?.Properties).toMatchObject({
      Include: ['index.html', 'config.json'],
      DistributionPaths: ['/', '/index.html', '/config.json'],
      SystemMetadata: { 'cache-control': 'no-cache' },
      Prune: false,
    });
  });
});

describe('Infra: console outputs', () => {
  it('tells operators the console URL, the user pool to create people in, and the console API', () => {
    // Prepare
    const poolId = idOf(stack.console?.userPool.node.defaultChild);
    const distributionId = idOf(stack.console?.distribution.node.defaultChild);

    // Assess
    template.hasOutput('ConsoleUserPoolId', { Value: { Ref: poolId } });
    expect(JSON.stringify(template.findOutputs('ConsoleUrl'))).toContain(distributionId);
    template.hasOutput('ConsoleApiEndpoint', Match.objectLike({}));
  });
});

describe('Infra: console sign-in (Cognito)', () => {
  it('lets only administrators create users, requires TOTP MFA, a strong password and Plus threat protection', () => {
    // Prepare
    const [, pool] = only('AWS::Cognito::UserPool');

    // Assess
    expect(pool.Properties).toMatchObject({
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
      DeletionProtection: 'ACTIVE',
      Policies: {
        PasswordPolicy: {
          MinimumLength: 12,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        },
      },
    });
  });

  it('has the groups viewer, agent and admin, admin taking precedence', () => {
    // Prepare
    const groups = Object.values(resources('AWS::Cognito::UserPoolGroup')).map((g) => g.Properties);

    // Assess
    expect(groups.map((g) => g.GroupName).sort()).toEqual([...CONSOLE_ROLES].sort());
    const precedence = Object.fromEntries(groups.map((g) => [g.GroupName, g.Precedence]));
    expect(precedence.admin).toBeLessThan(precedence.agent);
    expect(precedence.agent).toBeLessThan(precedence.viewer);
  });

  it('maps groups to scopes in a version-2 pre-token-generation trigger', () => {
    // Prepare
    const [, pool] = only('AWS::Cognito::UserPool');
    const triggerId = idOf(stack.console?.tokenTrigger.node.defaultChild);

    // Assess
    expect(pool.Properties.LambdaConfig.PreTokenGenerationConfig).toEqual({
      LambdaArn: { 'Fn::GetAtt': [triggerId, 'Arn'] },
      LambdaVersion: 'V2_0',
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      FunctionName: { 'Fn::GetAtt': [triggerId, 'Arn'] },
      Principal: 'cognito-idp.amazonaws.com',
    });
  });

  it('signs in with a public PKCE client: code flow only, no secret, back to the distribution, no omnihub scope requested', () => {
    // Prepare
    const [, client] = only('AWS::Cognito::UserPoolClient');
    const distributionId = idOf(stack.console?.distribution.node.defaultChild);

    // Assess
    expect(client.Properties).toMatchObject({
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      SupportedIdentityProviders: ['COGNITO'],
      PreventUserExistenceErrors: 'ENABLED',
      EnableTokenRevocation: true,
    });
    expect(JSON.stringify(client.Properties.CallbackURLs)).toContain(distributionId);
    expect(client.Properties.ExplicitAuthFlows).toBeUndefined();
  });
});

describe('Infra: console API and the machines API side by side', () => {
  const apiRoutes = HTTP_ROUTES.filter((r) => r.fn === 'api');

  it('gives every console route the JWT authorizer and the scope of its access level', () => {
    // Prepare
    const consoleApiId = idOf(stack.console?.api.httpApi.node.defaultChild);
    const routes = Object.values(resources('AWS::ApiGatewayV2::Route')).filter(
      (r) => r.Properties.ApiId.Ref === consoleApiId,
    );
    const [authorizerId, authorizer] = only('AWS::ApiGatewayV2::Authorizer');

    // Assess
    expect(routes.map((r) => r.Properties.RouteKey).sort()).toEqual(apiRoutes.map(routeKey).sort());
    for (const route of apiRoutes) {
      const found = routes.find((r) => r.Properties.RouteKey === routeKey(route));
      expect(found?.Properties, routeKey(route)).toMatchObject({
        AuthorizationType: 'JWT',
        AuthorizerId: { Ref: authorizerId },
        AuthorizationScopes: [scopeOf(route.access as 'read' | 'send' | 'admin')],
      });
    }
    const poolId = idOf(stack.console?.userPool.node.defaultChild);
    const clientId = idOf(stack.console?.client.node.defaultChild);
    expect(authorizer.Properties.JwtConfiguration.Audience).toEqual([{ Ref: clientId }]);
    expect(JSON.stringify(authorizer.Properties.JwtConfiguration.Issuer)).toContain(poolId);
  });

  it('keeps SigV4 on every route of the machines API, and both APIs call the same api function', () => {
    // Prepare
    const hubApiId = idOf(stack.api.httpApi.node.defaultChild);
    const consoleApiId = idOf(stack.console?.api.httpApi.node.defaultChild);
    const routes = Object.values(resources('AWS::ApiGatewayV2::Route'));
    const apiFnId = idOf(stack.functions.api.node.defaultChild);

    // Assess
    for (const route of HTTP_ROUTES) {
      const hub = routes.find((r) => r.Properties.ApiId.Ref === hubApiId && r.Properties.RouteKey === routeKey(route));
      expect(hub?.Properties.AuthorizationType, routeKey(route)).toBe(route.auth === 'iam' ? 'AWS_IAM' : 'NONE');
    }
    const integrations = Object.values(resources('AWS::ApiGatewayV2::Integration'));
    for (const apiId of [hubApiId, consoleApiId]) {
      expect(
        integrations.some(
          (i) => i.Properties.ApiId.Ref === apiId && JSON.stringify(i.Properties.IntegrationUri).includes(apiFnId),
        ),
        apiId,
      ).toBe(true);
    }
  });

  it('throttles the console API and writes its access logs', () => {
    const consoleApiId = idOf(stack.console?.api.httpApi.node.defaultChild);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      ApiId: { Ref: consoleApiId },
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: Match.objectLike({ Format: Match.stringLikeRegexp('requestId') }),
    });
  });
});

describe('Infra: console cdk-nag (AwsSolutions)', () => {
  it('reports no unacknowledged error or warning for the whole stack with the console', () => {
    // Act
    const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(stack);

    // Assess
    const findings = report.violations.map(
      (v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(findings).toEqual([]);
  });

  it("acknowledges only the reviewed rules for the console's own resources and CDK's deployer, each with a reason", () => {
    // Prepare
    const scopes = [
      ...(stack.console?.node.findAll() ?? []),
      ...stack.node.children
        .filter((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'))
        .flatMap((c) => c.node.findAll()),
    ];
    const acknowledgements = scopes
      .flatMap((c) => c.node.metadata)
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) => Object.entries(m.data as Record<string, string>))
      .map(([id, reason]) => ({ id: id.replace(/^annotation::/i, ''), reason }));

    // Assess
    const siteId = idOf(stack.console?.bucket.node.defaultChild);
    expect([...new Set(acknowledgements.map((a) => a.id))].sort()).toEqual(
      [
        // CloudFront: no geo allowlist, WAF and TLS 1.2 are options (webAclArn, customDomain).
        'AwsSolutions-CFR1',
        'AwsSolutions-CFR2',
        'AwsSolutions-CFR4',
        // The access-log bucket does not log into itself.
        'AwsSolutions-S1',
        // The token trigger is a HubFunction (X-Ray, pinned runtime), like every hub function.
        'AwsSolutions-IAM5[Resource::*]',
        'AwsSolutions-L1',
        // aws-cdk-lib's BucketDeployment provider.
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        'AwsSolutions-IAM5[Action::s3:Abort*]',
        'AwsSolutions-IAM5[Action::s3:DeleteObject*]',
        'AwsSolutions-IAM5[Action::s3:GetBucket*]',
        'AwsSolutions-IAM5[Action::s3:GetObject*]',
        'AwsSolutions-IAM5[Action::s3:List*]',
        `AwsSolutions-IAM5[Resource::<${siteId}.Arn>/*]`,
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]',
      ].sort(),
    );
    for (const { id, reason } of acknowledgements) expect(reason.length, id).toBeGreaterThan(80);
  });

  it('needs no CloudFront acknowledgement when a custom domain and a web ACL are given', () => {
    // Act
    const t = Template.fromStack(custom);
    const acknowledged = (custom.console?.distribution.node.metadata ?? [])
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) => Object.keys(m.data as Record<string, string>));

    // Assess
    expect(acknowledged.map((id) => id.replace(/^annotation::/i, ''))).toEqual(['AwsSolutions-CFR1']);
    t.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Aliases: ['console.example.com'],
        ViewerCertificate: Match.objectLike({ MinimumProtocolVersion: 'TLSv1.2_2021' }),
        WebACLId: Match.stringLikeRegexp('webacl/omnihub'),
      }),
    });
    t.hasResourceProperties('AWS::Cognito::UserPoolClient', { CallbackURLs: ['https://console.example.com/'] });
  });
});
