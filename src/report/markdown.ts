/**
 * `--output markdown`: a CI job summary or a pull-request comment. GitHub-flavoured Markdown:
 * the summary, each shared root cause with its fix, then a table of the instances, worst first.
 * Every cell is escaped: nothing from the account can close a cell, start a link or inject HTML.
 */
import type { Lang } from '../lang.js';
import { terminalSafe } from '../redact.js';
import { decidingResults, worstFirst } from './groups.js';
import type { InstanceReport, OverallStatus, Report } from './schema.js';

const LABEL: Record<OverallStatus, string> = { ok: 'OK', warning: 'WARNING', critical: 'CRITICAL', unknown: 'UNKNOWN' };
/** How many of a group's instances are listed; the JSON lists them all. */
const GROUP_LISTED = 50;
const ICON: Record<OverallStatus, string> = { ok: '✅', warning: '⚠️', critical: '❌', unknown: '❔' };

const WORDS = {
  en: {
    title: 'ssm-doctor',
    summary: (n: number) => `${n} instance${n === 1 ? '' : 's'}`,
    none: 'no instance selected',
    cause: 'most common cause',
    unread: 'could not be read',
    group: (n: number, where: string) => `${n} instances in ${where}`,
    fix: 'Fix',
    more: (n: number) => `(+${n} more steps in the JSON report)`,
    head: ['Status', 'Instance', 'Name', 'Region', 'Checks', 'First fix, or why unknown'],
    commands: 'Commands to fix',
    andMore: (n: number) => `and ${n} more (the JSON report lists them all)`,
  },
  ja: {
    title: 'ssm-doctor',
    summary: (n: number) => `${n} 台`,
    none: '対象のインスタンスがありません',
    cause: '最も多い原因',
    unread: '読み取れませんでした',
    group: (n: number, where: string) => `${where} の ${n} 台`,
    fix: '対処',
    more: (n: number) => `(ほか ${n} 手順は JSON のレポートに)`,
    head: ['状態', 'インスタンス', 'Name', 'リージョン', 'チェック', '最初の対処 (不明の理由)'],
    commands: '対処のコマンド',
    andMore: (n: number) => `ほか ${n} 台 (JSON のレポートにすべて)`,
  },
} as const;

/**
 * Text from the report as inert Markdown on one line: control characters dropped, line breaks as
 * `<br>`, HTML's `& < >` as entities, and the characters Markdown acts on inside a line escaped
 * (`|` most of all; with `[` and `]` escaped no link can start, so `(` and `)` may stay).
 */
export function mdText(text: string): string {
  return terminalSafe(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`)
    .replace(/\r?\n/g, '<br>');
}

/** An id or a command as inline code: a run of backticks longer than any inside it, as CommonMark allows. */
function code(text: string): string {
  const clean = terminalSafe(text).replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
  const longest = Math.max(0, ...[...clean.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${clean.startsWith('`') || clean.endsWith('`') ? ` ${clean} ` : clean}${fence}`;
}

function firstFixOrReason(inst: InstanceReport): string {
  if (inst.status === 'unknown') return decidingResults('unknown', inst.checks)[0]?.message ?? '';
  return inst.plan?.steps[0] ?? '';
}

export function renderMarkdown(report: Report, lang: Lang): string {
  const w = WORDS[lang];
  const out: string[] = [];
  const counts = (['critical', 'unknown', 'warning', 'ok'] as const)
    .map((s) => [s, report.instances.filter((i) => i.status === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${LABEL[s]}`)
    .join(', ');
  out.push(`### ${ICON[report.status]} ${w.title}: ${LABEL[report.status]}`, '');
  const cause = report.summary?.mostCommonCause;
  out.push(
    report.instances.length
      ? `${w.summary(report.instances.length)}: ${counts}${cause ? `; ${w.cause}: ${code(cause.checkId)} (${cause.instances})` : ''}`
      : w.none,
    '',
  );
  for (const u of report.unread ?? []) {
    const where = [u.account, u.profile && `(profile ${u.profile})`, u.region].filter(Boolean).join(' ');
    out.push(`- **${LABEL.unknown}**: ${mdText(where)} ${w.unread}: ${mdText(u.reason)}`);
  }
  if (report.unread?.length) out.push('');
  for (const g of report.groups ?? []) {
    const where = [g.vpcId, g.region, g.account]
      .filter((x): x is string => Boolean(x))
      .map(code)
      .join(', ');
    const checks = g.checks.slice(0, 3).map(code).join(', ') + (g.checks.length > 3 ? ` (+${g.checks.length - 3})` : '');
    out.push(`#### ${ICON[g.status]} ${LABEL[g.status]}: ${w.group(g.instances.length, where)}: ${checks}`, '');
    if (g.fix) {
      out.push(`**${w.fix}:** ${mdText(g.fix.keyStep)}${g.fix.steps.length > 1 ? ` ${w.more(g.fix.steps.length - 1)}` : ''}`, '');
    } else out.push(mdText(g.message), '');
    const names = new Map(report.instances.map((i) => [i.instanceId, i.name]));
    const listed = g.instances.slice(0, GROUP_LISTED).map((id) => code(id) + (names.get(id) ? ` (${mdText(names.get(id)!)})` : ''));
    const more = g.instances.length - listed.length;
    out.push(listed.join(', ') + (more > 0 ? ` ${w.andMore(more)}` : ''), '');
  }
  const grouped = new Set((report.groups ?? []).flatMap((g) => g.instances));
  const rows = worstFirst(report.instances.filter((i) => !grouped.has(i.instanceId)));
  if (rows.length) {
    out.push(`| ${w.head.join(' | ')} |`, `|${w.head.map(() => ' --- ').join('|')}|`);
    for (const inst of rows) {
      const checks = decidingResults(inst.status, inst.checks).map((c) => code(c.id));
      out.push(
        `| ${ICON[inst.status]} ${LABEL[inst.status]} | ${code(inst.instanceId)} | ${mdText(inst.name ?? '')} | ${mdText(inst.region ?? report.region)} | ${checks.join(' ') || '-'} | ${mdText(firstFixOrReason(inst))} |`,
      );
    }
    out.push('');
  }
  // One instance: its commands too, as a block to copy (fenced longer than any backtick run inside).
  const commands = report.instances.length === 1 ? (report.instances[0]!.plan?.commands ?? []) : [];
  if (commands.length) {
    const body = commands.map((c) => terminalSafe(c)).join('\n');
    const fence = '`'.repeat(Math.max(3, ...[...body.matchAll(/`+/g)].map((m) => m[0].length + 1)));
    out.push(`**${w.commands}:**`, '', `${fence}bash`, body, fence, '');
  }
  return out.join('\n');
}
