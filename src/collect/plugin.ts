import { accessSync, constants, statSync } from 'node:fs';
import { delimiter as pathDelimiter, join } from 'node:path';

export interface PluginLookup {
  found: boolean;
  path?: string;
}

/**
 * Whether `session-manager-plugin` is an executable file in a PATH directory, as a shell would
 * find it (on Windows also `.exe`). A local look-up: no process is started and AWS is not called.
 */
export function findSessionManagerPlugin(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): PluginLookup {
  const windows = platform === 'win32';
  // Windows spells the variable Path; Node's env is case-insensitive there, but a passed-in object is not.
  const path = env.PATH ?? env.Path ?? '';
  const names = windows ? ['session-manager-plugin.exe', 'session-manager-plugin'] : ['session-manager-plugin'];
  for (const dir of path.split(windows ? ';' : pathDelimiter)) {
    if (!dir) continue;
    for (const name of names) {
      const file = join(dir.replace(/^"(.*)"$/, '$1'), name);
      if (isExecutableFile(file, windows)) return { found: true, path: file };
    }
  }
  return { found: false };
}

function isExecutableFile(file: string, windows: boolean): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    // Windows has no execute bit: a file of that name is what the shell would run.
    if (!windows) accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
