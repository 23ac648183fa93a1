import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from '../src/args';
import { HELP_WIDTH, printed, quickAnswer } from '../src/quick';
import { TOOL_VERSION } from '../src/version';

// --version and --help answer before yargs, zod and the AWS SDK load (the help text is yargs' own,
// saved by the build): the output must stay what yargs prints, and the start must stay light.
// Anything else runs dist/app.js, one bundle (src/tools/bundle.ts): it loads no package from
// node_modules, but BudouX for Japanese and the proxy agents behind a proxy, which it loads by path.

const CLI = join(__dirname, '..', 'dist', 'cli.js');
const RECORDER = join(__dirname, 'helpers', 'record-modules.js');
const tmp = mkdtempSync(join(tmpdir(), 'ssm-doctor-startup-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build` first');
});

/** Runs the built CLI with the module recorder; returns its output and the packages and files it loaded. */
function run(args: string[], env: Record<string, string> = {}) {
  const out = join(tmp, `modules-${Math.random().toString(36).slice(2)}.txt`);
  const r = spawnSync(process.execPath, ['--require', RECORDER, CLI, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: tmp, LANG: 'C.UTF-8', NO_COLOR: '1', SSM_DOCTOR_MODULES_OUT: out, ...env },
    timeout: 30_000,
  });
  const modules = readFileSync(out, 'utf8').split('\n').filter(Boolean);
  const packages = new Set(modules.flatMap((m) => /node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(m)?.[1]?.replace('\\', '/') ?? []));
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, modules, packages };
}

describe('fast start', () => {
  it('--version prints the package version and loads no package at all', () => {
    const r = run(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${TOOL_VERSION}\n`);
    expect([...r.packages]).toEqual([]);
  });

  it.each([['--help'], ['-h']])('%s prints exactly what yargs prints (at 100 columns), loading no package', (flag) => {
    const r = run([flag]);
    const yargs = parseArgs(['--help'], {}, HELP_WIDTH);
    expect(yargs.kind).toBe('print');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(printed((yargs as { text: string }).text));
    expect([...r.packages]).toEqual([]);
  });

  it('--help with other arguments is still yargs answering, from the bundle (no package loaded from node_modules)', () => {
    const r = run(['--help', '--debug']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Exit codes: 0 OK/);
    expect([...r.packages]).toEqual([]);
  });

  it('a usage error loads no package: the bundle holds what it needs', () => {
    const r = run(['i-123']);
    expect(r.code).toBe(3);
    expect([...r.packages]).toEqual([]);
  });

  it('the demo runs from the bundle alone; in Japanese it loads BudouX (by path), and nothing else', () => {
    const r = run(['--demo']);
    expect(r.code).toBe(2);
    expect([...r.packages]).toEqual([]);
    const ja = run(['--demo', '--lang', 'ja']);
    expect(ja.code).toBe(2);
    expect([...ja.packages]).toEqual(['budoux']);
  });

  it('a diagnosis runs from the bundle alone, the AWS SDK included', () => {
    const r = run(['i-0123456789abcdef0', '--timeout', '1s', '--output', 'json'], {
      AWS_REGION: 'ap-northeast-1',
      AWS_ACCESS_KEY_ID: 'AKIASTARTUPTEST00000',
      AWS_SECRET_ACCESS_KEY: 'startup-test-secret',
      AWS_EC2_METADATA_DISABLED: 'true',
      // Nothing listens on the discard port: the run ends unknown, after loading the SDK.
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
    });
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'unknown' });
    expect([...r.packages]).toEqual([]);
  });
});

describe('quickAnswer', () => {
  it('answers only a lone --version, or a lone --help when the saved text exists and fits the terminal', () => {
    expect(quickAnswer(['--version'], undefined)).toBe(`${TOOL_VERSION}\n`);
    expect(quickAnswer(['--version', '--debug'], undefined)).toBeUndefined();
    expect(quickAnswer(['i-0123456789abcdef0'], undefined)).toBeUndefined();
    expect(quickAnswer([], undefined)).toBeUndefined();
    // From the sources (as jest runs them) there is no saved text: yargs answers.
    expect(quickAnswer(['--help'], undefined)).toBeUndefined();
  });
});
