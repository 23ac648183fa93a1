/**
 * A KMS key policy as one principal's request meets it. Unlike IAM, KMS lets a principal use a key
 * only when the key policy says so: either it names the principal (or `*`), which is enough on its
 * own, or it names the account (`arn:aws:iam::ACCOUNT:root`, the default key policy), which
 * delegates the decision to that account's IAM policies. An explicit Deny wins over both.
 */
import { withArnOps } from './endpoint-policy-doc.js';
import { isObject } from './policy-parse.js';
import {
  all,
  coverTri,
  not,
  parsePolicy,
  policyObject,
  principalCover,
  statementApplies,
  type PrincipalCover,
  type PrincipalWho,
  type Statement,
} from './policy.js';

/** Who asks: the role (or user) ARN, the session ARN credentials carry, and the account. */
export type KeyPrincipal = PrincipalWho;

export interface KeyStatementRef {
  /** 0-based position in the policy's Statement list. */
  index: number;
  sid?: string;
}

export type KeyPolicyDecision =
  /** The key policy names the principal (or everyone): IAM is not needed. */
  | { kind: 'direct'; by: KeyStatementRef }
  /** The key policy names the principal's account: its IAM policies decide. */
  | { kind: 'delegated'; by: KeyStatementRef }
  | { kind: 'deny'; by: KeyStatementRef }
  /** The verdict hangs on a statement whose principal or condition could not be evaluated. */
  | { kind: 'conditional'; by: KeyStatementRef }
  | { kind: 'missing' };

type Cover = PrincipalCover;

/** A key policy read once: each parsed statement beside its raw object (the parser drops Principal, which a key policy turns on). */
export type KeyPolicy = readonly { st: Statement; raw: Record<string, unknown> }[];

/** Throws PolicyError when the document cannot be read. A fleet's checks share the result (RunMemo): do not change it. */
export function parseKeyPolicy(document: unknown): KeyPolicy {
  const doc = policyObject(document);
  const parsed = parsePolicy(doc);
  const raw = (Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement]) as unknown[];
  return parsed.map((st, i) => {
    const r = raw[i];
    return { st, raw: isObject(r) ? r : {} };
  });
}

/**
 * The key policy's decision on `action` on the key for `who`. Condition keys whose values are known
 * for the request (the caller's account, the principal ARN) are evaluated; others make a statement
 * conditional.
 */
export function keyPolicyDecision(policy: KeyPolicy, action: string, keyArn: string, who: KeyPrincipal): KeyPolicyDecision {
  const context: Record<string, string> = {};
  if (who.account) Object.assign(context, { 'kms:CallerAccount': who.account, 'aws:PrincipalAccount': who.account });
  if (who.arn) context['aws:PrincipalArn'] = who.arn;
  let direct: KeyStatementRef | undefined;
  let delegated: KeyStatementRef | undefined;
  let maybeAllow: KeyStatementRef | undefined;
  let maybeDeny: KeyStatementRef | undefined;
  for (const [index, { st, raw }] of policy.entries()) {
    const cover: Cover =
      'Principal' in raw ? principalCover(raw.Principal, who) : 'NotPrincipal' in raw ? notCover(raw.NotPrincipal, who) : 'maybe';
    const applies = all([coverTri(cover), statementApplies(withArnOps(st), { action, resource: keyArn, context })]);
    if (applies === 'no') continue;
    const ref: KeyStatementRef = { index, ...(st.sid ? { sid: st.sid } : {}) };
    if (st.effect === 'Deny') {
      if (applies === 'yes') return { kind: 'deny', by: ref };
      maybeDeny ??= ref;
    } else if (applies === 'maybe') maybeAllow ??= ref;
    else if (cover === 'direct') direct ??= ref;
    else delegated ??= ref;
  }
  if (maybeDeny && (direct || delegated)) return { kind: 'conditional', by: maybeDeny };
  if (direct) return { kind: 'direct', by: direct };
  if (delegated) return { kind: 'delegated', by: delegated };
  return maybeAllow ? { kind: 'conditional', by: maybeAllow } : { kind: 'missing' };
}

/** NotPrincipal: every principal but those listed; a match on the account excludes its roles too. */
function notCover(listed: unknown, who: KeyPrincipal): Cover {
  const c = not(coverTri(principalCover(listed, who)));
  return c === 'yes' ? 'direct' : c === 'no' ? 'no' : 'maybe';
}

/** The key policy with one statement added, for `put-key-policy`. */
export function withStatement(document: unknown, statement: object): object {
  const doc = policyObject(document);
  const list = doc.Statement === undefined ? [] : Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  return { ...doc, Statement: [...(list as unknown[]), statement] };
}

/** How messages name a statement: its Sid, else its position (1-based). */
export const statementName = (ref: KeyStatementRef): string => ref.sid ?? `#${ref.index + 1}`;

export { PolicyError } from './policy.js';
