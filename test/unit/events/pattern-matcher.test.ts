import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compilePattern,
  InvalidEventPatternError,
  matchesPattern,
  validatePattern,
} from '../../../functions/events/pattern-matcher.js';
import { HUB_EVENT_TYPES, SOURCE_PREFIX } from '../../../functions/events/hub-event.js';
import {
  ARCHIVE_PATTERN,
  HUB_RULES,
  HYDRATION_DETAIL_TYPE,
  HYDRATOR_RULE,
  PROFILE_WRITER_RULE,
  type EventPattern,
} from '../../../functions/events/rules.js';

// Where each documented case comes from.
const OPERATORS = 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html';
const FILTERING =
  'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html';
const PATTERNS = 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html';
const NULLS = 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-null-values.html';
const ARRAYS = 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html';
const WILDCARD_BLOG =
  'https://aws.amazon.com/blogs/compute/filtering-events-in-amazon-eventbridge-with-wildcard-pattern-matching/';
// Event Ruler is the matcher EventBridge runs; its README documents the semantics the user guide leaves out.
const RULER = 'https://github.com/aws/event-ruler/blob/main/README.md';

interface MatchCase {
  readonly name: string;
  readonly source: string;
  readonly pattern: EventPattern;
  readonly event: unknown;
  readonly matches: boolean;
}

/** A full EventBridge envelope around `detail`, as rules receive it. */
const envelope = (detail: unknown, top: Record<string, unknown> = {}) => ({
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail,
  ...top,
});

// The sample event of the Event Ruler README ("Ruler by Example").
const RULER_EVENT = {
  version: '0',
  id: 'ddddd4-aaaa-7777-4444-345dd43cc333',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '012345679012',
  time: '2017-10-02T16:24:49Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
  detail: {
    'c-count': 5,
    'd-count': 3,
    'x-limit': 301.8,
    'source-ip': '10.0.0.33',
    'instance-id': 'i-000000aaaaaa00000',
    state: 'running',
  },
};

const EC2_TERMINATED: EventPattern = {
  source: ['aws.ec2'],
  'detail-type': ['EC2 Instance State-change Notification'],
  detail: { state: ['terminated'] },
};

const NUMERIC_EXAMPLE: EventPattern = {
  detail: {
    'c-count': [{ numeric: ['>', 0, '<=', 5] }],
    'd-count': [{ numeric: ['<', 10] }],
    'x-limit': [{ numeric: ['=', 3.018e2] }],
  },
};

const NESTED_OR: EventPattern = {
  source: ['aws.cloudwatch'],
  $or: [
    { metricName: ['CPUUtilization', 'ReadLatency'] },
    {
      metricType: ['MetricType'],
      namespace: ['AWS/EC2', 'AWS/ES'],
      $or: [{ metricId: [1234] }, { spaceId: [1000] }],
    },
    { scope: ['Service'] },
  ],
};

const EMPLOYEES = {
  employees: [
    { firstName: 'John', lastName: 'Doe' },
    { firstName: 'Anna', lastName: 'Smith' },
    { firstName: 'Peter', lastName: 'Jones' },
  ],
};

const DOCUMENTED_CASES: readonly MatchCase[] = [
  // Structure: fields AND, values OR, nesting as in the event.
  {
    name: 'EC2 termination pattern matches its event',
    source: PATTERNS,
    pattern: EC2_TERMINATED,
    event: envelope({ 'instance-id': 'i-1234567890abcdef0', state: 'terminated' }),
    matches: true,
  },
  {
    name: 'EC2 termination pattern ignores a running instance',
    source: PATTERNS,
    pattern: EC2_TERMINATED,
    event: envelope({ 'instance-id': 'i-1234567890abcdef0', state: 'running' }),
    matches: false,
  },
  {
    name: 'values in one field are OR-ed (PaymentType Credit or Debit)',
    source: OPERATORS,
    pattern: { detail: { PaymentType: ['Credit', 'Debit'] } },
    event: envelope({ PaymentType: 'Debit' }),
    matches: true,
  },
  {
    name: 'fields are AND-ed (Location and Day)',
    source: OPERATORS,
    pattern: { detail: { Location: ['New York'], Day: ['Monday'] } },
    event: envelope({ Location: 'New York', Day: 'Tuesday' }),
    matches: false,
  },
  {
    name: 'equals: Name is "Alice"',
    source: OPERATORS,
    pattern: { detail: { Name: ['Alice'] } },
    event: envelope({ Name: 'Alice' }),
    matches: true,
  },
  {
    name: 'exact matching is case-sensitive',
    source: OPERATORS,
    pattern: { detail: { Name: ['Alice'] } },
    event: envelope({ Name: 'alice' }),
    matches: false,
  },

  // Prefix and suffix.
  {
    name: 'prefix: time starts with 2017-10-02',
    source: FILTERING,
    pattern: { time: [{ prefix: '2017-10-02' }] },
    event: envelope({}, { time: '2017-10-02T18:43:48Z' }),
    matches: true,
  },
  {
    name: 'prefix: another day does not match',
    source: FILTERING,
    pattern: { time: [{ prefix: '2017-10-02' }] },
    event: envelope({}, { time: '2017-10-03T18:43:48Z' }),
    matches: false,
  },
  {
    name: 'prefix ignoring case: service starts with EventB',
    source: OPERATORS,
    pattern: { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
    event: envelope({ service: 'EVENTBRIDGE' }),
    matches: true,
  },
  {
    name: 'prefix ignoring case: another service does not match',
    source: OPERATORS,
    pattern: { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
    event: envelope({ service: 'SQS' }),
    matches: false,
  },
  {
    name: 'suffix: FileName ends with .png',
    source: OPERATORS,
    pattern: { detail: { FileName: [{ suffix: '.png' }] } },
    event: envelope({ FileName: 'image.png' }),
    matches: true,
  },
  {
    name: 'suffix is case-sensitive',
    source: OPERATORS,
    pattern: { detail: { FileName: [{ suffix: '.png' }] } },
    event: envelope({ FileName: 'image.PNG' }),
    matches: false,
  },
  {
    name: 'suffix ignoring case: .png matches .PNG',
    source: OPERATORS,
    pattern: { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } },
    event: envelope({ FileName: 'image.PNG' }),
    matches: true,
  },
  {
    name: 'suffix ignoring case: service ends with tBridge',
    source: OPERATORS,
    pattern: { detail: { service: [{ suffix: { 'equals-ignore-case': 'tBridge' } }] } },
    event: envelope({ service: 'EVENTBRIDGE' }),
    matches: true,
  },

  // Equals-ignore-case, empty strings and null.
  {
    name: 'equals-ignore-case: alice matches ALICE',
    source: OPERATORS,
    pattern: { detail: { Name: [{ 'equals-ignore-case': 'alice' }] } },
    event: envelope({ Name: 'ALICE' }),
    matches: true,
  },
  {
    name: 'equals-ignore-case is not a prefix match',
    source: OPERATORS,
    pattern: { detail: { Name: [{ 'equals-ignore-case': 'alice' }] } },
    event: envelope({ Name: 'Alicia' }),
    matches: false,
  },
  {
    name: 'empty: LastName is ""',
    source: OPERATORS,
    pattern: { detail: { LastName: [''] } },
    event: envelope({ LastName: '' }),
    matches: true,
  },
  {
    name: 'null: responseElements is null',
    source: NULLS,
    pattern: { detail: { responseElements: [null] } },
    event: envelope({ eventVersion: '', responseElements: null }),
    matches: true,
  },
  {
    name: 'empty string: eventVersion is ""',
    source: NULLS,
    pattern: { detail: { eventVersion: [''] } },
    event: envelope({ eventVersion: '', responseElements: null }),
    matches: true,
  },
  {
    name: 'null does not match an empty string',
    source: NULLS,
    pattern: { detail: { eventVersion: [null] } },
    event: envelope({ eventVersion: '', responseElements: null }),
    matches: false,
  },
  {
    name: 'an empty string does not match null',
    source: NULLS,
    pattern: { detail: { responseElements: [''] } },
    event: envelope({ eventVersion: '', responseElements: null }),
    matches: false,
  },

  // Anything-but.
  {
    name: 'anything-but a string: running passes',
    source: FILTERING,
    pattern: { detail: { state: [{ 'anything-but': 'initializing' }] } },
    event: envelope({ state: 'running' }),
    matches: true,
  },
  {
    name: 'anything-but a string: the excluded value fails',
    source: FILTERING,
    pattern: { detail: { state: [{ 'anything-but': 'initializing' }] } },
    event: envelope({ state: 'initializing' }),
    matches: false,
  },
  {
    name: 'anything-but a number: 456 passes',
    source: FILTERING,
    pattern: { detail: { 'x-limit': [{ 'anything-but': 123 }] } },
    event: envelope({ 'x-limit': 456 }),
    matches: true,
  },
  {
    name: 'anything-but a number: 123 fails',
    source: FILTERING,
    pattern: { detail: { 'x-limit': [{ 'anything-but': 123 }] } },
    event: envelope({ 'x-limit': 123 }),
    matches: false,
  },
  {
    name: 'anything-but a list of strings: stopped fails',
    source: FILTERING,
    pattern: { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
    event: envelope({ state: 'stopped' }),
    matches: false,
  },
  {
    name: 'anything-but a list of strings: running passes',
    source: FILTERING,
    pattern: { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
    event: envelope({ state: 'running' }),
    matches: true,
  },
  {
    name: 'anything-but a list of numbers: 200 fails',
    source: FILTERING,
    pattern: { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } },
    event: envelope({ 'x-limit': 200 }),
    matches: false,
  },
  {
    name: 'anything-but a list of numbers: 150 passes',
    source: FILTERING,
    pattern: { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } },
    event: envelope({ 'x-limit': 150 }),
    matches: true,
  },
  {
    name: 'anything-but prefix init: initializing fails',
    source: FILTERING,
    pattern: { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
    event: envelope({ state: 'initializing' }),
    matches: false,
  },
  {
    name: 'anything-but prefix us-: a region outside the US passes',
    source: OPERATORS,
    pattern: { region: [{ 'anything-but': { prefix: 'us-' } }] },
    event: envelope({}, { region: 'eu-west-1' }),
    matches: true,
  },
  {
    name: 'anything-but suffix .png: a .png fails',
    source: OPERATORS,
    pattern: { detail: { FileName: [{ 'anything-but': { suffix: '.png' } }] } },
    event: envelope({ FileName: 'photo.png' }),
    matches: false,
  },
  {
    name: 'anything-but suffix .png: a .txt passes',
    source: OPERATORS,
    pattern: { detail: { FileName: [{ 'anything-but': { suffix: '.png' } }] } },
    event: envelope({ FileName: 'notes.txt' }),
    matches: true,
  },
  {
    name: 'anything-but ignoring case: INITIALIZING fails',
    source: OPERATORS,
    pattern: { detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] } },
    event: envelope({ state: 'INITIALIZING' }),
    matches: false,
  },
  {
    name: 'anything-but ignoring case, list form: overloaded fails',
    source: OPERATORS,
    pattern: { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['Stopped', 'OverLoaded'] } }] } },
    event: envelope({ state: 'overloaded' }),
    matches: false,
  },
  {
    name: 'anything-but wildcard */lib/*: a lib path fails',
    source: OPERATORS,
    pattern: { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } },
    event: envelope({ FilePath: '/usr/lib/libc.so' }),
    matches: false,
  },
  {
    name: 'anything-but wildcard */lib/*: a bin path passes',
    source: OPERATORS,
    pattern: { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } },
    event: envelope({ FilePath: '/usr/bin/env' }),
    matches: true,
  },

  // Numeric.
  {
    name: 'numeric: c-count, d-count and x-limit all in range',
    source: FILTERING,
    pattern: NUMERIC_EXAMPLE,
    event: RULER_EVENT,
    matches: true,
  },
  {
    name: 'numeric: c-count 0 is not > 0',
    source: FILTERING,
    pattern: NUMERIC_EXAMPLE,
    event: { ...RULER_EVENT, detail: { ...RULER_EVENT.detail, 'c-count': 0 } },
    matches: false,
  },
  {
    name: 'numeric: x-limit 301.9 is not = 3.018e2',
    source: FILTERING,
    pattern: NUMERIC_EXAMPLE,
    event: { ...RULER_EVENT, detail: { ...RULER_EVENT.detail, 'x-limit': 301.9 } },
    matches: false,
  },
  {
    name: 'numeric range: Price 20 is > 10 and <= 20',
    source: OPERATORS,
    pattern: { detail: { Price: [{ numeric: ['>', 10, '<=', 20] }] } },
    event: envelope({ Price: 20 }),
    matches: true,
  },
  {
    name: 'numeric range: Price 10 is not > 10',
    source: OPERATORS,
    pattern: { detail: { Price: [{ numeric: ['>', 10, '<=', 20] }] } },
    event: envelope({ Price: 10 }),
    matches: false,
  },
  {
    name: 'numeric equals: Price is 100',
    source: OPERATORS,
    pattern: { detail: { Price: [{ numeric: ['=', 100] }] } },
    event: envelope({ Price: 1e2 }),
    matches: true,
  },

  // IP addresses.
  {
    name: 'cidr 10.0.0.0/24 contains 10.0.0.255',
    source: FILTERING,
    pattern: { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } },
    event: envelope({ sourceIPAddress: '10.0.0.255' }),
    matches: true,
  },
  {
    name: 'cidr 10.0.0.0/24 does not contain 10.0.1.0',
    source: FILTERING,
    pattern: { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } },
    event: envelope({ sourceIPAddress: '10.0.1.0' }),
    matches: false,
  },

  // Exists: leaves only.
  {
    name: 'exists true: detail.state is present',
    source: FILTERING,
    pattern: { detail: { state: [{ exists: true }] } },
    event: envelope({ 'instance-id': 'i-abcd1111', state: 'pending' }),
    matches: true,
  },
  {
    name: 'exists true: no detail.state',
    source: FILTERING,
    pattern: { detail: { state: [{ exists: true }] } },
    event: envelope({ 'c-count': { c1: 100 } }),
    matches: false,
  },
  {
    name: 'exists false: no detail.c-count',
    source: FILTERING,
    pattern: { detail: { 'c-count': [{ exists: false }] } },
    event: envelope({ state: ['initializing', 'running'] }),
    matches: true,
  },
  {
    name: 'exists false: c-count is an object, not a leaf',
    source: RULER,
    pattern: { detail: { 'c-count': [{ exists: false }] } },
    event: envelope({ state: ['initializing', 'running'], 'c-count': { c1: 100 } }),
    matches: true,
  },

  // Arrays.
  {
    name: 'arrays: pattern and event arrays intersect',
    source: ARRAYS,
    pattern: {
      resources: [
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
      ],
    },
    event: envelope(
      {},
      {
        resources: [
          'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate',
          'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        ],
      },
    ),
    matches: true,
  },
  {
    name: 'arrays: a field of one array element (Anna)',
    source: RULER,
    pattern: { employees: { firstName: ['Anna'] } },
    event: EMPLOYEES,
    matches: true,
  },
  {
    name: 'arrays: fields from different elements never combine (Anna Jones)',
    source: RULER,
    pattern: { employees: { firstName: ['Anna'], lastName: ['Jones'] } },
    event: EMPLOYEES,
    matches: false,
  },
  {
    name: 'arrays: fields from the same element combine (Anna Smith)',
    source: RULER,
    pattern: { employees: { firstName: ['Anna'], lastName: ['Smith'] } },
    event: EMPLOYEES,
    matches: true,
  },

  // Wildcard.
  {
    name: 'wildcard dir/*.png: a png in dir',
    source: OPERATORS,
    pattern: { detail: { FileName: [{ wildcard: 'dir/*.png' }] } },
    event: envelope({ FileName: 'dir/photo.png' }),
    matches: true,
  },
  {
    name: 'wildcard dir/*.png: * also spans slashes',
    source: OPERATORS,
    pattern: { detail: { FileName: [{ wildcard: 'dir/*.png' }] } },
    event: envelope({ FileName: 'dir/2024/photo.png' }),
    matches: true,
  },
  {
    name: 'wildcard dir/*.png: a png elsewhere',
    source: OPERATORS,
    pattern: { detail: { FileName: [{ wildcard: 'dir/*.png' }] } },
    event: envelope({ FileName: 'other/photo.png' }),
    matches: false,
  },
  {
    name: 'wildcard *Title* matches Title in the middle',
    source: WILDCARD_BLOG,
    pattern: { detail: { name: [{ wildcard: '*Title*' }] } },
    event: envelope({ name: 'A Title Page' }),
    matches: true,
  },
  {
    name: 'wildcard *.png matches a bare .png',
    source: WILDCARD_BLOG,
    pattern: { detail: { name: [{ wildcard: '*.png' }] } },
    event: envelope({ name: '.png' }),
    matches: true,
  },

  // $or.
  {
    name: '$or: Location is New York, or Day is Monday',
    source: OPERATORS,
    pattern: { detail: { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] } },
    event: envelope({ Location: 'Boston', Day: 'Monday' }),
    matches: true,
  },
  {
    name: '$or: neither alternative',
    source: OPERATORS,
    pattern: { detail: { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] } },
    event: envelope({ Location: 'Boston', Day: 'Tuesday' }),
    matches: false,
  },
  {
    name: '$or numeric alternatives inside detail',
    source: OPERATORS,
    pattern: {
      detail: {
        $or: [
          { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] },
          { 'd-count': [{ numeric: ['<', 10] }] },
          { 'x-limit': [{ numeric: ['=', 3.018e2] }] },
        ],
      },
    },
    event: envelope({ 'c-count': 50, 'd-count': 50, 'x-limit': 301.8 }),
    matches: true,
  },
  {
    name: 'nested $or and AND: metricType, namespace and spaceId',
    source: RULER,
    pattern: NESTED_OR,
    event: { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/EC2', spaceId: 1000 },
    matches: true,
  },
  {
    name: 'nested $or and AND: inner $or unmet',
    source: RULER,
    pattern: NESTED_OR,
    event: { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/EC2', spaceId: 1001 },
    matches: false,
  },
  {
    name: 'nested $or and AND: the outer field still applies',
    source: RULER,
    pattern: NESTED_OR,
    event: { source: 'aws.ec2', scope: 'Service' },
    matches: false,
  },

  // Everything together.
  {
    name: 'complex example: prefix, anything-but, numeric and cidr',
    source: RULER,
    pattern: {
      time: [{ prefix: '2017-10-02' }],
      detail: {
        state: [{ 'anything-but': 'initializing' }],
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ 'anything-but': [100, 200, 300] }],
        'source-ip': [{ cidr: '10.0.0.0/8' }],
      },
    },
    event: RULER_EVENT,
    matches: true,
  },
];

const EDGE_CASES: readonly Omit<MatchCase, 'source'>[] = [
  // Missing fields.
  {
    name: 'a missing field never matches a value',
    pattern: { detail: { state: ['running'] } },
    event: envelope({}),
    matches: false,
  },
  {
    name: 'a missing field never matches null',
    pattern: { detail: { state: [null] } },
    event: envelope({}),
    matches: false,
  },
  {
    name: 'anything-but never matches a missing field',
    pattern: { detail: { state: [{ 'anything-but': 'initializing' }] } },
    event: envelope({}),
    matches: false,
  },
  {
    name: 'numeric never matches a missing field',
    pattern: { detail: { amount: [{ numeric: ['>=', 0] }] } },
    event: envelope({}),
    matches: false,
  },
  {
    name: 'a missing detail object fails nested value patterns',
    pattern: { detail: { state: ['running'] } },
    event: { source: 'aws.ec2' },
    matches: false,
  },

  // Arrays in the event.
  {
    name: 'an event array matches if any element matches',
    pattern: { detail: { tags: ['vip'] } },
    event: envelope({ tags: ['new', 'vip'] }),
    matches: true,
  },
  {
    name: 'anything-but passes if any element is not excluded',
    pattern: { detail: { tags: [{ 'anything-but': 'spam' }] } },
    event: envelope({ tags: ['spam', 'vip'] }),
    matches: true,
  },
  {
    name: 'anything-but fails if every element is excluded',
    pattern: { detail: { tags: [{ 'anything-but': 'spam' }] } },
    event: envelope({ tags: ['spam'] }),
    matches: false,
  },
  {
    name: 'numeric on an array of numbers',
    pattern: { detail: { scores: [{ numeric: ['>', 10] }] } },
    event: envelope({ scores: [1, 50] }),
    matches: true,
  },
  {
    name: 'nested arrays are flattened',
    pattern: { detail: { grid: [4] } },
    event: envelope({
      grid: [
        [1, 2],
        [3, 4],
      ],
    }),
    matches: true,
  },
  {
    name: 'an empty array is no value',
    pattern: { resources: [{ exists: true }] },
    event: envelope({}, { resources: [] }),
    matches: false,
  },
  {
    name: 'an empty array counts as absent',
    pattern: { resources: [{ exists: false }] },
    event: envelope({}, { resources: [] }),
    matches: true,
  },

  // Types are strict.
  {
    name: 'a number pattern matches the same number written 5.0',
    pattern: { detail: { n: [5] } },
    event: JSON.parse('{"detail":{"n":5.0}}'),
    matches: true,
  },
  {
    name: 'a number pattern does not match a numeric string',
    pattern: { detail: { n: [5] } },
    event: envelope({ n: '5' }),
    matches: false,
  },
  {
    name: 'a string pattern does not match a number',
    pattern: { detail: { n: ['5'] } },
    event: envelope({ n: 5 }),
    matches: false,
  },
  {
    name: 'a boolean pattern does not match the string "true"',
    pattern: { detail: { ok: [true] } },
    event: envelope({ ok: 'true' }),
    matches: false,
  },
  { name: 'false matches false', pattern: { detail: { ok: [false] } }, event: envelope({ ok: false }), matches: true },
  {
    name: 'numeric does not match a numeric string',
    pattern: { detail: { n: [{ numeric: ['>', 0] }] } },
    event: envelope({ n: '5' }),
    matches: false,
  },
  {
    name: 'numeric does not match a boolean',
    pattern: { detail: { n: [{ numeric: ['>', 0] }] } },
    event: envelope({ n: true }),
    matches: false,
  },
  {
    name: 'numeric ignores numbers beyond six decimals',
    pattern: { detail: { n: [{ numeric: ['>', 0] }] } },
    event: envelope({ n: 0.0000001 }),
    matches: false,
  },
  {
    name: 'numeric ignores numbers beyond 5e9',
    pattern: { detail: { n: [{ numeric: ['>', 0] }] } },
    event: envelope({ n: 6e9 }),
    matches: false,
  },
  {
    name: 'numeric >= includes the bound',
    pattern: { detail: { n: [{ numeric: ['>=', 1.5] }] } },
    event: envelope({ n: 1.5 }),
    matches: true,
  },
  {
    name: 'numeric < excludes the bound',
    pattern: { detail: { n: [{ numeric: ['<', 1.5] }] } },
    event: envelope({ n: 1.5 }),
    matches: false,
  },
  {
    name: 'prefix does not match a number',
    pattern: { detail: { n: [{ prefix: '1' }] } },
    event: envelope({ n: 10 }),
    matches: false,
  },
  {
    name: 'equals-ignore-case does not match a number',
    pattern: { detail: { n: [{ 'equals-ignore-case': '10' }] } },
    event: envelope({ n: 10 }),
    matches: false,
  },
  {
    name: 'wildcard does not match a number',
    pattern: { detail: { n: [{ wildcard: '*' }] } },
    event: envelope({ n: 10 }),
    matches: false,
  },
  {
    name: 'wildcard * matches the empty string',
    pattern: { detail: { s: [{ wildcard: '*' }] } },
    event: envelope({ s: '' }),
    matches: true,
  },
  {
    name: 'anything-but a string passes a number',
    pattern: { detail: { n: [{ 'anything-but': '10' }] } },
    event: envelope({ n: 10 }),
    matches: true,
  },
  {
    name: 'anything-but passes null (a present value)',
    pattern: { detail: { state: [{ 'anything-but': 'x' }] } },
    event: envelope({ state: null }),
    matches: true,
  },
  {
    name: 'anything-but prefix passes a number',
    pattern: { detail: { n: [{ 'anything-but': { prefix: '1' } }] } },
    event: envelope({ n: 10 }),
    matches: true,
  },

  // Null.
  {
    name: 'null matches null inside an array',
    pattern: { detail: { v: [null] } },
    event: envelope({ v: ['a', null] }),
    matches: true,
  },
  {
    name: 'null does not match the string "null"',
    pattern: { detail: { v: [null] } },
    event: envelope({ v: 'null' }),
    matches: false,
  },
  {
    name: 'a value pattern does not match an object',
    pattern: { detail: ['x'] },
    event: envelope({ state: 'x' }),
    matches: false,
  },
  {
    name: 'a nested pattern does not match a leaf',
    pattern: { detail: { state: { name: ['x'] } } },
    event: envelope({ state: 'x' }),
    matches: false,
  },

  // Exists.
  {
    name: 'exists true matches null',
    pattern: { detail: { v: [{ exists: true }] } },
    event: envelope({ v: null }),
    matches: true,
  },
  {
    name: 'exists true does not match an object',
    pattern: { detail: { v: [{ exists: true }] } },
    event: envelope({ v: { a: 1 } }),
    matches: false,
  },
  {
    name: 'exists false on a missing nested object',
    pattern: { detail: { customer: { email: [{ exists: false }] } } },
    event: envelope({ state: 'x' }),
    matches: true,
  },
  {
    name: 'exists false on a nested object without the leaf',
    pattern: { detail: { customer: { email: [{ exists: false }] } } },
    event: envelope({ customer: { phone: '+1' } }),
    matches: true,
  },
  {
    name: 'exists false fails when the nested leaf exists',
    pattern: { detail: { customer: { email: [{ exists: false }] } } },
    event: envelope({ customer: { email: 'a@b.c' } }),
    matches: false,
  },
  {
    name: 'exists false when detail itself is missing',
    pattern: { detail: { customer: { email: [{ exists: false }] } } },
    event: { source: 'x' },
    matches: true,
  },
  {
    name: 'exists false OR a value, value given',
    pattern: { detail: { plan: [{ exists: false }, 'free'] } },
    event: envelope({ plan: 'free' }),
    matches: true,
  },
  {
    name: 'exists false OR a value, other value given',
    pattern: { detail: { plan: [{ exists: false }, 'free'] } },
    event: envelope({ plan: 'pro' }),
    matches: false,
  },
  // Ruler checks absence against the array element already chosen by earlier (key-sorted) fields...
  {
    name: 'exists false within the array element chosen by another field',
    pattern: { items: { discount: [{ exists: false }], amount: [5] } },
    event: { items: [{ amount: 5 }, { amount: 7, discount: 1 }] },
    matches: true,
  },
  {
    name: 'exists false is checked in the matched element only',
    pattern: { items: { discount: [{ exists: false }], amount: [7] } },
    event: { items: [{ amount: 5 }, { amount: 7, discount: 1 }] },
    matches: false,
  },
  // ...and, with nothing chosen yet, against the whole event.
  {
    name: 'exists false alone fails if any array element has the field',
    pattern: { items: { discount: [{ exists: false }] } },
    event: { items: [{ amount: 5 }, { amount: 7, discount: 1 }] },
    matches: false,
  },

  // $or.
  {
    name: 'nested $or inside an $or alternative',
    pattern: { detail: { $or: [{ a: ['1'] }, { $or: [{ b: ['2'] }, { c: ['3'] }] }] } },
    event: envelope({ c: '3' }),
    matches: true,
  },
  {
    name: 'nested $or with no alternative met',
    pattern: { detail: { $or: [{ a: ['1'] }, { $or: [{ b: ['2'] }, { c: ['3'] }] }] } },
    event: envelope({ d: '4' }),
    matches: false,
  },
  {
    name: '$or alternatives with nested objects',
    pattern: { $or: [{ detail: { state: ['a'] } }, { source: ['s'] }] },
    event: envelope({ state: 'a' }),
    matches: true,
  },
  {
    name: '$or alternative with exists false',
    pattern: { detail: { $or: [{ email: [{ exists: false }] }, { verified: [true] }] } },
    event: envelope({ email: 'a@b.c', verified: false }),
    matches: false,
  },

  // Wildcard escapes.
  {
    name: 'wildcard \\* is a literal asterisk',
    pattern: { detail: { s: [{ wildcard: 'a\\*b' }] } },
    event: envelope({ s: 'a*b' }),
    matches: true,
  },
  {
    name: 'wildcard \\* does not act as a wildcard',
    pattern: { detail: { s: [{ wildcard: 'a\\*b' }] } },
    event: envelope({ s: 'axb' }),
    matches: false,
  },
  {
    name: 'wildcard \\\\ is a literal backslash',
    pattern: { detail: { s: [{ wildcard: 'C:\\\\*' }] } },
    event: envelope({ s: 'C:\\temp' }),
    matches: true,
  },
  {
    name: 'wildcard escaped star next to a wildcard',
    pattern: { detail: { s: [{ wildcard: '*\\**' }] } },
    event: envelope({ s: 'rate*limit' }),
    matches: true,
  },
  {
    name: 'wildcard segments must appear in order',
    pattern: { detail: { s: [{ wildcard: 'a*b*c' }] } },
    event: envelope({ s: 'acb' }),
    matches: false,
  },
  {
    name: 'wildcard segments may not overlap the suffix',
    pattern: { detail: { s: [{ wildcard: 'ab*ba' }] } },
    event: envelope({ s: 'aba' }),
    matches: false,
  },

  // Case folding.
  {
    name: 'equals-ignore-case folds non-ASCII letters',
    pattern: { detail: { city: [{ 'equals-ignore-case': 'КИЇВ' }] } },
    event: envelope({ city: 'Київ' }),
    matches: true,
  },

  // IP addresses.
  {
    name: 'cidr IPv6 contains a compressed address',
    pattern: { detail: { ip: [{ cidr: '2001:db8::/32' }] } },
    event: envelope({ ip: '2001:db8::1' }),
    matches: true,
  },
  {
    name: 'cidr IPv6 contains a fully written address',
    pattern: { detail: { ip: [{ cidr: '2001:db8::/32' }] } },
    event: envelope({ ip: '2001:0db8:0000:0000:0000:0000:0000:0001' }),
    matches: true,
  },
  {
    name: 'cidr IPv6 excludes the next network',
    pattern: { detail: { ip: [{ cidr: '2001:db8::/32' }] } },
    event: envelope({ ip: '2001:db9::1' }),
    matches: false,
  },
  {
    name: 'an IPv4 cidr does not contain an IPv6 address',
    pattern: { detail: { ip: [{ cidr: '0.0.0.0/0' }] } },
    event: envelope({ ip: '::1' }),
    matches: false,
  },
  {
    name: 'cidr does not match a non-address string',
    pattern: { detail: { ip: [{ cidr: '10.0.0.0/8' }] } },
    event: envelope({ ip: '10.0.0.1.5' }),
    matches: false,
  },
  {
    name: 'cidr does not match an octet above 255',
    pattern: { detail: { ip: [{ cidr: '10.0.0.0/8' }] } },
    event: envelope({ ip: '10.0.0.256' }),
    matches: false,
  },
  {
    name: 'an address literal matches any spelling of it',
    pattern: { detail: { ip: ['2001:db8::1'] } },
    event: envelope({ ip: '2001:0db8:0:0::0001' }),
    matches: true,
  },
  // Host bits in the pattern are cleared: the range starts at the network address (Ruler's CIDR.computeBottomBytes).
  {
    name: 'cidr with host bits starts at the network address',
    pattern: { detail: { ip: [{ cidr: '10.0.0.5/24' }] } },
    event: envelope({ ip: '10.0.0.4' }),
    matches: true,
  },

  // Not an event object.
  { name: 'null is not an event', pattern: { source: [{ exists: false }] }, event: null, matches: false },
  { name: 'a string is not an event', pattern: { source: [{ exists: false }] }, event: 'aws.ec2', matches: false },
  {
    name: 'an array is not an event',
    pattern: { source: [{ exists: false }] },
    event: [{ source: 'aws.ec2' }],
    matches: false,
  },
];

describe('matchesPattern: examples from the AWS documentation', () => {
  it.each(DOCUMENTED_CASES)('$name', ({ pattern, event, matches }) => {
    // Prepare
    const matcher = compilePattern(pattern);

    // Act
    const viaCompiled = matcher(event);
    const viaSimple = matchesPattern(pattern, event);

    // Assess
    expect(viaCompiled).toBe(matches);
    expect(viaSimple).toBe(matches);
  });

  it('accepts every documented pattern as valid', () => {
    // Act
    const errors = DOCUMENTED_CASES.flatMap(({ name, pattern }) =>
      validatePattern(pattern).map((e) => `${name}: ${e}`),
    );

    // Assess
    expect(errors).toEqual([]);
  });
});

describe('matchesPattern: edge cases', () => {
  it.each(EDGE_CASES)('$name', ({ pattern, event, matches }) => {
    // Act
    const result = matchesPattern(pattern, event);

    // Assess
    expect(result).toBe(matches);
  });

  it('does not mutate the event', () => {
    // Prepare
    const event = envelope({ tags: ['a', { b: 1 }], n: 5 });
    const before = structuredClone(event);

    // Act
    matchesPattern({ detail: { tags: ['a'], n: [{ numeric: ['>', 1] }] } }, event);

    // Assess
    expect(event).toEqual(before);
  });

  it('throws a typed error listing the problems of a malformed pattern', () => {
    // Act & Assess
    expect(() => matchesPattern({ detail: { state: 'running' } }, envelope({ state: 'running' }))).toThrow(
      InvalidEventPatternError,
    );
    expect(() => compilePattern({ detail: { state: [] } })).toThrow(/detail\.state: empty arrays are not allowed/);
  });
});

const VALIDATION_CASES: readonly { name: string; pattern: unknown; error: RegExp }[] = [
  { name: 'a non-object pattern', pattern: ['aws.ec2'], error: /^\(root\): an event pattern must be a JSON object/ },
  { name: 'null', pattern: null, error: /^\(root\): an event pattern must be a JSON object, got null/ },
  { name: 'an empty pattern', pattern: {}, error: /^\(root\): empty objects are not allowed/ },
  { name: 'an empty nested object', pattern: { detail: {} }, error: /^detail: empty objects are not allowed/ },
  {
    name: 'a leaf that is not an array',
    pattern: { source: 'aws.ec2' },
    error: /^source: must be an array of match values or a nested object, got the string "aws.ec2"/,
  },
  { name: 'a numeric leaf that is not an array', pattern: { detail: { n: 5 } }, error: /^detail\.n: must be an array/ },
  { name: 'an empty array', pattern: { detail: { state: [] } }, error: /^detail\.state: empty arrays are not allowed/ },
  {
    name: 'an array inside a leaf',
    pattern: { detail: { state: [['a']] } },
    error: /^detail\.state\[0\]: a match value must be/,
  },
  { name: 'a non-finite number', pattern: { n: [Number.NaN] }, error: /^n\[0\]: a match value must be/ },
  {
    name: 'an unknown operator',
    pattern: { detail: { state: [{ prefx: 'init' }] } },
    error: /^detail\.state\[0\]: unknown operator "prefx"/,
  },
  {
    name: 'an operator object with two keys',
    pattern: { s: [{ prefix: 'a', suffix: 'b' }] },
    error: /^s\[0\]: an operator object takes exactly one key, got prefix, suffix/,
  },
  {
    name: 'an empty operator object',
    pattern: { s: [{}] },
    error: /^s\[0\]: an operator object takes exactly one key, got none/,
  },
  { name: 'a non-string prefix', pattern: { s: [{ prefix: 5 }] }, error: /^s\[0\]\.prefix: must be a string or/ },
  {
    name: 'an unknown prefix option',
    pattern: { s: [{ prefix: { wildcard: 'a' } }] },
    error: /^s\[0\]\.prefix: the only option of prefix is "equals-ignore-case"/,
  },
  {
    name: 'a non-string equals-ignore-case',
    pattern: { s: [{ 'equals-ignore-case': 1 }] },
    error: /^s\[0\]\.equals-ignore-case: must be a string/,
  },
  {
    name: 'numeric that is not an array',
    pattern: { n: [{ numeric: '>5' }] },
    error: /^n\[0\]\.numeric: must be an array/,
  },
  {
    name: 'numeric with an unknown operator',
    pattern: { n: [{ numeric: ['!=', 5] }] },
    error: /^n\[0\]\.numeric\[0\]: unknown numeric operator/,
  },
  {
    name: 'numeric with a string operand',
    pattern: { n: [{ numeric: ['<', '5'] }] },
    error: /^n\[0\]\.numeric\[1\]: must be a number/,
  },
  {
    name: 'numeric range starting with an upper bound',
    pattern: { n: [{ numeric: ['<', 5, '>', 0] }] },
    error: /a range must start with > or >=/,
  },
  {
    name: 'numeric range with two lower bounds',
    pattern: { n: [{ numeric: ['>', 0, '>=', 5] }] },
    error: /^n\[0\]\.numeric\[2\]: the upper bound operator must be < or <=/,
  },
  {
    name: 'numeric equals followed by more terms',
    pattern: { n: [{ numeric: ['=', 1, '<', 5] }] },
    error: /a range must start with > or >=/,
  },
  {
    name: 'numeric with three terms',
    pattern: { n: [{ numeric: ['>', 0, '<'] }] },
    error: /^n\[0\]\.numeric: must be an array like/,
  },
  {
    name: 'numeric range with inverted bounds',
    pattern: { n: [{ numeric: ['>', 5, '<', 1] }] },
    error: /lower bound 5 must be less than the upper bound 1/,
  },
  {
    name: 'numeric operand beyond 5e9',
    pattern: { n: [{ numeric: ['>', 6e9] }] },
    error: /outside the supported range/,
  },
  {
    name: 'numeric operand with seven decimals',
    pattern: { n: [{ numeric: ['=', 0.1234567] }] },
    error: /more than 6 decimal places/,
  },
  {
    name: 'anything-but with mixed types',
    pattern: { s: [{ 'anything-but': ['a', 1] }] },
    error: /^s\[0\]\.anything-but: must be a non-empty list of only strings or only numbers/,
  },
  { name: 'anything-but with an empty list', pattern: { s: [{ 'anything-but': [] }] }, error: /non-empty list/ },
  {
    name: 'anything-but null',
    pattern: { s: [{ 'anything-but': null }] },
    error: /^s\[0\]\.anything-but: must be a string, a number, a list of them, or an object; got null/,
  },
  {
    name: 'anything-but with an unsupported option',
    pattern: { s: [{ 'anything-but': { numeric: ['>', 1] } }] },
    error: /anything-but takes exactly one of prefix, suffix, equals-ignore-case, wildcard/,
  },
  {
    name: 'anything-but with an empty prefix',
    pattern: { s: [{ 'anything-but': { prefix: '' } }] },
    error: /an empty prefix is not allowed/,
  },
  {
    name: 'anything-but equals-ignore-case with a number',
    pattern: { s: [{ 'anything-but': { 'equals-ignore-case': 5 } }] },
    error: /^s\[0\]\.anything-but\.equals-ignore-case: must be a string or a non-empty list of strings/,
  },
  {
    name: 'anything-but with a bad wildcard',
    pattern: { s: [{ 'anything-but': { wildcard: ['*.txt', 'a**'] } }] },
    error: /consecutive wildcard characters/,
  },
  {
    name: 'a wildcard with consecutive stars',
    pattern: { s: [{ wildcard: 'a**b' }] },
    error: /^s\[0\]\.wildcard: consecutive wildcard characters at position 1/,
  },
  {
    name: 'a wildcard escaping a letter',
    pattern: { s: [{ wildcard: 'a\\b' }] },
    error: /^s\[0\]\.wildcard: invalid escape at position 1/,
  },
  { name: 'a wildcard ending with a backslash', pattern: { s: [{ wildcard: 'a\\' }] }, error: /invalid escape/ },
  {
    name: 'exists that is not a boolean',
    pattern: { s: [{ exists: 'yes' }] },
    error: /^s\[0\]\.exists: must be true or false/,
  },
  {
    name: 'a cidr without mask bits',
    pattern: { ip: [{ cidr: '10.0.0.0' }] },
    error: /^ip\[0\]\.cidr: malformed CIDR/,
  },
  {
    name: 'a cidr with too many mask bits',
    pattern: { ip: [{ cidr: '10.0.0.0/33' }] },
    error: /IPv4 mask bits must be between 0 and 31/,
  },
  {
    name: 'a cidr that is not an address',
    pattern: { ip: [{ cidr: 'example.com/8' }] },
    error: /"example\.com" is not an IPv4 or IPv6 address/,
  },
  {
    name: '$or that is not an array',
    pattern: { $or: { a: ['1'] } },
    error: /^\$or: \$or must be an array of at least 2 pattern objects/,
  },
  {
    name: '$or with one alternative',
    pattern: { detail: { $or: [{ a: ['1'] }] } },
    error: /^detail\.\$or: .* got 1 alternative/,
  },
  {
    name: '$or with a non-object alternative',
    pattern: { $or: [{ a: ['1'] }, ['b']] },
    error: /^\$or\[1\]: each \$or alternative must be an object/,
  },
  {
    name: 'an operator name as a field inside $or',
    pattern: { $or: [{ prefix: ['a'] }, { b: ['1'] }] },
    error: /^\$or\[0\]\.prefix: "prefix" is an operator name/,
  },
];

describe('validatePattern', () => {
  it.each(VALIDATION_CASES)('rejects $name', ({ pattern, error }) => {
    // Act
    const errors = validatePattern(pattern);

    // Assess
    expect(errors).toEqual(expect.arrayContaining([expect.stringMatching(error)]));
  });

  it('reports every problem, each with its path', () => {
    // Prepare
    const pattern = { source: 'aws.ec2', detail: { state: [], amount: [{ numeric: ['<', 'x'] }] } };

    // Act
    const errors = validatePattern(pattern);

    // Assess
    expect(errors).toHaveLength(3);
    expect(errors.map((e) => e.split(':')[0])).toEqual(['source', 'detail.state', 'detail.amount[0].numeric[1]']);
  });

  it('accepts the hub rules and archive pattern, which route hub events', () => {
    // Prepare
    const event = envelope(
      { id: 'whatsapp:wamid.1' },
      { source: `${SOURCE_PREFIX}whatsapp`, 'detail-type': HUB_EVENT_TYPES[0] },
    );
    const hydration = envelope(
      { kind: 'contact' },
      { source: `${SOURCE_PREFIX}hubspot`, 'detail-type': HYDRATION_DETAIL_TYPE },
    );
    const foreign = envelope({}, { source: 'aws.ec2' });

    // Act
    const errors = [...HUB_RULES.map((r) => r.pattern), ARCHIVE_PATTERN].flatMap((p) => validatePattern(p));

    // Assess
    expect(errors).toEqual([]);
    for (const pattern of [...HUB_RULES.map((r) => r.pattern), ARCHIVE_PATTERN])
      expect(matchesPattern(pattern, foreign)).toBe(false);
    // Touchpoints go to the profile writer and never to the hydrator; hydration requests the other way round.
    expect(matchesPattern(PROFILE_WRITER_RULE.pattern, event)).toBe(true);
    expect(matchesPattern(PROFILE_WRITER_RULE.pattern, hydration)).toBe(false);
    expect(matchesPattern(HYDRATOR_RULE.pattern, hydration)).toBe(true);
    expect(matchesPattern(HYDRATOR_RULE.pattern, event)).toBe(false);
    expect(matchesPattern(ARCHIVE_PATTERN, event) && matchesPattern(ARCHIVE_PATTERN, hydration)).toBe(true);
  });
});

/* Property tests ---------------------------------------------------------- */

// Keys without dots (Ruler joins paths with dots) and not the $or keyword.
const fieldName = fc
  .string({ minLength: 1, maxLength: 8 })
  .filter((k) => !k.includes('.') && k !== '$or' && k !== '__proto__');
const leaf = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
);
const jsonEvent = fc.object({ key: fieldName, values: [leaf], maxDepth: 3, maxKeys: 5 });

/** Every leaf of `value` as `[leaf]`, taking one element of each array. */
const fieldPattern = (value: unknown): unknown => {
  if (Array.isArray(value)) {
    for (const element of value) {
      const pattern = fieldPattern(element);
      if (pattern !== undefined) return pattern;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') return patternFrom(value as Record<string, unknown>);
  return [value];
};

const patternFrom = (object: Record<string, unknown>): Record<string, unknown> | undefined => {
  const pattern: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) {
    const field = fieldPattern(value);
    if (field !== undefined) pattern[key] = field;
  }
  return Object.keys(pattern).length > 0 ? pattern : undefined;
};

describe('matchesPattern: properties', () => {
  it('matches an event with a pattern built from its own values', () => {
    fc.assert(
      fc.property(jsonEvent, (event) => {
        // Prepare
        const pattern = patternFrom(event);
        fc.pre(pattern !== undefined);

        // Act
        const errors = validatePattern(pattern);
        const result = matchesPattern(pattern as EventPattern, event);

        // Assess
        expect(errors).toEqual([]);
        expect(result).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('matches exactly one of exists true and exists false for any field', () => {
    fc.assert(
      fc.property(jsonEvent, fieldName, (event, other) => {
        for (const key of [...Object.keys(event), other]) {
          // Act
          const present = matchesPattern({ [key]: [{ exists: true }] }, event);
          const absent = matchesPattern({ [key]: [{ exists: false }] }, event);

          // Assess
          expect(present).not.toBe(absent);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('never lets anything-but match the value it excludes', () => {
    fc.assert(
      fc.property(fieldName, fc.oneof(fc.string(), fc.integer({ min: -1e9, max: 1e9 })), (key, value) => {
        // Prepare
        const event = envelope({ [key]: value });

        // Act
        const exact = matchesPattern({ detail: { [key]: [value] } }, event);
        const excluded = matchesPattern({ detail: { [key]: [{ 'anything-but': value }] } }, event);

        // Assess
        expect(exact).toBe(true);
        expect(excluded).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});
