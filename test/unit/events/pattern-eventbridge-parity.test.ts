/**
 * Where the local matcher used to differ from EventBridge, checked against
 * Event Ruler's own test vectors (the matcher EventBridge runs) and the
 * EventBridge documentation: CIDR ranges start at the network address, a key
 * given again (inside an `$or` branch) overrides the earlier one, and
 * patterns over the service's limits are refused as `PutRule` refuses them.
 */
import { describe, expect, it } from 'vitest';
import { compilePattern, validatePattern } from '../../../functions/events/pattern-matcher.js';
import {
  MAX_OR_COMBINATIONS,
  MAX_PATTERN_CHARS,
  MAX_WILDCARD_COMPLEXITY,
  wildcardComplexity,
} from '../../../functions/events/pattern/limits.js';

const RULER_CIDR_TEST =
  'https://github.com/aws/event-ruler/blob/main/src/test/software/amazon/event/ruler/CIDRTest.java';
const RULER_COMPILER_TEST =
  'https://github.com/aws/event-ruler/blob/main/src/test/software/amazon/event/ruler/JsonRuleCompilerTest.java';
const EB_FILTERING =
  'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html';
const EB_OPERATORS = 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html';
const EB_QUOTAS = 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html';

const matches = (pattern: Record<string, unknown>, event: Record<string, unknown>) => compilePattern(pattern)(event);

/** Hex of an address as Ruler prints it (`CIDR.ipToString`), IPv4 in 8 digits, IPv6 in 32. */
const toAddress = (hex: string): string =>
  hex.length === 8
    ? (hex.match(/../g) ?? []).map((b) => Number.parseInt(b, 16)).join('.')
    : (hex.match(/..../g) ?? []).join(':');

const offset = (hex: string, delta: bigint): string =>
  (BigInt(`0x${hex}`) + delta).toString(16).toUpperCase().padStart(hex.length, '0');

describe(`EventBridge parity: cidr ranges (${RULER_CIDR_TEST}, TestCorrectRanges)`, () => {
  // The CIDRs of Ruler's TestCorrectRanges and the ranges it expects ("The first few do not specify the
  // minimum IP address of the CIDR range... We must calculate the floor of the CIDR range ourselves").
  const RANGES: readonly [cidr: string, low: string, high: string][] = [
    [
      '0011:2233:4455:6677:8899:aabb:ccdd:eeff/24',
      '00112200000000000000000000000000',
      '001122FFFFFFFFFFFFFFFFFFFFFFFFFF',
    ],
    ['2001:db8::ff00:42:8329/24', '20010D00000000000000000000000000', '20010DFFFFFFFFFFFFFFFFFFFFFFFFFF'],
    ['::1/24', '00000000000000000000000000000000', '000000FFFFFFFFFFFFFFFFFFFFFFFFFF'],
    ['10.0.0.0/24', '0A000000', '0A0000FF'],
    ['54.240.196.171/24', '36F0C400', '36F0C4FF'],
    ['192.0.2.0/24', 'C0000200', 'C00002FF'],
    ['13.32.0.0/15', '0D200000', '0D21FFFF'],
    ['27.0.0.0/22', '1B000000', '1B0003FF'],
    ['52.76.128.0/17', '344C8000', '344CFFFF'],
    ['34.192.0.0/12', '22C00000', '22CFFFFF'],
    ['2400:6500:FF00::36FB:1F80/122', '24006500FF0000000000000036FB1F80', '24006500FF0000000000000036FB1FBF'],
    ['2600:9000::/28', '26009000000000000000000000000000', '2600900FFFFFFFFFFFFFFFFFFFFFFFFF'],
    ['2600:1F11::/36', '26001F11000000000000000000000000', '26001F110FFFFFFFFFFFFFFFFFFFFFFF'],
    ['2600:1F14::/35', '26001F14000000000000000000000000', '26001F141FFFFFFFFFFFFFFFFFFFFFFF'],
  ];

  it.each(RANGES)('%s spans %s–%s and nothing either side', (cidr, low, high) => {
    // Prepare
    const inRange = compilePattern({ ip: [{ cidr }] });
    const at = (hex: string) => inRange({ ip: toAddress(hex) });

    // Act & Assess: both ends inside, one address beyond each end outside.
    expect([at(low), at(high)]).toEqual([true, true]);
    if (!/^0+$/.test(low)) expect(at(offset(low, -1n))).toBe(false);
    if (!/^F+$/.test(high)) expect(at(offset(high, 1n))).toBe(false);
  });

  it('a range written with host bits starts at the network address (220.160.154.255/24 holds 220.160.154.0)', () => {
    expect(matches({ ip: [{ cidr: '220.160.154.255/24' }] }, { ip: '220.160.154.0' })).toBe(true);
    expect(matches({ ip: [{ cidr: '220.160.154.255/24' }] }, { ip: '220.160.153.255' })).toBe(false);
  });

  it.each([
    '192.168.0.1/33',
    'foo',
    'foo/bar/baz',
    '192.168.0.1/foo',
    '192.168.0.1/-3424',
    'snorkle/3',
    '10.10.10.10.10/3',
    '2.1.0.-1/3',
    '2400:6500:FF00::36FB:1F80/222',
  ])('refuses the malformed CIDR %s (SpotMalformedCIDRs)', (cidr) => {
    expect(validatePattern({ ip: [{ cidr }] })).toEqual([expect.stringMatching(/^ip\[0\]\.cidr: /)]);
  });
});

describe(`EventBridge parity: a key given again overrides (${RULER_COMPILER_TEST}, testWithRuleOverride; ${EB_FILTERING})`, () => {
  // Ruler's rule: name in [a, b] AND (name anything-but a OR condition1 = x), with rule overriding on.
  const RULE = { name: ['a', 'b'], $or: [{ name: [{ 'anything-but': 'a' }] }, { condition1: ['x'] }] };

  it('accepts the pattern', () => {
    expect(validatePattern(RULE)).toEqual([]);
  });

  it('the second branch keeps the outer key: name "a" with condition1 "x" matches', () => {
    expect(matches(RULE, { name: 'a', condition1: 'x' })).toBe(true);
  });

  it('the first branch overrides the outer key: name "c" matches though the outer list says a or b', () => {
    expect(matches(RULE, { name: 'c' })).toBe(true);
    expect(matches(RULE, { name: 'a' })).toBe(false);
  });

  it('the last reference to a key is the one evaluated (the documentation\'s "location" note)', () => {
    // JSON objects cannot repeat a key once parsed; the same path written twice is "a.b" beside a: { b }.
    const pattern = { 'detail.location': [{ prefix: 'us-' }], detail: { location: [{ 'anything-but': 'us-east' }] } };
    expect(matches(pattern, { detail: { location: 'eu-west' } })).toBe(true);
    expect(matches(pattern, { detail: { location: 'us-east' } })).toBe(false);
  });
});

describe(`EventBridge parity: limits (${EB_QUOTAS}; ${EB_OPERATORS})`, () => {
  /** Sibling fields, each an `$or` of `counts[i]` alternatives: their product is the number of combinations. */
  const ors = (...counts: number[]): Record<string, unknown> =>
    Object.fromEntries(
      counts.map((n, field) => [`f${field}`, { $or: Array.from({ length: n }, (_, i) => ({ [`k${i}`]: ['v'] })) }]),
    );

  it(`accepts exactly ${MAX_OR_COMBINATIONS} $or combinations and refuses more`, () => {
    // 10 × 10 × 10 = 1,000; 10 × 10 × 11 = 1,100.
    expect(validatePattern(ors(10, 10, 10))).toEqual([]);
    expect(compilePattern(ors(10, 10, 10))({ f0: { k3: 'v' }, f1: { k0: 'v' }, f2: { k9: 'v' } })).toBe(true);
    expect(validatePattern(ors(10, 10, 11))).toEqual([
      expect.stringMatching(
        /^f2\.\$or: the pattern expands to 1100 \$or combinations; EventBridge refuses more than 1000$/,
      ),
    ]);
  });

  it('refuses a pattern whose expansion would explode, without building it', () => {
    // 20^6 = 64 million alternatives: refused at the first $or that passes the limit.
    const started = performance.now();
    const errors = validatePattern(ors(20, 20, 20, 20, 20, 20));
    expect(errors.join('\n')).toMatch(/\$or combinations; EventBridge refuses more than 1000/);
    // A loose bound that only an exponential expansion would break (seconds, or out of memory).
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it(`refuses a pattern over ${MAX_PATTERN_CHARS} characters (the default event pattern size quota)`, () => {
    const values = Array.from({ length: 200 }, (_, i) => `value-${i}`);
    expect(JSON.stringify({ a: values }).length).toBeGreaterThan(MAX_PATTERN_CHARS);
    expect(validatePattern({ a: values })).toEqual([
      expect.stringMatching(
        /^\(root\): the pattern is \d+ characters; EventBridge's event pattern size quota is 2048$/,
      ),
    ]);
  });

  it('measures wildcard complexity as the wildcard prefixes one value keeps active at once', () => {
    // A deterministic prefix adds nothing; each further `*` can stay active; repeated sequences multiply.
    expect(wildcardComplexity(['order-*'])).toBe(1);
    expect(wildcardComplexity(['*.png'])).toBe(2);
    expect(wildcardComplexity(['*a*a*a*a*'])).toBe(5);
    expect(wildcardComplexity(['*a*a*a*a*a*a*a*a*a*a*a*'])).toBeGreaterThan(MAX_WILDCARD_COMPLEXITY);
  });

  it('refuses over-complex wildcards, counting every alternative of the same field', () => {
    // Three stack names deploy, four are refused: each `*:stack/<name>/*` adds up to three active prefixes.
    const stacks = (n: number) => ({
      detail: { 'stack-id': Array.from({ length: n }, (_, i) => ({ wildcard: `*:stack/stack-${i}/*` })) },
    });
    expect(validatePattern(stacks(3))).toEqual([]);
    expect(validatePattern(stacks(4))).toEqual([
      expect.stringMatching(/^detail\.stack-id: rule is too complex - try using fewer wildcard characters/),
    ]);
    // The same four split across $or branches are one machine on AWS: still refused.
    const split = {
      $or: [0, 1, 2, 3].map((i) => ({ detail: { 'stack-id': [{ wildcard: `*:stack/stack-${i}/*` }] } })),
    };
    expect(validatePattern(split)).toEqual([expect.stringMatching(/rule is too complex/)]);
    // Negated wildcards count too.
    expect(validatePattern({ f: [{ 'anything-but': { wildcard: '*ab*ab*ab*ab*ab*' } }] })).toEqual([
      expect.stringMatching(/^f: rule is too complex/),
    ]);
  });
});
