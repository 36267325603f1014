import { describe, expect, it } from 'vitest';
import {
  defineSubscriptions,
  parseSubscriptions,
  subscriptionSecretEnv,
  SubscriptionConfigError,
  type SubscriptionInput,
} from '../../functions/subscriptions/config.js';
import { assertDeployable, validateSubscriptions } from '../../functions/subscriptions/validate.js';

const lead: SubscriptionInput = {
  name: 'crm-leads',
  pattern: { 'detail-type': ['lead.submitted'] },
  target: { type: 'webhook', url: 'https://crm.example.com/hooks/omnihub' },
};

const issuesOf = (input: unknown): readonly string[] => {
  try {
    validateSubscriptions(input);
  } catch (err) {
    if (err instanceof SubscriptionConfigError) return err.issues;
    throw err;
  }
  throw new Error('expected the config to be refused');
};

describe('Subscriptions config', () => {
  it('fills in the documented defaults', () => {
    // Act
    const [s] = defineSubscriptions([lead]);

    // Assess
    expect(s).toEqual({
      ...lead,
      enabled: true,
      // A webhook carries the customer unless told otherwise.
      enrich: 'customer',
      target: { type: 'webhook', url: 'https://crm.example.com/hooks/omnihub', timeoutSeconds: 10, maxConcurrency: 10 },
      retry: { maxAttempts: 10, windowSeconds: 86_400, baseDelayMs: 1_000, maxDelayMs: 3_600_000 },
    });
  });

  it("enriches webhooks by default, native targets never, and refuses enrich: 'customer' where the dispatcher does not deliver", () => {
    // Act
    const [hook, off, lake] = defineSubscriptions([
      lead,
      { ...lead, name: 'raw', enrich: 'none' },
      { ...lead, name: 'lake', target: { type: 'sqs', queueArn: 'arn:aws:sqs:eu-central-1:123456789012:lake' } },
    ]);
    const issues = issuesOf([
      lead,
      {
        ...lead,
        name: 'lake',
        target: { type: 'sqs', queueArn: 'arn:aws:sqs:eu-central-1:123456789012:lake' },
        enrich: 'customer',
      },
      { ...lead, name: 'typo', enrich: 'profile' },
    ]);

    // Assess
    expect([hook?.enrich, off?.enrich, lake?.enrich]).toEqual(['customer', 'none', 'none']);
    expect(issues).toEqual([
      expect.stringMatching(/^subscriptions\[1\]\.enrich: only a webhook target can carry the customer/),
      expect.stringMatching(/^subscriptions\[2\]\.enrich: /),
    ]);
  });

  it('names the subscription, the field and the pattern path in every error', () => {
    // Act
    const issues = issuesOf([
      lead,
      {
        name: 'Bad Name',
        pattern: { 'detail-type': 'lead.submitted', detail: { amount: [{ numeric: ['>', 'x'] }] } },
        target: { type: 'webhook', url: 'ftp://x' },
      },
      { ...lead, target: { type: 'sqs', queueArn: 'nope' }, retry: { windowSeconds: 10 } },
      { ...lead, transform: { phone: 'detail.customer' }, extra: true },
    ]);

    // Assess
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^subscriptions\[1\]\.name: kebab-case/),
        'subscriptions[1].pattern.detail-type: must be an array of match values or a nested object, got the string "lead.submitted"',
        expect.stringMatching(/^subscriptions\[1\]\.pattern\.detail\.amount\[0\]\.numeric/),
        expect.stringMatching(/^subscriptions\[1\]\.target\.url: must be https/),
        expect.stringMatching(/^subscriptions\[2\]\.target\.queueArn: an sqs ARN/),
        expect.stringMatching(/^subscriptions\[3\]\.transform\.phone: a JSON path/),
        expect.stringMatching(/^subscriptions\[3\]: Unrecognized key: "extra"/),
        expect.stringMatching(/^subscriptions\[2\]\.name: "crm-leads" is already the name of subscriptions\[0\]/),
      ]),
    );
    expect(() => parseSubscriptions([{ ...lead, name: 'Bad' }])).toThrow(
      /Invalid subscriptions\.config\.ts:\n {2}- subscriptions\[0\]\.name/,
    );
  });

  it('bounds native targets by EventBridge retry policy limits', () => {
    // Act
    const issues = issuesOf([
      {
        name: 'lake',
        pattern: { source: [{ prefix: 'omnihub.' }] },
        target: { type: 'lambda', functionArn: 'arn:aws:lambda:eu-central-1:123456789012:function:f' },
        retry: { windowSeconds: 30 },
      },
    ]);

    // Assess
    expect(issues).toEqual([
      "subscriptions[0].retry.windowSeconds: must be 60–86400 for a lambda target (EventBridge's maximum event age)",
    ]);
  });

  it('allows http:// only for localhost, and only outside a deploy', () => {
    // Prepare
    const local = defineSubscriptions([{ ...lead, target: { type: 'webhook', url: 'http://localhost:4000/hooks' } }]);

    // Act & Assess
    expect(issuesOf([{ ...lead, target: { type: 'webhook', url: 'http://crm.example.com/hooks' } }])).toEqual([
      'subscriptions[0].target.url: must be https:// (http:// only for localhost, in the local runtime)',
    ]);
    expect(() => assertDeployable(local)).toThrow(
      /subscriptions\[0\]\.target\.url: http:\/\/localhost:4000\/hooks must be https:\/\//,
    );
    expect(() => assertDeployable(defineSubscriptions([lead]))).not.toThrow();
  });

  it.each([
    ['the instance metadata service', 'https://169.254.169.254/latest/meta-data/', /link-local \(instance metadata/],
    ['a private address', 'https://10.0.0.5/hooks', /private \(RFC 1918\)/],
    ['an IPv4-mapped private address', 'https://[::ffff:192.168.1.10]/hooks', /IPv6 form of 192\.168\.1\.10/],
    ['a unique-local IPv6 address', 'https://[fd12::1]/hooks', /unique-local/],
    ['a public IP literal', 'https://8.8.8.8/hooks', /must name a host, not the IP address/],
    ['credentials in the URL', 'https://user:pw@crm.example.com/hooks', /credentials/],
  ])('refuses %s as an endpoint, even locally', (_, url, why) => {
    // Act
    const issues = issuesOf([{ ...lead, target: { type: 'webhook', url } }]);

    // Assess
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^subscriptions\[0\]\.target\.url: /);
    expect(issues[0]).toMatch(why);
  });

  it('refuses this machine at deploy time for webhooks, API destinations and OAuth token endpoints', () => {
    // Prepare
    const local = defineSubscriptions([
      { ...lead, name: 'a', target: { type: 'webhook', url: 'https://localhost/hooks' } },
      {
        ...lead,
        name: 'b',
        target: {
          type: 'apiDestination',
          url: 'https://127.0.0.1:8443/api',
          auth: { type: 'oauth', tokenUrl: 'https://[::1]/token', clientId: 'hub' },
        },
      },
    ]);

    // Act & Assess
    expect(() => assertDeployable(local)).toThrow(
      /subscriptions\[0\]\.target\.url: https:\/\/localhost\/hooks must not point to localhost[\s\S]*subscriptions\[1\]\.target\.url: https:\/\/127\.0\.0\.1:8443\/api must not point to 127\.0\.0\.1: loopback[\s\S]*subscriptions\[1\]\.target\.auth\.tokenUrl: https:\/\/\[::1\]\/token must not point to ::1: loopback/,
    );
  });

  it('refuses headers the hub sets itself', () => {
    expect(
      issuesOf([
        { ...lead, target: { type: 'webhook', url: 'https://x.example.com', headers: { 'Webhook-Id': 'x' } } },
      ])[0],
    ).toMatch(/^subscriptions\[0\]\.target\.headers: webhook-\*, omnihub-\*/);
  });

  it('derives the local secret variable from the name', () => {
    expect(subscriptionSecretEnv('crm-leads')).toBe('OMNIHUB_SUBSCRIPTION_SECRET_CRM_LEADS');
  });
});
