import { PolicyError, conditionMatches, evaluate, globMatch, parsePolicy, type Decision, type Request } from '../../src/checks/lib/policy';
import { correctedTrustPolicy, parseTrustPolicy, trustDecision } from '../../src/checks/lib/trust';
import { simFor, simKind } from '../../src/checks/lib/simulation';
import type { SimulationResult } from '../../src/facts/schema';

const INSTANCE = 'arn:aws:ec2:ap-northeast-1:123456789012:instance/i-0123456789abcdef0';
const uii: Request = { action: 'ssm:UpdateInstanceInformation', resource: INSTANCE, context: { 'aws:RequestedRegion': 'ap-northeast-1' } };
const open: Request = { action: 'ssmmessages:OpenDataChannel', resource: '*', context: { 'aws:RequestedRegion': 'ap-northeast-1' } };

const doc = (...Statement: object[]) => ({ Version: '2012-10-17', Statement });
const decide = (req: Request, ...docs: unknown[]): Decision =>
  evaluate(
    docs.map((d) => ({ statements: parsePolicy(d) })),
    req,
  );
const kind = (req: Request, ...docs: unknown[]) => decide(req, ...docs).decision;

describe('evaluate', () => {
  const cases: [string, Request, unknown[], Decision['decision']][] = [
    ['exact action, Resource *', open, [doc({ Effect: 'Allow', Action: 'ssmmessages:OpenDataChannel', Resource: '*' })], 'allow'],
    ['no statement for the action', open, [doc({ Effect: 'Allow', Action: 'ssm:UpdateInstanceInformation', Resource: '*' })], 'implicit'],
    ['no documents at all', open, [], 'implicit'],
    ['service wildcard', open, [doc({ Effect: 'Allow', Action: 'ssmmessages:*', Resource: '*' })], 'allow'],
    ['prefix wildcard', open, [doc({ Effect: 'Allow', Action: 'ssmmessages:Open*', Resource: '*' })], 'allow'],
    ['prefix wildcard that does not match', open, [doc({ Effect: 'Allow', Action: 'ssmmessages:Create*', Resource: '*' })], 'implicit'],
    ['? wildcard', open, [doc({ Effect: 'Allow', Action: 'ssmmessages:OpenD?taChannel', Resource: '*' })], 'allow'],
    ['action names are case-insensitive', open, [doc({ Effect: 'Allow', Action: 'SSMMessages:opendatachannel', Resource: '*' })], 'allow'],
    ['Action *', open, [doc({ Effect: 'Allow', Action: '*', Resource: '*' })], 'allow'],
    ['NotAction that excludes the action', open, [doc({ Effect: 'Allow', NotAction: 'ssmmessages:*', Resource: '*' })], 'implicit'],
    ['NotAction that excludes something else', open, [doc({ Effect: 'Allow', NotAction: ['iam:*'], Resource: '*' })], 'allow'],
    [
      'no-resource-type action with a specific Resource',
      open,
      [doc({ Effect: 'Allow', Action: 'ssmmessages:*', Resource: INSTANCE })],
      'implicit',
    ],
    [
      'instance ARN for UpdateInstanceInformation',
      uii,
      [doc({ Effect: 'Allow', Action: 'ssm:UpdateInstanceInformation', Resource: INSTANCE })],
      'allow',
    ],
    [
      'instance ARN pattern',
      uii,
      [doc({ Effect: 'Allow', Action: 'ssm:UpdateInstanceInformation', Resource: 'arn:aws:ec2:*:123456789012:instance/*' })],
      'allow',
    ],
    [
      'another account',
      uii,
      [doc({ Effect: 'Allow', Action: 'ssm:UpdateInstanceInformation', Resource: 'arn:aws:ec2:*:999999999999:instance/*' })],
      'implicit',
    ],
    [
      'NotResource that excludes another instance',
      uii,
      [doc({ Effect: 'Allow', Action: 'ssm:*', NotResource: 'arn:aws:ec2:*:*:instance/i-0other' })],
      'allow',
    ],
    ['NotResource that excludes this instance', uii, [doc({ Effect: 'Allow', Action: 'ssm:*', NotResource: INSTANCE })], 'implicit'],
    [
      'unknown resource with a specific pattern',
      { ...uii, resource: undefined },
      [doc({ Effect: 'Allow', Action: 'ssm:*', Resource: 'arn:aws:ec2:*:123456789012:instance/*' })],
      'conditional',
    ],
    [
      'unknown resource with Resource *',
      { ...uii, resource: undefined },
      [doc({ Effect: 'Allow', Action: 'ssm:*', Resource: '*' })],
      'allow',
    ],
    [
      'explicit Deny wins over an Allow in another document',
      open,
      [doc({ Effect: 'Allow', Action: '*', Resource: '*' }), doc({ Effect: 'Deny', Action: 'ssmmessages:Open*', Resource: '*' })],
      'deny',
    ],
    ['Deny on its own', open, [doc({ Effect: 'Deny', Action: 'ssmmessages:*', Resource: '*' })], 'deny'],
    [
      'Deny with NotAction that spares the action',
      open,
      [doc({ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', NotAction: 'ssmmessages:*', Resource: '*' })],
      'allow',
    ],
    [
      'Allow with an unevaluable condition',
      open,
      [doc({ Effect: 'Allow', Action: 'ssmmessages:*', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } })],
      'conditional',
    ],
    [
      'conditional Allow next to an unconditional one',
      open,
      [
        doc(
          { Effect: 'Allow', Action: 'ssmmessages:*', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } },
          { Effect: 'Allow', Action: 'ssmmessages:*', Resource: '*' },
        ),
      ],
      'allow',
    ],
    [
      'Deny with an unevaluable condition over an Allow',
      open,
      [
        doc(
          { Effect: 'Allow', Action: '*', Resource: '*' },
          { Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-1' } } },
        ),
      ],
      'conditional',
    ],
    [
      'conditional Deny without any Allow stays implicit',
      open,
      [doc({ Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-1' } } })],
      'implicit',
    ],
    [
      'region Deny that does not apply in this region',
      open,
      [
        doc(
          { Effect: 'Allow', Action: '*', Resource: '*' },
          {
            Effect: 'Deny',
            Action: '*',
            Resource: '*',
            Condition: { StringNotEquals: { 'aws:RequestedRegion': ['ap-northeast-1', 'us-east-1'] } },
          },
        ),
      ],
      'allow',
    ],
    [
      'region Deny that applies in this region',
      open,
      [
        doc(
          { Effect: 'Allow', Action: '*', Resource: '*' },
          { Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringNotEquals: { 'aws:RequestedRegion': 'us-east-1' } } },
        ),
      ],
      'deny',
    ],
    [
      'Allow limited to this region with StringLike',
      open,
      [doc({ Effect: 'Allow', Action: 'ssmmessages:*', Resource: '*', Condition: { StringLike: { 'aws:requestedregion': 'ap-*' } } })],
      'allow',
    ],
    [
      'Allow limited to another region',
      open,
      [
        doc({
          Effect: 'Allow',
          Action: 'ssmmessages:*',
          Resource: '*',
          Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } },
        }),
      ],
      'implicit',
    ],
    [
      'policy variable in the resource',
      uii,
      [doc({ Effect: 'Allow', Action: 'ssm:*', Resource: 'arn:aws:ec2:*:*:instance/${aws:userid}' })],
      'conditional',
    ],
  ];
  it.each(cases)('%s', (_name, req, docs, expected) => {
    expect(kind(req, ...docs)).toBe(expected);
  });

  it('names the deciding statement: Sid, position and source', () => {
    const d = decide(
      open,
      doc({ Effect: 'Allow', Action: '*', Resource: '*' }),
      doc(
        { Effect: 'Allow', Action: 'ec2:*', Resource: '*' },
        { Sid: 'NoSessions', Effect: 'Deny', Action: 'ssmmessages:*', Resource: '*' },
      ),
    );
    expect(d).toEqual({ decision: 'deny', by: { source: 1, index: 1, sid: 'NoSessions', effect: 'Deny' } });
  });

  it('lists every allowing statement', () => {
    const d = decide(
      open,
      doc({ Effect: 'Allow', Action: 'ssmmessages:*', Resource: '*' }),
      doc({ Effect: 'Allow', Action: '*', Resource: '*' }),
    );
    expect(d.decision === 'allow' && d.by.map((r) => r.source)).toEqual([0, 1]);
  });
});

describe('conditionMatches', () => {
  const ctx = { 'aws:RequestedRegion': 'ap-northeast-1' };
  it.each([
    ['no condition', undefined, 'yes'],
    ['StringEquals match', { StringEquals: { 'aws:RequestedRegion': 'ap-northeast-1' } }, 'yes'],
    ['StringEqualsIgnoreCase', { StringEqualsIgnoreCase: { 'aws:RequestedRegion': 'AP-NORTHEAST-1' } }, 'yes'],
    ['StringEquals is case-sensitive', { StringEquals: { 'aws:RequestedRegion': 'AP-NORTHEAST-1' } }, 'no'],
    ['StringNotLike', { StringNotLike: { 'aws:RequestedRegion': 'us-*' } }, 'yes'],
    ['IfExists on a known key', { StringEqualsIfExists: { 'aws:RequestedRegion': 'eu-west-1' } }, 'no'],
    ['key not in the context', { StringEquals: { 'aws:PrincipalTag/team': 'ops' } }, 'maybe'],
    ['set operator', { 'ForAnyValue:StringEquals': { 'aws:RequestedRegion': 'ap-northeast-1' } }, 'maybe'],
    ['unsupported operator', { DateGreaterThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } }, 'maybe'],
    [
      'one false block makes the whole condition false',
      { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' }, IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
      'no',
    ],
    ['policy variable in a value', { StringEquals: { 'aws:RequestedRegion': '${aws:PrincipalTag/region}' } }, 'maybe'],
  ])('%s', (_name, condition, expected) => {
    expect(conditionMatches(condition as Record<string, unknown> | undefined, ctx)).toBe(expected);
  });
});

describe('parsePolicy', () => {
  it('reads a single statement object and string-or-list fields', () => {
    expect(parsePolicy({ Statement: { Sid: 'A', Effect: 'Allow', Action: 'ssm:*', Resource: '*' } })).toEqual([
      { sid: 'A', effect: 'Allow', actions: ['ssm:*'], resources: ['*'] },
    ]);
  });
  it('reads JSON text, URL-encoded or not', () => {
    const text = JSON.stringify(doc({ Effect: 'Deny', Action: ['ssmmessages:*'], Resource: '*' }));
    expect(parsePolicy(text)).toEqual(parsePolicy(encodeURIComponent(text)));
    expect(parsePolicy(encodeURIComponent(text))[0]?.effect).toBe('Deny');
  });
  it.each([
    ['not JSON', '{nope'],
    ['no Statement', { Version: '2012-10-17' }],
    ['bad Effect', doc({ Effect: 'Maybe', Action: '*', Resource: '*' })],
    ['no Action', doc({ Effect: 'Allow', Resource: '*' })],
    ['non-string Action', doc({ Effect: 'Allow', Action: [1], Resource: '*' })],
    ['null', null],
  ])('rejects a document with %s', (_name, d) => {
    expect(() => parsePolicy(d)).toThrow(PolicyError);
  });
});

describe('globMatch', () => {
  it.each([
    ['*', 'anything', true],
    ['a*c', 'abbbc', true],
    ['a?c', 'abc', true],
    ['a?c', 'abbc', false],
    ['arn:aws:ec2:*:*:instance/i-1', 'arn:aws:ec2:ap-northeast-1:1:instance/i-1', true],
    ['a.c', 'abc', false],
    ['(x)+', '(x)+', true],
  ])('%s ~ %s', (p, v, expected) => {
    expect(globMatch(p, v)).toBe(expected);
  });
});

describe('trust policies', () => {
  const trustDoc = (...Statement: object[]) => parseTrustPolicy({ Version: '2012-10-17', Statement });
  const allowEc2 = { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' };
  const kind = (p: ReturnType<typeof parseTrustPolicy>, region = 'ap-northeast-1', service = 'ec2.amazonaws.com') =>
    trustDecision(p, service, region).decision;

  it.each([
    ['Service as a string', [allowEc2], 'allow'],
    ['Service in a list', [{ ...allowEc2, Principal: { Service: ['ssm.amazonaws.com', 'ec2.amazonaws.com'] } }], 'allow'],
    ['Principal "*"', [{ ...allowEc2, Principal: '*' }], 'allow'],
    ['Principal {"AWS": "*"}', [{ ...allowEc2, Principal: { AWS: '*' } }], 'allow'],
    ['another service', [{ ...allowEc2, Principal: { Service: 'lambda.amazonaws.com' } }], 'implicit'],
    ['an account principal', [{ ...allowEc2, Principal: { AWS: 'arn:aws:iam::123456789012:root' } }], 'implicit'],
    ['sts:* action', [{ ...allowEc2, Action: 'sts:*' }], 'allow'],
    [
      'NotAction that spares AssumeRole',
      [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, NotAction: 'sts:TagSession' }],
      'allow',
    ],
    ['only AssumeRoleWithWebIdentity', [{ ...allowEc2, Action: 'sts:AssumeRoleWithWebIdentity' }], 'implicit'],
    ['an unconditional Deny', [allowEc2, { ...allowEc2, Effect: 'Deny' }], 'deny'],
    [
      'a Deny through NotPrincipal that leaves EC2 out',
      [allowEc2, { Effect: 'Deny', NotPrincipal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      'allow',
    ],
    ['a conditional Allow', [{ ...allowEc2, Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } } }], 'conditional'],
    [
      'a conditional Deny over an Allow',
      [allowEc2, { ...allowEc2, Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }],
      'conditional',
    ],
  ] as const)('%s', (_name, statements, expected) => {
    expect(kind(trustDoc(...statements))).toBe(expected);
  });

  it('accepts the China partition service name in cn- regions only', () => {
    const p = trustDoc({ ...allowEc2, Principal: { Service: 'ec2.amazonaws.com.cn' } });
    expect(kind(p, 'cn-north-1')).toBe('allow');
    expect(kind(p, 'ap-northeast-1')).toBe('implicit');
  });

  it('the corrected policy keeps the other statements, drops the blocking Deny and adds the Allow once', () => {
    const lambda = { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' };
    const deny = { Sid: 'NoEc2', Effect: 'Deny', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' };
    const fixed = correctedTrustPolicy(trustDoc(lambda, deny), 'ec2.amazonaws.com', 'ap-northeast-1');
    expect(fixed).toEqual({ Version: '2012-10-17', Statement: [lambda, allowEc2] });
    expect(kind(parseTrustPolicy(fixed))).toBe('allow');
    expect(correctedTrustPolicy(trustDoc(allowEc2, deny), 'ec2.amazonaws.com', 'ap-northeast-1')).toEqual({
      Version: '2012-10-17',
      Statement: [allowEc2],
    });
  });

  it.each([
    ['no Statement', { Version: '2012-10-17' }],
    ['a Principal that is a list', { Statement: [{ Effect: 'Allow', Principal: ['ec2.amazonaws.com'], Action: 'sts:AssumeRole' }] }],
    ['a Service that is a number', { Statement: [{ Effect: 'Allow', Principal: { Service: 1 }, Action: 'sts:AssumeRole' }] }],
  ])('rejects a trust policy with %s', (_name, d) => {
    expect(() => parseTrustPolicy(d)).toThrow(PolicyError);
  });

  it('reads URL-encoded text', () => {
    expect(kind(parseTrustPolicy(encodeURIComponent(JSON.stringify({ Statement: [allowEc2] }))))).toBe('allow');
  });
});

describe('simulation results', () => {
  const r = (decision: string, more: Partial<SimulationResult> = {}): SimulationResult => ({
    action: 'ssm:StartSession',
    decision,
    matchedStatements: [],
    missingContextValues: [],
    ...more,
  });
  it.each([
    ['allowed', r('allowed'), 'allow'],
    ['allowed even with missing context', r('allowed', { missingContextValues: ['aws:SourceVpce'] }), 'allow'],
    ['implicitDeny', r('implicitDeny'), 'implicit'],
    ['explicitDeny', r('explicitDeny'), 'explicit'],
    ['a deny that lacked context values', r('explicitDeny', { missingContextValues: ['aws:SourceVpce'] }), 'conditional'],
    ['an SCP', r('explicitDeny', { allowedByOrganizations: false }), 'scp'],
    ['a permissions boundary', r('implicitDeny', { allowedByPermissionsBoundary: false }), 'boundary'],
  ] as const)('%s', (_name, result, expected) => {
    expect(simKind(result)).toBe(expected);
  });

  it('takes the worst result of an action over its resources, or only the resources asked for', () => {
    const results = [r('allowed', { resource: 'arn:aws:ec2:r:1:instance/i-1' }), r('implicitDeny', { resource: '*' })];
    expect(simFor(results, 'ssm:startsession')!.kind).toBe('implicit');
    expect(simFor(results, 'ssm:StartSession', (x) => x.includes(':instance/'))!.kind).toBe('allow');
    expect(simFor(results, 'kms:Decrypt')).toBeUndefined();
  });
});
