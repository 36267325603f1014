/**
 * `ApiAccess`: one IAM managed policy (and one assumable role) per access
 * level of the route table, so an operator can let someone read the customer
 * view without letting them erase it. The `execute-api`
 * ARNs come from `HTTP_ROUTES`: a new route lands in the right policy by its
 * `access` alone.
 *
 * Levels are cumulative — `send` ⊇ `read`, `admin` ⊇ `send` — because an
 * agent who messages a customer must see the conversation, and an
 * administrator must see what they unmerge or erase. Grant one level per
 * principal.
 *
 * IAM's `*` also matches `/`, so the ARN of `GET /v1/customers/{customerId}`
 * (`…/GET/v1/customers/*`) would also match the admin-only
 * `GET /v1/customers/{customerId}/export`. Each policy therefore denies, by
 * name, every route above its level that one of its wildcards would reach.
 * A `Deny` wins over any `Allow`, which is why the levels are not meant to be
 * stacked on one principal: attach `admin` alone, not `read` + `admin`.
 */
import { type CfnElement, CfnOutput, Duration, Stack, Validations } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { AccountRootPrincipal, Effect, ManagedPolicy, PolicyStatement, Role } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { type HttpRoute, type RouteAccess, routeKey } from '../../functions/shared/routes.js';

/** Levels an IAM principal can be granted, lowest first. */
export const ACCESS_LEVELS = ['read', 'send', 'admin'] as const satisfies readonly RouteAccess[];
export type AccessLevel = (typeof ACCESS_LEVELS)[number];

const rank = (access: RouteAccess): number => ACCESS_LEVELS.indexOf(access as AccessLevel);

/** `GET` + `/v1/customers/{customerId}/timeline` → `GET/v1/customers/*\/timeline`: the method/path part of the ARN. */
const invokePattern = (route: Pick<HttpRoute, 'method' | 'path'>): string =>
  `${route.method}${route.path.replace(/\{[^}]+\}/g, '*')}`;

/** IAM's ARN matching: `*` any run of characters (including `/`), `?` exactly one. */
const globMatches = (pattern: string, value: string): boolean =>
  new RegExp(
    `^${pattern
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/]/g, '\\$&')))
      .join('')}$`,
  ).test(value);

/**
 * Concrete request paths of a route (`GET/v1/customers/x/export`): every
 * path parameter takes each literal segment of the table and a fresh value,
 * so a wildcard that reaches any instance of the route reaches one of these.
 */
const instancesOf = (route: Pick<HttpRoute, 'method' | 'path'>, literals: readonly string[]): string[] => {
  const values = [...literals, 'x0'];
  let paths = [''];
  for (const part of route.path.split('/').slice(1)) {
    const options = /^\{[^}]+\}$/.test(part) ? values : [part];
    paths = paths.flatMap((p) => options.map((o) => `${p}/${o}`));
  }
  return paths.map((p) => `${route.method}${p}`);
};

/** What one level's policy allows and must deny, as method/path patterns of `invokePattern`. */
export interface AccessPlan {
  readonly allow: readonly string[];
  readonly deny: readonly string[];
}

/**
 * The policy of each level from the IAM-authorized routes: allow the routes
 * at or below the level; deny each route above it that an allowed wildcard
 * would reach. Pure, so the plan is unit-tested without a synth.
 */
export const accessPlan = (routes: readonly HttpRoute[]): Record<AccessLevel, AccessPlan> => {
  const iamRoutes = routes.filter((r) => r.auth === 'iam');
  for (const r of iamRoutes) {
    if (rank(r.access) < 0) throw new Error(`${r.method} ${r.path}: an IAM route needs access read, send or admin`);
  }
  const literals = [...new Set(iamRoutes.flatMap((r) => r.path.split('/').filter((p) => p && !p.startsWith('{'))))];
  const plan = {} as Record<AccessLevel, AccessPlan>;
  for (const level of ACCESS_LEVELS) {
    const allowed = iamRoutes.filter((r) => rank(r.access) <= rank(level));
    const allow = [...new Set(allowed.map(invokePattern))];
    const deny = iamRoutes
      .filter((r) => rank(r.access) > rank(level))
      .filter((r) => instancesOf(r, literals).some((path) => allow.some((p) => globMatches(p, path))))
      .map(invokePattern);
    plan[level] = { allow, deny: [...new Set(deny)] };
  }
  return plan;
};

export interface ApiAccessProps {
  readonly httpApi: IHttpApi;
  /** Stage the routes are deployed on. */
  readonly stageName: string;
  /** The route table (`HTTP_ROUTES`); only `auth: 'iam'` routes are used. */
  readonly routes: readonly HttpRoute[];
  /** Physical name prefix, e.g. `omnihub-prod`: policies and roles are `<prefix>-api-<level>`. */
  readonly namePrefix: string;
}

export class ApiAccess extends Construct {
  /** One managed policy per level; attach it to users, groups, roles or an SSO permission set. */
  public readonly policies: Readonly<Record<AccessLevel, ManagedPolicy>>;
  /** One role per level, assumable by principals of this account that are allowed `sts:AssumeRole` on it. */
  public readonly roles: Readonly<Record<AccessLevel, Role>>;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: ApiAccessProps,
  ) {
    super(scope, id);
    const plan = accessPlan(props.routes);
    const arnOf = (pattern: string): string => {
      const slash = pattern.indexOf('/');
      return props.httpApi.arnForExecuteApi(pattern.slice(0, slash), pattern.slice(slash), props.stageName);
    };
    const policies = {} as Record<AccessLevel, ManagedPolicy>;
    const roles = {} as Record<AccessLevel, Role>;
    for (const level of ACCESS_LEVELS) {
      const { allow, deny } = plan[level];
      const statements = [
        new PolicyStatement({
          sid: 'InvokeRoutesOfThisLevel',
          actions: ['execute-api:Invoke'],
          resources: allow.map(arnOf),
        }),
      ];
      if (deny.length > 0) {
        statements.push(
          new PolicyStatement({
            sid: 'DenyHigherRoutesTheWildcardsReach',
            effect: Effect.DENY,
            actions: ['execute-api:Invoke'],
            resources: deny.map(arnOf),
          }),
        );
      }
      const policy = new ManagedPolicy(this, `${level}-policy`, {
        managedPolicyName: `${props.namePrefix}-api-${level}`,
        description: `Omnihub API, ${level} level: the ${allow.length} routes of HTTP_ROUTES with access ${ACCESS_LEVELS.slice(0, ACCESS_LEVELS.indexOf(level) + 1).join('/')}`,
        statements,
      });
      for (const pattern of allow.filter((p) => p.includes('*'))) {
        const keys = props.routes.filter((r) => r.auth === 'iam' && invokePattern(r) === pattern).map(routeKey);
        Validations.of(policy).acknowledge({
          id: `AwsSolutions-IAM5[Resource::${this.nagResource(pattern)}]`,
          reason: `Each * stands for one path parameter of ${keys.join(', ')}: an execute-api ARN names the concrete request path, so a route with a parameter can only be granted with a wildcard. Routes above this level that the wildcard would also reach are denied by name in the same policy (tested in test/infra/api-access.test.ts).`,
        });
      }
      const role = new Role(this, `${level}-role`, {
        roleName: `${props.namePrefix}-api-${level}`,
        description: `Omnihub API callers at the ${level} level (SigV4 on execute-api)`,
        assumedBy: new AccountRootPrincipal(),
        managedPolicies: [policy],
        maxSessionDuration: Duration.hours(1),
      });
      policies[level] = policy;
      roles[level] = role;
      const title = level[0]?.toUpperCase() + level.slice(1);
      new CfnOutput(Stack.of(this), `Api${title}PolicyArn`, {
        value: policy.managedPolicyArn,
        description: `Managed policy: execute-api:Invoke on the ${level}-level API routes (docs/security.md)`,
      });
      new CfnOutput(Stack.of(this), `Api${title}RoleArn`, {
        value: role.roleArn,
        description: `Role with the ${level}-level API policy, assumable from this account`,
      });
    }
    this.policies = policies;
    this.roles = roles;
  }

  /** How cdk-nag names the finding: tokens rendered as `<LogicalId>` and `<AWS::Region>`. */
  private nagResource(pattern: string): string {
    const apiId = Stack.of(this).getLogicalId(this.props.httpApi.node.defaultChild as CfnElement);
    return `arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${apiId}>/${this.props.stageName}/${pattern}`;
  }
}
