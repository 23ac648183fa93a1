#!/usr/bin/env node
import { join } from 'node:path';
import { parseArgs, type Options } from './args.js';
import { EXIT_CODE, buildReport } from './engine.js';
import { FactsFileError, loadFacts, saveFacts } from './facts/file.js';
import type { Facts } from './facts/schema.js';
import { renderJson } from './report/json.js';
import { renderTable } from './report/table.js';
import { TOOL_NAME, TOOL_VERSION } from './version.js';

export const DEMO_FACTS = join(__dirname, '..', 'examples', 'guide-start.facts.json');

/** One line on stderr and exit 3: the answer to anything the user (not AWS) got wrong. */
class UsageError extends Error {}

async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const parsed = parseArgs(argv, env);
  if (parsed.kind === 'print') {
    process.stdout.write(parsed.text.endsWith('\n') ? parsed.text : parsed.text + '\n');
    return 0;
  }
  if (parsed.kind === 'usage') throw new UsageError(`${parsed.error} (see ssm-doctor --help)`);
  const opts = parsed.options;

  const { facts, ids } = opts.demo || opts.facts ? fromFile(opts) : await fromAws(opts);
  const report = buildReport(facts, ids, opts.lang);
  if (opts.output === 'json') {
    process.stdout.write(renderJson(report));
  } else {
    const color = Boolean(process.stdout.isTTY) && !env.NO_COLOR && env.TERM !== 'dumb';
    process.stdout.write(renderTable(report, { lang: opts.lang, color, width: process.stdout.columns || 120 }));
  }
  return EXIT_CODE[report.status];
}

function fromFile(opts: Options): { facts: Facts; ids: string[] } {
  const path = opts.demo ? DEMO_FACTS : opts.facts!;
  const facts = loadFacts(path);
  const inFile = Object.keys(facts.instances);
  const missing = opts.instanceIds.filter((id) => !inFile.includes(id));
  if (missing.length) throw new UsageError(`${missing.join(', ')} not in ${opts.demo ? 'the demo' : path} (it has ${inFile.join(', ') || 'no instances'})`);
  return { facts, ids: opts.instanceIds.length ? opts.instanceIds : inFile };
}

async function fromAws(opts: Options): Promise<{ facts: Facts; ids: string[] }> {
  // The AWS SDK is loaded only when a diagnosis runs: --help and --version stay fast.
  const { collect } = await import('./collect/index.js');
  const { facts, stats } = await collect({ instanceIds: opts.instanceIds, region: opts.region, profile: opts.profile });
  if (opts.stats) process.stderr.write(`${TOOL_NAME} stats: ${JSON.stringify(stats)}\n`);
  if (opts.saveFacts) saveFacts(opts.saveFacts, { ...facts, tool: { name: TOOL_NAME, version: TOOL_VERSION } });
  return { facts, ids: opts.instanceIds };
}

function oneLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0];
}

export async function run(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  try {
    return await main(argv, env);
  } catch (e) {
    const known = e instanceof UsageError || e instanceof FactsFileError || (e as Error)?.name === 'CollectError';
    const debug = argv.includes('--debug');
    process.stderr.write(`${TOOL_NAME}: ${known ? '' : 'internal error: '}${oneLine(e)}\n`);
    if (debug && e instanceof Error && e.stack) process.stderr.write(e.stack + '\n');
    else if (!known) process.stderr.write(`${TOOL_NAME}: run again with --debug for details\n`);
    return 3;
  }
}

if (require.main === module) {
  void run(process.argv.slice(2), process.env).then((code) => {
    process.exitCode = code;
  });
}
