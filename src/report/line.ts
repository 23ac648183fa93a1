/**
 * `--output line`: one status line with performance data, in the monitoring-plugin convention
 * (Nagios, Icinga, Mackerel, Zabbix): `SSM-DOCTOR CRITICAL - 3 of 30 instances cannot open a session … | ok=27;;;0;30 …`.
 */
import type { Lang } from '../lang.js';
import { terminalLine } from '../redact.js';
import { decidingResults } from './groups.js';
import type { OverallStatus, Report } from './schema.js';

const LABEL: Record<OverallStatus, string> = { ok: 'OK', warning: 'WARNING', critical: 'CRITICAL', unknown: 'UNKNOWN' };

const WORDS = {
  en: {
    critical: (n: number, of: number) => `${n} of ${of} instance${of === 1 ? '' : 's'} cannot open a session`,
    unknown: (n: number, of: number) => `${n} of ${of} instance${of === 1 ? '' : 's'} could not be diagnosed`,
    warning: (n: number, of: number) => `${n} of ${of} instance${of === 1 ? '' : 's'} can open a session with warnings`,
    ok: (n: number, of: number) => `${n} of ${of} instance${of === 1 ? '' : 's'} can open a session`,
    none: 'no instance selected',
    unread: (n: number) => `${n} account or region${n === 1 ? '' : 's'} could not be read`,
    cause: (id: string, n: number) => `${id} on ${n}`,
  },
  ja: {
    critical: (n: number, of: number) => `${of} 台中 ${n} 台はセッションを開けません`,
    unknown: (n: number, of: number) => `${of} 台中 ${n} 台は診断できませんでした`,
    warning: (n: number, of: number) => `${of} 台中 ${n} 台は警告つきでセッションを開けます`,
    ok: (n: number, of: number) => `${of} 台中 ${n} 台はセッションを開けます`,
    none: '対象のインスタンスがありません',
    unread: (n: number) => `${n} 件のアカウントまたはリージョンを読み取れませんでした`,
    cause: (id: string, n: number) => `${id} が ${n} 台`,
  },
} as const;

/** The text before `|` may hold no `|` (it starts the performance data) and no line break. */
const plain = (s: string) => terminalLine(s).replace(/\|/g, '/');

/** One line and a newline. The exit code (0/1/2/3) is the report's status, as for every output. */
export function renderLine(report: Report, lang: Lang): string {
  const w = WORDS[lang];
  const of = report.instances.length;
  const count = (s: OverallStatus) => report.instances.filter((i) => i.status === s).length;
  const parts: string[] = [];
  if (!of) parts.push(w.none);
  else {
    const s = report.status === 'unknown' && !count('unknown') ? 'ok' : report.status;
    parts.push(w[s](count(s), of));
    const cause = report.summary?.mostCommonCause;
    if (s === 'critical' && cause) parts.push(`(${w.cause(cause.checkId, cause.instances)})`);
    if (s === 'unknown') {
      const first = report.instances.find((i) => i.status === 'unknown');
      const reason = first && decidingResults('unknown', first.checks)[0]?.message;
      if (reason) parts.push(`(${first.instanceId}: ${reason.length > 200 ? `${reason.slice(0, 197)}...` : reason})`);
    }
  }
  if (report.unread?.length) parts.push(`; ${w.unread(report.unread.length)}`);
  const perf = (['ok', 'warning', 'critical', 'unknown'] as const).map((s) => `${s}=${count(s)};;;0;${of}`).join(' ');
  return `SSM-DOCTOR ${LABEL[report.status]} - ${plain(parts.join(' ').replace(' ;', ';'))} | ${perf}\n`;
}
