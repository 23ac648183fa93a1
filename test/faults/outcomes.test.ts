import { type Fault } from './helpers/fake-aws';
import { changed, diagnose, messages, requireBuiltCli, statuses, type Run } from './helpers/run';

// The built CLI against a loopback AWS that denies, throttles, fails and garbles one operation at a
// time. Whatever AWS does, a check is either what it is in a healthy account or `unknown` naming
// the call that failed and why: never a false FAIL, never a crash.

jest.setTimeout(120_000);

let baseline: Run & { statuses: Record<string, string>; operations: string[]; counts: Record<string, number> };

beforeAll(async () => {
  requireBuiltCli();
  const r = await diagnose(() => {});
  baseline = { ...r, statuses: statuses(r.report), operations: Object.keys(r.fake.counts()).sort(), counts: r.fake.counts() };
});

describe('the healthy fake account', () => {
  it('is diagnosed with no failure and nothing unknown', () => {
    const s = baseline.statuses;
    expect(Object.entries(s).filter(([, v]) => v === 'fail' || v === 'unknown')).toEqual([]);
    expect(s['instance-state']).toBe('pass');
    expect(s['vpc-endpoints']).toBe('pass');
    expect([0, 1]).toContain(baseline.code);
  });
});

/** Every operation the healthy run makes; the list below must cover them all, so a new read gets its denial tested. */
const READS = [
  'ec2:DescribeInstances',
  'ec2:DescribeSubnets',
  'ec2:DescribeRouteTables',
  'ec2:DescribeVpcEndpoints',
  'ec2:DescribeNatGateways',
  'ec2:DescribeInternetGateways',
  'ec2:DescribeSecurityGroups',
  'ec2:DescribeVpcAttribute',
  'ec2:DescribeVpcs',
  'ec2:DescribeDhcpOptions',
  'ec2:DescribeVpcBlockPublicAccessOptions',
  'ec2:DescribeVpcBlockPublicAccessExclusions',
  'ec2:DescribeNetworkAcls',
  'iam:GetInstanceProfile',
  'iam:GetRole',
  'iam:SimulatePrincipalPolicy',
  'ssm:DescribeInstanceInformation',
  'ssm:GetServiceSetting',
  'ssm:GetConnectionStatus',
  'ssm:GetDocument',
  'sts:GetCallerIdentity',
  'route53resolver:ListResolverRuleAssociations',
  'route53resolver:ListResolverRules',
];

/**
 * Reads whose answer this healthy world's verdicts rest on: denying one must leave at least one
 * check unknown. (Not the route tables: endpoints in the instance's own VPC are reached over the
 * local route, which every route table has and none can lose.)
 */
const DECISIVE = new Set([
  'ec2:DescribeInstances',
  'ec2:DescribeSubnets',
  'ec2:DescribeVpcEndpoints',
  'ec2:DescribeSecurityGroups',
  'ec2:DescribeVpcAttribute',
  'ec2:DescribeVpcs',
  'iam:GetInstanceProfile',
  'ssm:DescribeInstanceInformation',
]);

/**
 * What every scenario must satisfy: each check keeps its healthy status or is `unknown` with a
 * message naming the failed call; the exit code is 3 exactly when something is unknown (nothing
 * fails in this world); the report has every check.
 */
function expectOnlyUnknowns(r: Run, call: string, cause: RegExp): string[] {
  const after = statuses(r.report);
  expect(Object.keys(after)).toEqual(Object.keys(baseline.statuses));
  const diff = changed(baseline.statuses, after);
  for (const [id, change] of Object.entries(diff)) expect({ id, change }).toEqual({ id, change: expect.stringMatching(/→ unknown$/) });
  const text = messages(r.report);
  for (const id of Object.keys(diff)) {
    expect({ id, message: text[id] }).toEqual({ id, message: expect.stringContaining(call) });
    expect({ id, message: text[id] }).toEqual({ id, message: expect.stringMatching(cause) });
  }
  // The caller's checks are reported apart and decide no status (without --caller).
  const counted = r.report!.instances[0]!.checks.filter((c) => c.id in diff && c.subject !== 'caller');
  expect(r.code).toBe(counted.length ? 3 : baseline.code);
  return Object.keys(diff);
}

describe('a denied read', () => {
  it('the list of reads covers every operation the healthy run makes', () => {
    expect([...READS].sort()).toEqual(baseline.operations);
  });

  it.concurrent.each(READS)('%s denied: checks that need it are unknown naming it and the IAM action to grant', async (call) => {
    const r = await diagnose((f) => f.fail(call, { kind: 'deny' }));
    expect(r.fake.counts()[call]).toBeGreaterThanOrEqual(1);
    // AccessDenied is final: no retries.
    expect(r.fake.counts()[call]).toBe(baseline.counts[call]);
    const unknown = expectOnlyUnknowns(
      r,
      call,
      new RegExp(`${call} was denied \\((AccessDenied|AccessDeniedException|UnauthorizedOperation)\\): grant the tool ${call}`),
    );
    if (DECISIVE.has(call)) expect(unknown.length).toBeGreaterThan(0);
  });

  it('in Japanese too, with the same ids and statuses', async () => {
    const r = await diagnose((f) => f.fail('iam:GetInstanceProfile', { kind: 'deny' }), ['--lang', 'ja']);
    expect(statuses(r.report)['iam-instance-profile']).toBe('unknown');
    expect(messages(r.report)['iam-instance-profile']).toMatch(/iam:GetInstanceProfile が拒否されました \(AccessDenied\)/);
  });
});

describe('throttling and server errors: retried, then unknown', () => {
  const cases: [string, string, Fault, number, RegExp | null][] = [
    // [name, call, fault, requests the fake should see, cause of the unknown (null: recovers)]
    ['EC2 throttles twice, then answers', 'ec2:DescribeSubnets', { kind: 'throttle', times: 2 }, 3, null],
    ['IAM fails with 500 three times, then answers', 'iam:GetInstanceProfile', { kind: '5xx', times: 3 }, 4, null],
    ['STS is unavailable (503) twice, then answers', 'sts:GetCallerIdentity', { kind: '5xx', times: 2, status: 503 }, 3, null],
    [
      'EC2 keeps throttling',
      'ec2:DescribeSubnets',
      { kind: 'throttle', times: 1000 },
      5,
      /was throttled by AWS \(RequestLimitExceeded\) on every attempt/,
    ],
    [
      'IAM keeps throttling',
      'iam:GetInstanceProfile',
      { kind: 'throttle', times: 1000 },
      5,
      /was throttled by AWS \(Throttling\) on every attempt/,
    ],
    [
      'SSM keeps throttling',
      'ssm:DescribeInstanceInformation',
      { kind: 'throttle', times: 1000 },
      5,
      /was throttled by AWS \(ThrottlingException\) on every attempt/,
    ],
    ['EC2 keeps failing with 500', 'ec2:DescribeVpcEndpoints', { kind: '5xx', times: 1000 }, 5, /failed \(InternalError: /],
    [
      'SSM keeps failing with 503',
      'ssm:DescribeInstanceInformation',
      { kind: '5xx', times: 1000, status: 503 },
      5,
      /failed \(ServiceUnavailable: /,
    ],
    [
      'a proxy answers 502 with an HTML page',
      'iam:GetInstanceProfile',
      { kind: 'html', status: 502 },
      5,
      /failed \(HTTP502: HTTP 502 with no AWS error/,
    ],
  ];

  it.concurrent.each(cases)('%s', async (_name, call, fault, requests, cause) => {
    const r = await diagnose((f) => f.fail(call, fault), ['--timeout', '2m']);
    // At least five attempts in all: a burst of throttles is normal in a busy account.
    expect(r.fake.counts()[call]).toBe(requests);
    const unknown = expectOnlyUnknowns(r, call, cause ?? /$^/);
    if (cause) expect(unknown.length).toBeGreaterThan(0);
    else expect(unknown).toEqual([]);
  });
});

describe('a throttling storm', () => {
  it('every call throttled three times, then answered: the diagnosis completes, every fact known, each call retried on its own', async () => {
    const r = await diagnose((f) => f.fail('*', { kind: 'throttle', times: 3 }), ['--timeout', '2m']);
    expect(statuses(r.report)).toEqual(baseline.statuses);
    expect(r.code).toBe(baseline.code);
    // Each operation: its three throttled attempts, then its calls of the healthy run.
    for (const [op, n] of Object.entries(baseline.counts)) expect({ op, n: r.fake.counts()[op] }).toEqual({ op, n: n + 3 });
  });
});

describe('malformed answers', () => {
  // Read as answers, the last five would be "no endpoints", "not registered", "no role": false FAILs.
  const cases: [string, string, string | undefined, RegExp][] = [
    ['truncated EC2 XML', 'ec2:DescribeSubnets', undefined, /XML parse error|it has no <subnetSet>/],
    ['truncated IAM XML', 'iam:GetInstanceProfile', undefined, /XML parse error/],
    ['truncated SSM JSON', 'ssm:DescribeInstanceInformation', undefined, /JSON/],
    ['binary garbage', 'ec2:DescribeVpcEndpoints', '\u0000\u0001\u0002\u00ff\u001b[31mred\u0007', /it is not XML/],
    [
      'SSM answering HTML with status 200',
      'ssm:DescribeInstanceInformation',
      '<html><body>captive portal</body></html>',
      /not a JSON object/,
    ],
    ['an empty EC2 body', 'ec2:DescribeVpcEndpoints', '', /it is empty/],
    ['an empty IAM body', 'iam:GetInstanceProfile', '', /it is empty/],
    [
      'EC2 XML of another operation',
      'ec2:DescribeVpcEndpoints',
      '<?xml version="1.0"?><DescribeSubnetsResponse><subnetSet/></DescribeSubnetsResponse>',
      /<DescribeSubnetsResponse> document/,
    ],
    [
      'EC2 XML without its list',
      'ec2:DescribeVpcEndpoints',
      '<?xml version="1.0"?><DescribeVpcEndpointsResponse><requestId>1</requestId></DescribeVpcEndpointsResponse>',
      /it has no <vpcEndpointSet>/,
    ],
    ['SSM JSON without its list', 'ssm:DescribeInstanceInformation', '{}', /it has no InstanceInformationList/],
  ];

  it.concurrent.each(cases)('%s: unknown, MalformedResponse, naming the call', async (_name, call, body, why) => {
    const r = await diagnose((f) => f.fail(call, { kind: 'malformed', body }));
    const unknown = expectOnlyUnknowns(r, call, /failed \(MalformedResponse: the answer \(HTTP 200\) could not be parsed/);
    for (const id of unknown) expect(messages(r.report)[id]).toMatch(why);
    expect(unknown.length).toBeGreaterThan(0);
    // A terminal escape in a hostile answer never reaches the terminal.
    expect(r.stdout).not.toMatch(/\u001b/);
  });
});

describe('what the report still says', () => {
  it('the other checks are still evaluated when one service is denied entirely', async () => {
    const r = await diagnose((f) => {
      for (const op of READS.filter((o) => o.startsWith('iam:'))) f.fail(op, { kind: 'deny' });
    });
    const s = statuses(r.report);
    expect(s['iam-instance-profile']).toBe('unknown');
    expect(s['vpc-endpoints']).toBe('pass');
    expect(s['agent-registered']).toBe('pass');
    expect(r.code).toBe(3);
  });
});
