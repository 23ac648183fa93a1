import { accountOfArn } from '../aws/arn.js';
import { CORE_POLICY } from '../aws/policies.js';
import type { Facts } from '../facts/schema.js';
import { NO_TEXT, catText, defineMessages, type Text } from '../lang.js';
import { assess, blocking, dhmcFallback, type Assessment } from './lib/iam-assess.js';
import type { Decision, Permission } from './lib/iam-decision.js';
import { ec2messagesVerdict } from './lib/iam-ec2messages.js';
import { attachFix, boundaryFix, denyByIdsFix, denyFix, mergeFixes, scpFix } from './lib/iam-fixes.js';
import { describeConditional, list, parts, passText, unique } from './lib/iam-core-text.js';
import { credentialRole } from './lib/iam-role.js';
import { actionList, groupByStatement, listText, sourceLabels, statementLabel } from './lib/iam-statements.js';
import type { RoleView } from './lib/role-policies.js';
import type { Check, Finding, Fix } from './types.js';

const M = defineMessages({
  title: {
    en: `The role allows what ${CORE_POLICY} allows (ssm:UpdateInstanceInformation, ssmmessages)`,
    ja: `ロールが ${CORE_POLICY} と同等の操作 (ssm:UpdateInstanceInformation、ssmmessages) を許可している`,
  },
  noRole: { en: 'the instance has no role to check', ja: 'チェックするロールがありません' },
  dhmcFallback: {
    en: '{role} (instance profile) does not allow ssm:UpdateInstanceInformation, so the agent falls back to the Default Host Management Configuration role {dhmc}: ',
    ja: '{role} (インスタンスプロファイル) は ssm:UpdateInstanceInformation を許可していないため、エージェントは Default Host Management Configuration のロール {dhmc} を使います。',
  },
  bySimulator: { en: " (decided by IAM's policy simulator)", ja: ' (IAM のポリシーシミュレーターによる判定)' },
  byDocuments: { en: " (decided from the role's documents; {why})", ja: ' (ロールのポリシー文書から判定。{why})' },
  ec2FromDocuments: { en: " (ec2messages decided from the role's documents)", ja: ' (ec2messages はロールのポリシー文書から判定)' },
  ec2NotEvaluated: {
    en: ' (ec2messages not evaluated: neither simulated nor readable from the documents)',
    ja: ' (ec2messages は未評価: シミュレーション結果もポリシー文書もありません)',
  },
  unread: { en: ' (not evaluated, document not collected: {names})', ja: ' ({names} は文書を取得していないため評価していません)' },
  deniedBy: { en: '{actions} denied by {statement}', ja: '{actions} は{statement}で拒否されています' },
  deniedByIds: { en: '{actions} explicitly denied by {by}', ja: '{actions} は {by} で明示的に拒否されています' },
  aDenyStatement: { en: 'a Deny statement', ja: 'Deny ステートメント' },
  scp: {
    en: 'an AWS Organizations service control policy denies {actions}',
    ja: 'AWS Organizations のサービスコントロールポリシー (SCP) が {actions} を拒否しています',
  },
  boundary: {
    en: 'the permissions boundary {arn}of {role} does not allow {actions}',
    ja: '{role} のアクセス許可の境界{arn} が {actions} を許可していません',
  },
  noPolicyAllows: { en: 'no policy of {role} allows {actions}', ja: '{role} のどのポリシーも {actions} を許可していません' },
  allowsNone: {
    en: '{role} allows none of {actions}: {policy} is not attached',
    ja: '{role} は {actions} のいずれも許可していません。{policy} がアタッチされていません',
  },
  attachedList: { en: ' (attached: {names})', ja: ' (アタッチ済み: {names})' },
  noneAttached: { en: ' (no policies attached)', ja: ' (アタッチされたポリシーなし)' },
  allowsSome: {
    en: '{labels} on {role} allows {allowed}; missing {missing}',
    ja: '{role} の{labels} は {allowed} を許可していますが、{missing} が不足しています',
  },
  allowSome: {
    en: '{labels} on {role} allow {allowed}; missing {missing}',
    ja: '{role} の{labels} は {allowed} を許可していますが、{missing} が不足しています',
  },
  sessionButNot: {
    en: '{role} allows the session actions but not {actions}',
    ja: '{role} はセッション用の操作を許可していますが、{actions} を許可していません',
  },
  doesNotAllow: { en: '{role} does not allow {actions}', ja: '{role} は {actions} を許可していません' },
  agentNeeds: { en: 'the agent needs them: {why}', ja: 'エージェントはこれらを必要とします ({why})' },
  ec2Optional: {
    en: '{what}; sessions work without them ({why}), but agents before 3.3.40.0 and Windows Server 2012 and earlier need them',
    ja: '{what}。セッションには不要です ({why}) が、3.3.40.0 より前のエージェントや Windows Server 2012 以前では必要です',
  },
});

/** The role grants what AmazonSSMManagedInstanceCore grants, with no Deny, boundary or SCP in the way. */
export const iamCorePolicy: Check = {
  id: 'iam-core-policy',
  severity: 'critical',
  title: M('title'),
  messages: M.table,
  requires: ['iam-instance-profile'],
  evaluate({ facts, instance, region }) {
    const cred = credentialRole(facts, instance);
    // iam-instance-profile passed, so no role only happens with facts that contradict each other.
    if (!cred) return { status: 'skip', message: M('noRole') };
    const primary = assess(facts, cred, region, instance);
    const fallback = dhmcFallback(facts, cred, primary, region, instance);
    const f = verdict(fallback ?? primary, facts, region, instance.instanceId);
    return fallback ? { ...f, message: catText(M('dhmcFallback', { role: cred.roleName, dhmc: fallback.cred.roleName }), f.message) } : f;
  },
};

/** The one verdict: core actions blocked, then ec2messages the agent needs, then conditions to verify, then ec2messages it can do without. */
function verdict(a: Assessment, facts: Facts, region: string, instanceId: string): Finding {
  const core = describeBlocked(a, blocking(a.core), facts, region, 'core');
  if (core) return { status: 'fail', message: catText(core.text, suffix(a, 'fail')), fix: core.fix };
  const ec2 = ec2messagesVerdict(facts, instanceId);
  const ec2Bad = blocking(a.ec2 ?? []);
  const bad = describeBlocked(a, ec2Bad, facts, region, ec2.optional ? 'ec2warn' : 'ec2fail');
  if (bad && !ec2.optional)
    return { status: 'fail', message: catText(parts([bad.text, M('agentNeeds', { why: ec2.why })]), suffix(a, 'ec2fail')), fix: bad.fix };
  const unsure = [...a.core, ...(ec2.optional ? [] : (a.ec2 ?? []))].filter((p) => p.decision === 'conditional');
  if (unsure.length) {
    const c = describeConditional(a, unsure, region, instanceId);
    return { status: 'warn', message: catText(c.text, suffix(a, 'conditional')), fix: c.fix };
  }
  if (bad)
    return { status: 'warn', message: catText(M('ec2Optional', { what: bad.text, why: ec2.why }), suffix(a, 'ec2warn')), fix: bad.fix };
  return { status: 'pass', message: catText(passText(a), suffix(a, 'pass')) };
}

type Where = 'core' | 'ec2fail' | 'ec2warn';
type Kind = 'fail' | 'ec2fail' | 'conditional' | 'ec2warn' | 'pass';

/** Who decided, and what was left unread. */
function suffix(a: Assessment, kind: Kind): Text {
  if (!a.why) {
    const by = kind === 'conditional' || kind === 'pass' ? NO_TEXT : M('bySimulator');
    const ec2 =
      kind === 'fail' || kind === 'conditional'
        ? NO_TEXT
        : !a.ec2
          ? M('ec2NotEvaluated')
          : a.ec2.some((p) => p.from === 'documents')
            ? M('ec2FromDocuments')
            : NO_TEXT;
    return catText(by, ec2);
  }
  const unread = a.view?.unread.length && kind !== 'ec2warn' && kind !== 'pass' ? M('unread', { names: list(a.view.unread) }) : NO_TEXT;
  return catText(unread, M('byDocuments', { why: a.why }));
}

/** What blocks the given permissions, each kind in its own words, with the fixes. */
function describeBlocked(
  a: Assessment,
  perms: Permission[],
  facts: Facts,
  region: string,
  where: Where,
): { text: Text; fix: Fix } | undefined {
  const role = a.cred.roleName;
  const texts: Text[] = [];
  const fixes: Fix[] = [];
  const of = (d: Decision) => perms.filter((p) => p.decision === d);
  const explicit = of('explicit');
  if (explicit.length && a.view && explicit.every((p) => p.statements.length)) {
    texts.push(denials(a.view, explicit));
    fixes.push(denyFix(a.view, explicit, region));
  } else if (explicit.length) {
    const ids = unique(explicit.flatMap((p) => p.policyIds));
    const actions = actionList(explicit.map((p) => p.action));
    texts.push(M('deniedByIds', { actions, by: ids.length ? list(ids) : M('aDenyStatement') }));
    fixes.push(denyByIdsFix(role, ids, actions));
  }
  const scp = actionList(of('scp').map((p) => p.action));
  if (scp) {
    texts.push(M('scp', { actions: scp }));
    const r = facts.roles[role]?.role;
    fixes.push(scpFix(role, scp, accountOfArn(r?.known ? r.value.arn : '') ?? ''));
  }
  const boundary = actionList(of('boundary').map((p) => p.action));
  if (boundary) {
    const r = facts.roles[role]?.role;
    const arn = r?.known ? r.value.permissionsBoundaryArn : undefined;
    texts.push(M('boundary', { role, actions: boundary, arn: arn ? { en: `${arn} `, ja: ` ${arn}` } : '' }));
    fixes.push(boundaryFix(role, arn, boundary, region));
  }
  const implicit = of('implicit');
  if (implicit.length) {
    texts.push(implicitText(a, implicit, where));
    fixes.push(attachFix(role, a.policy, region));
  }
  return texts.length ? { text: parts(texts), fix: mergeFixes(...fixes) } : undefined;
}

function denials(view: RoleView, perms: readonly Permission[]): Text {
  return parts(
    groupByStatement(perms).map((g) => M('deniedBy', { actions: actionList(g.actions), statement: statementLabel(view, g.ref) })),
  );
}

/** Nothing allows these: IAM's words, or, from the documents, what the role does allow. */
function implicitText(a: Assessment, perms: Permission[], where: Where): Text {
  const role = a.cred.roleName;
  const actions = actionList(perms.map((p) => p.action));
  if (where !== 'core')
    return perms.every((p) => p.from === 'simulator')
      ? M('noPolicyAllows', { role, actions })
      : M(where === 'ec2fail' && a.why ? 'sessionButNot' : 'doesNotAllow', { role, actions });
  if (!a.why || !a.view) return M('noPolicyAllows', { role, actions });
  const allowed = a.core.filter((p) => p.decision === 'allow');
  const refs = allowed.flatMap((p) => p.statements);
  if (!refs.length) {
    const names = a.view.attachedNames;
    return catText(
      M('allowsNone', { role, actions, policy: a.policy }),
      names.length ? M('attachedList', { names: list(names) }) : M('noneAttached'),
    );
  }
  const labels = sourceLabels(a.view, refs);
  return M(labels.length > 1 ? 'allowSome' : 'allowsSome', {
    labels: listText(labels),
    role,
    allowed: actionList(allowed.map((p) => p.action)),
    missing: actions,
  });
}
