import type { Facts, Instance } from '../facts/schema.js';
import { t, type Text } from '../lang.js';
import { aws, shq } from './lib/cli.js';
import { ec2messagesVerdict } from './lib/iam-ec2messages.js';
import {
  CORE_POLICY,
  DHMC_POLICY,
  attachPolicyCommand,
  attachPolicyStep,
  credentialRole,
  instanceArn,
  lastSegment,
  type CredentialRole,
} from './lib/iam-role.js';
import { PolicyError, evaluate, parsePolicy, type Decision, type PolicySource, type Statement, type StatementRef } from './lib/policy.js';
import { FactUnknown, need, type Check, type Finding, type Fix, type FixStep } from './types.js';

const REQUIRED = [
  'ssm:UpdateInstanceInformation',
  'ssmmessages:CreateControlChannel',
  'ssmmessages:CreateDataChannel',
  'ssmmessages:OpenControlChannel',
  'ssmmessages:OpenDataChannel',
];
const EC2MESSAGES = [
  'ec2messages:AcknowledgeMessage',
  'ec2messages:DeleteMessage',
  'ec2messages:FailMessage',
  'ec2messages:GetEndpoint',
  'ec2messages:GetMessages',
  'ec2messages:SendReply',
];

const allow = (actions: string[]): Statement => ({ effect: 'Allow', actions, resources: ['*'] });
const CORE_STATEMENTS = [allow([...REQUIRED, ...EC2MESSAGES])];

/**
 * AWS managed policies whose documents the collector need not fetch: only the statements that
 * bear on the agent's actions (from the policies' current default versions).
 */
const KNOWN_POLICIES: Record<string, { statements: Statement[]; ssm: boolean; deprecated?: boolean }> = {
  AmazonSSMManagedInstanceCore: { statements: CORE_STATEMENTS, ssm: true },
  AmazonSSMManagedEC2InstanceDefaultPolicy: { statements: CORE_STATEMENTS, ssm: true },
  AmazonEC2RoleforSSM: { statements: CORE_STATEMENTS, ssm: true, deprecated: true },
  AmazonSSMFullAccess: { statements: [allow(['ssm:*', 'ec2messages:*', ...REQUIRED.slice(1)])], ssm: true },
  AdministratorAccess: { statements: [allow(['*'])], ssm: false },
  PowerUserAccess: { statements: [{ effect: 'Allow', notActions: ['iam:*', 'organizations:*', 'account:*'], resources: ['*'] }], ssm: false },
};

function knownPolicyName(arn: string): string | undefined {
  const m = /^arn:aws[a-z-]*:iam::aws:policy\/(?:[^/]+\/)*([^/]+)$/.exec(arn);
  return m && Object.hasOwn(KNOWN_POLICIES, m[1]) ? m[1] : undefined;
}

interface Source extends PolicySource {
  statements: Statement[];
}

interface RoleView {
  roleName: string;
  sources: Source[];
  /** Attached policies whose documents were not collected and are not built in. */
  unread: string[];
  attachedNames: string[];
}

/** Every policy document of the role that the facts hold; a document that could not be read ends the check as unknown. */
function roleView(facts: Facts, roleName: string): RoleView {
  const role = facts.roles[roleName];
  const attached = need(role?.attachedPolicies, 'iam:ListAttachedRolePolicies');
  const inline = need(role!.inlinePolicies, 'iam:ListRolePolicies');
  const sources: Source[] = [];
  const unread: string[] = [];
  const parse = (name: string, kind: 'inline' | 'managed', document: unknown, arn?: string): Source => {
    try {
      return { name, kind, document, statements: parsePolicy(document), ...(arn ? { arn } : {}) };
    } catch (e) {
      if (!(e instanceof PolicyError)) throw e;
      throw new FactUnknown({
        known: false,
        call: kind === 'inline' ? 'iam:GetRolePolicy' : 'iam:GetPolicyVersion',
        code: 'MalformedPolicyDocument',
        message: `${name}: ${e.message}`,
      });
    }
  };
  for (const p of inline) sources.push(parse(p.policyName, 'inline', p.document));
  for (const p of attached) {
    const fetched = role!.managedPolicyDocuments[p.policyArn];
    const known = knownPolicyName(p.policyArn);
    if (fetched !== undefined) {
      sources.push(parse(p.policyName, 'managed', need(fetched, 'iam:GetPolicyVersion'), p.policyArn));
    } else if (known) {
      sources.push({ name: known, kind: 'managed', arn: p.policyArn, document: null, statements: KNOWN_POLICIES[known].statements });
    } else {
      unread.push(p.policyName);
    }
  }
  return { roleName, sources, unread, attachedNames: attached.map((p) => p.policyName) };
}

interface Judgement {
  view: RoleView;
  cred: CredentialRole;
  decisions: Map<string, Decision>;
}

function judge(view: RoleView, cred: CredentialRole, region: string, instance: Instance): Judgement {
  const arn = instanceArn(region, instance);
  const decisions = new Map<string, Decision>();
  for (const action of [...REQUIRED, ...EC2MESSAGES]) {
    const resource = action === 'ssm:UpdateInstanceInformation' ? arn : '*';
    decisions.set(action, evaluate(view.sources, { action, resource, context: { 'aws:RequestedRegion': region } }));
  }
  return { view, cred, decisions };
}

const having = (j: Judgement, actions: string[], kind: Decision['decision']) => actions.filter((a) => j.decisions.get(a)!.decision === kind);
const blocked = (j: Judgement) => [...having(j, REQUIRED, 'deny'), ...having(j, REQUIRED, 'implicit')];

/** The role grants what AmazonSSMManagedInstanceCore grants, with no explicit Deny in the way. */
export const iamCorePolicy: Check = {
  id: 'iam-core-policy',
  severity: 'critical',
  title: t(
    'The role allows what AmazonSSMManagedInstanceCore allows (ssm:UpdateInstanceInformation, ssmmessages)',
    'ロールが AmazonSSMManagedInstanceCore と同等の操作 (ssm:UpdateInstanceInformation、ssmmessages) を許可している',
  ),
  requires: ['iam-instance-profile'],
  evaluate({ facts, instance, region, instanceId }) {
    const cred = credentialRole(facts, instance);
    if (!cred) {
      // iam-instance-profile passed, so this only happens with facts that contradict each other.
      return { status: 'skip', message: t('the instance has no role to check', 'チェックするロールがありません') };
    }
    const primary = judge(roleView(facts, cred.roleName), cred, region, instance);
    let chosen = primary;
    let prefix: Text | undefined;
    // The agent validates the profile role with ssm:UpdateInstanceInformation; when that is denied it falls back to DHMC.
    const uii = primary.decisions.get('ssm:UpdateInstanceInformation')!.decision;
    if (cred.source === 'profile' && (uii === 'deny' || uii === 'implicit') && facts.dhmc.known && facts.dhmc.value.roleName) {
      const dhmcRole = credentialRoleOfDhmc(facts.dhmc.value.roleName);
      try {
        const fallback = judge(roleView(facts, dhmcRole.roleName), dhmcRole, region, instance);
        if (blocked(fallback).length === 0) {
          chosen = fallback;
          prefix = t(
            `${cred.roleName} (instance profile) does not allow ssm:UpdateInstanceInformation, so the agent falls back to the Default Host Management Configuration role ${dhmcRole.roleName}: `,
            `${cred.roleName} (インスタンスプロファイル) は ssm:UpdateInstanceInformation を許可していないため、エージェントは Default Host Management Configuration のロール ${dhmcRole.roleName} を使います。`,
          );
        }
      } catch (e) {
        if (!(e instanceof FactUnknown)) throw e;
      }
    }
    const f = verdict(chosen, facts, region, instanceId);
    return prefix ? { ...f, message: t(prefix.en + f.message.en, prefix.ja + f.message.ja) } : f;
  },
};

function credentialRoleOfDhmc(value: string): CredentialRole {
  return { source: 'dhmc', roleName: lastSegment(value) };
}

function verdict(j: Judgement, facts: Facts, region: string, instanceId: string): Finding {
  const role = j.view.roleName;
  const denied = having(j, REQUIRED, 'deny');
  const missing = having(j, REQUIRED, 'implicit');
  const conditional = having(j, REQUIRED, 'conditional');
  const ec2Denied = having(j, EC2MESSAGES, 'deny');
  const ec2Missing = having(j, EC2MESSAGES, 'implicit');
  const ec2Conditional = having(j, EC2MESSAGES, 'conditional');
  const policy = j.cred.source === 'dhmc' ? DHMC_POLICY : CORE_POLICY;
  const attachFix = (): Fix => ({ steps: [attachPolicyStep(role, policy)], commands: [attachPolicyCommand(region, role, policy)] });
  const unreadNote = j.view.unread.length
    ? t(
        ` (not evaluated, document not collected: ${j.view.unread.join(', ')})`,
        ` (${j.view.unread.join('、')} は文書を取得していないため評価していません)`,
      )
    : t('', '');

  if (denied.length || missing.length) {
    const parts: Text[] = [];
    if (denied.length) parts.push(denials(j, denied));
    if (missing.length) parts.push(missingText(j, missing, policy));
    const fix = merge(denied.length ? denyFix(j, denied, region) : undefined, missing.length ? attachFix() : undefined);
    return { status: 'fail', message: cat(join(parts, '; ', '。'), unreadNote), fix };
  }

  const ec2 = ec2messagesVerdict(facts, instanceId);
  const ec2Bad = [...ec2Denied, ...ec2Missing];
  if (ec2Bad.length && !ec2.optional) {
    const parts: Text[] = [];
    if (ec2Denied.length) parts.push(denials(j, ec2Denied));
    if (ec2Missing.length) {
      parts.push(
        t(
          `${role} allows the session actions but not ${actionList(ec2Missing)}`,
          `${role} はセッション用の操作を許可していますが、${actionList(ec2Missing)} を許可していません`,
        ),
      );
    }
    parts.push(t(`the agent needs them: ${ec2.why.en}`, `エージェントはこれらを必要とします (${ec2.why.ja})`));
    const fix = merge(ec2Denied.length ? denyFix(j, ec2Denied, region) : undefined, ec2Missing.length ? attachFix() : undefined);
    return { status: 'fail', message: cat(join(parts, '; ', '。'), unreadNote), fix };
  }

  const unsure = [...conditional, ...(ec2.optional ? [] : ec2Conditional)];
  if (unsure.length) {
    const refs = groupByStatement(j, unsure);
    const texts = refs.map(({ ref, actions }) =>
      ref.effect === 'Allow'
        ? t(
            `${actionList(actions)} is allowed only by ${stmtLabel(j, ref).en}, whose condition ssm-doctor cannot evaluate: check that it holds for ${instanceId}`,
            `${actionList(actions)} は${stmtLabel(j, ref).ja}でのみ許可されていますが、その条件は ssm-doctor では評価できません。${instanceId} で条件が満たされることを確認してください`,
          )
        : t(
            `${stmtLabel(j, ref).en} may deny ${actionList(actions)}: ssm-doctor cannot evaluate its condition; check that it does not apply to ${instanceId}`,
            `${stmtLabel(j, ref).ja}が ${actionList(actions)} を拒否する可能性があります。条件は ssm-doctor では評価できないため、${instanceId} に当てはまらないことを確認してください`,
          ),
    );
    const denies = refs.filter((r) => r.ref.effect === 'Deny');
    const fix = merge(
      denies.length ? denyFix(j, denies.flatMap((r) => r.actions), region, true) : undefined,
      denies.length < refs.length ? attachFix() : undefined,
    );
    return { status: 'warn', message: cat(join(texts, '; ', '。'), unreadNote), fix };
  }

  if (ec2Bad.length) {
    const what = ec2Denied.length ? denials(j, ec2Denied) : t(`${role} does not allow ${actionList(ec2Missing)}`, `${role} は ${actionList(ec2Missing)} を許可していません`);
    return {
      status: 'warn',
      message: t(
        `${what.en}; sessions work without them (${ec2.why.en}), but agents before 3.3.40.0 and Windows Server 2012 and earlier need them`,
        `${what.ja}。セッションには不要です (${ec2.why.ja}) が、3.3.40.0 より前のエージェントや Windows Server 2012 以前では必要です`,
      ),
      fix: merge(ec2Denied.length ? denyFix(j, ec2Denied, region) : undefined, ec2Missing.length ? attachFix() : undefined),
    };
  }

  return { status: 'pass', message: passText(j) };
}

function passText(j: Judgement): Text {
  const role = j.view.roleName;
  // A source "grants" the set when it alone has an allowing statement for every required action.
  const grantors = j.view.sources
    .map((s, i) => ({ s, i }))
    .filter(({ i }) => REQUIRED.every((a) => (j.decisions.get(a) as Extract<Decision, { decision: 'allow' }>).by.some((r) => r.source === i)));
  const managed = grantors.find(({ s }) => s.kind === 'managed' && knownPolicyName(s.arn ?? '') && KNOWN_POLICIES[s.name]?.ssm);
  let text: Text;
  if (managed) {
    text = t(`${managed.s.name} is attached to ${role}`, `${role} に ${managed.s.name} がアタッチされています`);
    if (KNOWN_POLICIES[managed.s.name].deprecated) {
      text = cat(
        text,
        t(` (it is deprecated: attach ${CORE_POLICY} in its place)`, ` (このポリシーは非推奨です。代わりに ${CORE_POLICY} をアタッチしてください)`),
      );
    }
    return text;
  }
  const labels = uniqueSources(j, REQUIRED.flatMap((a) => (j.decisions.get(a) as Extract<Decision, { decision: 'allow' }>).by));
  return t(
    `${labels.map((l) => l.en).join(', ')} on ${role} ${labels.length > 1 ? 'allow' : 'allows'} ssm:UpdateInstanceInformation and the four ssmmessages channel actions`,
    `${role} の${labels.map((l) => l.ja).join('、')} が ssm:UpdateInstanceInformation と ssmmessages の 4 つのチャネル操作を許可しています`,
  );
}

function missingText(j: Judgement, missing: string[], policy: string): Text {
  const role = j.view.roleName;
  const allowedRefs = REQUIRED.flatMap((a) => {
    const d = j.decisions.get(a)!;
    return d.decision === 'allow' ? d.by : [];
  });
  if (allowedRefs.length === 0) {
    const attached = j.view.attachedNames.length
      ? t(` (attached: ${j.view.attachedNames.join(', ')})`, ` (アタッチ済み: ${j.view.attachedNames.join('、')})`)
      : t(' (no policies attached)', ' (アタッチされたポリシーなし)');
    return cat(
      t(
        `${role} allows none of ${actionList(missing)}: ${policy} is not attached`,
        `${role} は ${actionList(missing)} のいずれも許可していません。${policy} がアタッチされていません`,
      ),
      attached,
    );
  }
  const labels = uniqueSources(j, allowedRefs);
  const allowed = REQUIRED.filter((a) => !missing.includes(a) && j.decisions.get(a)!.decision === 'allow');
  return t(
    `${labels.map((l) => l.en).join(', ')} on ${role} ${labels.length > 1 ? 'allow' : 'allows'} ${actionList(allowed)}; missing ${actionList(missing)}`,
    `${role} の${labels.map((l) => l.ja).join('、')} は ${actionList(allowed)} を許可していますが、${actionList(missing)} が不足しています`,
  );
}

function denials(j: Judgement, actions: string[]): Text {
  const texts = groupByStatement(j, actions).map(({ ref, actions: as }) =>
    t(`${actionList(as)} denied by ${stmtLabel(j, ref).en}`, `${actionList(as)} は${stmtLabel(j, ref).ja}で拒否されています`),
  );
  return join(texts, '; ', '。');
}

function groupByStatement(j: Judgement, actions: string[]): { ref: StatementRef; actions: string[] }[] {
  const groups = new Map<string, { ref: StatementRef; actions: string[] }>();
  for (const a of actions) {
    const d = j.decisions.get(a)!;
    if (d.decision !== 'deny' && d.decision !== 'conditional') continue;
    const key = `${d.by.source}/${d.by.index}`;
    const g = groups.get(key) ?? { ref: d.by, actions: [] };
    g.actions.push(a);
    groups.set(key, g);
  }
  return [...groups.values()];
}

/** Steps and commands to remove or narrow the statements that deny `actions`, one policy at a time. */
function denyFix(j: Judgement, actions: string[], region: string, review = false): Fix {
  const role = j.view.roleName;
  const steps: FixStep[] = [];
  const commands: string[] = [];
  const bySource = new Map<number, { refs: StatementRef[]; actions: string[] }>();
  for (const { ref, actions: as } of groupByStatement(j, actions)) {
    const g = bySource.get(ref.source) ?? { refs: [], actions: [] };
    g.refs.push(ref);
    g.actions.push(...as);
    bySource.set(ref.source, g);
  }
  for (const [si, { refs, actions: as }] of bySource) {
    const src = j.view.sources[si];
    const stmts = join(
      refs.map((r) => statementOnly(r)),
      ', ',
      '、',
    );
    const verb = review
      ? t(`check the condition of ${stmts.en}; if it can apply to the instance, remove the statement or narrow it`, `${stmts.ja} の条件を確認し、このインスタンスに当てはまり得るなら、ステートメントを削除するか絞り込みます`)
      : t(`remove ${stmts.en} or narrow it so that it no longer matches ${actionList(as)}`, `${stmts.ja} を削除するか、${actionList(as)} に当たらないよう絞り込みます`);
    const file = `${src.name}.json`;
    if (src.kind === 'inline') {
      steps.push({
        key: `iam-policy-deny:${role}:${src.name}`,
        text: t(
          `IAM → Roles → ${role} → Permissions → inline policy ${src.name} → Edit: ${verb.en} → Save changes. Or with the commands below: edit ${file} between them`,
          `「IAM」→「ロール」→「${role}」→「許可」タブ → インラインポリシー「${src.name}」→「編集」で、${verb.ja}。最後に「変更を保存」をクリックします。下のコマンドを使う場合は、2 つのコマンドの間で ${file} を編集します`,
        ),
      });
      commands.push(
        aws(region, 'iam', 'get-role-policy', '--role-name', shq(role), '--policy-name', shq(src.name), '--query', 'PolicyDocument', '--output', 'json') + ` > ${shq(file)}`,
        aws(region, 'iam', 'put-role-policy', '--role-name', shq(role), '--policy-name', shq(src.name), '--policy-document', shq(`file://${file}`)),
      );
    } else {
      const arn = src.arn ?? src.name;
      const version = aws(region, 'iam', 'get-policy', '--policy-arn', shq(arn), '--query', 'Policy.DefaultVersionId', '--output', 'text');
      steps.push({
        key: `iam-policy-deny:${arn}`,
        text: t(
          `IAM → Policies → ${src.name} → Edit: ${verb.en} → Save changes (the policy may be attached to other roles too; detaching it from ${role} is the other way). Or with the commands below: edit ${file} between them`,
          `「IAM」→「ポリシー」→「${src.name}」→「編集」で、${verb.ja}。最後に「変更を保存」をクリックします (このポリシーは他のロールにもアタッチされている可能性があります。${role} からデタッチする方法もあります)。下のコマンドを使う場合は、2 つのコマンドの間で ${file} を編集します`,
        ),
      });
      commands.push(
        aws(region, 'iam', 'get-policy-version', '--policy-arn', shq(arn), '--version-id', `"$(${version})"`, '--query', 'PolicyVersion.Document', '--output', 'json') + ` > ${shq(file)}`,
        aws(region, 'iam', 'create-policy-version', '--policy-arn', shq(arn), '--policy-document', shq(`file://${file}`), '--set-as-default'),
      );
    }
  }
  return { steps, commands };
}

function merge(...fixes: (Fix | undefined)[]): Fix {
  const present = fixes.filter((f): f is Fix => f !== undefined);
  return { steps: present.flatMap((f) => f.steps), commands: present.flatMap((f) => f.commands) };
}

function policyLabel(s: PolicySource): Text {
  return s.kind === 'inline' ? t(`inline policy ${s.name}`, `インラインポリシー ${s.name}`) : t(`policy ${s.name}`, `ポリシー ${s.name}`);
}

function statementOnly(ref: StatementRef): Text {
  return ref.sid ? t(`statement Sid ${ref.sid}`, `ステートメント (Sid ${ref.sid})`) : t(`statement ${ref.index + 1}`, `${ref.index + 1} 番目のステートメント`);
}

function stmtLabel(j: Judgement, ref: StatementRef): Text {
  const p = policyLabel(j.view.sources[ref.source]);
  const s = statementOnly(ref);
  return t(`${s.en} of ${p.en}`, `${p.ja} の${s.ja}`);
}

function uniqueSources(j: Judgement, refs: StatementRef[]): Text[] {
  return [...new Set(refs.map((r) => r.source))].map((i) => policyLabel(j.view.sources[i]));
}

function actionList(actions: string[]): string {
  if (actions.length === EC2MESSAGES.length && EC2MESSAGES.every((a) => actions.includes(a))) return 'ec2messages:*';
  return actions.join(', ');
}

function join(texts: Text[], en: string, ja: string): Text {
  return t(texts.map((x) => x.en).join(en), texts.map((x) => x.ja).join(ja));
}

function cat(a: Text, b: Text): Text {
  return t(a.en + b.en, a.ja + b.ja);
}
