import { statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { Options } from './args.js';
// Imported, not import()ed: the pipeline and the AWS SDK behind it must reach the bundle tree-shaken
// (src/tools/bundle.ts refuses a bundle that holds every command of a client).
import { diagnoseAws, diagnoseFacts, type Io } from './diagnose.js';
import type { Facts } from './facts/schema.js';
import type { Diagnosis } from './report/build.js';
import { firstLine, messageText, safeLine, scrub } from './redact.js';
import type { Report } from './report/schema.js';
import { TOOL_NAME } from './version.js';

/**
 * Everything past --version and --help: the options, the reads, the report. The build bundles this
 * module with what it loads (src/cli.ts stays small and requires it only for a real run), so a run
 * loads one file instead of several hundred.
 */

export const DEMO_FACTS = join(__dirname, '..', 'examples', 'guide-start.facts.json');

/** One line on stderr and exit 3: the answer to anything the user (not AWS) got wrong. */
class UsageError extends Error {}

async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const startedAt = new Date();
  const { configChoice, loadProjectConfig } = await import('./config.js');
  const config = await loadProjectConfig(process.cwd(), configChoice(argv));
  const { parseArgs } = await import('./args.js');
  const parsed = parseArgs(argv, env, undefined, config);
  if (parsed.kind === 'print') {
    process.stdout.write(parsed.text.endsWith('\n') ? parsed.text : parsed.text + '\n');
    return 0;
  }
  if (parsed.kind === 'usage') throw new UsageError(`${parsed.error} (see ssm-doctor --help)`);
  const opts = parsed.options;

  const { exitCode, buildReport } = await import('./report/build.js');
  // A file --save-facts may not write is refused before AWS is read, not after.
  if (opts.saveFacts) (await import('./facts/file.js')).checkSaveTarget(opts.saveFacts, opts.force);
  let toSave: Facts | undefined;
  const readAws = async (): Promise<Diagnosis> => {
    const d = await diagnoseAws(opts, io());
    toSave = d.facts;
    return d;
  };
  let code: number;
  if (opts.output === 'json' && !opts.quiet && opts.waitMs === undefined) {
    // Written as it is built: a fleet's report text is never held whole.
    const diagnosis = opts.demo || opts.facts ? await fromFile(opts) : await readAws();
    code = exitCode(await (await import('./report/json.js')).writeJson(diagnosis, opts.lang, writeOut), opts.failOn);
  } else {
    const report = opts.demo || opts.facts ? buildReport(await fromFile(opts), opts.lang) : await fromAws(opts, readAws);
    if (opts.quiet) {
      // --quiet: the exit code says it all; nothing is written to stdout.
    } else if (opts.output === 'json') {
      process.stdout.write((await import('./report/json.js')).renderJson(report));
    } else if (opts.output === 'line') {
      process.stdout.write((await import('./report/line.js')).renderLine(report, opts.lang));
    } else if (opts.output === 'csv') {
      process.stdout.write((await import('./report/csv.js')).renderCsv(report));
    } else if (opts.output === 'markdown') {
      process.stdout.write((await import('./report/markdown.js')).renderMarkdown(report, opts.lang));
    } else if (opts.output === 'junit') {
      process.stdout.write(
        (await import('./report/junit.js')).renderJunit(report, { startedAt, seconds: (Date.now() - startedAt.getTime()) / 1000 }),
      );
    } else {
      const color = Boolean(process.stdout.isTTY) && !env.NO_COLOR && env.TERM !== 'dumb';
      const { renderTable } = await import('./report/table.js');
      process.stdout.write(renderTable(report, { lang: opts.lang, color, width: process.stdout.columns || 120, verbose: opts.verbose }));
    }
    code = exitCode(report.status, opts.failOn);
  }
  // After the report: a path that cannot be written costs the file (exit 3, one line), never the report.
  if (opts.saveFacts && toSave) (await import('./facts/file.js')).saveFacts(opts.saveFacts, toSave, opts.force);
  return code;
}

/** Stdout, one chunk at a time: the next waits until this one is taken (or the reader is gone). */
const writeOut = (chunk: string) => new Promise<void>((resolve) => process.stdout.write(chunk, () => resolve()));

async function fromFile(opts: Options): Promise<Diagnosis> {
  const { isStdin, loadFacts, loadFactsFrom } = await import('./facts/file.js');
  const path = opts.demo ? DEMO_FACTS : opts.facts!;
  let facts;
  if (isStdin(path)) {
    // Read as a stream: a pipe, a file or a socket (what a parent process gives) all work.
    if (process.stdin.isTTY) throw new UsageError(`--facts ${path} reads standard input, which is a terminal: pipe a facts file in`);
    facts = await loadFactsFrom(process.stdin);
  } else {
    refuseDevice(path);
    facts = loadFacts(path);
  }
  const inFile = Object.keys(facts.instances);
  const missing = opts.instanceIds.filter((id) => !inFile.includes(id));
  if (missing.length)
    throw new UsageError(`${missing.join(', ')} not in ${opts.demo ? 'the demo' : path} (it has ${inFile.join(', ') || 'no instances'})`);
  return diagnoseFacts(facts, opts.instanceIds.length ? opts.instanceIds : inFile, opts);
}

/**
 * Only a regular file is read as a facts file: a device (/dev/zero) or a FIFO may never end, so the
 * read would never finish; standard input (`-`) is read apart, as a stream.
 */
function refuseDevice(path: string): void {
  let st: Stats;
  try {
    st = statSync(path);
  } catch {
    return; // loadFacts says why it cannot be read
  }
  if (st.isCharacterDevice() || st.isBlockDevice() || st.isSocket()) throw new UsageError(`${path} is a device, not a facts file`);
  if (st.isFIFO()) throw new UsageError(`${path} is a pipe, not a facts file: pass it as standard input (--facts - < …)`);
  if (!st.isFile()) throw new UsageError(`${path} is not a regular file`);
}

const io = (): Io => ({ err: process.stderr, sleep: (ms) => new Promise((r) => setTimeout(r, ms)), now: Date.now });

async function fromAws(opts: Options, read: () => Promise<Diagnosis>): Promise<Report> {
  const { buildReport } = await import('./report/build.js');
  const once = async () => buildReport(await read(), opts.lang);
  const { waitUntilOk } = await import('./wait.js');
  return opts.waitMs === undefined ? once() : waitUntilOk(opts.waitMs, once, io());
}

/** Loads the facts file module only when it could have thrown: a usage error stays as fast as --version. */
async function isFactsFileError(e: unknown): Promise<boolean> {
  return e instanceof Error && e instanceof (await import('./facts/file.js')).FactsFileError;
}

export async function run(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  try {
    return await main(argv, env);
  } catch (e) {
    const known = e instanceof UsageError || ['CollectError', 'ConfigError'].includes((e as Error)?.name) || (await isFactsFileError(e));
    const debug = argv.includes('--debug');
    // A usage or file error is one sentence (control characters in it are escaped, not cut); an
    // unexpected error's first line is its message, the rest is a stack for --debug.
    const message = known ? messageText(e) : firstLine(messageText(e));
    process.stderr.write(`${TOOL_NAME}: ${known ? '' : 'internal error: '}${safeLine(message)}\n`);
    if (debug && e instanceof Error && e.stack) process.stderr.write(scrub(e.stack) + '\n');
    else if (!known) process.stderr.write(`${TOOL_NAME}: run again with --debug for details\n`);
    return 3;
  }
}
