import type { KmsKey } from '../facts/schema.js';
import { defineMessages, joinText, type Text } from '../lang.js';
import { aws } from './lib/cli.js';
import { KEY_STATE_MESSAGES, ok, prefsStep, statePart, type Part, type Status } from './lib/kms-key-state.js';
import { whoOf } from './lib/endpoint-policy-doc.js';
import { consolePath, label } from './lib/glossary.js';
import { credentialRole } from './lib/iam-role.js';
import { keyPolicyDecision, parseKeyPolicy, PolicyError, statementName, withStatement } from './lib/key-policy.js';
import { FactUnknown, need, type Check, type CheckContext, type Finding } from './types.js';

const M = defineMessages({
  title: {
    en: 'The KMS key that encrypts sessions exists, is enabled, and its key policy lets the instance role decrypt with it',
    ja: 'セッションを暗号化する KMS キーが存在して有効であり、キーポリシーでインスタンスのロールに復号が許可されている',
  },
  neverSaved: {
    en: 'Session Manager preferences were never saved in {region}: sessions are not encrypted with a KMS key',
    ja: '{region} では Session Manager の設定が保存されていないため、セッションは KMS キーで暗号化されません',
  },
  noKey: {
    en: 'the Session Manager preferences ({document}) do not turn on KMS encryption',
    ja: 'Session Manager の設定 ({document}) では KMS 暗号化が有効になっていません',
  },
  notRead: {
    en: 'the KMS key {key} was not read (facts saved by an earlier version of ssm-doctor)',
    ja: 'KMS キー {key} は読み取られていません (以前のバージョンの ssm-doctor で保存したファクトです)',
  },
  summary: {
    en: 'the Session Manager preferences encrypt sessions with the KMS key {key}: {parts}',
    ja: 'Session Manager の設定でセッションを KMS キー {key} で暗号化しています: {parts}',
  },
  absent: {
    en: 'it does not exist in {region}, so sessions cannot open',
    ja: 'このキーは {region} に存在しないため、セッションを開始できません',
  },
  direct: {
    en: 'its key policy allows {role} kms:Decrypt (statement {statement})',
    ja: 'キーポリシーで {role} に kms:Decrypt が許可されています (ステートメント {statement})',
  },
  delegated: {
    en: 'its key policy lets IAM decide for account {account} (statement {statement}), so the role’s IAM policies must allow kms:Decrypt (see session-preferences)',
    ja: 'キーポリシーはアカウント {account} の判断を IAM に委ねています (ステートメント {statement})。ロールの IAM ポリシーで kms:Decrypt が許可されている必要があります (session-preferences を参照)',
  },
  deny: {
    en: 'its key policy denies {role} kms:Decrypt (statement {statement}), so sessions cannot open',
    ja: 'キーポリシーで {role} の kms:Decrypt が拒否されている (ステートメント {statement}) ため、セッションを開始できません',
  },
  conditional: {
    en: 'its key policy allows or denies {role} kms:Decrypt only under a condition (statement {statement}); if it does not hold for the agent, sessions cannot open',
    ja: 'キーポリシーでは {role} の kms:Decrypt が条件付きで許可または拒否されています (ステートメント {statement})。エージェントに条件が当てはまらなければセッションを開始できません',
  },
  missing: {
    en: 'its key policy neither names {role} nor lets IAM decide for account {account}, so the agent cannot decrypt and sessions cannot open',
    ja: 'キーポリシーは {role} を指定しておらず、アカウント {account} の判断を IAM に委ねてもいないため、エージェントが復号できずセッションを開始できません',
  },
  noRole: {
    en: 'the instance has no role to check against the key policy (see iam-instance-profile)',
    ja: 'インスタンスにロールがないため、キーポリシーは確認していません (iam-instance-profile を参照)',
  },
  stepDeny: {
    en: '{path} → {edit}: remove statement {statement}, or narrow it so that it does not apply to {role}',
    ja: '{path}→{edit}でステートメント {statement} を削除するか、{role} に当てはまらないように絞り込みます',
  },
  stepCondition: {
    en: '{path}: check that the condition of statement {statement} holds when {role} calls kms:Decrypt from the instance',
    ja: '{path}でステートメント {statement} の条件が、インスタンスから {role} が kms:Decrypt を呼ぶときに満たされることを確認します',
  },
  stepAdd: {
    en: '{path} → {edit}: add the statement {statement} (the command below writes the key policy with it added)',
    ja: '{path}→{edit}でステートメント {statement} を追加します (下のコマンドは、追加後のキーポリシーを書き込みます)',
  },
  stepAddRole: {
    en: '{path} → {edit}: add a statement that allows {role} kms:Decrypt (Principal: the role’s ARN, Resource "*")',
    ja: '{path}→{edit}で {role} に kms:Decrypt を許可するステートメントを追加します (Principal はロールの ARN、Resource は "*")',
  },
  itsAccount: { en: 'its account', ja: 'ロールのアカウント' },
  stepAwsManaged: {
    en: '{key} is an AWS managed key, whose key policy cannot be changed: use a customer managed key instead',
    ja: '{key} は AWS マネージドキーでキーポリシーを変更できないため、カスタマー管理型のキーを使います',
  },
});

/** What the key policy says of the instance role's kms:Decrypt. */
function policyPart(ctx: CheckContext, k: KmsKey, document: unknown): Part {
  const who = whoOf(ctx);
  const role: Text = who.roleArn ? { en: who.roleArn, ja: who.roleArn } : who.text;
  const account: Text = who.account ? { en: who.account, ja: who.account } : M('itsAccount');
  const path = consolePath('kms', 'customerManagedKeys', { id: k.keyId }, 'keyPolicy');
  let d;
  try {
    // Every instance of a fleet meets the same key policy: it is read once per run.
    const policy = ctx.memo.get('kms-key-policy', k.arn, () => parseKeyPolicy(document));
    d = keyPolicyDecision(policy, 'kms:Decrypt', k.arn, { arn: who.roleArn, sessionArn: who.sessionArn, account: who.account });
  } catch (e) {
    if (!(e instanceof PolicyError)) throw e;
    throw new FactUnknown({ known: false, call: 'kms:GetKeyPolicy', code: 'UnreadablePolicy', message: e.message });
  }
  if (d.kind === 'missing') return missingPart(ctx.region, k, document, { role, account, path, roleArn: who.roleArn });
  const statement = statementName(d.by);
  switch (d.kind) {
    case 'direct':
      return ok(M('direct', { role, statement }));
    case 'delegated':
      return ok(M('delegated', { account, statement }));
    case 'deny':
      return {
        status: 'fail',
        text: M('deny', { role, statement }),
        steps: [{ key: `kms-policy-deny:${k.keyId}`, text: M('stepDeny', { path, edit: label('edit'), statement, role }) }],
        commands: [],
      };
    case 'conditional':
      return {
        status: 'warn',
        text: M('conditional', { role, statement }),
        steps: [{ key: `kms-policy-condition:${k.keyId}`, text: M('stepCondition', { path, statement, role }) }],
        commands: [],
      };
  }
}

/** Neither the role nor its account: the statement that names the role, or for an AWS managed key another key. */
function missingPart(region: string, k: KmsKey, document: unknown, w: { role: Text; account: Text; path: Text; roleArn?: string }): Part {
  const text = M('missing', { role: w.role, account: w.account });
  if (k.keyManager === 'AWS') {
    return {
      status: 'fail',
      text,
      steps: [{ key: `kms-aws-managed:${k.keyId}`, text: M('stepAwsManaged', { key: k.keyId }) }, prefsStep(region)],
      commands: [],
    };
  }
  const key = `kms-policy-add:${k.keyId}`;
  // Without the role's ARN there is no principal to write: the step says what to allow, with no command.
  if (!w.roleArn)
    return {
      status: 'fail',
      text,
      steps: [{ key, text: M('stepAddRole', { path: w.path, edit: label('edit'), role: w.role }) }],
      commands: [],
    };
  const statement = {
    Sid: 'AllowSessionManagerInstanceRole',
    Effect: 'Allow',
    Principal: { AWS: w.roleArn },
    Action: 'kms:Decrypt',
    Resource: '*',
  };
  const policy = JSON.stringify(withStatement(document, statement));
  return {
    status: 'fail',
    text,
    steps: [{ key, text: M('stepAdd', { path: w.path, edit: label('edit'), statement: JSON.stringify(statement) }) }],
    commands: [aws(region, 'kms', 'put-key-policy', '--key-id', k.keyId, '--policy-name', 'default', '--policy', policy)],
  };
}

function finding(key: string, parts: readonly Part[]): Finding {
  const message = M('summary', {
    key,
    parts: joinText(
      parts.map((p) => p.text),
      '; ',
      '。',
    ),
  });
  const status: Status = parts.some((p) => p.status === 'fail') ? 'fail' : parts.some((p) => p.status === 'warn') ? 'warn' : 'pass';
  if (status === 'pass') return { status, message };
  const steps = parts.flatMap((p) => p.steps);
  return { status, message, fix: { steps, commands: parts.flatMap((p) => p.commands) } };
}

/**
 * When the Session Manager preferences turn on KMS encryption, the agent decrypts with the key on
 * every session: the key must exist, be Enabled and symmetric, and its key policy must let the
 * instance role use it (directly, or by leaving it to the account's IAM policies).
 */
export const sessionKmsKey: Check = {
  id: 'session-kms-key',
  severity: 'critical',
  title: M('title'),
  messages: { ...M.table, ...KEY_STATE_MESSAGES },
  evaluate(ctx): Finding {
    const { facts, region, instance } = ctx;
    const prefs = need(facts.sessionPreferences, 'ssm:GetDocument');
    if (prefs === null) return { status: 'skip', message: M('neverSaved', { region }) };
    const name = prefs.kmsKeyId;
    if (!name) return { status: 'skip', message: M('noKey', { document: prefs.documentName }) };
    const read = facts.sessionKey;
    // Facts saved by an earlier version hold no key: say so, rather than turn them UNKNOWN.
    if (read?.kmsKeyId !== name) return { status: 'skip', message: M('notRead', { key: name }) };
    const key = need(read.key, 'kms:DescribeKey');
    if (key === null) return finding(name, [{ status: 'fail', text: M('absent', { region }), steps: [prefsStep(region)], commands: [] }]);
    const state = statePart(key, region);
    // A key that cannot be used fails whatever its policy says; an unreadable policy then adds nothing.
    const failed = (e: unknown) => {
      if (state.status === 'fail' && e instanceof FactUnknown) return finding(name, [state]);
      throw e;
    };
    try {
      const role = credentialRole(facts, instance);
      if (!role) return finding(name, [state, ok(M('noRole'))]);
      return finding(name, [state, policyPart(ctx, key, need(read.policy, 'kms:GetKeyPolicy'))]);
    } catch (e) {
      return failed(e);
    }
  },
};
