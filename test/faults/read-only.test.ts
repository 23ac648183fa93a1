import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALLOWED_OPERATIONS } from '../../src/collect/sdk/allowlist';
import type { FakeAws, SeenRequest } from './helpers/fake-aws';
import { diagnose, requireBuiltCli } from './helpers/run';

// Ground truth for "the tool only reads": what reached the endpoint, as the endpoint saw it on the
// wire (the query Action, the JSON X-Amz-Target, the REST method and path), over runs that take
// every branch of the collector this fake world can reach.

jest.setTimeout(120_000);

const SAVED = join(tmpdir(), `ssm-doctor-read-only-${process.pid}.json`);
afterAll(() => rmSync(SAVED, { force: true }));

beforeAll(requireBuiltCli);

/** A read, as each protocol names it. */
const READ: Record<SeenRequest['protocol'], RegExp> = {
  ec2: /^(Describe|Get)[A-Z]\w+$/,
  query: /^(Get|List|Simulate)[A-Z]\w+$/,
  json: /^(AmazonSSM|TrentService|Route53Resolver)\.(Describe|Get|List)[A-Z]\w+$/,
  'rest-xml': /^GET \//,
};

const scenarios: [string, (f: FakeAws) => void, string[]][] = [
  ['a healthy instance', () => {}, []],
  ['an unregistered instance (its console output is read)', (f) => (f.registered = false), []],
  ['a VPC without endpoints (its hosted zones are read)', (f) => (f.endpoints = false), []],
  ['session encryption with a KMS key (the key and its policy are read)', (f) => (f.kmsKey = true), []],
  ['IAM simulation denied (the role policies are listed instead)', (f) => f.fail('iam:SimulatePrincipalPolicy', { kind: 'deny' }), []],
  // Retries go through the same guard: one throttled read per service is enough (throttling them
  // all is the storm in outcomes.test.ts).
  [
    'retries after throttling',
    (f) => {
      f.fail('ec2:DescribeSubnets', { kind: 'throttle', times: 1 });
      f.fail('ssm:GetDocument', { kind: 'throttle', times: 1 });
      f.fail('iam:GetRole', { kind: 'throttle', times: 1 });
    },
    [],
  ],
  ['everything failing with 500', (f) => f.fail('*', { kind: '5xx', times: 2 }), []],
  ['facts saved to a file', () => {}, ['--save-facts', SAVED, '--force']],
];

describe('every request the CLI sends is a read on the allowlist', () => {
  const seen: SeenRequest[] = [];

  it.concurrent.each(scenarios)('%s', async (_name, setup, args) => {
    const r = await diagnose(setup, args);
    expect(r.code).not.toBeNull();
    expect(r.fake.requests.length).toBeGreaterThan(0);
    seen.push(...r.fake.requests);
    for (const q of r.fake.requests) {
      expect({ wire: q.wire, protocol: q.protocol }).toEqual({ wire: expect.stringMatching(READ[q.protocol]), protocol: q.protocol });
      expect(ALLOWED_OPERATIONS as readonly string[]).toContain(q.operation);
    }
  });

  it('and the scenarios above reached every service and the branches that read more', () => {
    const ops = new Set(seen.map((q) => q.operation));
    for (const op of [
      'ec2:GetConsoleOutput',
      'route53:ListHostedZonesByVPC',
      'iam:ListAttachedRolePolicies',
      'sts:GetCallerIdentity',
      'ssm:GetDocument',
      'kms:DescribeKey',
      'kms:GetKeyPolicy',
    ]) {
      expect(ops).toContain(op);
    }
    expect(new Set(seen.map((q) => q.protocol))).toEqual(new Set(['ec2', 'query', 'json', 'rest-xml']));
  });
});
