import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadFacts } from '../../src/facts/file';
import { EXIT_CODE } from '../../src/report/build';
import { diagnose, requireBuiltCli, scratch, type Scratch } from './helpers/run';

// --save-facts writes a description of the account: owner-only, never through a symbolic link,
// never over a file unless asked, all or nothing, and a path it cannot write never costs the report.

jest.setTimeout(60_000);
beforeAll(requireBuiltCli);

let dir: Scratch;
beforeEach(() => (dir = scratch()));
afterEach(() => dir.remove());

const leftovers = (d: string) => readdirSync(d).filter((f) => f.endsWith('.tmp'));

describe('--save-facts', () => {
  it('writes a file only its owner can read, that loads back, after the report, and leaves no temporary file', async () => {
    const file = join(dir.path, 'i.json');
    const r = await diagnose(() => {}, ['--save-facts', file]);
    expect(r.code).toBe(EXIT_CODE[r.report!.status]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(() => loadFacts(file)).not.toThrow();
    expect(leftovers(dir.path)).toEqual([]);
  });

  it('refuses to replace an existing file, before reading AWS; --force replaces it', async () => {
    const file = join(dir.path, 'i.json');
    writeFileSync(file, 'mine');
    const refused = await diagnose(() => {}, ['--save-facts', file]);
    expect({ code: refused.code, stderr: refused.stderr.trim(), stdout: refused.stdout }).toEqual({
      code: 3,
      stderr: `ssm-doctor: ${file} already exists: pass --force to replace it`,
      stdout: '',
    });
    expect(refused.fake.requests).toEqual([]);
    expect(readFileSync(file, 'utf8')).toBe('mine');

    const forced = await diagnose(() => {}, ['--save-facts', file, '--force']);
    expect(forced.code).toBe(EXIT_CODE[forced.report!.status]);
    expect(() => loadFacts(file)).not.toThrow();
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('never writes through a symbolic link, even with --force', async () => {
    const target = join(dir.path, 'elsewhere');
    writeFileSync(target, 'precious');
    const link = join(dir.path, 'i.json');
    symlinkSync(target, link);
    for (const extra of [[], ['--force']]) {
      const r = await diagnose(() => {}, ['--save-facts', link, ...extra]);
      expect({ code: r.code, stderr: r.stderr.trim() }).toEqual({
        code: 3,
        stderr: `ssm-doctor: ${link} is a symbolic link: --save-facts does not write through one`,
      });
    }
    expect(readFileSync(target, 'utf8')).toBe('precious');
  });

  it('a path it cannot write: the report is printed first, then one line and exit 3', async () => {
    const locked = join(dir.path, 'locked');
    mkdirSync(locked, { mode: 0o500 });
    const file = join(locked, 'i.json');
    const r = await diagnose(() => {}, ['--save-facts', file]);
    // root may write anywhere: then the file is simply there, and nothing below applies.
    if (existsSync(file)) return expect(process.getuid?.()).toBe(0);
    expect(r.report?.instances).toHaveLength(1);
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toMatch(new RegExp(`^ssm-doctor: cannot write facts file ${file} \\(EACCES\\)$`));
  });

  it('a directory that does not exist: the same', async () => {
    const file = join(dir.path, 'no', 'such', 'i.json');
    const r = await diagnose(() => {}, ['--save-facts', file]);
    expect(r.report?.instances).toHaveLength(1);
    expect({ code: r.code, stderr: r.stderr.trim() }).toEqual({ code: 3, stderr: `ssm-doctor: cannot write facts file ${file} (ENOENT)` });
  });
});
