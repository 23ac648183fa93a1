/**
 * A fleet read as causes, not rows: the instances that share a root cause (the same status decided
 * by the same checks, in the same account, region and VPC) under it with one fix, worst first.
 */
import type { CheckResult, Evaluation } from '../checks/types.js';
import type { Lang } from '../lang.js';
import type { Group, OverallStatus } from './schema.js';

/** Worst first: CRITICAL (cannot connect), then UNKNOWN (could not tell), WARNING, OK. The same order as the exit code's. */
export const WORST_FIRST: readonly OverallStatus[] = ['critical', 'unknown', 'warning', 'ok'];

/** A stable sort of anything with a status, worst first; within a status the order given is kept. */
export function worstFirst<T extends { status: OverallStatus }>(items: readonly T[]): T[] {
  return WORST_FIRST.flatMap((s) => items.filter((i) => i.status === s));
}

/** The checks that decide a status: the critical failures, else the warnings, else what could not be evaluated. */
export function decidingResults<T extends Pick<CheckResult, 'status' | 'severity' | 'subject'>>(
  status: OverallStatus,
  all: readonly T[],
  callerCounts = false,
): T[] {
  // The caller's checks decide nothing unless --caller says they count.
  const results = callerCounts ? all : all.filter((c) => c.subject !== 'caller');
  switch (status) {
    case 'critical':
      return results.filter((c) => c.status === 'fail' && c.severity === 'critical');
    case 'warning':
      return results.filter((c) => c.status === 'warn' || c.status === 'fail');
    case 'unknown':
      return results.filter((c) => c.status === 'unknown');
    default:
      return [];
  }
}

/**
 * Steps that prepare rather than remove a cause: a security group for endpoints that do not exist
 * yet, a role that may already exist. A group's key step is the first step that is none of these.
 */
const PREPARATION = /^(endpoint-sg-create|endpoint-sg-reuse|iam-role-create)(:|$)/;

interface Member {
  evaluation: Evaluation;
  status: OverallStatus;
  deciding: CheckResult[];
}

/**
 * Instances sharing a root cause, two or more to a group, worst first and then the largest. A
 * group's fix is the deciding checks' steps of its members, each step (by its key) once, in the
 * words of its first instance; per-instance plans stay with each instance.
 */
export function groupByCause(
  evaluations: readonly Evaluation[],
  statusOf: (e: Evaluation) => OverallStatus,
  lang: Lang,
  callerCounts = false,
): Group[] {
  const byKey = new Map<string, Member[]>();
  for (const evaluation of evaluations) {
    const status = statusOf(evaluation);
    if (status === 'ok') continue;
    const deciding = decidingResults(status, evaluation.results, callerCounts);
    if (!deciding.length) continue;
    const key = JSON.stringify([status, evaluation.account ?? '', evaluation.region, evaluation.vpcId ?? '', deciding.map((r) => r.id)]);
    const members = byKey.get(key) ?? [];
    members.push({ evaluation, status, deciding });
    byKey.set(key, members);
  }
  const groups = [...byKey.values()].filter((m) => m.length > 1).map((m) => group(m, lang));
  return WORST_FIRST.flatMap((s) => groups.filter((g) => g.status === s).sort((a, b) => b.instances.length - a.instances.length));
}

function group(members: Member[], lang: Lang): Group {
  const first = members[0]!;
  const e = first.evaluation;
  const keys = new Set<string>();
  const steps: { key: string; text: string }[] = [];
  for (const m of members)
    for (const r of m.deciding)
      for (const s of r.fix?.steps ?? []) {
        if (keys.has(s.key)) continue;
        keys.add(s.key);
        steps.push({ key: s.key, text: s.text[lang] });
      }
  const key = steps.find((s) => !PREPARATION.test(s.key)) ?? steps[0];
  return {
    status: first.status,
    checks: first.deciding.map((r) => r.id),
    ...(e.account ? { account: e.account } : {}),
    region: e.region,
    ...(e.vpcId ? { vpcId: e.vpcId } : {}),
    instances: members.map((m) => m.evaluation.instanceId),
    message: first.deciding[0]!.message[lang],
    ...(key ? { fix: { keyStep: key.text, steps: steps.map((s) => s.text) } } : {}),
  };
}
