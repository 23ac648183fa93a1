import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  constants,
} from 'node:fs';
import Module, { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';

/**
 * Loads a bundled CommonJS file with V8's code cache, as Node 22's module.enableCompileCache() does
 * for every module: the first run compiles the file and, once it has run (so the functions it
 * used are compiled too), saves V8's cache; later runs skip parsing and compiling it. On Node 22+
 * that built-in is used instead of this.
 *
 * The cache is code: it is kept only in a directory the user owns and no one else may write
 * ($XDG_CACHE_HOME/ssm-doctor, else ~/.cache/ssm-doctor), its name carries the file's size and
 * time, the tool's and Node's versions, and anything amiss (a directory that is not private, a
 * file V8 rejects, a disk that cannot be written) means a plain load, never an error.
 * SSM_DOCTOR_NO_COMPILE_CACHE=1 turns it off.
 */
export function requireCached<T>(
  file: string,
  version: string,
  env: NodeJS.ProcessEnv = process.env,
  /** Told how the file was loaded (for tests): from the cache, compiled with a cache to save, or plainly. */
  observe?: (how: 'cached' | 'compiled' | 'plain') => void,
): T {
  const dir = env.SSM_DOCTOR_NO_COMPILE_CACHE ? undefined : privateDir(env);
  const builtIn = (Module as unknown as { enableCompileCache?: (dir?: string) => unknown }).enableCompileCache;
  if (!dir || builtIn) {
    if (dir && builtIn) builtIn(dir);
    observe?.('plain');
    return createRequire(file)(file) as T;
  }
  const st = statSync(file);
  const name = `${basename(file, '.js')}-${version}-${process.version}-${process.arch}-${st.size}-${Math.trunc(st.mtimeMs)}.v8cache`;
  const cacheFile = join(dir, name);
  const cachedData = readPrivate(cacheFile);
  const source = readFileSync(file, 'utf8').replace(/^#!/, '//');
  // The bundle has no import() left (the build turns them into require()): a vm.Script has no loader for them.
  const script = new Script(Module.wrap(source), { filename: file, cachedData });
  const hit = cachedData !== undefined && script.cachedDataRejected !== true;
  if (!hit) process.once('exit', () => save(dir, cacheFile, () => script.createCachedData()));
  observe?.(hit ? 'cached' : 'compiled');
  const m = new Module(file, module);
  m.filename = file;
  m.paths = (Module as unknown as { _nodeModulePaths(d: string): string[] })._nodeModulePaths(dirname(file));
  const wrapper = script.runInThisContext() as (...a: unknown[]) => void;
  wrapper.call(m.exports, m.exports, createRequire(file), m, file, dirname(file));
  m.loaded = true;
  return m.exports as T;
}

/** The cache directory, made 0700 if missing; undefined unless it is the user's own and no one else can write to it. */
function privateDir(env: NodeJS.ProcessEnv): string | undefined {
  if (typeof process.getuid !== 'function') return undefined;
  try {
    const base = env.XDG_CACHE_HOME || join(homedir(), '.cache');
    const dir = join(base, 'ssm-doctor');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = statSync(dir);
    return st.isDirectory() && st.uid === process.getuid() && (st.mode & 0o022) === 0 ? dir : undefined;
  } catch {
    return undefined;
  }
}

/** The cache file, if it is a regular file of the user's, not reached through a link, that no one else can write. */
function readPrivate(path: string): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    const st = fstatSync(fd);
    if (!st.isFile() || st.uid !== process.getuid?.() || (st.mode & 0o022) !== 0) return undefined;
    return readFileSync(fd);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Writes the cache atomically (0600, then renamed) and removes the caches of other versions. */
function save(dir: string, cacheFile: string, data: () => Buffer): void {
  const temp = `${cacheFile}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, data(), { mode: 0o600, flag: 'wx' });
    renameSync(temp, cacheFile);
    for (const f of readdirSync(dir)) {
      if (f.endsWith('.v8cache') && join(dir, f) !== cacheFile) rmSync(join(dir, f), { force: true });
    }
  } catch {
    rmSync(temp, { force: true });
  }
}
