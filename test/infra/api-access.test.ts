/**
 * Who may call which route: the managed policies of
 * `ApiAccess`, synthesized on a bare stack from `HTTP_ROUTES`, evaluated the
 * way IAM evaluates them (explicit Deny wins; `*` matches any characters,
 * `/` included) against concrete request paths of every IAM route. A route
 * added to the table is checked here without touching this file.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { HTTP_ROUTES, type HttpRoute, routeKey } from '../../functions/shared/routes.js';
import { ACCESS_LEVELS, type AccessLevel, ApiAccess, accessPlan } from '../../lib/constructs/api-access.js';

interface Statement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: unknown;
}

/** `{ "Fn::Join": ["", ["arn:", {Ref}, …, "/$default/GET/v1/customers/*"]] }` → `GET/v1/customers/*`. */
const pathPartOf = (resource: unknown): string => {
  const parts = (resource as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
  const arn = parts.map((p) => (typeof p === 'string' ? p : '<token>')).join('');
  const marker = '/$default/';
  expect(arn, 'execute-api ARN on the $default stage').toContain(`:execute-api:`);
  return arn.slice(arn.indexOf(marker) + marker.length);
};

/** IAM glob, written independently of the construct's own matcher. */
const iamMatches = (pattern: string, value: string): boolean => {
  let re = '^';
  for (const c of pattern) re += c === '*' ? '.*' : c === '?' ? '.' : /[\w/-]/.test(c) ? c : `\\${c}`;
  return new RegExp(`${re}$`).test(value);
};

/** Concrete paths a caller could request for a route: parameters set to ids and to other routes' words. */
const requestsFor = (route: Pick<HttpRoute, 'method' | 'path'>): string[] => {
  const values = ['cus_0123456789abcdef01234567', 'export', 'timeline', 'unmerge', 'crm-leads'];
  let paths = [''];
  for (const part of route.path.split('/').slice(1))
    paths = paths.flatMap((p) => (/^\{.+\}$/.test(part) ? values : [part]).map((v) => `${p}/${v}`));
  return paths.map((p) => `${route.method}${p}`);
};

const levelRank = (access: string): number => ACCESS_LEVELS.indexOf(access as AccessLevel);

let template: Template;
let stack: Stack;

beforeAll(() => {
  // Prepare & Act
  const app = new App();
  stack = new Stack(app, 'Access');
  const httpApi = new HttpApi(stack, 'api', { createDefaultStage: false });
  new ApiAccess(stack, 'api-access', {
    httpApi,
    stageName: '$default',
    routes: HTTP_ROUTES,
    namePrefix: 'omnihub-prod',
  });
  template = Template.fromStack(stack);
});

const statementsOf = (level: AccessLevel): Statement[] => {
  const policies = Object.values(
    template.findResources('AWS::IAM::ManagedPolicy', {
      Properties: { ManagedPolicyName: `omnihub-prod-api-${level}` },
    }),
  );
  expect(policies, level).toHaveLength(1);
  return (policies[0] as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument
    .Statement;
};

/** What IAM decides for one request under one policy alone. */
const decide = (statements: Statement[], request: string): 'allow' | 'deny' | 'implicit deny' => {
  const matches = (s: Statement) =>
    [s.Action].flat().includes('execute-api:Invoke') &&
    [s.Resource].flat().some((r) => iamMatches(pathPartOf(r), request));
  if (statements.some((s) => s.Effect === 'Deny' && matches(s))) return 'deny';
  return statements.some((s) => s.Effect === 'Allow' && matches(s)) ? 'allow' : 'implicit deny';
};

describe('Infra: API access policies per level', () => {
  const iamRoutes = HTTP_ROUTES.filter((r) => r.auth === 'iam');

  it.each(ACCESS_LEVELS)('lets %s invoke exactly the routes at or below its level', (level) => {
    // Prepare
    const statements = statementsOf(level);

    // A request whose path also fits the ARN pattern of a route above the level (IAM's `*` spans `/`:
    // GET/v1/customers/c/messages/export fits GET/v1/customers/*/export) is denied on purpose.
    const aboveLevel = iamRoutes
      .filter((r) => levelRank(r.access) > levelRank(level))
      .map((r) => `${r.method}${r.path.replace(/\{[^}]+\}/g, '*')}`);
    for (const route of iamRoutes) {
      for (const request of requestsFor(route)) {
        const ambiguous = aboveLevel.some((pattern) => iamMatches(pattern, request));
        const expected = levelRank(route.access) <= levelRank(level) && !ambiguous ? 'allow' : 'not allowed';

        // Act
        const decision = decide(statements, request);

        // Assess
        expect(decision === 'allow' ? 'allow' : 'not allowed', `${level}: ${routeKey(route)} as ${request}`).toBe(
          expected,
        );
      }
    }
  });

  it('keeps the admin-only export out of read and send although GET /v1/customers/* reaches it', () => {
    // Act
    const read = decide(statementsOf('read'), 'GET/v1/customers/cus_1/export');
    const send = decide(statementsOf('send'), 'GET/v1/customers/cus_1/export');
    const admin = decide(statementsOf('admin'), 'GET/v1/customers/cus_1/export');

    // Assess
    expect([read, send, admin]).toEqual(['deny', 'deny', 'allow']);
    expect(decide(statementsOf('read'), 'GET/v1/customers/cus_1')).toBe('allow');
  });

  it('grants nothing but execute-api:Invoke, and never the webhook routes', () => {
    for (const level of ACCESS_LEVELS) {
      // Prepare
      const statements = statementsOf(level);

      // Assess
      expect(statements.flatMap((s) => [s.Action].flat()).every((a) => a === 'execute-api:Invoke')).toBe(true);
      expect(decide(statements, 'POST/webhooks/whatsapp')).toBe('implicit deny');
    }
  });

  it('puts a new route into the right level by its access alone', () => {
    // Prepare
    const routes: HttpRoute[] = [
      ...HTTP_ROUTES,
      { method: 'GET', path: '/v1/customers/{customerId}/notes', fn: 'api', auth: 'iam', access: 'read' },
      { method: 'GET', path: '/v1/customers/{customerId}/secrets', fn: 'api', auth: 'iam', access: 'admin' },
      { method: 'POST', path: '/v1/messages', fn: 'api', auth: 'iam', access: 'send' },
    ];

    // Act
    const plan = accessPlan(routes);

    // Assess
    expect(plan.read.allow).toContain('GET/v1/customers/*/notes');
    expect(plan.read.deny).toEqual(expect.arrayContaining(['GET/v1/customers/*/secrets', 'GET/v1/customers/*/export']));
    expect(plan.read.allow).not.toContain('POST/v1/messages');
    expect(plan.send.allow).toContain('POST/v1/messages');
    expect(plan.admin.allow).toContain('GET/v1/customers/*/secrets');
    expect(plan.admin.deny).toEqual([]);
  });

  it('refuses an IAM route without a grantable access level', () => {
    // Act & Assess
    expect(() => accessPlan([{ method: 'GET', path: '/v1/x', fn: 'api', auth: 'iam', access: 'none' }])).toThrow(
      /GET \/v1\/x: an IAM route needs access read, send or admin/,
    );
  });

  it('creates one role per level, assumable only from this account, holding only its policy', () => {
    // Assess
    template.resourceCountIs('AWS::IAM::Role', ACCESS_LEVELS.length);
    for (const level of ACCESS_LEVELS) {
      const policyId = Object.keys(
        template.findResources('AWS::IAM::ManagedPolicy', {
          Properties: { ManagedPolicyName: `omnihub-prod-api-${level}` },
        }),
      )[0];
      template.hasResourceProperties('AWS::IAM::Role', {
        RoleName: `omnihub-prod-api-${level}`,
        MaxSessionDuration: 3600,
        ManagedPolicyArns: [{ Ref: policyId }],
        AssumeRolePolicyDocument: {
          Statement: [
            Match.objectLike({
              Action: 'sts:AssumeRole',
              Effect: 'Allow',
              Principal: {
                AWS: {
                  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']],
                },
              },
            }),
          ],
        },
      });
    }
  });

  it('outputs the ARN of every policy and role', () => {
    // Prepare
    const outputs = Object.keys(template.toJSON().Outputs);

    // Assess
    for (const name of ['Read', 'Send', 'Admin']) {
      expect(outputs).toContain(`Api${name}PolicyArn`);
      expect(outputs).toContain(`Api${name}RoleArn`);
    }
  });

  it('is cdk-nag clean, each wildcard acknowledged with the routes it stands for', () => {
    // Act
    const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(stack);

    // Assess
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });
});
