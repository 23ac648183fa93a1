import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHECKS } from '../src/checks';
import { chosenChecks } from '../src/engine';
import { known, type Facts } from '../src/facts/schema';
import { reportSchema, type Report } from '../src/report/schema';
import { factsWith, IDS } from './helpers/facts';

// Who decides the gate: the instance side, with the caller's checks apart unless --caller; which
// checks run (--skip, --only, the config file); and the exit policy (--fail-on).

const CLI = join(__dirname, '..', 'dist', 'cli.js');
const tmp = mkdtempSync(join(tmpdir(), 'ssm-doctor-gate-'));

function cli(args: string[], cwd = tmp) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: tmp, LANG: 'C.UTF-8', NO_COLOR: '1' },
    timeout: 30_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const report = (stdout: string): Report => reportSchema.parse(JSON.parse(stdout));

/** A healthy instance, run by a read-only CI role (no ssm:StartSession) on a machine without the plugin. */
function ciWorld(patch: (f: Facts) => void = () => {}): string {
  const f = factsWith((f) => {
    if (f.callerSimulation?.known) for (const r of f.callerSimulation.value) r.decision = 'implicitDeny';
    f.caller = known({ arn: `arn:aws:sts::${IDS.account}:assumed-role/ci-read-only/job`, accountId: IDS.account });
    f.client = { sessionManagerPlugin: { found: false } };
    patch(f);
  });
  const path = join(tmp, `world-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(f));
  return path;
}

describe('the instance side decides the gate', () => {
  it('a healthy instance is OK (exit 0) for a read-only job without the plugin; the caller is reported apart', () => {
    const r = cli(['--facts', ciWorld(), '-o', 'json']);
    const rep = report(r.stdout);
    expect({ code: r.code, status: rep.status, callerCounts: rep.callerCounts }).toEqual({ code: 0, status: 'ok', callerCounts: false });
    const caller = rep.instances[0]!.checks.find((c) => c.id === 'caller-start-session')!;
    expect(caller).toMatchObject({ subject: 'caller', status: 'warn' });
    const table = cli(['--facts', ciWorld()]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^i-0123456789abcdef0 \(ap-northeast-1\): OK$/m);
    expect(table.stdout).toMatch(
      /Your side \(whoever runs this; it does not change the status above: --caller makes it count\):\n┌[\s\S]*caller-start-session/,
    );
  });

  it('--caller makes the caller count, as before', () => {
    const r = cli(['--facts', ciWorld(), '-o', 'json', '--caller']);
    expect({ code: r.code, status: report(r.stdout).status, callerCounts: report(r.stdout).callerCounts }).toEqual({
      code: 1,
      status: 'warning',
      callerCounts: true,
    });
  });
});

describe('choosing the checks', () => {
  it('--only runs a check and what it needs; --skip leaves a check out with what needs it', () => {
    const only = chosenChecks(['iam-core-policy'], []);
    for (const dep of CHECKS.find((c) => c.id === 'iam-core-policy')!.requires ?? []) expect(only.has(dep)).toBe(true);
    expect(only.has('vpc-endpoints')).toBe(false);
    const skip = chosenChecks([], ['iam-instance-profile']);
    expect(skip.has('iam-instance-profile')).toBe(false);
    for (const c of CHECKS.filter((c) => c.requires?.includes('iam-instance-profile'))) expect(skip.has(c.id)).toBe(false);
    expect(skip.has('network-route')).toBe(true);
  });

  it('the JSON names what was left out by choice, and those checks say so', () => {
    const r = cli(['--demo', '-o', 'json', '--skip', 'agent-registered,agent-version', '--skip', 'vpc-endpoints-az']);
    const rep = report(r.stdout);
    expect(rep.skippedByChoice).toEqual(
      CHECKS.map((c) => c.id).filter((id) => ['agent-registered', 'agent-version', 'vpc-endpoints-az'].includes(id)),
    );
    const skipped = rep.instances[0]!.checks.filter((c) => rep.skippedByChoice!.includes(c.id));
    expect(skipped.map((c) => [c.status, c.message])).toEqual(
      skipped.map(() => ['skip', 'not run: left out by choice (--skip, --only or the config file)']),
    );
  });

  it.each([[['--skip', 'no-such-check']], [['--only', 'instance-state,typo']]])(
    'an unknown id is a usage error listing the checks: %j',
    (args) => {
      const r = cli(['--demo', ...args]);
      expect(r.code).toBe(3);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(
        /^ssm-doctor: no check "(no-such-check|typo)"; the checks are instance-state, instance-metadata, .*caller-start-session \(see ssm-doctor --help\)\n$/,
      );
    },
  );
});

describe('the exit policy', () => {
  const warning = () =>
    ciWorld((f) => {
      const m = f.managedInstances;
      if (m.known) m.value[IDS.instance]!.agentVersion = '3.0.1124.0';
    });

  it('--fail-on critical lets WARNING exit 0; the report still says WARNING', () => {
    const file = warning();
    const plain = cli(['--facts', file, '-o', 'json']);
    expect({ code: plain.code, status: report(plain.stdout).status }).toEqual({ code: 1, status: 'warning' });
    const lenient = cli(['--facts', file, '-o', 'json', '--fail-on', 'critical']);
    expect({ code: lenient.code, status: report(lenient.stdout).status }).toEqual({ code: 0, status: 'warning' });
    expect(cli(['--demo', '--fail-on', 'critical']).code).toBe(2);
  });

  it('a project config file pins the choices; the command line wins; --no-config ignores it', () => {
    const project = join(tmp, 'project', 'infra');
    mkdirSync(project, { recursive: true });
    writeFileSync(join(tmp, 'project', '.ssm-doctorrc.json'), JSON.stringify({ failOn: 'critical', skip: ['vpc-endpoints-az'] }));
    const file = warning();
    const pinned = cli(['--facts', file, '-o', 'json'], project);
    expect({ code: pinned.code, skipped: report(pinned.stdout).skippedByChoice }).toEqual({ code: 0, skipped: ['vpc-endpoints-az'] });
    expect(cli(['--facts', file, '-o', 'json', '--fail-on', 'warning'], project).code).toBe(1);
    expect(cli(['--facts', file, '-o', 'json', '--no-config'], project).code).toBe(1);
  });

  it.each([
    ['not JSON', '{ failOn: critical', /\.ssm-doctorrc\.json is not JSON$/],
    ['an unknown field', '{"failon": "critical"}', /\.ssm-doctorrc\.json: \(top level\): Unrecognized key: "failon"$/],
    ['a bad value', '{"failOn": "sometimes"}', /\.ssm-doctorrc\.json: failOn: /],
    ['an unknown check', '{"skip": ["nope"]}', /no check "nope" \(in .*\.ssm-doctorrc\.json\)/],
  ])('a config file with %s: one line naming the file, exit 3', (_what, content, message) => {
    const dir = mkdtempSync(join(tmp, 'bad-'));
    writeFileSync(join(dir, '.ssm-doctorrc.json'), content);
    const r = cli(['--demo'], dir);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr.trim()).toMatch(message);
  });
});
