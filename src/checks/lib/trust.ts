/** Role trust policies: may a service principal call sts:AssumeRole on the role? */
import { servicePrincipals } from '../../aws/services.js';
import { PolicyError, conditionMatches, globMatch, policyObject } from './policy.js';

type PrincipalBlock = '*' | Record<string, string[]>;

export interface TrustStatement {
  /** 0-based position in the document's Statement list. */
  index: number;
  sid?: string;
  effect: 'Allow' | 'Deny';
  principal?: PrincipalBlock;
  notPrincipal?: PrincipalBlock;
  actions?: string[];
  notActions?: string[];
  condition?: Record<string, unknown>;
}

export interface TrustPolicy {
  /** The document as an object, to build a corrected one from. */
  document: Record<string, unknown>;
  statements: TrustStatement[];
}

export type TrustDecision =
  | { decision: 'allow'; by: TrustStatement }
  | { decision: 'deny'; by: TrustStatement }
  | { decision: 'implicit' }
  /** Allowed only under a Condition, or an Allow that a conditional Deny may cancel. */
  | { decision: 'conditional'; by: TrustStatement; keys: string[] };

const list = (v: unknown, where: string): string[] => {
  const xs = Array.isArray(v) ? v : [v];
  if (!xs.every((x) => typeof x === 'string')) throw new PolicyError(`${where} is not a string or a list of strings`);
  return xs as string[];
};

function principalBlock(v: unknown, where: string): PrincipalBlock {
  if (v === '*') return '*';
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new PolicyError(`${where} is not "*" or an object`);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, list(x, `${where}.${k}`)]));
}

/** Parses a trust policy (object, or JSON text that may still be URL-encoded); throws PolicyError when it is malformed. */
export function parseTrustPolicy(document: unknown): TrustPolicy {
  const doc = policyObject(document);
  const raw = doc.Statement;
  if (raw === undefined) throw new PolicyError('the trust policy has no Statement');
  const statements = (Array.isArray(raw) ? raw : [raw]).map((s, index): TrustStatement => {
    const where = `statement ${index + 1}`;
    if (typeof s !== 'object' || s === null || Array.isArray(s)) throw new PolicyError(`${where} is not an object`);
    const o = s as Record<string, unknown>;
    if (o.Effect !== 'Allow' && o.Effect !== 'Deny') throw new PolicyError(`${where} has Effect ${JSON.stringify(o.Effect)}`);
    const st: TrustStatement = { index, effect: o.Effect };
    if (typeof o.Sid === 'string' && o.Sid) st.sid = o.Sid;
    if (o.Principal !== undefined) st.principal = principalBlock(o.Principal, `${where} Principal`);
    if (o.NotPrincipal !== undefined) st.notPrincipal = principalBlock(o.NotPrincipal, `${where} NotPrincipal`);
    if (o.Action !== undefined) st.actions = list(o.Action, `${where} Action`);
    if (o.NotAction !== undefined) st.notActions = list(o.NotAction, `${where} NotAction`);
    if (typeof o.Condition === 'object' && o.Condition !== null && Object.keys(o.Condition).length)
      st.condition = o.Condition as Record<string, unknown>;
    return st;
  });
  return { document: doc, statements };
}

function names(block: PrincipalBlock, service: string, region: string): boolean {
  if (block === '*') return true;
  // "AWS": "*" means everyone, services included.
  if (Object.entries(block).some(([k, v]) => k === 'AWS' && v.includes('*'))) return true;
  const wanted = servicePrincipals(service, region);
  return Object.entries(block).some(([k, v]) => k === 'Service' && v.some((p) => wanted.includes(p.toLowerCase())));
}

function assumes(st: TrustStatement): boolean {
  const action = 'sts:AssumeRole';
  return st.actions ? st.actions.some((p) => globMatch(p, action, true)) : !(st.notActions ?? []).some((p) => globMatch(p, action, true));
}

function applies(st: TrustStatement, service: string, region: string): boolean {
  if (!assumes(st)) return false;
  if (st.principal) return names(st.principal, service, region);
  if (st.notPrincipal) return !names(st.notPrincipal, service, region);
  return false;
}

const conditionKeys = (st: TrustStatement) =>
  Object.values(st.condition ?? {}).flatMap((b) => (typeof b === 'object' && b !== null ? Object.keys(b) : []));

/** Whether `service` may assume the role: an explicit Deny wins, then an unconditional Allow. */
export function trustDecision(policy: TrustPolicy, service: string, region: string): TrustDecision {
  let allow: TrustStatement | undefined;
  let maybeAllow: TrustStatement | undefined;
  let maybeDeny: TrustStatement | undefined;
  for (const st of policy.statements) {
    if (!applies(st, service, region)) continue;
    // No request context is known for a service's AssumeRole, so any condition leaves the statement open.
    const sure = conditionMatches(st.condition, {}) === 'yes';
    if (st.effect === 'Deny') {
      if (sure) return { decision: 'deny', by: st };
      maybeDeny ??= st;
    } else if (sure) {
      allow ??= st;
    } else {
      maybeAllow ??= st;
    }
  }
  if (allow)
    return maybeDeny ? { decision: 'conditional', by: maybeDeny, keys: conditionKeys(maybeDeny) } : { decision: 'allow', by: allow };
  return maybeAllow ? { decision: 'conditional', by: maybeAllow, keys: conditionKeys(maybeAllow) } : { decision: 'implicit' };
}

/** The principals the Allow statements for sts:AssumeRole name, for messages ("lambda.amazonaws.com", "arn:aws:iam::…:root"). */
export function trustedPrincipals(policy: TrustPolicy): string[] {
  const out = new Set<string>();
  for (const st of policy.statements) {
    if (st.effect !== 'Allow' || !st.principal || !assumes(st)) continue;
    if (st.principal === '*') out.add('*');
    else Object.values(st.principal).forEach((v) => v.forEach((p) => out.add(p)));
  }
  return [...out];
}

/**
 * The trust policy with `service` allowed: the Deny statement that blocks it dropped, and an
 * unconditional Allow added when none exists. Everything else is kept as it was.
 */
export function correctedTrustPolicy(policy: TrustPolicy, service: string, region: string): Record<string, unknown> {
  const decision = trustDecision(policy, service, region);
  const raw = policy.document.Statement;
  const original = (Array.isArray(raw) ? raw : [raw]) as unknown[];
  const drop = new Set<number>();
  if (decision.decision === 'deny' || (decision.decision === 'conditional' && decision.by.effect === 'Deny')) drop.add(decision.by.index);
  const kept = original.filter((_, i) => !drop.has(i));
  const hasAllow = policy.statements.some(
    (st) => !drop.has(st.index) && st.effect === 'Allow' && applies(st, service, region) && !st.condition,
  );
  const statements = hasAllow ? kept : [...kept, { Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }];
  return { Version: '2012-10-17', ...policy.document, Statement: statements };
}
