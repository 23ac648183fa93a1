/**
 * A small, pure evaluator of IAM identity policies for one action at a time: explicit Deny wins,
 * wildcards and NotAction/NotResource count, and anything it cannot evaluate (a Condition it does
 * not know, a policy variable) makes a statement "conditional" instead of a guess.
 */
import { memoize } from './memo.js';
import { isObject, type Effect, type Statement } from './policy-parse.js';

export { PolicyError, parsePolicy, policyObject, type Effect, type Statement } from './policy-parse.js';

/** One policy document with the name the messages use for it. */
export interface PolicySource {
  /** Policy name as IAM shows it. */
  name: string;
  kind: 'inline' | 'managed' | 'boundary';
  arn?: string;
  document: unknown;
}

export interface Request {
  action: string;
  /** The resource ARN; `*` for actions without a resource type; undefined when it is not known. */
  resource: string | undefined;
  /** Condition keys whose value is known for the request (names are case-insensitive). */
  context?: Record<string, string>;
}

export interface StatementRef {
  /** Index into the sources passed to `evaluate`. */
  source: number;
  /** 0-based position in the document's Statement list. */
  index: number;
  sid?: string;
  effect: Effect;
}

export type Decision =
  | { decision: 'allow'; by: StatementRef[] }
  | { decision: 'deny'; by: StatementRef }
  | { decision: 'implicit' }
  /** The verdict hangs on a statement whose condition (or resource) could not be evaluated. */
  | { decision: 'conditional'; by: StatementRef };

/** Whether something matches when conditions may not be evaluable: yes, no, or maybe. */
export type Tri = 'yes' | 'no' | 'maybe';

/** IAM's wildcard match: `*` any run of characters, `?` one character. */
export function globMatch(pattern: string, value: string, ignoreCase = false): boolean {
  return (ignoreCase ? globInsensitive : globSensitive)(pattern).test(value);
}

const globRegExp = (flags: string) =>
  memoize(
    (pattern: string) =>
      new RegExp(
        `^${pattern
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '.*')
          .replace(/\?/g, '.')}$`,
        flags,
      ),
  );
const globSensitive = globRegExp('s');
const globInsensitive = globRegExp('is');

function actionMatches(st: Statement, action: string): boolean {
  if (st.actions) return st.actions.some((p) => globMatch(p, action, true));
  return !st.notActions!.some((p) => globMatch(p, action, true));
}

function resourceMatches(st: Statement, resource: string | undefined): Tri {
  const one = (p: string): Tri => {
    if (/^\*+$/.test(p)) return 'yes';
    if (resource === undefined || p.includes('${')) return 'maybe';
    return globMatch(p, resource) ? 'yes' : 'no';
  };
  if (st.resources) return any(st.resources.map(one));
  // An identity policy statement always has one of the two; IAM rejects it otherwise.
  if (!st.notResources) return 'no';
  return not(any(st.notResources.map(one)));
}

/** Yes when any is yes; maybe when none is yes but some is maybe. */
export function any(xs: Tri[]): Tri {
  if (xs.includes('yes')) return 'yes';
  return xs.includes('maybe') ? 'maybe' : 'no';
}
/** No when any is no; maybe when none is no but some is maybe. */
export function all(xs: Tri[]): Tri {
  if (xs.includes('no')) return 'no';
  return xs.includes('maybe') ? 'maybe' : 'yes';
}
export function not(x: Tri): Tri {
  return x === 'yes' ? 'no' : x === 'no' ? 'yes' : 'maybe';
}

/** Who a resource policy's Principal may name: the role (or user) ARN, the session ARN its credentials carry, its account. */
export interface PrincipalWho {
  arn?: string;
  sessionArn?: string;
  account?: string;
}

/** How a statement's Principal covers the asker: itself (or everyone), its account, neither, or cannot tell. */
export type PrincipalCover = 'direct' | 'account' | 'no' | 'maybe';

const ACCOUNT_PRINCIPAL = /^(?:(\d{12})|arn:[^:]+:iam::(\d{12}):root)$/;

/** The Principal of a key or endpoint policy statement against the asker (an unknown ARN or account is `maybe`). */
export function principalCover(principal: unknown, who: PrincipalWho): PrincipalCover {
  if (principal === '*') return 'direct';
  if (!isObject(principal)) return 'maybe';
  const covers: PrincipalCover[] = [];
  for (const [kind, v] of Object.entries(principal)) {
    for (const x of Array.isArray(v) ? v : [v]) {
      // Service, Federated and CanonicalUser principals never name a role's or a user's credentials.
      if (kind !== 'AWS') covers.push('no');
      else if (typeof x !== 'string') covers.push('maybe');
      else if (x === '*') covers.push('direct');
      else {
        const m = ACCOUNT_PRINCIPAL.exec(x);
        const account = m?.[1] ?? m?.[2];
        if (account) covers.push(who.account ? (account === who.account ? 'account' : 'no') : 'maybe');
        else if (!who.arn) covers.push('maybe');
        else covers.push(x === who.arn || x === who.sessionArn ? 'direct' : 'no');
      }
    }
  }
  if (covers.includes('direct')) return 'direct';
  if (covers.includes('account')) return 'account';
  return covers.includes('maybe') ? 'maybe' : 'no';
}

/** Whether the Principal names the asker at all (its account counts). */
export const coverTri = (c: PrincipalCover): Tri => (c === 'no' ? 'no' : c === 'maybe' ? 'maybe' : 'yes');

const STRING_OPS: Record<string, { negate: boolean; like: boolean; ignoreCase: boolean }> = {
  stringequals: { negate: false, like: false, ignoreCase: false },
  stringnotequals: { negate: true, like: false, ignoreCase: false },
  stringequalsignorecase: { negate: false, like: false, ignoreCase: true },
  stringnotequalsignorecase: { negate: true, like: false, ignoreCase: true },
  stringlike: { negate: false, like: true, ignoreCase: false },
  stringnotlike: { negate: true, like: true, ignoreCase: false },
};

/**
 * A statement's Condition against the keys known for the request. Only the string operators and
 * Bool on single-valued keys are evaluated; a key not in the context is `maybe`, because the real
 * request may or may not carry it.
 */
export function conditionMatches(condition: Record<string, unknown> | undefined, context: Record<string, string> = {}): Tri {
  if (!condition) return 'yes';
  const ctx = new Map(Object.entries(context).map(([k, v]) => [k.toLowerCase(), v]));
  const results: Tri[] = [];
  for (const [opName, block] of Object.entries(condition)) {
    if (!isObject(block)) return 'maybe';
    const op = opName.toLowerCase();
    const base = op.endsWith('ifexists') ? op.slice(0, -'ifexists'.length) : op;
    for (const [key, raw] of Object.entries(block)) {
      const value = ctx.get(key.toLowerCase());
      const wanted = Array.isArray(raw) ? raw : [raw];
      if (value === undefined || op.includes(':') || !wanted.every((w) => typeof w === 'string' || typeof w === 'boolean')) {
        results.push('maybe');
        continue;
      }
      const ws = wanted.map(String);
      if (ws.some((w) => w.includes('${'))) {
        results.push('maybe');
        continue;
      }
      const s = STRING_OPS[base];
      if (s) {
        const hit = ws.some((w) =>
          s.like ? globMatch(w, value, s.ignoreCase) : s.ignoreCase ? w.toLowerCase() === value.toLowerCase() : w === value,
        );
        results.push(hit !== s.negate ? 'yes' : 'no');
      } else if (base === 'bool') {
        results.push(ws.some((w) => w.toLowerCase() === value.toLowerCase()) ? 'yes' : 'no');
      } else {
        results.push('maybe');
      }
    }
  }
  return all(results);
}

/** Whether one statement applies to the request. */
export function statementApplies(st: Statement, req: Request): Tri {
  if (!actionMatches(st, req.action)) return 'no';
  return all([resourceMatches(st, req.resource), conditionMatches(st.condition, req.context)]);
}

/**
 * The decision of a set of identity policies for one request, as IAM reaches it: an explicit Deny
 * wins, then any Allow; without either the request is implicitly denied. A conditional Deny turns
 * an Allow into `conditional`; a conditional Allow alone is `conditional` too.
 */
export function evaluate(sources: readonly { statements: readonly Statement[] }[], req: Request): Decision {
  const allows: StatementRef[] = [];
  let maybeAllow: StatementRef | undefined;
  let maybeDeny: StatementRef | undefined;
  for (const [si, src] of sources.entries()) {
    for (const [index, st] of src.statements.entries()) {
      const applies = statementApplies(st, req);
      if (applies === 'no') continue;
      const ref: StatementRef = { source: si, index, effect: st.effect, ...(st.sid ? { sid: st.sid } : {}) };
      if (st.effect === 'Deny') {
        if (applies === 'yes') return { decision: 'deny', by: ref };
        maybeDeny ??= ref;
      } else if (applies === 'yes') {
        allows.push(ref);
      } else {
        maybeAllow ??= ref;
      }
    }
  }
  if (allows.length) return maybeDeny ? { decision: 'conditional', by: maybeDeny } : { decision: 'allow', by: allows };
  return maybeAllow ? { decision: 'conditional', by: maybeAllow } : { decision: 'implicit' };
}
