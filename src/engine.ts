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

export function buildReport(facts: Facts, instanceIds: readonly string[], lang: Lang): Report {
  return buildFleetReport([{ facts, instanceIds }], lang);
}

/** One report over several regions' facts: instances in the order of the regions, each naming its region. */
export function buildFleetReport(parts: readonly { facts: Facts; instanceIds: readonly string[] }[], lang: Lang): Report {
  const instances: InstanceReport[] = parts.flatMap(({ facts, instanceIds }) =>
    instanceIds.map((instanceId) => {
      const results = evaluateInstance(facts, instanceId);
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
    }),
  );
  const regions = [...new Set(parts.map((p) => p.facts.region))];
  return {
    schemaVersion: 1,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    region: regions[0] ?? '',
    regions,
    // Nothing selected is not a pass: a gate waiting for an instance must not see OK.
    status: instances.length ? worst(instances.map((i) => i.status)) : 'unknown',
    summary: summarize(instances),
    instances,
  };
}

/** How many instances have each status, and the check that fails on the most of them (the first in check order on a tie). */
export function summarize(instances: readonly InstanceReport[]): Summary {
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
