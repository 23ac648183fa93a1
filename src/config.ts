/**
 * The project config file: what a repository pins for every run of the tool in it (the checks to
 * leave out, the exit policy), found the conventional way from the working directory up (lilconfig):
 * `ssm-doctor` in package.json, `.ssm-doctorrc`, `.ssm-doctorrc.json` or `ssm-doctor.config.json`.
 * JSON only: a config file is data, never code that runs. Options on the command line win.
 */
import { lilconfigSync, type LilconfigResult } from 'lilconfig';

export interface ProjectConfig {
  skip?: string[];
  only?: string[];
  failOn?: 'warning' | 'critical';
  caller?: boolean;
  timeout?: string;
  lang?: 'en' | 'ja';
}

export interface FoundConfig {
  path: string;
  config: ProjectConfig;
}

/** A config file that cannot be used: one line naming the file and the field. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export const CONFIG_FILES = ['package.json', '.ssm-doctorrc', '.ssm-doctorrc.json', 'ssm-doctor.config.json'];

const json = (filepath: string, content: string): unknown => {
  try {
    return JSON.parse(content);
  } catch {
    throw new ConfigError(`${filepath} is not JSON`);
  }
};

/** `--config FILE`, `--config=FILE` and `--no-config` as the command line gives them (read before the rest is parsed). */
export function configChoice(argv: readonly string[]): { path?: string; none: boolean } {
  let path: string | undefined;
  let none = false;
  for (let i = 0; i < argv.length && argv[i] !== '--'; i++) {
    const w = argv[i]!;
    if (w === '--no-config') none = true;
    else if (w === '--config') path = argv[i + 1];
    else if (w.startsWith('--config=')) path = w.slice('--config='.length);
  }
  return { path, none };
}

/** The project config, validated; undefined when there is none (or --no-config). */
export async function loadProjectConfig(cwd: string, choice: { path?: string; none: boolean }): Promise<FoundConfig | undefined> {
  if (choice.none) return undefined;
  const explorer = lilconfigSync('ssm-doctor', {
    searchPlaces: CONFIG_FILES,
    loaders: { '.json': json, noExt: json },
    packageProp: 'ssm-doctor',
  });
  let found: LilconfigResult;
  try {
    found = choice.path ? explorer.load(choice.path) : explorer.search(cwd);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(`cannot read config file ${choice.path ?? cwd}${code ? ` (${code})` : ''}`);
  }
  if (!found || found.isEmpty) return undefined;
  // zod loads only when there is a file to check (about 50 ms).
  const { z } = await import('zod');
  const ids = z.union([z.array(z.string()), z.string().transform((s) => s.split(','))]);
  const schema = z
    .object({
      skip: ids.optional(),
      only: ids.optional(),
      failOn: z.enum(['warning', 'critical']).optional(),
      caller: z.boolean().optional(),
      timeout: z.string().optional(),
      lang: z.enum(['en', 'ja']).optional(),
    })
    .strict();
  const parsed = schema.safeParse(found.config);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    const where = issue?.path.length ? issue.path.map(String).join('.') : '(top level)';
    throw new ConfigError(`${found.filepath}: ${where}: ${issue?.message ?? 'not a valid config'}`);
  }
  const config = parsed.data;
  return {
    path: found.filepath,
    config: {
      ...config,
      ...(config.skip ? { skip: config.skip.map((s) => s.trim()) } : {}),
      ...(config.only ? { only: config.only.map((s) => s.trim()) } : {}),
    },
  };
}
