import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reportSchema } from '../src/report/schema';

const CLI = join(__dirname, '..', 'dist', 'cli.js');
const tmp = mkdtempSync(join(tmpdir(), 'ssm-doctor-cli-'));

/** Runs the built CLI as a user would, with no AWS configuration at all. */
function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: tmp, LANG: 'C.UTF-8', NO_COLOR: '1', ...env },
    timeout: 30_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const oneLine = (s: string) => s.trimEnd().split('\n').length === 1;

describe('usage', () => {
  it('--help prints usage with examples and exits 0', () => {
    const r = cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ssm-doctor --demo/);
    expect(r.stdout).toMatch(/--output/);
    expect(r.stdout).toMatch(/Exit codes: 0 OK/);
  });

  it('--version prints the version and exits 0', () => {
    const r = cli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it.each([
    ['no arguments', [], /at least one instance id/],
    ['a malformed id', ['i-123'], /not an instance id: "i-123"/],
    ['a name instead of an id', ['web-1'], /not an instance id/],
    ['an unknown option', ['i-0123456789abcdef0', '--bogus'], /Unknown argument: bogus/],
    ['a bad --output', ['i-0123456789abcdef0', '--output', 'xml'], /Invalid values/],
    ['a bad --lang', ['i-0123456789abcdef0', '--lang', 'fr'], /Invalid values/],
    ['--demo with --facts', ['--demo', '--facts', 'x.json'], /cannot be used together/],
    ['an empty --region', ['i-0123456789abcdef0', '--region', ''], /--region needs a value/],
  ])('%s is a usage error: exit 3, one line on stderr, nothing on stdout', (_n, args, message) => {
    const r = cli(args as string[]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(oneLine(r.stderr)).toBe(true);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\s+at .*\.js:\d+/);
  });
});

describe('facts files', () => {
  it.each([
    ['a missing file', 'missing.json', null, /cannot read facts file .*missing\.json \(ENOENT\)/],
    ['not JSON', 'bad.json', '{"factsVersion": 1,', /is not JSON/],
    ['a wrong field', 'wrong.json', JSON.stringify({ factsVersion: 1, region: 'eu-west-1', instances: { 'i-0123456789abcdef0': { known: 'yes' } } }), /not a valid facts file: instances\.i-0123456789abcdef0\.known/],
    ['an unknown top-level key', 'extra.json', JSON.stringify({ factsVersion: 2 }), /not a valid facts file: factsVersion/],
  ])('%s: exit 3 with one line naming the file', (_n, name, content, message) => {
    const path = join(tmp, name as string);
    if (content !== null) writeFileSync(path, content as string);
    const r = cli(['--facts', path]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(oneLine(r.stderr)).toBe(true);
    expect(r.stderr).toMatch(message);
  });

  it('an id that is not in the facts file is a usage error', () => {
    const r = cli(['--demo', 'i-0123456789abcdef0']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/not in the demo/);
  });
});

describe('the demo', () => {
  it('prints the diagnosis of the guide starting point and exits 2 (CRITICAL)', () => {
    const r = cli(['--demo']);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/CRITICAL/);
    expect(r.stdout).toMatch(/aws ec2 create-vpc-endpoint/);
    expect(r.stdout).toMatch(/AmazonSSMManagedInstanceCore/);
  });

  it('--output json writes exactly one document that matches the report schema', () => {
    const r = cli(['--demo', '--output', 'json']);
    expect(r.code).toBe(2);
    const report = reportSchema.parse(JSON.parse(r.stdout));
    expect(report.status).toBe('critical');
    expect(report.instances[0].checks.map((c) => c.id)).toHaveLength(9);
    for (const c of report.instances[0].checks) {
      if (c.status === 'fail' || c.status === 'warn') expect(c.fix).toBeDefined();
      else expect(c.fix).toBeUndefined();
    }
  });

  it('speaks Japanese with --lang ja and from LANG=ja_JP.UTF-8', () => {
    const byFlag = cli(['--demo', '--lang', 'ja']);
    const byLocale = cli(['--demo'], { LANG: 'ja_JP.UTF-8' });
    expect(byFlag.stdout).toMatch(/「EC2」/);
    expect(byLocale.stdout).toBe(byFlag.stdout);
    const json = JSON.parse(cli(['--demo', '--lang', 'ja', '-o', 'json']).stdout);
    // ids, statuses and keys never change with the language
    expect(json.instances[0].checks[1]).toMatchObject({ id: 'iam-instance-profile', status: 'fail' });
  });

  it('uses no colour when stdout is not a terminal', () => {
    const r = cli(['--demo'], { NO_COLOR: '' });
    expect(r.stdout).not.toMatch(/\u001b\[/);
  });
});
