import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHECKS } from '../src/checks';
import { reportSchema } from '../src/report/schema';
import { at } from './helpers/only';

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
    // yargs' own message has a line break, once printed as a literal \u000a: one line, no escape.
    [
      'a bad --output',
      ['i-0123456789abcdef0', '--output', 'xml'],
      /^ssm-doctor: --output "xml": choose one of "table", "json", "junit", "line", "csv", "markdown" \(see ssm-doctor --help\)\n$/,
    ],
    [
      'a bad --lang',
      ['i-0123456789abcdef0', '--lang', 'fr'],
      /^ssm-doctor: --lang "fr": choose one of "en", "ja" \(see ssm-doctor --help\)\n$/,
    ],
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
    [
      'a wrong field',
      'wrong.json',
      JSON.stringify({ factsVersion: 1, region: 'eu-west-1', instances: { 'i-0123456789abcdef0': { known: 'yes' } } }),
      /not a valid facts file: instances\.i-0123456789abcdef0\.known/,
    ],
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
    expect(report.instances[0]?.checks.map((c) => c.id)).toEqual(CHECKS.map((c) => c.id));
    for (const c of at(report.instances, 0).checks) {
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
    expect(json.instances[0].checks.find((c: { id: string }) => c.id === 'iam-instance-profile')).toMatchObject({ status: 'fail' });
  });

  it('uses no colour when stdout is not a terminal', () => {
    const r = cli(['--demo'], { NO_COLOR: '' });
    expect(r.stdout).not.toMatch(/\u001b\[/);
  });
});

describe('odd locales', () => {
  const lang = (env: Record<string, string>) => {
    const r = cli(['--demo', '-o', 'json'], env);
    expect(r.code).toBe(2);
    const report = reportSchema.parse(JSON.parse(r.stdout));
    const message = at(report.instances, 0).checks.find((c) => c.id === 'iam-instance-profile')!.message;
    return /[ぁ-んァ-ン一-龯]/.test(message) ? 'ja' : 'en';
  };

  it.each([
    [{ LANG: 'ja_JP.eucJP' }, 'ja'],
    [{ LANG: 'ja_JP.SJIS' }, 'ja'],
    [{ LANG: 'ja' }, 'ja'],
    [{ LC_ALL: 'C', LANG: 'ja_JP.UTF-8' }, 'en'],
    [{ LC_ALL: 'ja_JP.UTF-8', LANG: 'C' }, 'ja'],
    [{ LC_MESSAGES: 'ja_JP.UTF-8', LANG: 'C' }, 'ja'],
    [{ LANG: '' }, 'en'],
    [{ LANG: 'POSIX' }, 'en'],
    [{ LANG: 'jam_JM.UTF-8' }, 'en'],
  ])('%j speaks %s, and ids, statuses and exit code do not change', (env, expected) => {
    expect(lang(env)).toBe(expected);
  });
});

describe('hostile arguments: exit 3, one line, no stack trace', () => {
  it.each([
    ['a control character in an id', ['i-0123456789abcdef0\u001b[2J'], /not an instance id: "i-0123456789abcdef0\\u001b\[2J"/],
    ['a newline in an id', ['i-01234567\nrm -rf /'], /not an instance id: "i-01234567\\nrm -rf \/"/],
    ['a 100,000-character argument', ['i-' + 'f'.repeat(100_000)], /not an instance id: "i-f+\.\.\."/],
    ['a prototype-polluting option', ['--constructor.prototype', 'x'], /.+/],
    ['__proto__ as an option', ['--__proto__', 'i-0123456789abcdef0'], /Unknown argument/],
    [
      'a region that is not one',
      ['i-0123456789abcdef0', '--region', 'ap-northeast-1; rm -rf /'],
      /not a region: "ap-northeast-1; rm -rf \/"/,
    ],
    ['a control character in --profile', ['i-0123456789abcdef0', '--profile', 'dev\u0007'], /--profile contains a control character/],
    ['a repeated --output', ['--demo', '-o', 'json', '-o', 'table'], /--output was given more than once|Invalid values/],
    ['a bad --timeout', ['i-0123456789abcdef0', '--timeout', 'forever'], /--timeout "forever": give a duration from 1s to 60m/],
  ])('%s', (_n, args, message) => {
    const r = cli(args as string[]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(oneLine(r.stderr)).toBe(true);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.length).toBeLessThan(700);
    expect(r.stderr).not.toMatch(/\u001b|\u0007/);
    expect(r.stderr).not.toMatch(/\s+at .*\.js:\d+/);
  });
});

describe('hostile facts files: exit 3, one line, no stack trace', () => {
  const write = (name: string, content: string | Buffer) => {
    const path = join(tmp, name);
    writeFileSync(path, content);
    return path;
  };

  it.each([
    ['binary', () => write('binary.json', Buffer.from([0x00, 0xff, 0x1b, 0x5b, 0x32, 0x4a, 0x07, 0x89, 0x50, 0x4e, 0x47])), /is not JSON/],
    ['empty', () => write('empty.json', ''), /is not JSON/],
    ['nested 200,000 deep', () => write('deep.json', '['.repeat(200_000) + ']'.repeat(200_000)), /not a valid facts file: \(top level\)/],
    [
      'a number where an object belongs',
      () => write('types.json', JSON.stringify({ factsVersion: 1, region: 'ap-northeast-1', instances: 5 })),
      /not a valid facts file: instances: /,
    ],
    ['a directory', () => tmp, /is not a regular file/],
    [
      'a FIFO (which would never end unless someone writes to it)',
      () => {
        const path = join(tmp, 'fifo');
        if (!existsSync(path)) execFileSync('mkfifo', [path]);
        return path;
      },
      /fifo is a pipe, not a facts file: pass it as standard input/,
    ],
    [
      'not JSON, with a secret in it: the error says where, never what',
      () => write('secret.json', '{"a": SECRET-Abc123}'),
      /is not JSON \(unexpected input\)\n$/,
    ],
    [
      'not JSON after a valid start',
      () => write('trailing.json', '{"a": 1}\n  x'),
      /is not JSON \(unexpected input at line 2, column 3\)\n$/,
    ],
    ['a device that never ends', () => '/dev/zero', /\/dev\/zero is a device, not a facts file/],
    [
      'larger than any facts file (sparse, 65 MiB)',
      () => {
        const path = write('huge.json', '');
        truncateSync(path, 65 * 1024 * 1024);
        return path;
      },
      /bytes is too large for a facts file/,
    ],
  ])('%s', (_n, make, message) => {
    const r = cli(['--facts', make()]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(oneLine(r.stderr)).toBe(true);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\u001b|\u0007/);
    expect(r.stderr).not.toMatch(/\s+at .*\.js:\d+/);
  });

  it('facts piped in by a shell on /dev/stdin are read (a pipe is not a device)', () => {
    const demo = join(__dirname, '..', 'examples', 'guide-start.facts.json');
    const r = spawnSync('/bin/sh', ['-c', 'cat "$1" | "$2" "$3" --facts /dev/stdin -o json', 'sh', demo, process.execPath, CLI], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: tmp, LANG: 'C.UTF-8' },
      timeout: 30_000,
    });
    expect(r.status).toBe(2);
    expect(JSON.parse(r.stdout).status).toBe('critical');
  });

  it.each([['-'], ['/dev/stdin']])('--facts %s reads standard input also when it is a socket, as a parent process gives it', (arg) => {
    const demo = readFileSync(join(__dirname, '..', 'examples', 'guide-start.facts.json'));
    const r = spawnSync(process.execPath, [CLI, '--facts', arg, '-o', 'json'], {
      input: demo,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: tmp, LANG: 'C.UTF-8' },
      timeout: 30_000,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(2);
    expect(JSON.parse(r.stdout).status).toBe('critical');
  });

  it('--facts - with something that is not facts on standard input: one line naming stdin, exit 3', () => {
    const r = spawnSync(process.execPath, [CLI, '--facts', '-'], {
      input: '{"factsVersion": 1',
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: tmp },
      timeout: 30_000,
    });
    expect(r.status).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('ssm-doctor: stdin is not JSON (unexpected input at line 1, column 19)\n');
  });
});

describe('--output junit', () => {
  it('the demo as a JUnit report: one test case per check, exit code as with any output', () => {
    const r = cli(['--demo', '--output', 'junit']);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="ssm-doctor" /);
    expect(r.stdout.match(/<testcase /g)).toHaveLength(CHECKS.length);
    expect(r.stdout).toMatch(/<failure message="[^"]+" type="critical">/);
    expect(r.stderr).toBe('');
  });
});

describe('a reader that goes away', () => {
  it('stdout closed early (| head): no stack trace, the exit code stays the diagnosis', async () => {
    const child = spawn(process.execPath, [CLI, '--demo', '-o', 'json'], {
      env: { PATH: process.env.PATH ?? '', HOME: tmp, LANG: 'C.UTF-8' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toMatch(/\s+at .*\.js:\d+|EPIPE/);
    expect([2, null]).toContain(code);
  });
});

describe('credentials and region, said precisely', () => {
  const home = mkdtempSync(join(tmpdir(), 'ssm-doctor-profiles-'));
  beforeAll(() => {
    execFileSync('mkdir', ['-p', join(home, '.aws')]);
    writeFileSync(
      join(home, '.aws', 'config'),
      '[profile sso-helper]\ncredential_process = sh -c "echo token expired >&2; exit 3"\nregion = ap-northeast-1\n\n' +
        '[profile noregion]\naws_access_key_id = AKIAEXAMPLEEXAMPLE12\naws_secret_access_key = x\n',
    );
  });
  const run = (args: string[]) =>
    spawnSync(process.execPath, [CLI, ...args], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: home, LANG: 'C.UTF-8', AWS_EC2_METADATA_DISABLED: 'true' },
      timeout: 30_000,
    });

  it('a failing credential_process is named as such, not as a misspelt profile', () => {
    const r = run(['i-0123456789abcdef0', '--profile', 'sso-helper', '--timeout', '10s']);
    expect(r.status).toBe(3);
    expect(r.stderr).toBe(
      'ssm-doctor: the credential_process of profile sso-helper (sh) failed or gave no credentials: run that command yourself to see its error (an expired login, a missing tool)\n',
    );
  });

  it.each([
    [['--profile', 'noregion'], 'profile noregion has no region; set it with aws configure set region REGION --profile noregion'],
    [['--profile', 'nosuch'], 'profile nosuch does not exist (aws configure list-profiles)'],
    [[], 'give your default profile one (aws configure set region REGION)'],
  ])('no region with %j says where to set one', (args, hint) => {
    const r = run(['i-0123456789abcdef0', ...args]);
    expect(r.status).toBe(3);
    expect(r.stderr).toContain(hint);
    expect(oneLine(r.stderr)).toBe(true);
  });
});
