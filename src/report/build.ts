/** From evaluations to the report every renderer reads: statuses rolled up, fixes merged into a plan, a summary. */
import type { CheckResult, Evaluation } from '../checks/types.js';
import type { Lang } from '../lang.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { groupByCause } from './groups.js';
import type { CheckReport, InstanceReport, OverallStatus, Report, Summary } from './schema.js';

/** What a diagnosis hands the renderers: the regions read and each instance's results, in report order. */
export interface Diagnosis {
  regions: readonly string[];
  evaluations: readonly Evaluation[];
  /** Several accounts: each read, and those that could not be (an assumed role refused, a region unreachable). */
  accounts?: readonly string[];
  unread?: readonly Unread[];
  /** --caller: the checks about whoever runs the tool count toward the status (by default they are reported apart). */
  callerCounts?: boolean;
  /** Checks left out by --skip, --only or the config file, in registry order. */
  skippedByChoice?: readonly string[];
}

export type Unread = NonNullable<Report['unread']>[number];

const RANK: Record<OverallStatus, number> = { ok: 0, warning: 1, unknown: 2, critical: 3 };

export function worst(statuses: readonly OverallStatus[]): OverallStatus {
  return statuses.reduce<OverallStatus>((a, b) => (RANK[b] > RANK[a] ? b : a), 'ok');
}

/**
 * An instance's status: its worst check. The checks about the caller (subject 'caller') count only
 * when asked: the instance side decides a gate (see docs/output.md, "Who decides the status").
 */
export function instanceStatus(
  results: readonly Pick<CheckResult, 'status' | 'severity' | 'subject'>[],
  callerCounts = false,
): OverallStatus {
  return worst(
    results
      .filter((r) => callerCounts || r.subject !== 'caller')
      .map((r) => {
        switch (r.status) {
          case 'fail':
            return r.severity === 'critical' ? 'critical' : 'warning';
          case 'warn':
            return 'warning';
          case 'unknown':
            return 'unknown';
          default:
            return 'ok';
        }
      }),
  );
}

/** The fixes of one instance as one plan: in check order, each step and command once. */
export function plan(results: readonly CheckResult[], lang: Lang): { steps: string[]; commands: string[] } {
  const keys = new Set<string>();
  const steps: string[] = [];
  const commands = new Set<string>();
  for (const r of results) {
    if (!r.fix || (r.status !== 'fail' && r.status !== 'warn')) continue;
    for (const s of r.fix.steps) {
      if (keys.has(s.key)) continue;
      keys.add(s.key);
      steps.push(s.text[lang]);
    }
    for (const c of r.fix.commands) commands.add(c);
  }
  return { steps, commands: [...commands] };
}

/** One instance's part of the report, in one language. */
export function instanceReport(e: Evaluation, lang: Lang, callerCounts = false): InstanceReport {
  const checks: CheckReport[] = e.results.map((r) => ({
    id: r.id,
    ...(r.subject ? { subject: r.subject } : {}),
    title: r.title[lang],
    status: r.status,
    severity: r.severity,
    ...(r.cause ? { cause: r.cause } : {}),
    message: r.message[lang],
    ...(r.fix && (r.status === 'fail' || r.status === 'warn')
      ? { fix: { steps: r.fix.steps.map((s) => s.text[lang]), commands: r.fix.commands } }
      : {}),
  }));
  const p = plan(e.results, lang);
  return {
    instanceId: e.instanceId,
    region: e.region,
    ...(e.account ? { account: e.account } : {}),
    ...(e.name ? { name: e.name } : {}),
    ...(e.vpcId ? { vpcId: e.vpcId } : {}),
    status: instanceStatus(e.results, callerCounts),
    checks,
    ...(p.steps.length || p.commands.length ? { plan: p } : {}),
  };
}

/** Everything of the report but its instances: the status, the summary and the groups of a shared root cause. */
export function reportHead(d: Diagnosis, lang: Lang): Omit<Report, 'instances'> {
  const summary = summarize(d.evaluations, d.callerCounts);
  const groups = groupByCause(d.evaluations, (e) => instanceStatus(e.results, d.callerCounts), lang, d.callerCounts);
  const any = summary.ok + summary.warning + summary.critical + summary.unknown > 0;
  return {
    schemaVersion: 1,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    region: d.regions[0] ?? '',
    regions: [...d.regions],
    // Nothing selected is not a pass: a gate waiting for an instance must not see OK.
    // An account or region that could not be read is unknown, beside whatever the others show.
    status: any
      ? worst([
          ...(['ok', 'warning', 'critical', 'unknown'] as const).filter((k) => summary[k] > 0),
          ...(d.unread?.length ? ['unknown' as const] : []),
        ])
      : 'unknown',
    ...(d.accounts ? { accounts: [...d.accounts] } : {}),
    callerCounts: Boolean(d.callerCounts),
    ...(d.skippedByChoice?.length ? { skippedByChoice: [...d.skippedByChoice] } : {}),
    summary,
    ...(d.unread?.length ? { unread: [...d.unread] } : {}),
    ...(groups.length ? { groups } : {}),
  };
}

/** How many instances have each status, and the check that fails on the most of them (the first in check order on a tie). */
export function summarize(evaluations: readonly Evaluation[], callerCounts = false): Summary {
  const counts = { ok: 0, warning: 0, critical: 0, unknown: 0 };
  // Every instance lists every check in registry order, so first seen is check order.
  const fails = new Map<string, number>();
  for (const e of evaluations) {
    counts[instanceStatus(e.results, callerCounts)]++;
    for (const r of e.results) {
      if (r.subject === 'caller' && !callerCounts) continue;
      if (!fails.has(r.id)) fails.set(r.id, 0);
      if (r.status === 'fail') fails.set(r.id, fails.get(r.id)! + 1);
    }
  }
  let cause: Summary['mostCommonCause'];
  for (const [checkId, n] of fails) if (n > (cause?.instances ?? 0)) cause = { checkId, instances: n };
  return { ...counts, ...(cause ? { mostCommonCause: cause } : {}) };
}

/** The whole report, every instance built at once (the table, JUnit, --wait); JSON is streamed instead. */
export function buildReport(d: Diagnosis, lang: Lang): Report {
  return { ...reportHead(d, lang), instances: d.evaluations.map((e) => instanceReport(e, lang, d.callerCounts)) };
}

/** Every instance's report, built when it is asked for. */
export function* instanceReports(d: Diagnosis, lang: Lang): Generator<InstanceReport> {
  for (const e of d.evaluations) yield instanceReport(e, lang, d.callerCounts);
}

export const EXIT_CODE: Record<OverallStatus, number> = { ok: 0, warning: 1, critical: 2, unknown: 3 };

/** The exit code under the --fail-on policy: `critical` lets WARNING pass (0); nothing else changes. */
export function exitCode(status: OverallStatus, failOn: 'warning' | 'critical' = 'warning'): number {
  return failOn === 'critical' && status === 'warning' ? 0 : EXIT_CODE[status];
}
