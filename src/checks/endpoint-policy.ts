import { memoize } from './lib/memo.js';
import { AGENT_ACTIONS_BY_SERVICE } from '../aws/agent.js';
import type { Endpoint } from '../facts/schema.js';
import { t, type Text } from '../lang.js';
import { accountOfArn, partitionOfRegion } from '../aws/arn.js';
import { aws, shq } from './lib/cli.js';
import { blockedServicesVerdict } from './lib/iam-ec2messages.js';
import { credentialRole, instanceArn, type CredentialRole } from './lib/iam-role.js';
import { liveSsmEndpoints, networkOf, type SsmService } from './lib/path.js';
import { parsePolicy, PolicyError, statementApplies, type Request, type Statement } from './lib/policy.js';
import { FactUnknown, type Check, type CheckContext, type Fix, type FixStep } from './types.js';
import { describeUnknown } from './unknown.js';

type Tri = ReturnType<typeof statementApplies>;

/** What the agent calls through each endpoint. */
const AGENT_ACTIONS: Record<SsmService, readonly string[]> = AGENT_ACTIONS_BY_SERVICE;
/** The Action of the statement a fix adds. */
const FIX_ACTIONS: Record<SsmService, readonly string[]> = { ...AGENT_ACTIONS, ec2messages: ['ec2messages:*'] };

const list = (xs: readonly string[]) => xs.join(', ');
const listJa = (xs: readonly string[]) => xs.join('、');

/** The agent's principal as an endpoint policy sees it. */
interface Who {
  roleArn?: string;
  /** The role session of instance-profile credentials: named after the instance. */
  sessionArn?: string;
  account?: string;
  instanceArn?: string;
  /** "arn:aws:iam::…:role/X", or why the role is not known. */
  text: Text;
}

function whoOf(ctx: CheckContext): Who {
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
    return { account, instanceArn: arnOfInstance, text: t(`the instance's role (not known: ${why.en})`, `インスタンスのロール (不明: ${why.ja})`) };
  }
  if (!role) return { account, instanceArn: arnOfInstance, text: t("the instance's role (it has none)", 'インスタンスのロール (ロールなし)') };
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
    role.source === 'profile' && account ? `arn:${partition}:sts::${account}:assumed-role/${role.roleName}/${instance.instanceId}` : undefined;
  return { roleArn, sessionArn, account, instanceArn: arnOfInstance, text: t(roleArn ?? `role ${role.roleName}`, roleArn ?? `ロール ${role.roleName}`) };
}

function any(xs: Tri[]): Tri {
  if (xs.includes('yes')) return 'yes';
  return xs.includes('maybe') ? 'maybe' : 'no';
}
function all(xs: Tri[]): Tri {
  if (xs.includes('no')) return 'no';
  return xs.includes('maybe') ? 'maybe' : 'yes';
}
const not = (x: Tri): Tri => (x === 'yes' ? 'no' : x === 'no' ? 'yes' : 'maybe');

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function awsPrincipal(value: string, who: Who): Tri {
  if (value === '*') return 'yes';
  // On an interface endpoint an account principal stands for every user and role of the account.
  const account = /^\d{12}$/.test(value) ? value : /^arn:[^:]+:iam::(\d{12}):root$/.exec(value)?.[1];
  if (account) return who.account ? (who.account === account ? 'yes' : 'no') : 'maybe';
  if (!who.roleArn) return 'maybe';
  return value === who.roleArn || value === who.sessionArn ? 'yes' : 'no';
}

function principalMatches(principal: unknown, who: Who): Tri {
  if (principal === '*') return 'yes';
  if (!isObject(principal)) return 'maybe';
  const results: Tri[] = [];
  for (const [kind, v] of Object.entries(principal)) {
    for (const x of Array.isArray(v) ? v : [v]) {
      if (typeof x !== 'string') results.push('maybe');
      // Service, Federated and CanonicalUser principals never name the agent's role session.
      else results.push(kind === 'AWS' ? awsPrincipal(x, who) : 'no');
    }
  }
  return any(results);
}

// ARN operators compare like StringLike (wildcards per ARN field; close enough for ARNs of one role).
const ARN_OPS: Record<string, string> = { arnequals: 'StringLike', arnlike: 'StringLike', arnnotequals: 'StringNotLike', arnnotlike: 'StringNotLike' };

function withArnOps(st: Statement): Statement {
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

interface Parsed {
  statements: Statement[];
  raw: Record<string, unknown>[];
  /** The document as an object, for a fix that adds to it. */
  document: Record<string, unknown>;
}

/** Shared by every instance behind the endpoint: callers copy, never change it. */
const parse = memoize((text: string): Parsed => {
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

function isFullAccess(p: Parsed): boolean {
  if (p.statements.length !== 1) return false;
  const [st] = p.statements;
  const principal = p.raw[0].Principal;
  return (
    st.effect === 'Allow' &&
    !st.condition &&
    st.actions?.length === 1 &&
    st.actions[0] === '*' &&
    st.resources?.length === 1 &&
    st.resources[0] === '*' &&
    (principal === '*' || (isObject(principal) && Object.keys(principal).length === 1 && principal.AWS === '*'))
  );
}

interface Ref {
  index: number;
  sid?: string;
  effect: 'Allow' | 'Deny';
  /** Condition keys of the statement, for messages. */
  keys: string[];
}

type Decision = { decision: 'allow' } | { decision: 'deny'; by: Ref } | { decision: 'implicit' } | { decision: 'conditional'; by: Ref };

function decide(p: Parsed, req: Request, who: Who): Decision {
  let allowed = false;
  let maybeAllow: Ref | undefined;
  let maybeDeny: Ref | undefined;
  for (const [index, st] of p.statements.entries()) {
    const raw = p.raw[index];
    const principal = 'Principal' in raw ? principalMatches(raw.Principal, who) : 'NotPrincipal' in raw ? not(principalMatches(raw.NotPrincipal, who)) : 'maybe';
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

const statementName = (r: Ref) => t(`statement ${r.index + 1}${r.sid ? ` (Sid ${r.sid})` : ''}`, `ステートメント ${r.index + 1}${r.sid ? ` (Sid ${r.sid})` : ''}`);

type Outcome =
  | { kind: 'ok'; text: Text; why: 'absent' | 'full' | 'custom' }
  | { kind: 'blocked'; text: Text; deny?: Ref; actions: string[] }
  | { kind: 'conditional'; text: Text; by: Ref }
  | { kind: 'unreadable'; text: Text };

function judge(ctx: CheckContext, endpoint: Endpoint, service: SsmService, who: () => Who): { outcome: Outcome; parsed?: Parsed } {
  const head = `${endpoint.endpointId} (${service})`;
  if (!endpoint.policy?.trim()) return { outcome: { kind: 'ok', why: 'absent', text: t(head, head) } };
  let parsed: Parsed;
  try {
    parsed = parse(endpoint.policy);
  } catch (e) {
    const why = e instanceof PolicyError ? e.message : 'it is not valid JSON';
    return {
      outcome: {
        kind: 'unreadable',
        text: t(`the policy of ${head} cannot be evaluated: ${why}`, `${head} のポリシーを評価できません: ${why}`),
      },
    };
  }
  if (isFullAccess(parsed)) {
    return { outcome: { kind: 'ok', why: 'full', text: t(head, head) }, parsed };
  }
  const w = who();
  // The agent always calls over TLS, through this endpoint, from this VPC.
  const context: Record<string, string> = { 'aws:SourceVpce': endpoint.endpointId, 'aws:SecureTransport': 'true' };
  if (ctx.instance.vpcId) context['aws:SourceVpc'] = ctx.instance.vpcId;
  if (w.roleArn) context['aws:PrincipalArn'] = w.roleArn;
  if (w.account) context['aws:PrincipalAccount'] = w.account;
  if (w.sessionArn && w.instanceArn) context['ec2:SourceInstanceARN'] = w.instanceArn;
  const decisions = AGENT_ACTIONS[service].map((action) => {
    const resource = action === 'ssm:UpdateInstanceInformation' ? w.instanceArn : '*';
    return { action, d: decide(parsed, { action, resource, context }, w) };
  });
  const deny = decisions.find((x) => x.d.decision === 'deny');
  if (deny && deny.d.decision === 'deny') {
    const actions = decisions.filter((x) => x.d.decision === 'deny' || x.d.decision === 'implicit').map((x) => x.action);
    const by = statementName(deny.d.by);
    return {
      outcome: {
        kind: 'blocked',
        deny: deny.d.by,
        actions,
        text: t(
          `the policy of ${head} denies ${list(actions)} to ${w.text.en}: ${by.en} is an explicit Deny, which no Allow overrides`,
          `${head} のポリシーは ${w.text.ja} に ${listJa(actions)} を拒否しています: ${by.ja} は明示的な Deny で、Allow では上書きできません`,
        ),
      },
      parsed,
    };
  }
  const implicit = decisions.filter((x) => x.d.decision === 'implicit').map((x) => x.action);
  if (implicit.length) {
    return {
      outcome: {
        kind: 'blocked',
        actions: implicit,
        text: t(
          `no statement in the policy of ${head} allows ${list(implicit)} to ${w.text.en}, so the endpoint refuses ${implicit.length > 1 ? 'them' : 'it'}`,
          `${head} のポリシーには ${w.text.ja} に ${listJa(implicit)} を許可するステートメントがないため、エンドポイントが拒否します`,
        ),
      },
      parsed,
    };
  }
  const cond = decisions.find((x) => x.d.decision === 'conditional');
  if (cond && cond.d.decision === 'conditional') {
    const by = cond.d.by;
    const name = statementName(by);
    const what = by.keys.length
      ? t(`its condition on ${list(by.keys)} cannot be evaluated here`, `その条件 (${listJa(by.keys)}) はここでは評価できません`)
      : t(`its principal or resource cannot be matched to ${w.text.en} here`, `そのプリンシパルまたはリソースが ${w.text.ja} に当てはまるかをここでは判断できません`);
    return {
      outcome: {
        kind: 'conditional',
        by,
        text: t(
          `whether the policy of ${head} lets ${w.text.en} call ${cond.action} hangs on ${name.en} (${by.effect}): ${what.en}`,
          `${head} のポリシーが ${w.text.ja} に ${cond.action} を許可するかは ${name.ja} (${by.effect}) 次第です: ${what.ja}`,
        ),
      },
      parsed,
    };
  }
  return {
    outcome: { kind: 'ok', why: 'custom', text: t(head, head) },
    parsed,
  };
}

/** A custom policy on the ssm, ssmmessages and ec2messages endpoints lets the instance's role make the agent's calls; the endpoint refuses what its policy does not allow, whatever IAM says. */
export const endpointPolicy: Check = {
  id: 'endpoint-policy',
  severity: 'critical',
  title: t("Endpoint policies allow the agent's calls", 'エンドポイントポリシーがエージェントの呼び出しを許可している'),
  evaluate(ctx) {
    const net = networkOf(ctx);
    const live = liveSsmEndpoints(net);
    if (!live.length) {
      return {
        status: 'skip',
        message: t(`${net.vpcId} has no Systems Manager interface endpoint`, `${net.vpcId} に Systems Manager のインターフェイスエンドポイントがありません`),
      };
    }
    let cached: Who | undefined;
    const who = () => (cached ??= whoOf(ctx));
    const judged = live.map(({ endpoint, service }) => ({ endpoint, service, ...judge(ctx, endpoint, service, who) }));
    const bad = judged.filter((j) => j.outcome.kind !== 'ok');
    if (!bad.length) {
      const heads = (why: string) => judged.filter((j) => j.outcome.kind === 'ok' && j.outcome.why === why).map((j) => j.outcome.text);
      const groups: [string, Text][] = [
        ['absent', t('no endpoint policy, so full access', 'エンドポイントポリシーなし (フルアクセス)')],
        ['full', t('the default full-access policy', 'デフォルトのフルアクセスポリシー')],
        ['custom', t(`a custom policy that allows the agent's calls to ${who().text.en}`, `${who().text.ja} にエージェントの呼び出しを許可するカスタムポリシー`)],
      ];
      const parts = groups
        .filter(([why]) => heads(why).length)
        .map(([why, what]) => t(`${list(heads(why).map((h) => h.en))}: ${what.en}`, `${listJa(heads(why).map((h) => h.ja))}: ${what.ja}`));
      return { status: 'pass', message: join(parts) };
    }

    const blocked = new Set(bad.filter((j) => j.outcome.kind === 'blocked').map((j) => j.service));
    const { status, notes } = blockedServicesVerdict(ctx.facts, ctx.instanceId, blocked);
    return { status, message: join([...bad.map((j) => j.outcome.text), ...notes]), fix: fixOf(ctx.region, bad, who) };
  },
};

function join(parts: readonly Text[]): Text {
  return t(parts.map((p) => p.en).join('; '), parts.map((p) => p.ja).join('。'));
}

function fixOf(region: string, bad: readonly { endpoint: Endpoint; service: SsmService; outcome: Outcome; parsed?: Parsed }[], who: () => Who): Fix {
  const steps: FixStep[] = [];
  const commands: string[] = [];
  for (const { endpoint, service, outcome, parsed } of bad) {
    const id = endpoint.endpointId;
    const manage = t(`VPC → Endpoints → select ${id} → Actions → Manage policy`, `「VPC」→「エンドポイント」→ ${id} を選択 →「アクション」→「ポリシーを管理」`);
    const reset = {
      key: `endpoint-policy-reset:${id}`,
      text: t(
        `${manage.en} → Full access → Save (this restores the default policy; to keep a custom policy, edit it so it no longer denies the agent's calls)`,
        `${manage.ja}→「フルアクセス」を選択して「保存」(デフォルトのポリシーに戻ります。カスタムポリシーを残す場合は、エージェントの呼び出しを拒否しないように編集します)`,
      ),
    };
    const denyingDeny = (outcome.kind === 'blocked' && outcome.deny) || (outcome.kind === 'conditional' && outcome.by.effect === 'Deny' ? outcome.by : undefined);
    if (outcome.kind === 'unreadable') {
      steps.push(reset);
      continue;
    }
    if (denyingDeny) {
      const name = statementName(denyingDeny);
      steps.push({
        key: reset.key,
        text: t(`${manage.en}: ${name.en} denies the agent's calls: narrow it, or choose Full access → Save to restore the default policy`, `${manage.ja}: ${name.ja} がエージェントの呼び出しを拒否しています。対象を絞るか、「フルアクセス」を選んで「保存」し、デフォルトのポリシーに戻します`),
      });
      // A Deny that only might apply is left to the owner; one that does apply is removed with the custom policy.
      if (outcome.kind === 'blocked') commands.push(aws(region, 'ec2', 'modify-vpc-endpoint', '--vpc-endpoint-id', id, '--reset-policy'));
      continue;
    }
    if (!parsed) continue;
    const w = who();
    const statement = {
      Sid: `AllowSsmAgent${service[0].toUpperCase()}${service.slice(1)}`,
      Effect: 'Allow',
      Principal: w.roleArn ? { AWS: w.roleArn } : '*',
      Action: FIX_ACTIONS[service],
      Resource: '*',
    };
    const document = { ...parsed.document, Version: parsed.document.Version ?? '2012-10-17', Statement: [...parsed.raw, statement] };
    steps.push({
      key: `endpoint-policy-allow:${id}`,
      text: t(
        `${manage.en} → Custom: add a statement that allows ${list(FIX_ACTIONS[service])} to ${w.roleArn ?? 'the instance role'} (Resource *) → Save`,
        `${manage.ja}→「カスタム」で、${w.roleArn ?? 'インスタンスのロール'} に ${listJa(FIX_ACTIONS[service])} を許可するステートメント (Resource は *) を追加して「保存」`,
      ),
    });
    commands.push(aws(region, 'ec2', 'modify-vpc-endpoint', '--vpc-endpoint-id', id, '--policy-document', shq(JSON.stringify(document))));
  }
  return { steps, commands };
}
