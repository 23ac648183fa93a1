import { WORLD } from './helpers/fake-aws';
import { diagnose, faultEnv, messages, requireBuiltCli, runCli, scratch, statuses, withFake } from './helpers/run';

// An endpoint that accepts and never answers must not keep the CLI from ending: each call has its
// share of --timeout, the run has --timeout, and what was not read by then is `unknown`. The
// tests only wait for the process to exit (runCli kills it after 90 s and fails the test): no
// timing is asserted, so a slow machine cannot make them flaky.

jest.setTimeout(120_000);

beforeAll(requireBuiltCli);

const TIMED_OUT = /failed \((Timeout|DeadlineExceeded): no answer (within|before)/;

describe('every call hangs', () => {
  it('--output json: the run ends, prints the report, every check unknown naming its call and the timeout, exit 3', async () => {
    const r = await diagnose((f) => f.fail('*', { kind: 'hang' }), ['--timeout', '3s']);
    expect(r.code).toBe(3);
    const s = statuses(r.report);
    expect(Object.values(s).every((v) => v === 'unknown')).toBe(true);
    for (const m of Object.values(messages(r.report)))
      expect(m).toMatch(/^(depends on [\w-]+: )?[a-z0-9]+:[A-Za-z]+ failed \((Timeout|DeadlineExceeded): /);
    expect(r.report?.status).toBe('unknown');
    // Whatever the calls were, each one was a read.
    expect(r.fake.requests.length).toBeGreaterThan(0);
  });

  it('the table: the run ends and prints it', async () => {
    const home = scratch();
    try {
      const r = await withFake(
        (f) => f.fail('*', { kind: 'hang' }),
        (fake) => runCli([WORLD.instance, '--timeout', '3s'], faultEnv(home.path, fake.url)),
      );
      expect(r.code).toBe(3);
      expect(r.stdout).toMatch(/UNKNOWN/);
      expect(r.stdout).toMatch(/--timeout/);
    } finally {
      home.remove();
    }
  });

  it('answers whose headers arrive but whose body never does are cut off the same way', async () => {
    const r = await diagnose((f) => f.fail('*', { kind: 'hang-body' }), ['--timeout', '3s']);
    expect(r.code).toBe(3);
    expect(Object.values(statuses(r.report)).every((v) => v === 'unknown')).toBe(true);
  });
});

describe('one call hangs', () => {
  it.concurrent.each([
    ['iam:GetInstanceProfile', 'hang', 'iam-instance-profile'],
    ['ssm:DescribeInstanceInformation', 'hang-body', 'agent-registered'],
    ['ec2:DescribeVpcEndpoints', 'hang', 'vpc-endpoints'],
  ] as const)('%s (%s): the others are read and judged, the checks that need it are unknown naming it', async (call, kind, check) => {
    // 6s: each call's share (2s) leaves the healthy reads ample time on a loaded machine.
    const [healthy, r] = await Promise.all([diagnose(() => {}), diagnose((f) => f.fail(call, { kind }), ['--timeout', '6s'])]);
    const before = statuses(healthy.report);
    const after = statuses(r.report);
    expect(after[check]).toBe('unknown');
    expect(messages(r.report)[check]).toContain(call);
    expect(messages(r.report)[check]).toMatch(TIMED_OUT);
    for (const id of Object.keys(before)) {
      if (after[id] !== before[id]) {
        expect({ id, status: after[id] }).toEqual({ id, status: 'unknown' });
        expect(messages(r.report)[id]).toMatch(TIMED_OUT);
      }
    }
    // The reads that do not depend on the hung one still happened.
    expect(Object.values(after).filter((v) => v === 'pass').length).toBeGreaterThan(3);
    expect(r.code).toBe(3);
  });
});

describe('--timeout', () => {
  it.each([['0s'], ['-5'], ['soon'], ['2h'], ['500ms'], ['1e3']])('%s is a usage error before any call', async (value) => {
    const r = await diagnose(() => {}, ['--timeout', value]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--timeout .*give a duration from 1s to 60m/);
    expect(r.fake.requests).toHaveLength(0);
  });
});
