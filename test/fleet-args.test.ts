import { parseArgs, parseFilter } from '../src/args';
import { changes, waitUntilOk } from '../src/wait';
import type { Report } from '../src/report/schema';

const run = (argv: string[]) => parseArgs(argv, {});

describe('fleet options', () => {
  it('parses EC2 filters in both spellings', () => {
    expect(parseFilter('tag:Team=web')).toEqual({ Name: 'tag:Team', Values: ['web'] });
    expect(parseFilter('vpc-id=vpc-1,vpc-2')).toEqual({ Name: 'vpc-id', Values: ['vpc-1', 'vpc-2'] });
    expect(parseFilter('Name=tag:Env,Values=prod,stg')).toEqual({ Name: 'tag:Env', Values: ['prod', 'stg'] });
    expect(parseFilter('tag:Team')).toBeUndefined();
    expect(parseFilter('=web')).toBeUndefined();
  });

  it('--filter repeats without swallowing the ids after it; regions join from --region and --regions', () => {
    const p = run([
      '--filter',
      'tag:Team=web',
      'i-0123456789abcdef0',
      '--filter',
      'instance-state-name=running',
      '--region',
      'ap-northeast-1,us-east-1',
      '--regions',
      'us-east-1,eu-west-1',
    ]);
    expect(p.kind).toBe('run');
    if (p.kind !== 'run') return;
    expect(p.options.instanceIds).toEqual(['i-0123456789abcdef0']);
    expect(p.options.filters.map((f) => f.Name)).toEqual(['tag:Team', 'instance-state-name']);
    expect(p.options.regions).toEqual(['ap-northeast-1', 'us-east-1', 'eu-west-1']);
  });

  it('--facts - names standard input; after -- it is left to the ids', () => {
    expect(run(['--facts', '-', 'i-0123456789abcdef0'])).toMatchObject({
      kind: 'run',
      options: { facts: '-', instanceIds: ['i-0123456789abcdef0'] },
    });
    expect(run(['--facts=-'])).toMatchObject({ kind: 'run', options: { facts: '-' } });
    expect(run(['--demo', '--', '--facts', '-'])).toMatchObject({
      kind: 'usage',
      error: expect.stringContaining('not an instance id: "--facts"'),
    });
  });

  it('refuses what cannot work together', () => {
    expect(run([])).toMatchObject({ kind: 'usage', error: expect.stringContaining('--all or --filter') });
    expect(run(['--all', '--demo'])).toMatchObject({ kind: 'usage' });
    expect(run(['--all', '--wait', 'soon'])).toMatchObject({ kind: 'usage', error: expect.stringContaining('--wait') });
    expect(run(['--all', '--regions', 'a,b', '--save-facts', 'x.json'])).toMatchObject({ kind: 'usage' });
    expect(run(['--all', '--region', 'ap-northeast-1,us-east-1', '--save-facts', 'x.json'])).toMatchObject({ kind: 'usage' });
    expect(run(['--all', '--wait', '90s'])).toMatchObject({ kind: 'run', options: { waitMs: 90_000, all: true } });
  });
});

const report = (status: Report['status'], check: 'pass' | 'fail' | 'unknown'): Report => ({
  schemaVersion: 1,
  tool: { name: 'ssm-doctor', version: '0' },
  region: 'r-1',
  status,
  instances: [
    {
      instanceId: 'i-1',
      region: 'r-1',
      status,
      checks: [{ id: 'agent-registered', title: '', status: check, severity: 'critical', message: '' }],
    },
  ],
});

describe('--wait', () => {
  it('names each check whose status changed', () => {
    expect(changes(report('critical', 'fail'), report('ok', 'pass'))).toEqual(['i-1 (r-1) agent-registered: fail → pass']);
  });

  it('pauses 10 s doubling to 60 s until OK, and writes what changed', async () => {
    let now = 0;
    const pauses: number[] = [];
    const out: string[] = [];
    const runs = [report('critical', 'fail'), report('critical', 'fail'), report('critical', 'fail'), report('ok', 'pass')];
    const io = {
      err: { write: (s: string) => out.push(s) } as never,
      sleep: async (ms: number) => void (pauses.push(ms), (now += ms)),
      now: () => now,
    };
    const last = await waitUntilOk(600_000, async () => runs.shift()!, io);
    expect(last.status).toBe('ok');
    expect(pauses).toEqual([10_000, 20_000, 40_000]);
    expect(out.join('')).toContain('run 4 changed: i-1 (r-1) agent-registered: fail → pass');
  });

  it('stops when the time is up, returning the last run', async () => {
    let now = 0;
    const io = { err: { write: () => true } as never, sleep: async (ms: number) => void (now += ms), now: () => now };
    let n = 0;
    const last = await waitUntilOk(25_000, async () => (n++, report('critical', 'fail')), io);
    expect(last.status).toBe('critical');
    expect(n).toBe(3); // at 0, 10 s and 25 s (the last pause cut to what was left)
  });

  it('ends at once, saying why, when every problem left is a read that was denied: waiting cannot fix that', async () => {
    const denied = report('unknown', 'unknown');
    denied.instances[0]!.checks[0]!.cause = 'denied';
    const out: string[] = [];
    let n = 0;
    const io = { err: { write: (s: string) => out.push(s) } as never, sleep: async () => {}, now: () => 0 };
    const last = await waitUntilOk(600_000, async () => (n++, denied), io);
    expect({ n, status: last.status }).toEqual({ n: 1, status: 'unknown' });
    expect(out.join('')).toBe(
      'ssm-doctor: UNKNOWN, and waiting cannot change it: agent-registered could not be read (access denied); grant the read-only policy (ssm-doctor --iam-policy) and run again\n',
    );
  });

  it('but keeps waiting on an unknown that was not a denial (a timeout, a throttled read)', async () => {
    let now = 0;
    let n = 0;
    const io = { err: { write: () => true } as never, sleep: async (ms: number) => void (now += ms), now: () => now };
    await waitUntilOk(25_000, async () => (n++, report('unknown', 'unknown')), io);
    expect(n).toBe(3);
  });
});
