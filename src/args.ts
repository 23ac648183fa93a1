import yargs from 'yargs';
import { leastPrivilegePolicy } from './collect/allowlist.js';
import { langFromEnv, type Lang } from './lang.js';
import { TOOL_VERSION } from './version.js';

export const INSTANCE_ID = /^i-([0-9a-f]{8}|[0-9a-f]{17})$/;

export interface Options {
  instanceIds: string[];
  region?: string;
  profile?: string;
  output: 'table' | 'json';
  lang: Lang;
  facts?: string;
  saveFacts?: string;
  demo: boolean;
  stats: boolean;
  debug: boolean;
}

export type Parsed = { kind: 'run'; options: Options } | { kind: 'print'; text: string } | { kind: 'usage'; error: string };

const USAGE =
  'Tell why Session Manager can or cannot open a shell on EC2 instances, and print the fix.\n' +
  'It only reads your account: Describe, Get and List calls.';

const EPILOGUE = `Examples:
  ssm-doctor --demo                      the bundled demo, no AWS account needed
  ssm-doctor i-0123456789abcdef0 --region ap-northeast-1
  ssm-doctor i-0aaaaaaaaaaaaaaaa i-0bbbbbbbbbbbbbbbb; echo $?
  ssm-doctor i-0123456789abcdef0 -o json | jq '.instances[0].checks[] | select(.status=="fail")'
  ssm-doctor i-0123456789abcdef0 --save-facts i.json    keep what was read
  ssm-doctor --facts i.json --lang ja    diagnose it again offline, in Japanese
  ssm-doctor --iam-policy                the read-only IAM policy the tool needs

Exit codes: 0 OK, 1 WARNING, 2 CRITICAL (Session Manager cannot connect), 3 UNKNOWN (bad
arguments, no credentials, or a check could not be evaluated). The worst instance decides.`;

/** Parses the command line without printing or exiting: the caller decides what to write and the exit code. */
export function parseArgs(argv: string[], env: NodeJS.ProcessEnv): Parsed {
  let result: Parsed | undefined;
  const parser = yargs()
    .scriptName('ssm-doctor')
    .command('$0 [instance-id..]', USAGE, (y) =>
      y.positional('instance-id', { type: 'string', array: true, describe: 'EC2 instance ids (i- and 8 or 17 hex digits)' }),
    )
    .option('region', { type: 'string', describe: 'AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile)' })
    .option('profile', { type: 'string', describe: 'AWS profile from your shared config (default: AWS_PROFILE)' })
    .option('output', { alias: 'o', choices: ['table', 'json'] as const, default: 'table' as const, describe: 'output format' })
    .option('lang', {
      choices: ['en', 'ja'] as const,
      describe: 'language of titles, messages and fixes (default: from LC_ALL/LC_MESSAGES/LANG)',
    })
    .option('facts', { type: 'string', describe: 'diagnose a saved facts file instead of calling AWS' })
    .option('save-facts', { type: 'string', describe: 'also write the facts read from AWS to this file' })
    .option('demo', { type: 'boolean', default: false, describe: "diagnose the bundled demo: the guide's starting point" })
    .option('stats', { type: 'boolean', default: false, describe: 'print the AWS calls and rounds used to stderr' })
    .option('iam-policy', { type: 'boolean', default: false, describe: 'print the read-only IAM policy this tool needs, and exit' })
    .option('debug', { type: 'boolean', default: false, describe: 'print stack traces of internal errors' })
    .epilogue(EPILOGUE)
    .version(TOOL_VERSION)
    .help()
    .alias('help', 'h')
    .strict()
    .wrap(Math.min(100, process.stdout.columns || 100));

  parser.parse(argv, {}, (err, args, output) => {
    if (err) {
      result = { kind: 'usage', error: err.message };
      return;
    }
    if (output) {
      result = { kind: 'print', text: output };
      return;
    }
    result = validate(args as unknown as Record<string, unknown>, env);
  });
  return result ?? { kind: 'usage', error: 'could not parse the command line' };
}

function validate(args: Record<string, unknown>, env: NodeJS.ProcessEnv): Parsed {
  const raw = [...((args['instance-id'] as unknown[]) ?? []), ...((args._ as unknown[]) ?? [])].map(String);
  const ids: string[] = [];
  for (const r of raw) {
    const id = r.toLowerCase();
    if (!INSTANCE_ID.test(id)) {
      return { kind: 'usage', error: `not an instance id: ${JSON.stringify(r)} (expected i- and 8 or 17 hex digits)` };
    }
    if (!ids.includes(id)) ids.push(id);
  }
  if (args['iam-policy']) return { kind: 'print', text: JSON.stringify(leastPrivilegePolicy(), null, 2) };
  const demo = args.demo as boolean;
  const facts = args.facts as string | undefined;
  if (demo && facts) return { kind: 'usage', error: '--demo and --facts cannot be used together' };
  const saveFacts = args['save-facts'] as string | undefined;
  if (saveFacts && (demo || facts)) return { kind: 'usage', error: '--save-facts saves what is read from AWS; it cannot be used with --demo or --facts' };
  if (!ids.length && !demo && !facts) {
    return { kind: 'usage', error: 'give at least one instance id (or --demo, or --facts FILE)' };
  }
  for (const k of ['region', 'profile', 'facts', 'save-facts'] as const) {
    if (args[k] !== undefined && (typeof args[k] !== 'string' || args[k] === '')) {
      return { kind: 'usage', error: `--${k} needs a value` };
    }
  }
  return {
    kind: 'run',
    options: {
      instanceIds: ids,
      region: args.region as string | undefined,
      profile: args.profile as string | undefined,
      output: args.output as 'table' | 'json',
      lang: (args.lang as Lang | undefined) ?? langFromEnv(env),
      facts,
      saveFacts,
      demo,
      stats: args.stats as boolean,
      debug: args.debug as boolean,
    },
  };
}
