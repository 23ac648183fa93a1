import Table from 'cli-table3';
import type { Lang } from '../lang.js';
import type { CheckReport, Group, InstanceReport, OverallStatus, Report } from './schema.js';
import { terminalSafe } from '../redact.js';
import { decidingResults, worstFirst } from './groups.js';
import { wrap } from './wrap.js';

export interface TableOptions {
  lang: Lang;
  color: boolean;
  /** Terminal width; tables are sized to it. */
  width: number;
  /** With several instances, every check of each instead of one row per instance. */
  verbose?: boolean;
}

const ANSI = { red: 31, green: 32, yellow: 33, magenta: 35, gray: 90 } as const;
type Colour = keyof typeof ANSI;

const MARK: Record<CheckReport['status'], { text: string; colour: Colour }> = {
  pass: { text: '✔ pass', colour: 'green' },
  fail: { text: '✘ FAIL', colour: 'red' },
  warn: { text: '! warn', colour: 'yellow' },
  skip: { text: '- skip', colour: 'gray' },
  unknown: { text: '? unknown', colour: 'magenta' },
};

const OVERALL: Record<OverallStatus, { text: string; colour: Colour }> = {
  ok: { text: 'OK', colour: 'green' },
  warning: { text: 'WARNING', colour: 'yellow' },
  critical: { text: 'CRITICAL', colour: 'red' },
  unknown: { text: 'UNKNOWN', colour: 'magenta' },
};

const WORDS = {
  en: {
    status: 'Status',
    check: 'Check',
    finding: 'Finding',
    fix: 'Fix',
    already: 'see the steps above',
    commands: 'Commands to fix',
    commandsHint: 'paste in bash, in this order; they change your account, so read them first',
    summary: (n: number, parts: string) => `${n} instance${n === 1 ? '' : 's'}: ${parts}`,
    cause: (id: string, n: number) => `; most common cause: ${id} (${n} instance${n === 1 ? '' : 's'})`,
    none: 'no instance selected',
    instance: 'Instance',
    region: 'Region',
    account: 'Account',
    unread: 'could not be read',
    checks: 'Failing checks',
    callerApart: 'Your side (whoever runs this; it does not change the status above: --caller makes it count):',
    callerCounts: 'Your side (whoever runs this; it counts toward the status, as --caller asks):',
    more: (n: number) => `(+${n} more steps; --verbose shows every check)`,
    name: 'Name',
    fixOrReason: 'First fix, or why unknown',
    group: (n: number, where: string, checks: string) => `${n} instances in ${where}: ${checks}`,
    groupMore: (n: number) => `(+${n} more steps; --verbose or --output json shows every step of each instance)`,
    andMore: (n: number) => `and ${n} more (--output json lists them all)`,
    rest: (n: number) => `The other ${n} instance${n === 1 ? '' : 's'}, worst first:`,
  },
  ja: {
    status: '状態',
    check: 'チェック',
    finding: '結果',
    fix: '対処',
    already: '上の手順を参照',
    commands: '対処のコマンド',
    commandsHint: 'bash にこの順で貼り付けて実行します。アカウントを変更するので、先に内容を確認してください',
    summary: (n: number, parts: string) => `${n} 台: ${parts}`,
    cause: (id: string, n: number) => `。最も多い原因: ${id} (${n} 台)`,
    none: '対象のインスタンスがありません',
    instance: 'インスタンス',
    region: 'リージョン',
    account: 'アカウント',
    unread: '読み取れませんでした',
    checks: '問題のあるチェック',
    callerApart: '実行している側 (上の状態には影響しません。--caller で状態に含めます):',
    callerCounts: '実行している側 (--caller の指定により状態に含めています):',
    more: (n: number) => `(ほか ${n} 手順。--verbose ですべてのチェックを表示)`,
    name: 'Name',
    fixOrReason: '最初の対処 (不明の理由)',
    group: (n: number, where: string, checks: string) => `${where} の ${n} 台: ${checks}`,
    groupMore: (n: number) => `(ほか ${n} 手順。--verbose か --output json で各インスタンスのすべての手順を表示)`,
    andMore: (n: number) => `ほか ${n} 台 (--output json ですべて表示)`,
    rest: (n: number) => `ほかの ${n} 台 (重大なものから):`,
  },
} as const;

/** Every string of the report through the terminal sanitiser: names, tags, messages and commands come from the account or a file. */
function safeForTerminal<T>(v: T): T {
  if (typeof v === 'string') return terminalSafe(v) as T;
  if (Array.isArray(v)) return v.map(safeForTerminal) as T;
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, safeForTerminal(x)])) as T;
  return v;
}

export function renderTable(unsafe: Report, opts: TableOptions): string {
  const report = safeForTerminal(unsafe);
  const paint = (c: Colour, s: string) => (opts.color ? `\u001b[${ANSI[c]}m${s}\u001b[0m` : s);
  const out: string[] = [];
  const w = WORDS[opts.lang];
  // Accounts or regions that could not be read come first: what follows is not the whole picture.
  for (const u of report.unread ?? []) {
    const where = [u.account, u.profile && `(profile ${u.profile})`, u.region].filter(Boolean).join(' ');
    out.push(`${paint(OVERALL.unknown.colour, OVERALL.unknown.text)}: ${where} ${w.unread}: ${u.reason}\n`);
  }
  if (report.instances.length === 0) return [...out, `${paint(OVERALL.unknown.colour, OVERALL.unknown.text)}: ${w.none}\n`].join('');
  if (report.instances.length === 1) {
    out.push(renderInstance(report.instances[0]!, report, opts, paint));
    return out.join('\n');
  }
  // A fleet: the summary first, then each shared root cause once with its fix, then the rest, worst first.
  out.push(summaryLine(report, w, paint));
  const grouped = new Set<string>();
  for (const g of report.groups ?? []) {
    out.push(renderGroup(g, report, opts, paint));
    g.instances.forEach((id) => grouped.add(id));
  }
  const rest = worstFirst(report.instances.filter((i) => !grouped.has(i.instanceId)));
  if (opts.verbose) {
    for (const inst of worstFirst(report.instances)) out.push(renderInstance(inst, report, opts, paint));
  } else if (rest.length) {
    out.push((grouped.size ? w.rest(rest.length) + '\n' : '') + renderFleet(rest, report, opts, paint));
  }
  return out.join('\n');
}

/** The checks that decide an instance's status: its failures, else its warnings, else what could not be evaluated. */
export function decidingChecks(inst: InstanceReport, callerCounts = false): string[] {
  return decidingResults(inst.status, inst.checks, callerCounts).map((c) => c.id);
}

/** `30 instances: 10 CRITICAL, 20 OK; most common cause: …` */
function summaryLine(report: Report, w: (typeof WORDS)[Lang], paint: (c: Colour, s: string) => string): string {
  const counts = (['critical', 'unknown', 'warning', 'ok'] as const)
    .map((s) => [s, report.instances.filter((i) => i.status === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${paint(OVERALL[s].colour, OVERALL[s].text)}`)
    .join(', ');
  const cause = report.summary?.mostCommonCause;
  return w.summary(report.instances.length, counts) + (cause ? w.cause(cause.checkId, cause.instances) : '') + '\n';
}

/** What an instance row says after its checks: the first step of its fix, or for UNKNOWN the reason it could not be judged. */
function firstFixOrReason(inst: InstanceReport, w: (typeof WORDS)[Lang], callerCounts = false): string {
  if (inst.status === 'unknown') return decidingResults('unknown', inst.checks, callerCounts)[0]?.message ?? '';
  const steps = inst.plan?.steps ?? [];
  return steps.length ? steps[0] + (steps.length > 1 ? `\n${w.more(steps.length - 1)}` : '') : '';
}

/** How many of a group's deciding checks and instances its lines name; the JSON lists them all. */
const GROUP_CHECKS = 3;
const GROUP_LISTED = 30;

/** One shared root cause: where and which checks, the key step of its one fix, and its instances. */
function renderGroup(g: Group, report: Report, opts: TableOptions, paint: (c: Colour, s: string) => string): string {
  const w = WORDS[opts.lang];
  const width = Math.max(40, Math.min(opts.width, 180));
  const where = [...((report.accounts?.length ?? 0) > 1 && g.account ? [g.account] : []), g.vpcId, g.region].filter(Boolean);
  const place = where.length > 1 ? `${where[0]} (${where.slice(1).join(', ')})` : (where[0] ?? '');
  const checks =
    g.checks.slice(0, GROUP_CHECKS).join(', ') + (g.checks.length > GROUP_CHECKS ? ` (+${g.checks.length - GROUP_CHECKS})` : '');
  const head = `${paint(OVERALL[g.status].colour, OVERALL[g.status].text)} ${w.group(g.instances.length, place, checks)}`;
  const lines = [head];
  const indent = (text: string, mark = '  ') =>
    wrap(text, width - 4)
      .split('\n')
      .map((l, i) => (i === 0 ? mark : '    ') + l);
  if (g.fix) {
    lines.push(...indent(g.fix.keyStep, '  → '));
    if (g.fix.steps.length > 1) lines.push(...indent(w.groupMore(g.fix.steps.length - 1), '    '));
  } else {
    lines.push(...indent(g.message, '  ? '));
  }
  const byId = new Map(report.instances.map((i) => [i.instanceId, i]));
  const names = g.instances.slice(0, GROUP_LISTED).map((id) => {
    const name = byId.get(id)?.name;
    return name ? `${id} (${name.replace(/\s+/g, ' ').slice(0, 40)})` : id;
  });
  const more = g.instances.length - names.length;
  lines.push(...indent(names.join(', ') + (more > 0 ? ` ${w.andMore(more)}` : '')));
  return lines.join('\n') + '\n';
}

/** One row per instance: its status, the checks that decide it and the first step of its fix. */
function renderFleet(
  instances: readonly InstanceReport[],
  report: Report,
  opts: TableOptions,
  paint: (c: Colour, s: string) => string,
): string {
  const w = WORDS[opts.lang];
  const regions = new Set(report.instances.map((i) => i.region ?? report.region)).size > 1;
  const accounts = (report.accounts?.length ?? 0) > 1;
  const names = instances.some((i) => i.name);
  const checksW = 26;
  const nameW = 18;
  const widths = [21, ...(names ? [nameW] : []), ...(accounts ? [14] : []), ...(regions ? [16] : []), 10, checksW];
  const fixW = Math.max(30, Math.min(opts.width, 180) - widths.reduce((a, b) => a + b, 0) - widths.length - 2);
  const table = new Table({
    head: [
      w.instance,
      ...(names ? [w.name] : []),
      ...(accounts ? [w.account] : []),
      ...(regions ? [w.region] : []),
      w.status,
      w.checks,
      w.fixOrReason,
    ],
    colWidths: [...widths, fixW],
    // Text is wrapped by wrap() below; cli-table3's own wrapping is slow on long cells and breaks only at spaces.
    wordWrap: false,
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    style: opts.color ? { head: ['bold'], border: ['gray'] } : { head: [], border: [] },
  });
  for (const inst of instances) {
    const overall = OVERALL[inst.status];
    table.push([
      inst.instanceId,
      ...(names
        ? [
            wrap((inst.name ?? '').replace(/\s+/g, ' '), nameW - 2)
              .split('\n')
              .slice(0, 2)
              .join('\n'),
          ]
        : []),
      ...(accounts ? [inst.account ?? '-'] : []),
      ...(regions ? [inst.region ?? report.region] : []),
      paint(overall.colour, overall.text),
      wrap(decidingChecks(inst, report.callerCounts).join(' ') || '-', checksW - 2),
      wrap(firstFixOrReason(inst, w, report.callerCounts), fixW - 2),
    ]);
  }
  return table.toString() + '\n';
}

function renderInstance(inst: InstanceReport, report: Report, opts: TableOptions, paint: (c: Colour, s: string) => string): string {
  const w = WORDS[opts.lang];
  const overall = OVERALL[inst.status];
  const where = [...((report.accounts?.length ?? 0) > 1 && inst.account ? [inst.account] : []), inst.region ?? report.region].join(' ');
  const head = `${inst.instanceId} (${where}): ${paint(overall.colour, overall.text)}`;

  const statusW = 11;
  const checkW = 24;
  const findingW = Math.max(30, Math.min(opts.width, 160) - statusW - checkW - 4);
  const table = new Table({
    head: [w.status, w.check, w.finding],
    colWidths: [statusW, checkW, findingW],
    // Text is wrapped by wrap() below; cli-table3's own wrapping is slow on long cells and breaks only at spaces.
    wordWrap: false,
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    // cli-table3 colours its header even when piped unless told otherwise.
    style: opts.color ? { head: ['bold'], border: ['gray'] } : { head: [], border: [] },
  });

  const shownSteps = new Set<string>();
  const rows = (into: Table.Table, checks: readonly CheckReport[]) => {
    for (const c of checks) {
      const mark = MARK[c.status];
      pushLines(into, [paint(mark.colour, mark.text), c.id], wrap(c.message, findingW - 2));
      if (c.fix && (c.status === 'fail' || c.status === 'warn')) {
        const fresh = c.fix.steps.filter((s) => !shownSteps.has(s));
        fresh.forEach((s) => shownSteps.add(s));
        const lines = fresh.length ? fresh.map((s, i) => `${i + 1}. ${s}`) : [`(${w.already})`];
        pushLines(into, ['', ''], wrap(`${w.fix}:\n${lines.join('\n')}`, findingW - 2));
      }
    }
  };
  rows(
    table,
    inst.checks.filter((c) => c.subject !== 'caller'),
  );
  const parts = [head, table.toString()];
  // Whoever runs the tool is judged apart: a CI job or a monitoring host has no plugin and need not be able to connect.
  const caller = inst.checks.filter((c) => c.subject === 'caller');
  if (caller.length) {
    const yours = new Table({
      colWidths: [statusW, checkW, findingW],
      wordWrap: false,
      chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
      style: opts.color ? { head: ['bold'], border: ['gray'] } : { head: [], border: [] },
    });
    rows(yours, caller);
    parts.push(`${report.callerCounts ? w.callerCounts : w.callerApart}\n${yours.toString()}`);
  }
  const commands = inst.plan?.commands ?? [];
  if (commands.length) {
    parts.push(`${w.commands} (${w.commandsHint}):\n\n${commands.map((c) => `  ${c}`).join('\n')}`);
  }
  return parts.join('\n') + '\n';
}

/**
 * One table row per line of text: cli-table3 re-measures a cell's whole content for every line it
 * draws, which made a table of long fixes take seconds; single-line cells keep it linear.
 */
function pushLines(table: Table.Table, lead: string[], text: string): void {
  text.split('\n').forEach((line, i) => table.push([...(i === 0 ? lead : lead.map(() => '')), line]));
}
