/** Endpoint policies as the agent's requests meet them: who the agent is, and each statement's say on one request. */
import { accountOfArn, partitionOfRegion } from '../../aws/arn.js';
import { defineMessages, type Text } from '../../lang.js';
import { credentialRole, instanceArn, type CredentialRole } from './iam-role.js';
import { memoize } from './memo.js';
import { all, coverTri, not, parsePolicy, principalCover, statementApplies, type Request, type Statement, type Tri } from './policy.js';
import { isObject } from './policy-parse.js';
import { FactUnknown, type CheckContext } from '../types.js';
import { describeUnknown } from '../unknown.js';

const M = defineMessages({
  roleUnknown: { en: "the instance's role (not known: {why})", ja: 'インスタンスのロール (不明: {why})' },
  noRole: { en: "the instance's role (it has none)", ja: 'インスタンスのロール (ロールなし)' },
  roleNamed: { en: 'role {role}', ja: 'ロール {role}' },
});
export const WHO_MESSAGES = M.table;

/** The agent's principal as an endpoint policy sees it. */
export interface Who {
  roleArn?: string;
  /** The role session of instance-profile credentials: named after the instance. */
  sessionArn?: string;
  account?: string;
  instanceArn?: string;
  /** "arn:aws:iam::…:role/X", or why the role is not known. */
  text: Text;
}

export function whoOf(ctx: CheckContext): Who {
  const { facts, instance, region } = ctx;
  const partition = partitionOfRegion(region);
  let account = instance.accountId ?? (instance.instanceProfileArn ? accountOfArn(instance.instanceProfileArn) : undefined);
  const arnOfInstance = instanceArn(region, instance);
  let role: CredentialRole | null;
  try {
    role = credentialRole(facts, instance);
  } catch (e) {
    if (!(e instanceof FactUnknown)) throw e;
    const why = describeUnknown(e.unknown);
    return { account, instanceArn: arnOfInstance, text: M('roleUnknown', { why }) };
  }
  if (!role) return { account, instanceArn: arnOfInstance, text: M('noRole') };
  const got = facts.roles[role.roleName]?.role;
  let roleArn = got?.known ? got.value.arn : undefined;
  if (!roleArn && role.source === 'profile' && instance.instanceProfileArn) {
    const profile = facts.instanceProfiles[instance.instanceProfileArn];
    roleArn = profile?.known ? profile.value?.roles[0]?.arn : undefined;
  }
  if (!roleArn && role.source === 'dhmc' && account && facts.dhmc.known && facts.dhmc.value.roleName) {
    roleArn = `arn:${partition}:iam::${account}:role/${facts.dhmc.value.roleName}`;
  }
  account ??= roleArn ? accountOfArn(roleArn) : undefined;
  const sessionArn =
    role.source === 'profile' && account
      ? `arn:${partition}:sts::${account}:assumed-role/${role.roleName}/${instance.instanceId}`
      : undefined;
  return {
    roleArn,
    sessionArn,
    account,
    instanceArn: arnOfInstance,
    text: roleArn ? { en: roleArn, ja: roleArn } : M('roleNamed', { role: role.roleName }),
  };
}

/** On an interface endpoint an account principal stands for every user and role of the account: it names the agent's role. */
const principalMatches = (principal: unknown, who: Who): Tri =>
  coverTri(principalCover(principal, { arn: who.roleArn, sessionArn: who.sessionArn, account: who.account }));

// ARN operators compare like StringLike (wildcards per ARN field; close enough for ARNs of one role).
// Key policies (lib/key-policy.ts) take them the same way.
const ARN_OPS: Record<string, string> = {
  arnequals: 'StringLike',
  arnlike: 'StringLike',
  arnnotequals: 'StringNotLike',
  arnnotlike: 'StringNotLike',
};

export function withArnOps(st: Statement): Statement {
  if (!st.condition) return st;
  const condition: Record<string, unknown> = {};
  for (const [op, block] of Object.entries(st.condition)) {
    const lower = op.toLowerCase();
    const ifExists = lower.endsWith('ifexists');
    const base = ifExists ? lower.slice(0, -'ifexists'.length) : lower;
    condition[ARN_OPS[base] ? `${ARN_OPS[base]}${ifExists ? 'IfExists' : ''}` : op] = block;
  }
  return { ...st, condition };
}

export interface Parsed {
  statements: Statement[];
  raw: Record<string, unknown>[];
  /** The document as an object, for a fix that adds to it. */
  document: Record<string, unknown>;
}

/** Shared by every instance behind the endpoint: callers copy, never change it. */
export const parse = memoize((text: string): Parsed => {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    document = JSON.parse(decodeURIComponent(text));
  }
  const statements = parsePolicy(document);
  const doc = document as Record<string, unknown>;
  const raw = (Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement]) as Record<string, unknown>[];
  return { statements, raw, document: doc };
});

export function isFullAccess(p: Parsed): boolean {
  const [st, ...more] = p.statements;
  const principal = p.raw[0]?.Principal;
  return (
    st !== undefined &&
    more.length === 0 &&
    st.effect === 'Allow' &&
    !st.condition &&
    st.actions?.length === 1 &&
    st.actions[0] === '*' &&
    st.resources?.length === 1 &&
    st.resources[0] === '*' &&
    (principal === '*' || (isObject(principal) && Object.keys(principal).length === 1 && principal.AWS === '*'))
  );
}

export interface Ref {
  index: number;
  sid?: string;
  effect: 'Allow' | 'Deny';
  /** Condition keys of the statement, for messages. */
  keys: string[];
}

export type Decision =
  { decision: 'allow' } | { decision: 'deny'; by: Ref } | { decision: 'implicit' } | { decision: 'conditional'; by: Ref };

export function decideOn(p: Parsed, req: Request, who: Who): Decision {
  let allowed = false;
  let maybeAllow: Ref | undefined;
  let maybeDeny: Ref | undefined;
  for (const [index, st] of p.statements.entries()) {
    const raw = p.raw[index] ?? {};
    const principal =
      'Principal' in raw
        ? principalMatches(raw.Principal, who)
        : 'NotPrincipal' in raw
          ? not(principalMatches(raw.NotPrincipal, who))
          : 'maybe';
    const applies = all([principal, statementApplies(withArnOps(st), req)]);
    if (applies === 'no') continue;
    const keys = st.condition ? Object.values(st.condition).flatMap((b) => (isObject(b) ? Object.keys(b) : [])) : [];
    const ref: Ref = { index, effect: st.effect, keys, ...(st.sid ? { sid: st.sid } : {}) };
    if (st.effect === 'Deny') {
      if (applies === 'yes') return { decision: 'deny', by: ref };
      maybeDeny ??= ref;
    } else if (applies === 'yes') allowed = true;
    else maybeAllow ??= ref;
  }
  if (allowed) return maybeDeny ? { decision: 'conditional', by: maybeDeny } : { decision: 'allow' };
  return maybeAllow ? { decision: 'conditional', by: maybeAllow } : { decision: 'implicit' };
}
