/** Reading iam:SimulatePrincipalPolicy results: IAM's own verdict, with SCPs and permissions boundaries included. */
import type { Fact, SimulationResult } from '../../facts/schema.js';
import { defineMessages, type Text } from '../../lang.js';
import { isDenied } from '../unknown.js';

const M = defineMessages({
  notRun: { en: 'iam:SimulatePrincipalPolicy was not run', ja: 'iam:SimulatePrincipalPolicy は実行されていません' },
  denied: { en: 'iam:SimulatePrincipalPolicy was denied with {code}', ja: 'iam:SimulatePrincipalPolicy は {code} で拒否されました' },
  failed: { en: 'iam:SimulatePrincipalPolicy failed with {code}', ja: 'iam:SimulatePrincipalPolicy は {code} で失敗しました' },
  uncovered: {
    en: 'iam:SimulatePrincipalPolicy did not cover {actions}',
    ja: 'iam:SimulatePrincipalPolicy の結果に {actions} が含まれていません',
  },
});
export const SIMULATION_MESSAGES = M.table;

/**
 * allow; explicit (a Deny statement in the principal's policies); scp (an organization policy does
 * not allow it); boundary (the permissions boundary does not allow it); implicit (nothing allows
 * it); conditional (not allowed, but IAM lacked context values a real request may carry).
 */
export type SimKind = 'allow' | 'explicit' | 'scp' | 'boundary' | 'implicit' | 'conditional';

const RANK: Record<SimKind, number> = { allow: 0, conditional: 1, implicit: 2, boundary: 3, scp: 4, explicit: 5 };

export function simKind(r: SimulationResult): SimKind {
  if (r.decision.toLowerCase() === 'allowed') return 'allow';
  // A Deny whose condition key IAM was not given (aws:SourceVpce…) may not apply to the real request.
  if (r.missingContextValues.length) return 'conditional';
  if (r.allowedByOrganizations === false) return 'scp';
  if (r.allowedByPermissionsBoundary === false) return 'boundary';
  return r.decision.toLowerCase() === 'explicitdeny' ? 'explicit' : 'implicit';
}

export interface SimAction {
  action: string;
  kind: SimKind;
  /** The result that decided `kind` (the worst one when the action was simulated on several resources). */
  result: SimulationResult;
}

/** The simulated verdict for one action, optionally only on resources that `resource` accepts; undefined when it was not simulated. */
export function simFor(results: readonly SimulationResult[], action: string, resource?: (arn: string) => boolean): SimAction | undefined {
  let worst: SimAction | undefined;
  for (const r of results) {
    if (r.action.toLowerCase() !== action.toLowerCase()) continue;
    if (resource && !resource(r.resource ?? '*')) continue;
    const kind = simKind(r);
    if (!worst || RANK[kind] > RANK[worst.kind]) worst = { action, kind, result: r };
  }
  return worst;
}

/**
 * Results split into those on one instance (by id) and the rest: a fleet run simulates
 * StartSession on every instance, so a check looks up its own instance's results instead of
 * scanning all of them (callers keep the split for the run in their RunMemo).
 */
export function byInstance(results: readonly SimulationResult[]): { instances: Map<string, SimulationResult[]>; rest: SimulationResult[] } {
  const split = { instances: new Map<string, SimulationResult[]>(), rest: [] as SimulationResult[] };
  for (const r of results) {
    const id = /:instance\/([^/]+)$/.exec(r.resource ?? '')?.[1];
    if (!id) split.rest.push(r);
    else split.instances.set(id, [...(split.instances.get(id) ?? []), r]);
  }
  return split;
}

/** The policies IAM says matched, by their SourcePolicyId. */
export function policyIds(results: readonly SimulationResult[]): string[] {
  return [...new Set(results.flatMap((r) => r.matchedStatements.map((s) => s.sourcePolicyId).filter((x): x is string => !!x)))];
}

/** The context keys IAM lacked, over several results. */
export function missingKeys(results: readonly SimulationResult[]): string[] {
  return [...new Set(results.flatMap((r) => r.missingContextValues))];
}

/** Why a simulation is not there to decide: "iam:SimulatePrincipalPolicy was denied with AccessDenied". */
export function simulationMissing(fact: Fact<SimulationResult[]> | undefined, uncovered: readonly string[] = []): Text {
  if (fact === undefined) return M('notRun');
  if (!fact.known) return M(isDenied(fact.code) ? 'denied' : 'failed', { code: fact.code });
  return M('uncovered', { actions: { en: uncovered.join(', '), ja: uncovered.join('、') } });
}
