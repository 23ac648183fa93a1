import type { Facts, Instance, SimulationResult } from '../facts/schema.js';
import { accountOfArn } from '../aws/arn.js';
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
import { evaluate, type Decision, type PolicySource, type StatementRef } from './lib/policy.js';
import { EC2MESSAGES, KNOWN_POLICIES, REQUIRED, knownPolicyName, roleView, type RoleView } from './lib/role-policies.js';
import { missingKeys, policyIds, simFor, simulationMissing, type SimAction, type SimKind } from './lib/simulation.js';
import { FactUnknown, type Check, type Finding, type Fix, type FixStep } from './types.js';

const UII = 'ssm:UpdateInstanceInformation';

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

const having = (j: Judgement, actions: readonly string[], kind: Decision['decision']) => actions.filter((a) => j.decisions.get(a)!.decision === kind);
const blocked = (j: Judgement) => [...having(j, REQUIRED, 'deny'), ...having(j, REQUIRED, 'implicit')];

/** One role's verdict, from IAM's policy simulator when it answered for every core action, else from the role's documents. */
interface Assessment {
  cred: CredentialRole;
  /** Core actions that are definitely not allowed. */
  blocked: string[];
  finding(): Finding;
}

function assess(facts: Facts, cred: CredentialRole, region: string, instance: Instance): Assessment {
  const arn = instanceArn(region, instance);
  const sim = facts.roles[cred.roleName]?.simulation;
  const results = sim?.known ? sim.value : [];
  const req = REQUIRED.map((a) => simOf(results, a, arn));
  if (sim?.known && req.every((s) => s !== undefined)) {
    let local: Judgement | undefined;
    try {
      local = judge(roleView(facts, cred.roleName), cred, region, instance);
    } catch (e) {
      // The simulator decides; the documents only add detail (which statement, how to edit it).
      if (!(e instanceof FactUnknown)) throw e;
    }
    const sims = req as SimAction[];
    return {
      cred,
      blocked: sims.filter((s) => isBlocking(s.kind)).map((s) => s.action),
      finding: () => simVerdict({ cred, req: sims, results, local }, facts, region, instance.instanceId),
    };
  }
  const j = judge(roleView(facts, cred.roleName), cred, region, instance);
  const why = simulationMissing(sim, REQUIRED.filter((_, i) => !req[i]));
  return {
    cred,
    blocked: blocked(j),
    finding: () => {
      const f = verdict(j, facts, region, instance.instanceId);
      return { ...f, message: cat(f.message, t(` (decided from the role's documents; ${why.en})`, ` (ロールのポリシー文書から判定。${why.ja})`)) };
    },
  };
}

function simOf(results: readonly SimulationResult[], action: string, arn: string | undefined): SimAction | undefined {
  // The agent's own call names its instance: a result on that ARN is the one that counts.
  if (action === UII && arn) return simFor(results, action, (r) => r === arn) ?? simFor(results, action);
  return simFor(results, action);
}

const isBlocking = (k: SimKind) => k === 'explicit' || k === 'scp' || k === 'boundary' || k === 'implicit';

/** The role grants what AmazonSSMManagedInstanceCore grants, with no Deny, boundary or SCP in the way. */
export const iamCorePolicy: Check = {
  id: 'iam-core-policy',
  severity: 'critical',
  title: t(
    'The role allows what AmazonSSMManagedInstanceCore allows (ssm:UpdateInstanceInformation, ssmmessages)',
    'ロールが AmazonSSMManagedInstanceCore と同等の操作 (ssm:UpdateInstanceInformation、ssmmessages) を許可している',
  ),
  requires: ['iam-instance-profile'],
  evaluate({ facts, instance, region }) {
    const cred = credentialRole(facts, instance);
    if (!cred) {
      // iam-instance-profile passed, so this only happens with facts that contradict each other.
      return { status: 'skip', message: t('the instance has no role to check', 'チェックするロールがありません') };
    }
    const primary = assess(facts, cred, region, instance);
    let chosen = primary;
    let prefix: Text | undefined;
    // The agent validates the profile role with ssm:UpdateInstanceInformation; when that is denied it falls back to DHMC.
    if (cred.source === 'profile' && primary.blocked.includes(UII) && facts.dhmc.known && facts.dhmc.value.roleName) {
      const dhmcRole = credentialRoleOfDhmc(facts.dhmc.value.roleName);
      try {
        const fallback = assess(facts, dhmcRole, region, instance);
        if (fallback.blocked.length === 0) {
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
    const f = chosen.finding();
    return prefix ? { ...f, message: t(prefix.en + f.message.en, prefix.ja + f.message.ja) } : f;
  },
};

function credentialRoleOfDhmc(value: string): CredentialRole {
  return { source: 'dhmc', roleName: lastSegment(value) };
}

interface SimView {
  cred: CredentialRole;
  /** The simulated verdict of each core action, in REQUIRED order. */
  req: SimAction[];
  results: readonly SimulationResult[];
  /** The role's documents, when they could be read: they name the statement behind a Deny. */
  local?: Judgement;
}

const BY_SIMULATOR = t(' (decided by IAM\'s policy simulator)', ' (IAM のポリシーシミュレーターによる判定)');

/** The verdict when iam:SimulatePrincipalPolicy answered: IAM's decision, including permissions boundaries and SCPs. */
function simVerdict(v: SimView, facts: Facts, region: string, instanceId: string): Finding {
  const role = v.cred.roleName;
  const policy = v.cred.source === 'dhmc' ? DHMC_POLICY : CORE_POLICY;
  const attachFix = (): Fix => ({ steps: [attachPolicyStep(role, policy)], commands: [attachPolicyCommand(region, role, policy)] });
  const of = (kind: SimKind) => v.req.filter((s) => s.kind === kind);

  const blocking = (sims: SimAction[]): { parts: Text[]; fixes: Fix[] } => {
    const parts: Text[] = [];
    const fixes: Fix[] = [];
    const kinds = (k: SimKind) => sims.filter((s) => s.kind === k);
    const explicit = kinds('explicit');
    if (explicit.length) {
      const actions = explicit.map((s) => s.action);
      if (v.local && actions.every((a) => v.local!.decisions.get(a)!.decision === 'deny')) {
        parts.push(denials(v.local, actions));
        fixes.push(denyFix(v.local, actions, region));
      } else {
        const ids = policyIds(explicit.map((s) => s.result));
        const by = ids.length ? ids.join(', ') : 'a Deny statement';
        const byJa = ids.length ? ids.join('、') : 'Deny ステートメント';
        parts.push(t(`${actionList(actions)} explicitly denied by ${by}`, `${actionList(actions)} は ${byJa} で明示的に拒否されています`));
        fixes.push({
          steps: [
            {
              key: `iam-policy-deny:${role}:${ids.join(',')}`,
              text: t(
                `IAM → Roles → ${role} → Permissions → open ${by} → Edit: remove the Deny statement that matches ${actionList(actions)}, or narrow it → Save changes`,
                `「IAM」→「ロール」→「${role}」→「許可」タブ → ${byJa} を開いて「編集」で、${actionList(actions)} に当たる Deny ステートメントを削除するか絞り込み、「変更を保存」をクリックします`,
              ),
            },
          ],
          commands: [],
        });
      }
    }
    const scp = kinds('scp');
    if (scp.length) {
      const actions = actionList(scp.map((s) => s.action));
      parts.push(t(`an AWS Organizations service control policy denies ${actions}`, `AWS Organizations のサービスコントロールポリシー (SCP) が ${actions} を拒否しています`));
      fixes.push(scpFix(role, actions, accountOfArn(roleArnOf(facts, role) ?? '') ?? ''));
    }
    const boundary = kinds('boundary');
    if (boundary.length) {
      const actions = actionList(boundary.map((s) => s.action));
      const arn = boundaryArnOf(facts, role);
      parts.push(
        t(
          `the permissions boundary ${arn ? `${arn} ` : ''}of ${role} does not allow ${actions}`,
          `${role} のアクセス許可の境界${arn ? ` ${arn}` : ''} が ${actions} を許可していません`,
        ),
      );
      fixes.push(boundaryFix(role, arn, actions, region));
    }
    const implicit = kinds('implicit');
    if (implicit.length) {
      const actions = actionList(implicit.map((s) => s.action));
      parts.push(t(`no policy of ${role} allows ${actions}`, `${role} のどのポリシーも ${actions} を許可していません`));
      fixes.push(attachFix());
    }
    return { parts, fixes };
  };

  const core = blocking(v.req);
  if (core.parts.length) {
    return { status: 'fail', message: cat(join(core.parts, '; ', '。'), BY_SIMULATOR), fix: merge(...core.fixes) };
  }

  // ec2messages: simulated when the collector asked IAM about them, else from the documents, else not judged.
  const ec2Sim = EC2MESSAGES.map((a) => simFor(v.results, a));
  let ec2Bad: { parts: Text[]; fixes: Fix[]; actions: string[] } | undefined;
  let ec2Conditional: SimAction[] = [];
  let ec2Note = t('', '');
  if (ec2Sim.every((s) => s !== undefined)) {
    const sims = ec2Sim as SimAction[];
    const bad = sims.filter((s) => isBlocking(s.kind));
    ec2Bad = { ...blocking(bad), actions: bad.map((s) => s.action) };
    ec2Conditional = sims.filter((s) => s.kind === 'conditional');
  } else if (v.local) {
    const j = v.local;
    const denied = having(j, EC2MESSAGES, 'deny');
    const missing = having(j, EC2MESSAGES, 'implicit');
    const parts: Text[] = [];
    if (denied.length) parts.push(denials(j, denied));
    if (missing.length) parts.push(t(`${role} does not allow ${actionList(missing)}`, `${role} は ${actionList(missing)} を許可していません`));
    ec2Bad = { parts, fixes: [...(denied.length ? [denyFix(j, denied, region)] : []), ...(missing.length ? [attachFix()] : [])], actions: [...denied, ...missing] };
    ec2Note = t(" (ec2messages decided from the role's documents)", ' (ec2messages はロールのポリシー文書から判定)');
  } else {
    ec2Note = t(' (ec2messages not evaluated: neither simulated nor readable from the documents)', ' (ec2messages は未評価: シミュレーション結果もポリシー文書もありません)');
  }

  const ec2 = ec2messagesVerdict(facts, instanceId);
  if (ec2Bad?.actions.length && !ec2.optional) {
    const parts = [...ec2Bad.parts, t(`the agent needs them: ${ec2.why.en}`, `エージェントはこれらを必要とします (${ec2.why.ja})`)];
    return { status: 'fail', message: cat(cat(join(parts, '; ', '。'), BY_SIMULATOR), ec2Note), fix: merge(...ec2Bad.fixes) };
  }

  const unsure = [...of('conditional'), ...(ec2.optional ? [] : ec2Conditional)];
  if (unsure.length) {
    const actions = actionList(unsure.map((s) => s.action));
    const keys = missingKeys(unsure.map((s) => s.result));
    const ids = policyIds(unsure.map((s) => s.result));
    const matched = ids.length ? t(` (matched: ${ids.join(', ')})`, ` (該当ポリシー: ${ids.join('、')})`) : t('', '');
    return {
      status: 'warn',
      message: t(
        `IAM's policy simulator does not allow ${actions} for ${role} without the context values ${keys.join(', ')}${matched.en}: conditional, verify that the condition holds for the agent's requests from ${instanceId}`,
        `IAM のポリシーシミュレーターは、コンテキストキー ${keys.join('、')} の値がない状態では ${role} に ${actions} を許可しません${matched.ja}。条件付きのため、${instanceId} のエージェントからのリクエストで条件が満たされることを確認してください`,
      ),
      fix: {
        steps: [
          {
            key: `iam-sim-conditional:${role}`,
            text: t(
              `IAM → Roles → ${role} → Permissions (and its permissions boundary, and your organization's service control policies): find the statements that test ${keys.join(', ')} and make sure they hold for the agent's requests (for aws:SourceVpce, the instance's Systems Manager endpoints); narrow them if they do not`,
              `「IAM」→「ロール」→「${role}」→「許可」タブ (アクセス許可の境界、組織のサービスコントロールポリシーも) で ${keys.join('、')} を条件に使うステートメントを探し、エージェントのリクエストで条件が満たされるか確認します (aws:SourceVpce ならインスタンスの Systems Manager エンドポイント)。満たされない場合はステートメントを絞り込みます`,
            ),
          },
        ],
        commands: [],
      },
    };
  }

  if (ec2Bad?.actions.length) {
    return {
      status: 'warn',
      message: t(
        `${join(ec2Bad.parts, '; ', '。').en}; sessions work without them (${ec2.why.en}), but agents before 3.3.40.0 and Windows Server 2012 and earlier need them${BY_SIMULATOR.en}${ec2Note.en}`,
        `${join(ec2Bad.parts, '; ', '。').ja}。セッションには不要です (${ec2.why.ja}) が、3.3.40.0 より前のエージェントや Windows Server 2012 以前では必要です${BY_SIMULATOR.ja}${ec2Note.ja}`,
      ),
      fix: merge(...ec2Bad.fixes),
    };
  }

  const ids = policyIds(v.req.map((s) => s.result));
  const matched = ids.length ? t(` (matched: ${ids.join(', ')})`, ` (該当ポリシー: ${ids.join('、')})`) : t('', '');
  return {
    status: 'pass',
    message: cat(
      t(
        `IAM's policy simulator allows ssm:UpdateInstanceInformation and the four ssmmessages channel actions for ${role}${matched.en}`,
        `IAM のポリシーシミュレーターは ${role} に ssm:UpdateInstanceInformation と ssmmessages の 4 つのチャネル操作を許可しています${matched.ja}`,
      ),
      ec2Note,
    ),
  };
}

function roleArnOf(facts: Facts, role: string): string | undefined {
  const r = facts.roles[role]?.role;
  return r?.known ? r.value.arn : undefined;
}

function boundaryArnOf(facts: Facts, role: string): string | undefined {
  const r = facts.roles[role]?.role;
  return r?.known ? r.value.permissionsBoundaryArn : undefined;
}

function scpFix(role: string, actions: string, account: string): Fix {
  const where = account ? ` ${account}` : '';
  return {
    steps: [
      {
        key: `iam-scp:${role}`,
        text: t(
          `Ask the administrator of your AWS Organization: a service control policy denies ${actions} to ${role} in account${where}. In the management account: AWS Organizations → Policies → Service control policies → find the Deny and exempt this role or these actions (its text cannot be read from this account)`,
          `AWS Organizations の管理者に依頼します: サービスコントロールポリシーがアカウント${where} の ${role} に ${actions} を拒否しています。管理アカウントの「AWS Organizations」→「ポリシー」→「サービスコントロールポリシー」で該当する Deny を探し、このロールまたはこれらの操作を除外してもらいます (SCP の内容はこのアカウントからは読めません)`,
        ),
      },
    ],
    commands: [],
  };
}

function boundaryFix(role: string, arn: string | undefined, actions: string, region: string): Fix {
  const name = arn ? lastSegment(arn) : undefined;
  const editable = arn !== undefined && !/^arn:aws[a-z-]*:iam::aws:policy\//.test(arn);
  const step: FixStep = {
    key: `iam-boundary:${role}`,
    text: editable
      ? t(
          `IAM → Policies → ${name} (the permissions boundary of ${role}) → Edit: allow ${actions} → Save changes (the boundary may bound other roles too); or IAM → Roles → ${role} → Permissions → Permissions boundary → Remove boundary, if your organization allows it. With the commands below: edit ${name}.json between them`,
          `「IAM」→「ポリシー」→「${name}」(${role} のアクセス許可の境界) →「編集」で ${actions} を許可し、「変更を保存」をクリックします (この境界は他のロールにも設定されている可能性があります)。組織のルールが許すなら、「IAM」→「ロール」→「${role}」→「許可」タブ →「アクセス許可の境界」→「境界を削除」でも構いません。下のコマンドを使う場合は、2 つのコマンドの間で ${name}.json を編集します`,
        )
      : t(
          `IAM → Roles → ${role} → Permissions → Permissions boundary${arn ? ` (${arn})` : ''}: set a boundary that allows ${actions}, or remove the boundary if your organization allows it`,
          `「IAM」→「ロール」→「${role}」→「許可」タブ →「アクセス許可の境界」${arn ? ` (${arn})` : ''} で、${actions} を許可する境界に変更するか、組織のルールが許すなら境界を削除します`,
        ),
  };
  if (!editable) return { steps: [step], commands: [] };
  const file = `${name}.json`;
  const version = aws(region, 'iam', 'get-policy', '--policy-arn', shq(arn), '--query', 'Policy.DefaultVersionId', '--output', 'text');
  return {
    steps: [step],
    commands: [
      aws(region, 'iam', 'get-policy-version', '--policy-arn', shq(arn), '--version-id', `"$(${version})"`, '--query', 'PolicyVersion.Document', '--output', 'json') + ` > ${shq(file)}`,
      aws(region, 'iam', 'create-policy-version', '--policy-arn', shq(arn), '--policy-document', shq(`file://${file}`), '--set-as-default'),
    ],
  };
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
