import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// The code cache of the bundled app.js (src/compile-cache.ts), run in child processes: the cache is
// written when a process exits, and read by the next. Needs the build (npm test builds first).

const CACHE_MODULE = resolve(__dirname, '..', 'dist', 'compile-cache.js');
const builtIn = typeof (require('node:module') as { enableCompileCache?: unknown }).enableCompileCache === 'function';
/** Cases of the vm.Script cache: on a Node with module.enableCompileCache, that is used instead, and they are skipped saying so. */
const onVm = (name: string, fn: () => void) =>
  builtIn ? it.skip(`skipped: Node ${process.version} has its own compile cache, used instead: ${name}`, fn) : it(name, fn);

let work: string;
let lib: string;
let driver: string;

beforeEach(() => {
  if (!existsSync(CACHE_MODULE)) throw new Error('dist/compile-cache.js is missing: run `npm run build` first');
  work = mkdtempSync(join(tmpdir(), 'ssm-doctor-cc-'));
  lib = join(work, 'lib.js');
  writeFileSync(lib, `exports.value = require('node:path').basename(__filename) + ':' + (function inner() { return 42; })();\n`);
  driver = join(work, 'driver.js');
  writeFileSync(
    driver,
    `const how = [];\n` +
      `const m = require(${JSON.stringify(CACHE_MODULE)}).requireCached(process.argv[2], '9.9.9', process.env, (h) => how.push(h));\n` +
      `process.stdout.write(JSON.stringify({ how: how[0], value: m.value }));\n`,
  );
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

function load(env: NodeJS.ProcessEnv = {}): { how: string; value: string } {
  const r = spawnSync(process.execPath, [driver, lib], {
    env: { PATH: process.env.PATH, HOME: join(work, 'home'), XDG_CACHE_HOME: join(work, 'cache'), ...env },
    encoding: 'utf8',
  });
  expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  return JSON.parse(r.stdout) as { how: string; value: string };
}

const cacheDir = () => join(work, 'cache', 'ssm-doctor');
const cacheFiles = () => (existsSync(cacheDir()) ? readdirSync(cacheDir()).filter((f) => f.endsWith('.v8cache')) : []);

describe('the compile cache', () => {
  onVm('compiles and saves on the first run, loads from the cache on the next, in a 0700 directory as a 0600 file', () => {
    expect(load()).toEqual({ how: 'compiled', value: 'lib.js:42' });
    const [file] = cacheFiles();
    expect(file).toMatch(/^lib-9\.9\.9-v\d+\.\d+\.\d+-\w+-\d+-\d+\.v8cache$/);
    expect(statSync(cacheDir()).mode & 0o777).toBe(0o700);
    expect(statSync(join(cacheDir(), file!)).mode & 0o777).toBe(0o600);
    expect(load()).toEqual({ how: 'cached', value: 'lib.js:42' });
  });

  onVm('a changed file is compiled again, and the old cache removed', () => {
    load();
    const before = cacheFiles();
    writeFileSync(lib, `exports.value = 'changed';\n`);
    utimesSync(lib, new Date(), new Date(Date.now() + 5_000));
    expect(load()).toEqual({ how: 'compiled', value: 'changed' });
    expect(cacheFiles()).toHaveLength(1);
    expect(cacheFiles()).not.toEqual(before);
  });

  onVm('a cache file V8 rejects (garbage) costs nothing but a compile: the module still loads, and the cache is rewritten', () => {
    load();
    const [file] = cacheFiles();
    writeFileSync(join(cacheDir(), file!), Buffer.alloc(4096, 7), { mode: 0o600 });
    expect(load()).toEqual({ how: 'compiled', value: 'lib.js:42' });
    expect(load()).toEqual({ how: 'cached', value: 'lib.js:42' });
  });

  onVm('is not read through a symbolic link', () => {
    load();
    const [file] = cacheFiles();
    const real = join(work, 'elsewhere.v8cache');
    writeFileSync(real, Buffer.alloc(16));
    rmSync(join(cacheDir(), file!));
    symlinkSync(real, join(cacheDir(), file!));
    expect(load().how).toBe('compiled');
  });

  it('is not used in a directory others may write to', () => {
    mkdirSync(cacheDir(), { recursive: true });
    chmodSync(cacheDir(), 0o777);
    expect(load()).toEqual({ how: 'plain', value: 'lib.js:42' });
    expect(cacheFiles()).toEqual([]);
  });

  it('an unusable cache location (a file where the directory should be) means a plain load', () => {
    writeFileSync(join(work, 'cache'), 'not a directory');
    expect(load()).toEqual({ how: 'plain', value: 'lib.js:42' });
  });

  it('SSM_DOCTOR_NO_COMPILE_CACHE turns it off: nothing is created', () => {
    expect(load({ SSM_DOCTOR_NO_COMPILE_CACHE: '1' })).toEqual({ how: 'plain', value: 'lib.js:42' });
    expect(existsSync(join(work, 'cache'))).toBe(false);
  });
});
