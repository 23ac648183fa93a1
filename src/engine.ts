import { CHECKS } from './checks/index.js';
import { FactUnknown, type Check, type CheckResult } from './checks/types.js';
import { describeUnknown } from './checks/unknown.js';
import type { Facts, Instance } from './facts/schema.js';
import { t, type Lang, type Text } from './lang.js';
import type { CheckReport, InstanceReport, OverallStatus, Report, Summary } from './report/schema.js';
import { TOOL_NAME, TOOL_VERSION } from './version.js';

/** Runs every check for one instance, in registry order. */
export function evaluateInstance(facts: Facts, instanceId: string, checks: readonly Check[] = CHECKS): CheckResult[] {
  const fact = facts.instances[instanceId];
  const results = new Map<string, CheckResult>();
  const result = (check: Check, status: CheckResult['status'], message: Text, fix?: CheckResult['fix']) => ({
    id: check.id,
    severity: check.severity,
    title: check.title,
    status,
    message,
    ...(fix ? { fix } : {}),
  });

  for (const check of checks) {
    let r: CheckResult;
    if (!fact || !fact.known) {
      const u = fact && !fact.known ? fact : undefined;
      r = result(check, 'unknown', u ? describeUnknown(u) : t('instance not in the facts', 'ファクトにインスタンスがありません'));
    } else if (fact.value === null || fact.value.vpcId === undefined) {
      r = check.id === 'instance-state' ? run(check, facts, instanceId, fact.value, results, result) : result(check, 'skip', gone(fact.value));
    } else {
      r = run(check, facts, instanceId, fact.value, results, result);
    }
    results.set(check.id, r);
  }
  return [...results.values()];
}

function gone(instance: Instance | null): Text {
  return instance === null
    ? t('the instance does not exist in this region', 'このリージョンにインスタンスが存在しません')
    : t(`the instance is ${instance.state}`, `インスタンスは ${instance.state} です`);
}

function run(
  check: Check,
  facts: Facts,
  instanceId: string,
  instance: Instance | null,
  earlier: Map<string, CheckResult>,
  result: (c: Check, s: CheckResult['status'], m: Text, f?: CheckResult['fix']) => CheckResult,
): CheckResult {
  for (const dep of check.requires ?? []) {
    const d = earlier.get(dep);
    if (!d) continue;
    if (d.status === 'unknown') {
      return result(check, 'unknown', t(`depends on ${dep}: ${d.message.en}`, `${dep} に依存: ${d.message.ja}`));
    }
    if (d.status === 'fail' || d.status === 'skip') {
      return result(check, 'skip', t(`needs ${dep} to pass first (it is ${d.status})`, `先に ${dep} の解決が必要です (現在 ${d.status})`));
    }
  }
  try {
    // instance-state is the only check that runs without an instance; it handles null itself.
    const f = check.evaluate({ facts, region: facts.region, instanceId, instance: instance as Instance, earlier });
    return result(check, f.status, f.message, f.fix);
  } catch (e) {
    if (e instanceof FactUnknown) return result(check, 'unknown', describeUnknown(e.unknown));
    throw e;
  }
}

const RANK: Record<OverallStatus, number> = { ok: 0, warning: 1, unknown: 2, critical: 3 };

export function worst(statuses: OverallStatus[]): OverallStatus {
  return statuses.reduce<OverallStatus>((a, b) => (RANK[b] > RANK[a] ? b : a), 'ok');
}

export function instanceStatus(results: readonly Pick<CheckResult, 'status' | 'severity'>[]): OverallStatus {
  return worst(
    results.map((r) => {
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

/** One region's facts and the instances to report from them, in order. */
export interface Part {
  facts: Facts;
  instanceIds: readonly string[];
}

/**
 * Evaluations already made on a facts object (the fleet pass that picks the GetConnectionStatus
 * suspects), each taken once by the report, so that no instance of a fleet is evaluated twice.
 * Fleets of at most KEEP_EVALUATIONS instances keep every result; every result holds its messages
 * and fixes in both languages, so a larger fleet keeps only each instance's outline (the statuses
 * the report's head counts) and is evaluated again as its report is written.
 */
const KEPT = new WeakMap<Facts, Map<string, CheckResult[]>>();
const OUTLINES = new WeakMap<Facts, Map<string, Outline>>();
export const KEEP_EVALUATIONS = 2_000;

/** What the report's head needs of one instance: its status and its checks' statuses. */
export type Outline = Pick<InstanceReport, 'status'> & { checks: Pick<CheckReport, 'id' | 'status'>[] };

const outlineOf = (results: readonly CheckResult[]): Outline => ({
  status: instanceStatus(results),
  checks: results.map((r) => ({ id: r.id, status: r.status })),
});

/** Evaluates these instances, keeping the results (or, for a large fleet, their outlines) for the report; calls `each` with every one. */
export function evaluateFleet(
  facts: Facts,
  instanceIds: readonly string[],
  each: (id: string, results: CheckResult[]) => void,
  keepWhole = KEEP_EVALUATIONS,
): void {
  const whole = instanceIds.length <= keepWhole;
  const keep = new Map<string, CheckResult[]>();
  const outlines = new Map<string, Outline>();
  for (const id of instanceIds) {
    const results = evaluateInstance(facts, id);
    if (whole) keep.set(id, results);
    else outlines.set(id, outlineOf(results));
    each(id, results);
  }
  KEPT.set(facts, keep);
  OUTLINES.set(facts, outlines);
}

/**
 * `to` is `from` with new facts about `changed` instances only (no check of one instance reads
 * another's facts): what was kept for the other instances holds for `to` as well.
 */
export function carryOver(from: Facts, to: Facts, changed: readonly string[]): void {
  for (const store of [KEPT, OUTLINES] as WeakMap<Facts, Map<string, unknown>>[]) {
    const kept = store.get(from);
    if (!kept) continue;
    store.delete(from);
    for (const id of changed) kept.delete(id);
    store.set(to, kept);
  }
}

/** What `store` kept for an instance, given up once taken. */
function take<T>(store: WeakMap<Facts, Map<string, T>>, facts: Facts, instanceId: string): T | undefined {
  const kept = store.get(facts);
  const value = kept?.get(instanceId);
  kept?.delete(instanceId);
  return value;
}

/** The kept evaluation of an instance, else a new one. */
const evaluated = (facts: Facts, instanceId: string): CheckResult[] => take(KEPT, facts, instanceId) ?? evaluateInstance(facts, instanceId);

/** Every instance's outline, region by region: the kept one, else from a new evaluation that is not kept. */
export function* outlines(parts: readonly Part[]): Generator<Outline> {
  for (const { facts, instanceIds } of parts) {
    for (const id of instanceIds) yield take(OUTLINES, facts, id) ?? outlineOf(evaluated(facts, id));
  }
}

/** One instance's part of the report, in one language. */
export function instanceReport(facts: Facts, instanceId: string, lang: Lang): InstanceReport {
  const results = evaluated(facts, instanceId);
  const checks: CheckReport[] = results.map((r) => ({
    id: r.id,
    title: r.title[lang],
    status: r.status,
    severity: r.severity,
    message: r.message[lang],
    ...(r.fix && (r.status === 'fail' || r.status === 'warn')
      ? { fix: { steps: r.fix.steps.map((s) => s.text[lang]), commands: r.fix.commands } }
      : {}),
  }));
  const p = plan(results, lang);
  return {
    instanceId,
    region: facts.region,
    status: instanceStatus(results),
    checks,
    ...(p.steps.length || p.commands.length ? { plan: p } : {}),
  };
}

/** Every instance's report, region by region, each built when it is asked for. */
export function* instanceReports(parts: readonly Part[], lang: Lang): Generator<InstanceReport> {
  for (const { facts, instanceIds } of parts) for (const id of instanceIds) yield instanceReport(facts, id, lang);
}

export function buildReport(facts: Facts, instanceIds: readonly string[], lang: Lang): Report {
  return buildFleetReport([{ facts, instanceIds }], lang);
}

/** One report over several regions' facts: instances in the order of the regions, each naming its region. */
export function buildFleetReport(parts: readonly Part[], lang: Lang): Report {
  const instances = [...instanceReports(parts, lang)];
  return { ...reportHead(parts, instances), instances };
}

/** Everything of the report but its instances; `instances` needs only each one's status and checks' statuses. */
export function reportHead(parts: readonly Part[], instances: Iterable<Outline>): Omit<Report, 'instances'> {
  const regions = [...new Set(parts.map((p) => p.facts.region))];
  const summary = summarize(instances);
  const any = summary.ok + summary.warning + summary.critical + summary.unknown > 0;
  return {
    schemaVersion: 1,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    region: regions[0] ?? '',
    regions,
    // Nothing selected is not a pass: a gate waiting for an instance must not see OK.
    status: any ? worstOf(summary) : 'unknown',
    summary,
  };
}

const worstOf = (s: Summary): OverallStatus => worst((['ok', 'warning', 'critical', 'unknown'] as const).filter((k) => s[k] > 0));

/** How many instances have each status, and the check that fails on the most of them (the first in check order on a tie). */
export function summarize(instances: Iterable<Outline>): Summary {
  const counts = { ok: 0, warning: 0, critical: 0, unknown: 0 };
  const fails = new Map<string, number>();
  for (const i of instances) {
    counts[i.status]++;
    for (const c of i.checks) if (c.status === 'fail') fails.set(c.id, (fails.get(c.id) ?? 0) + 1);
  }
  let cause: Summary['mostCommonCause'];
  for (const check of CHECKS) {
    const n = fails.get(check.id) ?? 0;
    if (n > (cause?.instances ?? 0)) cause = { checkId: check.id, instances: n };
  }
  return { ...counts, ...(cause ? { mostCommonCause: cause } : {}) };
}

export const EXIT_CODE: Record<OverallStatus, number> = { ok: 0, warning: 1, critical: 2, unknown: 3 };
