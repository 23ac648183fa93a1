import type { Caller } from '../facts/schema.js';
import { t, type Text } from '../lang.js';
import { partitionOfRegion } from '../aws/arn.js';
import { aws, shq } from './lib/cli.js';
import { lastSegment } from './lib/iam-role.js';
import { byInstance, missingKeys, policyIds, simFor, type SimAction, type SimKind } from './lib/simulation.js';
import { FactUnknown, need, type Check, type FixStep } from './types.js';

const DOCUMENT = 'SSM-SessionManagerRunShell';

/** Who the caller is as IAM policies see it: an IAM user, a role (possibly an IAM Identity Center one), root, or something nothing attaches to. */
type Principal =
  | { kind: 'root' }
  | { kind: 'user'; name: string }
  | { kind: 'role'; name: string; permissionSet?: string }
  | { kind: 'other'; arn: string };

function principalOf(caller: Caller): Principal {
  const arn = caller.principalArn ?? caller.arn;
  if (/^arn:[^:]+:iam::\d{12}:root$/.test(arn)) return { kind: 'root' };
  let m = /^arn:[^:]+:iam::\d{12}:user\/(?:.*\/)?([^/]+)$/.exec(arn);
  if (m) return { kind: 'user', name: m[1] };
  m = /^arn:[^:]+:(?:iam::\d{12}:role\/(?:.*\/)?([^/]+)|sts::\d{12}:assumed-role\/([^/]+)\/.*)$/.exec(arn);
  if (m) {
    const name = m[1] ?? m[2];
    const sso = /^AWSReservedSSO_(.+)_[0-9a-f]{16}$/.exec(name);
    return sso || arn.includes('/aws-reserved/sso.amazonaws.com/') ? { kind: 'role', name, permissionSet: sso?.[1] ?? name } : { kind: 'role', name };
  }
  return { kind: 'other', arn };
}

/** The identity running ssm-doctor may start a session on the instance (instance and document, and the KMS key when encryption is on), and session-manager-plugin is installed. */
export const callerStartSession: Check = {
  id: 'caller-start-session',
  severity: 'warning',
  title: t(
    'You may start a session on the instance, and session-manager-plugin is installed',
    'このツールを実行した ID がインスタンスへのセッションを開始でき、session-manager-plugin がインストールされている',
  ),
  evaluate({ facts, instance, region }) {
    const id = instance.instanceId;
    const caller = need(facts.caller, 'sts:GetCallerIdentity');
    const principal = principalOf(caller);
    const account = instance.accountId ?? caller.accountId;
    const part = partitionOfRegion(region);
    const instanceArn = `arn:${part}:ec2:${region}:${account}:instance/${id}`;
    const documentArn = `arn:${part}:ssm:${region}:${account}:document/${DOCUMENT}`;

    const plugin = facts.client?.sessionManagerPlugin;
    const pluginText: Text = !plugin
      ? t('whether session-manager-plugin is installed was not checked (these facts come from a file)', 'session-manager-plugin の有無は確認していません (ファイルから読み込んだファクトです)')
      : plugin.found
        ? t(`session-manager-plugin is at ${plugin.path ?? 'a directory on PATH'}`, `session-manager-plugin は ${plugin.path ?? 'PATH 上'} にあります`)
        : t('session-manager-plugin is not on PATH, so `aws ssm start-session` cannot open the session (the console can)', 'session-manager-plugin が PATH にないため、`aws ssm start-session` ではセッションを開けません (コンソールからは開けます)');
    const steps: FixStep[] = plugin && !plugin.found ? [pluginStep()] : [];
    const problems: Text[] = plugin && !plugin.found ? [pluginText] : [];

    if (principal.kind === 'root') {
      const note = t(
        `${caller.arn} is the account's root user, which may do anything, including ssm:StartSession on ${id}; use an IAM user or role instead of root for daily work`,
        `${caller.arn} はアカウントのルートユーザーで、${id} への ssm:StartSession を含むすべての操作ができます。日常の作業にはルートではなく IAM ユーザーまたはロールを使ってください`,
      );
      if (problems.length) return { status: 'warn', message: t(`${note.en}; but ${pluginText.en}`, `${note.ja}。ただし、${pluginText.ja}`), fix: { steps, commands: [] } };
      return { status: 'pass', message: t(`${note.en}; ${pluginText.en}`, `${note.ja}。${pluginText.ja}`) };
    }

    const sims = need(facts.callerSimulation, 'iam:SimulatePrincipalPolicy');
    // Whether KMS encryption is on decides whether kms:GenerateDataKey is needed; unknown only matters if all else passes.
    let prefsUnknown: FactUnknown | undefined;
    let kmsKey: string | undefined;
    try {
      kmsKey = need(facts.sessionPreferences, 'ssm:GetDocument')?.kmsKeyId;
    } catch (e) {
      if (!(e instanceof FactUnknown)) throw e;
      prefsUnknown = e;
    }
    const split = byInstance(sims);
    const checks: { label: Text; sim: SimAction | undefined; call: string }[] = [
      {
        label: t(`ssm:StartSession on ${id}`, `${id} への ssm:StartSession`),
        sim: simFor(split.instances.get(id) ?? [], 'ssm:StartSession'),
        call: `ssm:StartSession on ${id}`,
      },
      {
        label: t(`ssm:StartSession on the document ${DOCUMENT}`, `ドキュメント ${DOCUMENT} への ssm:StartSession`),
        sim: simFor(split.rest, 'ssm:StartSession', (r) => r.includes(':document/')),
        call: `ssm:StartSession on ${DOCUMENT}`,
      },
    ];
    if (kmsKey) checks.push({ label: t(`kms:GenerateDataKey on ${kmsKey}`, `${kmsKey} への kms:GenerateDataKey`), sim: simFor(split.rest, 'kms:GenerateDataKey'), call: 'kms:GenerateDataKey' });

    const notSimulated = checks.filter((c) => !c.sim);
    const denied = checks.filter((c) => c.sim && c.sim.kind !== 'allow' && c.sim.kind !== 'conditional');
    const conditional = checks.filter((c) => c.sim?.kind === 'conditional');
    const who = caller.arn;

    const permission = denied.length ? permissionFix(principal, region, instanceArn, documentArn, kmsKey, account) : undefined;
    if (denied.length) {
      problems.unshift(
        t(
          `${who} may not do ${denied.map((c) => `${c.label.en} (${KIND[c.sim!.kind].en})`).join(', ')}`,
          `${who} には ${denied.map((c) => `${c.label.ja} (${KIND[c.sim!.kind].ja})`).join('、')} の権限がありません`,
        ),
      );
      steps.unshift(...permission!.steps);
    }
    if (conditional.length) {
      const keys = missingKeys(conditional.map((c) => c.sim!.result));
      problems.push(
        t(
          `IAM's policy simulator does not allow ${conditional.map((c) => c.label.en).join(', ')} to ${who} without the context values ${keys.join(', ')}: conditional, verify`,
          `IAM のポリシーシミュレーターは、コンテキストキー ${keys.join('、')} の値がない状態では ${who} に ${conditional.map((c) => c.label.ja).join('、')} を許可しません。条件付きのため確認してください`,
        ),
      );
      steps.push({
        key: `caller-conditional:${who}`,
        text: t(
          `Check the conditions on ${keys.join(', ')} in the policies of ${who} (${policyIds(conditional.map((c) => c.sim!.result)).join(', ') || 'its IAM policies'}): they must hold when you start the session`,
          `${who} のポリシー (${policyIds(conditional.map((c) => c.sim!.result)).join('、') || 'IAM ポリシー'}) で ${keys.join('、')} を使う条件を確認します。セッション開始時に条件が満たされている必要があります`,
        ),
      });
    }
    if (problems.length) {
      return { status: 'warn', message: t(problems.map((p) => p.en).join('; '), problems.map((p) => p.ja).join('。')), fix: { steps, commands: permission?.commands ?? [] } };
    }
    if (prefsUnknown) throw prefsUnknown;
    if (notSimulated.length) {
      throw new FactUnknown({
        known: false,
        call: 'iam:SimulatePrincipalPolicy',
        code: 'NotCollected',
        message: `no simulated result for ${notSimulated.map((c) => c.call).join(', ')}`,
      });
    }
    const matched = policyIds(checks.map((c) => c.sim!.result));
    return {
      status: 'pass',
      message: t(
        `IAM's policy simulator allows ${who} ${checks.map((c) => c.label.en).join(', ')}${matched.length ? ` (matched: ${matched.join(', ')})` : ''}; ${pluginText.en}`,
        `IAM のポリシーシミュレーターは ${who} に ${checks.map((c) => c.label.ja).join('、')} を許可しています${matched.length ? ` (該当ポリシー: ${matched.join('、')})` : ''}。${pluginText.ja}`,
      ),
    };
  },
};

const KIND: Record<SimKind, Text> = {
  allow: t('allowed', '許可'),
  explicit: t('explicitly denied', '明示的に拒否'),
  scp: t('denied by an organization SCP', '組織の SCP で拒否'),
  boundary: t('denied by the permissions boundary', 'アクセス許可の境界で拒否'),
  implicit: t('no policy allows it', '許可するポリシーなし'),
  conditional: t('conditional', '条件付き'),
};

function pluginStep(): FixStep {
  return {
    key: 'caller-plugin',
    text: t(
      'Install the Session Manager plugin on this machine and make sure it is on PATH: see the AWS documentation "Install the Session Manager plugin for the AWS CLI"; `session-manager-plugin --version` then prints its version',
      'このマシンに Session Manager プラグインをインストールし、PATH に入っていることを確認します。AWS ドキュメントの「Install the Session Manager plugin for the AWS CLI」(AWS CLI 用の Session Manager プラグインをインストールする) を参照してください。インストール後は `session-manager-plugin --version` でバージョンが表示されます',
    ),
  };
}

/** A policy for the caller's principal that allows ssm:StartSession on the instance and document (and the KMS key). */
function permissionFix(p: Principal, region: string, instanceArn: string, documentArn: string, kmsKey: string | undefined, account: string): { steps: FixStep[]; commands: string[] } {
  const part = partitionOfRegion(region);
  const statements: object[] = [{ Effect: 'Allow', Action: 'ssm:StartSession', Resource: [instanceArn, documentArn] }];
  if (kmsKey) {
    const keyArn = kmsKey.startsWith('arn:') ? kmsKey : kmsKey.startsWith('alias/') ? undefined : `arn:${part}:kms:${region}:${account}:key/${kmsKey}`;
    statements.push(
      keyArn
        ? { Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: keyArn }
        : { Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: `arn:${part}:kms:${region}:${account}:key/*`, Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': kmsKey } } },
    );
  }
  const doc = JSON.stringify({ Version: '2012-10-17', Statement: statements });
  const policyName = `ssm-start-session-${lastSegment(instanceArn)}`;
  const actions = kmsKey ? 'ssm:StartSession and kms:GenerateDataKey' : 'ssm:StartSession';
  const actionsJa = kmsKey ? 'ssm:StartSession と kms:GenerateDataKey' : 'ssm:StartSession';
  if (p.kind === 'user' || (p.kind === 'role' && !p.permissionSet)) {
    const [en, ja, op, flag] =
      p.kind === 'user' ? ['Users', 'ユーザー', 'put-user-policy', '--user-name'] : ['Roles', 'ロール', 'put-role-policy', '--role-name'];
    return {
      steps: [
        {
          key: `caller-policy:${p.name}`,
          text: t(
            `IAM → ${en} → ${p.name} → Add permissions → Create inline policy → JSON: paste the policy document of the command below (it allows ${actions} on this instance) → Next → Policy name: ${policyName} → Create policy. If your permissions are managed by someone else, ask them instead`,
            `「IAM」→「${ja}」→「${p.name}」→「許可を追加」→「インラインポリシーを作成」→「JSON」に下のコマンドのポリシー文書 (このインスタンスへの ${actionsJa} を許可) を貼り付けて「次へ」→ ポリシー名に「${policyName}」と入力して「ポリシーの作成」をクリックします。権限を別の担当者が管理している場合は、その担当者に依頼してください`,
          ),
        },
      ],
      commands: [aws(region, 'iam', op, flag, shq(p.name), '--policy-name', shq(policyName), '--policy-document', shq(doc))],
    };
  }
  if (p.kind === 'role') {
    // An IAM Identity Center role is owned by its permission set: IAM rejects or reverts changes made to it directly.
    return {
      steps: [
        {
          key: `caller-policy:${p.name}`,
          text: t(
            `You signed in through IAM Identity Center (permission set ${p.permissionSet}): its roles cannot be changed in IAM. Ask your administrator to add to the permission set (IAM Identity Center → Permission sets → ${p.permissionSet} → Inline policy) a statement allowing ${actions}: ${JSON.stringify(statements)}`,
            `IAM Identity Center (許可セット ${p.permissionSet}) でサインインしているため、ロールは IAM からは変更できません。管理者に依頼して、許可セットに ${actionsJa} を許可するステートメントを追加してもらいます (「IAM Identity Center」→「許可セット」→「${p.permissionSet}」→「インラインポリシー」): ${JSON.stringify(statements)}`,
          ),
        },
      ],
      commands: [],
    };
  }
  const arn = p.kind === 'other' ? p.arn : 'root';
  return {
    steps: [
      {
        key: `caller-policy:${arn}`,
        text: t(
          `${arn} is not an IAM user or role that a policy can be attached to: ask your administrator for ${actions} on this instance (${JSON.stringify(statements)})`,
          `${arn} はポリシーをアタッチできる IAM ユーザーやロールではありません。管理者に、このインスタンスへの ${actionsJa} の許可を依頼します (${JSON.stringify(statements)})`,
        ),
      },
    ],
    commands: [],
  };
}

