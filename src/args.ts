import yargs from 'yargs';
import { ACCOUNT_ID, INSTANCE_ID, REGION } from './aws/ids.js';
import { CHECKS } from './checks/index.js';
import { leastPrivilegePolicy } from './collect/sdk/allowlist.js';
import type { FoundConfig } from './config.js';
import { chosenChecks } from './engine.js';
import { langFromEnv, type Lang } from './lang.js';
import { TOOL_VERSION } from './version.js';

export { INSTANCE_ID, REGION };

export const OUTPUTS = ['table', 'json', 'junit', 'line', 'csv', 'markdown'] as const;
export type Output = (typeof OUTPUTS)[number];

/** --timeout: the default, and the bounds a run can be given. */
export const DEFAULT_TIMEOUT = '60s';
const MIN_TIMEOUT_MS = 1_000;
const MAX_TIMEOUT_MS = 60 * 60_000;

/** `90s`, `2m`, `1.5m`, `500ms`, or a bare number of seconds → milliseconds; undefined if it is none of those. */
export function parseDuration(text: string): number | undefined {
  const m = /^\s*(\d{1,7}(?:\.\d{1,3})?)\s*(ms|s|m)?\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = (m[2] ?? 's').toLowerCase();
  const ms = Math.round(Number(m[1]) * (unit === 'm' ? 60_000 : unit === 's' ? 1000 : 1));
  return Number.isFinite(ms) ? ms : undefined;
}

/** An EC2 filter as `--filter` gives it: `tag:Team=web`, `vpc-id=vpc-1,vpc-2`, or the AWS CLI's `Name=tag:Team,Values=web`. */
export interface FilterOption {
  Name: string;
  Values: string[];
}

/** `tag:Team=web` → { Name: 'tag:Team', Values: ['web'] }; undefined when it has no name or no value. */
export function parseFilter(text: string): FilterOption | undefined {
  const cli = /^Name=([^,]+),Values=(.+)$/.exec(text);
  const [name, values] = cli ? [cli[1] ?? '', cli[2] ?? ''] : [text.slice(0, text.indexOf('=')), text.slice(text.indexOf('=') + 1)];
  if (!cli && !text.includes('=')) return undefined;
  const Values = values
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  const Name = name.trim();
  return Name && Values.length ? { Name, Values } : undefined;
}

/** --wait: the longest a run may wait for OK. */
const MAX_WAIT_MS = 6 * 60 * 60_000;

export interface Options {
  instanceIds: string[];
  /** --all: every instance in each region that is not terminated. */
  all: boolean;
  /** --filter, each ANDed; together with --all or alone they select instances, and ids are added to them. */
  filters: FilterOption[];
  /** --region and --regions, split at commas: several regions are diagnosed side by side (none: the SDK's default). */
  regions: string[];
  /** --wait: re-diagnose until OK or this many milliseconds have passed. */
  waitMs?: number;
  /** --verbose: with several instances, every check of each (otherwise one row per instance). */
  verbose: boolean;
  region?: string;
  /** The one profile (--profile NAME), or the first of several. */
  profile?: string;
  /** --profile a,b,c: every profile's account diagnosed side by side (one entry: the same as profile). */
  profiles: string[];
  /** --org-role NAME: organisation mode, the role assumed in each account the profile's organisation lists. */
  orgRole?: string;
  /** --accounts: in organisation mode, only these account ids. */
  accounts: string[];
  output: Output;
  /** --quiet: nothing on stdout whatever --output says; the exit code (and stderr's errors) only. */
  quiet: boolean;
  /** The run's deadline in milliseconds (--timeout). */
  timeoutMs: number;
  lang: Lang;
  facts?: string;
  saveFacts?: string;
  /** --force: --save-facts may replace an existing file. */
  force: boolean;
  /** --no-iam-sweep turns it off: a fleet's IAM is read role by role, without iam:GetAccountAuthorizationDetails. */
  iamSweep: boolean;
  /** --only and --skip (or the config file): the checks to run; undefined runs every check. */
  chosen?: ReadonlySet<string>;
  /** The checks left out by choice, in registry order. */
  skippedByChoice: string[];
  /** --fail-on: `critical` lets a WARNING run exit 0 (UNKNOWN is still 3). */
  failOn: 'warning' | 'critical';
  /** --caller: the checks about whoever runs the tool count toward the status and exit code. */
  caller: boolean;
  /** The config file that was read, if any. */
  configFile?: string;
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
  ssm-doctor i-0123456789abcdef0 -o junit > ssm-doctor.xml    a CI test report
  ssm-doctor --all -o line               one status line with perfdata, for a monitoring check
  ssm-doctor --all -o csv > fleet.csv    a row per instance and check, for a spreadsheet
  ssm-doctor --all -o markdown >> "$GITHUB_STEP_SUMMARY"    a CI job summary
  ssm-doctor i-0123456789abcdef0 --quiet; echo $?    the exit code only
  ssm-doctor i-0123456789abcdef0 --timeout 2m           wait longer for a slow account
  ssm-doctor --all --region ap-northeast-1              every instance in the region, one row each
  ssm-doctor --filter tag:Team=web --filter instance-state-name=running
  ssm-doctor --all --regions ap-northeast-1,us-east-1   several regions in one run
  ssm-doctor --all --profile prod,staging               several accounts, side by side
  ssm-doctor --all --org-role SsmDoctorReadOnly         every account of the organisation
  ssm-doctor i-0123456789abcdef0 --wait 10m   a deploy gate: until OK, at most 10 minutes
  ssm-doctor i-0123456789abcdef0 --save-facts i.json    keep what was read
  ssm-doctor --facts i.json --lang ja    diagnose it again offline, in Japanese
  ssm-doctor --iam-policy                the read-only IAM policy the tool needs

Exit codes: 0 OK, 1 WARNING, 2 CRITICAL (Session Manager cannot connect), 3 UNKNOWN (bad
arguments, no credentials, or a check could not be evaluated). The worst instance decides.

Targets: instance ids, --all (every instance that is not terminated) and --filter (EC2's filter
syntax; several --filter are ANDed, the comma-separated values of one are ORed; terminated
instances are left out unless a filter names instance-state-name). --all and --filter select
together (a filter narrows --all); ids are added to what they select. With several regions each is
searched; an id is reported in the region it is found in. No instance selected is UNKNOWN (3).

Environment: AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL(_<SERVICE>), HTTPS_PROXY, NO_PROXY and
AWS_CA_BUNDLE as the AWS CLI reads them. Start-up code is cached in $XDG_CACHE_HOME/ssm-doctor
(else ~/.cache/ssm-doctor); SSM_DOCTOR_NO_COMPILE_CACHE=1 turns that off.`;

/** Parses the command line without printing or exiting: the caller decides what to write and the exit code. */
export function parseArgs(
  argv: string[],
  env: NodeJS.ProcessEnv,
  width = Math.min(100, process.stdout.columns || 100),
  config?: FoundConfig,
): Parsed {
  let result: Parsed | undefined;
  const parser = yargs()
    .scriptName('ssm-doctor')
    .command('$0 [instance-id..]', USAGE, (y) =>
      y.positional('instance-id', { type: 'string', array: true, describe: 'EC2 instance ids (i- and 8 or 17 hex digits)' }),
    )
    .option('region', {
      type: 'string',
      describe: 'AWS region, or several separated by commas (default: AWS_REGION, AWS_DEFAULT_REGION, the profile)',
    })
    .option('regions', { type: 'string', describe: 'several regions separated by commas, diagnosed side by side (same as --region a,b)' })
    .option('all', { type: 'boolean', default: false, describe: 'every instance in the region(s) that is not terminated' })
    .option('filter', {
      // Not `array`: that would swallow the instance ids after it. Repeating the option gives an array.
      type: 'string',
      describe: 'EC2 filter NAME=V1,V2 (repeatable, ANDed), e.g. tag:Team=web, vpc-id=vpc-1,vpc-2, instance-state-name=running',
    })
    .option('wait', {
      type: 'string',
      describe: 'diagnose again (10s, doubling to 60s) until OK or this long has passed (e.g. 90s, 10m); exit code of the last run',
    })
    .option('verbose', { alias: 'v', type: 'boolean', default: false, describe: 'with several instances, show every check of each' })
    .option('profile', {
      type: 'string',
      describe: 'AWS profile from your shared config (default: AWS_PROFILE), or several separated by commas, diagnosed side by side',
    })
    .option('org-role', {
      type: 'string',
      describe:
        "organisation mode: list the accounts of the profile's organisation (organizations:ListAccounts) and read each through this role (e.g. a read-only role deployed by StackSets)",
    })
    .option('accounts', { type: 'string', describe: 'with --org-role, only these account ids (separated by commas)' })
    .option('output', {
      alias: 'o',
      choices: OUTPUTS,
      default: 'table' as const,
      describe:
        'output format: table, json (one document), junit (a test report for CI), line (one status line with perfdata, for monitoring), csv (a row per instance and check), markdown (a CI job summary or PR comment)',
    })
    .option('quiet', {
      alias: 'q',
      type: 'boolean',
      default: false,
      describe: 'print nothing on stdout, whatever --output says: the exit code only (errors still go to stderr)',
    })
    .option('lang', {
      choices: ['en', 'ja'] as const,
      describe: 'language of titles, messages and fixes (default: from LC_ALL/LC_MESSAGES/LANG)',
    })
    .option('facts', { type: 'string', describe: 'diagnose a saved facts file instead of calling AWS (- reads standard input)' })
    .option('save-facts', {
      type: 'string',
      describe: 'also write the facts read from AWS to this new file (owner-only, written atomically; after the report)',
    })
    .option('force', { type: 'boolean', default: false, describe: 'let --save-facts replace an existing file' })
    .option('iam-sweep', {
      type: 'boolean',
      default: true,
      describe:
        'in a fleet, read IAM in one iam:GetAccountAuthorizationDetails call (every role and policy of the account); --no-iam-sweep reads only the roles the instances use',
    })
    .option('demo', { type: 'boolean', default: false, describe: "diagnose the bundled demo: the guide's starting point" })
    .option('timeout', {
      type: 'string',
      default: DEFAULT_TIMEOUT,
      describe: 'give up waiting for AWS after this long (e.g. 30s, 2m) and report what was read',
    })
    .option('stats', { type: 'boolean', default: false, describe: 'print the AWS calls and rounds used to stderr' })
    .option('iam-policy', { type: 'boolean', default: false, describe: 'print the read-only IAM policy this tool needs, and exit' })
    .option('skip', { type: 'string', describe: 'leave out these checks (ids, separated by commas; repeatable), and those that need them' })
    .option('only', { type: 'string', describe: 'run only these checks (ids, separated by commas; repeatable), and those they need' })
    .option('fail-on', {
      choices: ['warning', 'critical'] as const,
      describe: 'the exit policy: warning (default) exits 1 on WARNING; critical exits 0 on WARNING and 2 on CRITICAL (UNKNOWN is 3)',
    })
    .option('caller', {
      type: 'boolean',
      describe:
        'also judge whoever runs the tool (ssm:StartSession, session-manager-plugin) in the status and exit code; by default reported apart',
    })
    .option('config', {
      type: 'string',
      describe: 'read this config file instead of searching for one (.ssm-doctorrc.json, package.json …); --no-config reads none',
    })
    .option('debug', { type: 'boolean', default: false, describe: 'print stack traces of internal errors' })
    .epilogue(EPILOGUE)
    .version(TOOL_VERSION)
    .help()
    .alias('help', 'h')
    .strict()
    // `--a.b` would name a nested option: none exists, and `--constructor.prototype` crashes yargs.
    .parserConfiguration({ 'dot-notation': false })
    .wrap(width);

  try {
    parser.parse(stdinFacts(argv), {}, (err, args, output) => {
      if (err) {
        result = { kind: 'usage', error: usageLine(err.message) };
        return;
      }
      if (output) {
        result = { kind: 'print', text: output };
        return;
      }
      result = validate(args as unknown as Record<string, unknown>, env, config);
    });
  } catch (e) {
    // yargs' own failure on an odd argument is still the user's input, not a crash of ours.
    return { kind: 'usage', error: `could not parse the command line (${e instanceof Error ? e.message : String(e)})` };
  }
  return result ?? { kind: 'usage', error: 'could not parse the command line' };
}

/** yargs' message on one line: a bad choice as `--output "xml": choose table, json or junit`, anything else with its line breaks as spaces. */
function usageLine(message: string): string {
  const choice = /Argument: ([\w-]+), Given: (.*?), Choices: (.*)$/s.exec(message);
  if (choice) return `--${choice[1]} ${choice[2]!.trim()}: choose one of ${choice[3]!.trim().replace(/\s+/g, ' ')}`;
  return message.replace(/\s*\n\s*/g, ' ').trim();
}

/** `--facts -` names standard input; yargs would take the lone `-` for an instance id. Nothing after `--` is touched. */
function stdinFacts(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i] ?? '';
    if (word === '--') return [...out, ...argv.slice(i)];
    if (word === '--facts' && argv[i + 1] === '-') {
      out.push('--facts=-');
      i++;
    } else out.push(word);
  }
  return out;
}

/** A value the user typed, quoted and escaped, and cut short: an error stays one readable line. */
function quote(value: string): string {
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
}

function validate(args: Record<string, unknown>, env: NodeJS.ProcessEnv, config?: FoundConfig): Parsed {
  const raw = [...((args['instance-id'] as unknown[]) ?? []), ...((args._ as unknown[]) ?? [])].map(String);
  const ids: string[] = [];
  for (const r of raw) {
    const id = r.toLowerCase();
    if (!INSTANCE_ID.test(id)) {
      return { kind: 'usage', error: `not an instance id: ${quote(r)} (expected i- and 8 or 17 hex digits)` };
    }
    if (!ids.includes(id)) ids.push(id);
  }
  if (args['iam-policy'])
    return { kind: 'print', text: JSON.stringify(leastPrivilegePolicy({ iamSweep: args['iam-sweep'] !== false }), null, 2) };
  for (const k of [
    'region',
    'regions',
    'profile',
    'org-role',
    'accounts',
    'facts',
    'save-facts',
    'timeout',
    'output',
    'lang',
    'wait',
    'fail-on',
    'config',
  ] as const) {
    const v = args[k];
    if (v === undefined || (k === 'config' && v === false)) continue;
    // yargs turns a repeated option into an array, and `--region` with nothing after it into ''.
    if (Array.isArray(v)) return { kind: 'usage', error: `--${k} was given more than once` };
    if (typeof v !== 'string' || v === '') return { kind: 'usage', error: `--${k} needs a value` };
    if (/[\u0000-\u001f\u007f]/.test(v)) return { kind: 'usage', error: `--${k} contains a control character` };
  }
  const demo = args.demo as boolean;
  const facts = args.facts as string | undefined;
  if (demo && facts) return { kind: 'usage', error: '--demo and --facts cannot be used together' };
  const saveFacts = args['save-facts'] as string | undefined;
  if (args.force && !saveFacts) return { kind: 'usage', error: '--force lets --save-facts replace a file: give --save-facts too' };
  if (saveFacts && (demo || facts))
    return { kind: 'usage', error: '--save-facts saves what is read from AWS; it cannot be used with --demo or --facts' };
  const all = args.all as boolean;
  const filters: FilterOption[] = [];
  for (const raw of [args.filter ?? []].flat().map(String)) {
    if (/[\u0000-\u001f\u007f]/.test(raw)) return { kind: 'usage', error: '--filter contains a control character' };
    const f = parseFilter(raw);
    if (!f) return { kind: 'usage', error: `--filter ${quote(raw)}: give NAME=VALUE[,VALUE…], e.g. tag:Team=web or vpc-id=vpc-0abc` };
    filters.push(f);
  }
  const selecting = all || filters.length > 0;
  if ((demo || facts) && selecting)
    return { kind: 'usage', error: '--all and --filter select instances in AWS; they cannot be used with --demo or --facts' };
  if (!ids.length && !demo && !facts && !selecting) {
    return { kind: 'usage', error: 'give at least one instance id, --all or --filter (or --demo, or --facts FILE)' };
  }
  const regions: string[] = [];
  for (const r of [args.region, args.regions].flatMap((v) => (typeof v === 'string' ? v.split(',') : [])).map((x) => x.trim())) {
    if (!REGION.test(r)) return { kind: 'usage', error: `not a region: ${quote(r)} (e.g. ap-northeast-1)` };
    if (!regions.includes(r)) regions.push(r);
  }
  if (regions.length > 1 && (demo || facts))
    return { kind: 'usage', error: 'several regions are read from AWS; they cannot be used with --demo or --facts' };
  if (regions.length > 1 && saveFacts) return { kind: 'usage', error: '--save-facts holds one region: run once per region to save each' };
  let waitMs: number | undefined;
  if (args.wait !== undefined) {
    waitMs = parseDuration(args.wait as string);
    if (waitMs === undefined || waitMs < MIN_TIMEOUT_MS || waitMs > MAX_WAIT_MS) {
      return { kind: 'usage', error: `--wait ${quote(args.wait as string)}: give a duration from 1s to 360m, e.g. 90s or 10m` };
    }
    if (demo || facts) return { kind: 'usage', error: '--wait diagnoses AWS again and again; it cannot be used with --demo or --facts' };
  }
  const scope = accountsScope(args, Boolean(demo || facts), Boolean(saveFacts));
  if ('error' in scope) return { kind: 'usage', error: scope.error };
  const choice = choose(args, config);
  if ('error' in choice) return { kind: 'usage', error: choice.error };
  const region = regions[0];
  const timeoutText = args.timeout === DEFAULT_TIMEOUT && config?.config.timeout ? config.config.timeout : (args.timeout as string);
  const timeoutMs = parseDuration(timeoutText);
  if (timeoutMs === undefined || timeoutMs < MIN_TIMEOUT_MS || timeoutMs > MAX_TIMEOUT_MS) {
    return { kind: 'usage', error: `--timeout ${quote(timeoutText)}: give a duration from 1s to 60m, e.g. 30s or 2m` };
  }
  return {
    kind: 'run',
    options: {
      instanceIds: ids,
      all,
      filters,
      regions,
      waitMs,
      verbose: args.verbose as boolean,
      region,
      ...scope,
      output: args.output as Output,
      quiet: args.quiet as boolean,
      timeoutMs,
      lang: (args.lang as Lang | undefined) ?? config?.config.lang ?? langFromEnv(env),
      facts,
      saveFacts,
      force: args.force as boolean,
      iamSweep: args['iam-sweep'] !== false,
      ...choice,
      demo,
      stats: args.stats as boolean,
      debug: args.debug as boolean,
    },
  };
}

/** A profile name as the shared config files allow it: no spaces, commas or brackets. */
const PROFILE = /^[A-Za-z0-9_.+=@:/-]{1,128}$/;
/** An IAM role name, with an optional path (`path/to/Role`). */
const ROLE_NAME = /^([\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;

const list = (v: unknown) =>
  typeof v === 'string'
    ? v
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
    : [];

/** --profile a,b, --org-role and --accounts: which accounts a run reads, and with what. */
function accountsScope(
  args: Record<string, unknown>,
  offline: boolean,
  saving: boolean,
): Pick<Options, 'profile' | 'profiles' | 'orgRole' | 'accounts'> | { error: string } {
  const profiles = [...new Set(list(args.profile))];
  const bad = profiles.find((p) => !PROFILE.test(p));
  if (bad !== undefined) return { error: `not a profile name: ${quote(bad)}` };
  if (args.profile !== undefined && !profiles.length) return { error: '--profile needs a value' };
  const orgRole = args['org-role'] as string | undefined;
  if (orgRole !== undefined && !ROLE_NAME.test(orgRole))
    return { error: `--org-role ${quote(orgRole)}: give a role name (e.g. SsmDoctorReadOnly), not an ARN` };
  const accounts = [...new Set(list(args.accounts))];
  const badAccount = accounts.find((a) => !ACCOUNT_ID.test(a));
  if (badAccount !== undefined) return { error: `not an account id: ${quote(badAccount)} (expected 12 digits)` };
  if (accounts.length && orgRole === undefined) return { error: '--accounts chooses accounts of an organisation: give --org-role too' };
  if (orgRole !== undefined && profiles.length > 1)
    return { error: '--org-role lists the accounts with one profile (the management account or a delegated administrator)' };
  const several = profiles.length > 1 || orgRole !== undefined;
  if (several && offline) return { error: '--org-role and several profiles read AWS; they cannot be used with --demo or --facts' };
  if (several && saving) return { error: '--save-facts holds one account: run once per profile to save each' };
  return { profile: profiles[0], profiles, ...(orgRole !== undefined ? { orgRole } : {}), accounts };
}

/** Check ids from a repeatable, comma-separated option. */
const idList = (v: unknown): string[] =>
  [v ?? []]
    .flat()
    .map(String)
    .flatMap((x) => x.split(','))
    .map((x) => x.trim())
    .filter(Boolean);

/** --only, --skip, --fail-on and --caller, over the config file's choices: the command line wins. */
function choose(
  args: Record<string, unknown>,
  config: FoundConfig | undefined,
): Pick<Options, 'chosen' | 'skippedByChoice' | 'failOn' | 'caller' | 'configFile'> | { error: string } {
  const c = config?.config ?? {};
  const from = (flag: string, list: string[] | undefined) => (args[flag] !== undefined ? idList(args[flag]) : (list ?? []));
  const only = from('only', c.only);
  const skip = from('skip', c.skip);
  const known = CHECKS.map((k) => k.id);
  const bad = [...only, ...skip].find((id) => !known.includes(id));
  if (bad !== undefined) {
    const where = args.only !== undefined || args.skip !== undefined ? '' : ` (in ${config?.path})`;
    return { error: `no check ${quote(bad)}${where}; the checks are ${known.join(', ')}` };
  }
  const chosen = only.length || skip.length ? chosenChecks(only, skip) : undefined;
  if (chosen && chosen.size === 0) return { error: 'every check is left out: nothing would be diagnosed' };
  return {
    ...(chosen ? { chosen } : {}),
    skippedByChoice: chosen ? known.filter((id) => !chosen.has(id)) : [],
    failOn: (args['fail-on'] as 'warning' | 'critical' | undefined) ?? c.failOn ?? 'warning',
    caller: (args.caller as boolean | undefined) ?? c.caller ?? false,
    ...(config ? { configFile: config.path } : {}),
  };
}
