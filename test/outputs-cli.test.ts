import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CLI = join(__dirname, '..', 'dist', 'cli.js');
const FIXTURE_BASE = join(__dirname, '..', 'fixtures', 'bases', 'healthy-private.facts.json');
const tmp = mkdtempSync(join(tmpdir(), 'ssm-doctor-outputs-'));

/** The built CLI as a monitoring host or CI job runs it: no AWS configuration, not a terminal. */
function cli(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: tmp, LANG: 'C.UTF-8', NO_COLOR: '1' },
    timeout: 30_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('outputs for the places the tool runs (built CLI)', () => {
  it('--output line on the demo: one line, perfdata, exit 2', () => {
    const r = cli(['--demo', '--output', 'line']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(
      /^SSM-DOCTOR CRITICAL - 1 of 1 instance cannot open a session \([a-z-]+ on 1\) \| ok=0;;;0;1 warning=0;;;0;1 critical=1;;;0;1 unknown=0;;;0;1\n$/,
    );
  });

  it('--output line on a healthy facts file: OK and exit 0', () => {
    const r = cli(['--facts', FIXTURE_BASE, '-o', 'line']);
    expect(r.stdout).toMatch(/^SSM-DOCTOR (OK|WARNING) - 1 of 1 instance can open a session/);
    expect(r.code).toBe(r.stdout.startsWith('SSM-DOCTOR OK') ? 0 : 1);
  });

  it('--output csv: the header and a row per check, exit code as ever', () => {
    const r = cli(['--demo', '-o', 'csv']);
    expect(r.code).toBe(2);
    expect(r.stdout.split('\r\n')[0]).toBe(
      'account,region,instance_id,name,instance_status,check_id,severity,check_status,message,fix_steps,fix_commands',
    );
    expect(r.stdout).toMatch(/\r\n111122223333,ap-northeast-1,i-0a1b2c3d4e5f67890,test-ec2,critical,instance-state,critical,pass,/);
  });

  it('--output markdown: a heading with the status and a table', () => {
    const r = cli(['--demo', '-o', 'markdown', '--lang', 'ja']);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^### ❌ ssm-doctor: CRITICAL\n\n1 台: 1 CRITICAL/);
    expect(r.stdout).toMatch(/\n\| 状態 \| インスタンス \| Name \|/);
  });

  it.each([[[]], [['-o', 'json']], [['-o', 'line']], [['-o', 'csv']]])('--quiet %j: nothing on stdout, the exit code only', (extra) => {
    const r = cli(['--demo', '--quiet', ...extra]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('');
  });

  it('--quiet keeps usage errors on stderr (exit 3)', () => {
    const r = cli(['--quiet', 'nope']);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/not an instance id/);
  });

  it('--help names every output and --quiet', () => {
    const r = cli(['--help']);
    for (const o of ['line', 'csv', 'markdown', '--quiet']) expect(r.stdout).toContain(o);
  });
});
