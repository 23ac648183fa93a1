/**
 * One answer to "may this principal do this?": IAM's policy simulator for each request it answered,
 * else the local evaluation of the role's identity policies intersected with its permissions
 * boundary. Every IAM check builds its verdict from these permissions, never from two paths.
 */
import type { Facts, Fact, SimulationResult } from '../../facts/schema.js';
import type { Text } from '../../lang.js';
import { FactUnknown, NOT_COLLECTED } from '../types.js';
import { evaluate, type Decision as LocalDecision, type Request as LocalRequest, type StatementRef } from './policy.js';
import { roleView, type RoleView } from './role-policies.js';
import { byInstance, missingKeys, policyIds, simFor, simulationMissing, type SimKind } from './simulation.js';

export type { StatementRef, RoleView };

/** The SimKind words: allow; explicit (a Deny); scp; boundary (the boundary does not allow it); implicit (nothing allows it); conditional. */
export type Decision = SimKind;

export interface Request {
  action: string;
  /** The resource ARN; `*` when absent; `''` when the ARN is not known (resource-scoped statements are then conditional). */
  resource?: string;
}

export interface Permission {
  action: string;
  resource: string;
  decision: Decision;
  from: 'simulator' | 'documents';
  /**
   * The statements behind the decision (deny/conditional: the one that decided; allow: the allowing
   * ones). From the simulator: those the readable documents show for the same decision, else none.
   * A `source` index points into `view.sources`, or at `view.boundary` when it equals their length.
   */
  statements: StatementRef[];
  /** Simulator: the policies IAM says matched. */
  policyIds: string[];
  /** Context keys IAM lacked (conditional). */
  missingKeys: string[];
}

export type Principal = { role: string } | { caller: true };

export interface PrincipalDecision {
  /** In the order of the requests. */
  permissions: Permission[];
  /** The role's documents when readable (names the statement behind a Deny; feeds fixes). */
  view?: RoleView;
  /** When any permission came from the documents: why the simulator did not decide it. */
  simulatorMissing?: Text;
}

export interface DecideContext {
  region: string;
  /** Condition keys whose values are known for the requests (aws:RequestedRegion is always set). */
  context?: Record<string, string>;
}

/**
 * Each request from IAM's simulator when it answered that request, else from the role's identity
 * documents intersected with its permissions boundary (explicit Deny in either wins; an action the
 * boundary does not allow is 'boundary'). Throws FactUnknown naming the call when neither can
 * decide: an unreadable policy list/document, or a boundary whose document was not read. The
 * caller has only the simulator.
 */
export function decide(facts: Facts, principal: Principal, requests: readonly Request[], ctx: DecideContext): PrincipalDecision {
  const sim = 'role' in principal ? facts.roles[principal.role]?.simulation : facts.callerSimulation;
  const results = sim?.known ? sim.value : [];
  const simulated = requests.map((r) => simulatedOf(results, r));
  const uncovered = requests.filter((_, i) => simulated[i] === undefined);
  const view = 'role' in principal ? readView(facts, principal.role, uncovered.length > 0) : undefined;
  if (uncovered.length && !view) throw new FactUnknown(simulationUnknown(sim));
  const permissions = requests.map((r, i) => {
    const s = simulated[i];
    const local = view && (s === undefined || !view.boundaryUnknown) ? localDecision(view, r, ctx) : undefined;
    if (s) return fromSimulator(r, s, local ?? (view ? identityDecision(view, r, ctx) : undefined));
    if (!local) throw new FactUnknown(simulationUnknown(sim));
    return { action: r.action, resource: resourceOf(r), from: 'documents' as const, policyIds: [], missingKeys: [], ...local };
  });
  return {
    permissions,
    ...(view ? { view } : {}),
    ...(uncovered.length
      ? {
          simulatorMissing: simulationMissing(
            sim,
            uncovered.map((r) => r.action),
          ),
        }
      : {}),
  };
}

/** The role's documents: required (a FactUnknown ends the decision) when some request needs them, else read if possible. */
function readView(facts: Facts, role: string, required: boolean): RoleView | undefined {
  try {
    const view = roleView(facts, role);
    if (required && view.boundaryUnknown) throw new FactUnknown(view.boundaryUnknown);
    return view;
  } catch (e) {
    if (!(e instanceof FactUnknown) || required) throw e;
    return undefined;
  }
}

function simulationUnknown(sim: Fact<SimulationResult[]> | undefined) {
  if (sim && !sim.known) return sim;
  return { known: false as const, call: 'iam:SimulatePrincipalPolicy', code: 'NotCollected', message: NOT_COLLECTED };
}

const resourceOf = (r: Request) => r.resource ?? '*';

/**
 * The simulated result for a request: on its own resource when IAM answered for it, else on `*`;
 * for a request on `*` (or an unknown ARN), the worst on any resource. Results on instances are
 * looked up by instance id: a fleet's caller simulation holds one per instance.
 */
function simulatedOf(results: readonly SimulationResult[], r: Request) {
  const resource = resourceOf(r);
  if (resource === '*' || resource === '') return simFor(results, r.action);
  const split = byInstance(results);
  const id = /:instance\/([^/]+)$/.exec(resource)?.[1];
  const own = id ? (split.instances.get(id) ?? []) : split.rest;
  return simFor(own, r.action, (x) => x === resource) ?? simFor(split.rest, r.action, (x) => x === '*');
}

interface Local {
  decision: Decision;
  statements: StatementRef[];
}

function fromSimulator(r: Request, s: NonNullable<ReturnType<typeof simulatedOf>>, local: Local | undefined): Permission {
  return {
    action: r.action,
    resource: resourceOf(r),
    decision: s.kind,
    from: 'simulator',
    statements: local && local.decision === s.kind ? local.statements : [],
    policyIds: policyIds([s.result]),
    missingKeys: missingKeys([s.result]),
  };
}

function localRequest(r: Request, ctx: DecideContext): LocalRequest {
  const resource = resourceOf(r);
  return {
    action: r.action,
    resource: resource === '' ? undefined : resource,
    context: { 'aws:RequestedRegion': ctx.region, ...ctx.context },
  };
}

function shift(d: LocalDecision, by: number): LocalDecision {
  const move = (ref: StatementRef): StatementRef => ({ ...ref, source: ref.source + by });
  if (d.decision === 'allow') return { decision: 'allow', by: d.by.map(move) };
  if (d.decision === 'implicit') return d;
  return { decision: d.decision, by: move(d.by) };
}

/** The identity policies alone (used only to name statements beside the simulator's answer). */
function identityDecision(view: RoleView, r: Request, ctx: DecideContext): Local {
  return asLocal(evaluate(view.sources, localRequest(r, ctx)));
}

function asLocal(d: LocalDecision): Local {
  switch (d.decision) {
    case 'allow':
      return { decision: 'allow', statements: d.by };
    case 'deny':
      return { decision: 'explicit', statements: [d.by] };
    case 'conditional':
      return { decision: 'conditional', statements: [d.by] };
    default:
      return { decision: 'implicit', statements: [] };
  }
}

/** The identity policies within the boundary, as IAM combines them: a Deny in either wins, then what the boundary leaves out, then what nothing allows. */
function localDecision(view: RoleView, r: Request, ctx: DecideContext): Local {
  const req = localRequest(r, ctx);
  const identity = asLocal(evaluate(view.sources, req));
  if (!view.boundary) return identity;
  const bound = asLocal(shift(evaluate([view.boundary], req), view.sources.length));
  if (identity.decision === 'explicit') return identity;
  if (bound.decision === 'explicit') return bound;
  if (bound.decision === 'implicit') return { decision: 'boundary', statements: [] };
  if (identity.decision !== 'allow') return identity;
  return bound.decision === 'conditional' ? bound : identity;
}
