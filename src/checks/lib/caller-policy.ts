/** Who runs ssm-doctor as IAM policies see it, and the fixes that let that identity start a session. */
import type { Caller } from '../../facts/schema.js';
import { defineMessages, type Text } from '../../lang.js';
import { kmsStatement, type PreferenceScope } from '../../aws/session-preferences.js';
import { aws } from './cli.js';
import { consolePath, label } from './glossary.js';
import type { Fix, FixStep } from '../types.js';

const M = defineMessages({
  stepPlugin: {
    en: 'Install the Session Manager plugin on this machine and make sure it is on PATH: see the AWS documentation "Install the Session Manager plugin for the AWS CLI"; `session-manager-plugin --version` then prints its version',
    ja: 'このマシンに Session Manager プラグインをインストールし、PATH に入っていることを確認します。AWS ドキュメントの「Install the Session Manager plugin for the AWS CLI」(AWS CLI 用の Session Manager プラグインをインストールする) を参照してください。インストール後は `session-manager-plugin --version` でバージョンが表示されます',
  },
  actionsStart: { en: 'ssm:StartSession', ja: 'ssm:StartSession' },
  actionsStartKms: { en: 'ssm:StartSession and kms:GenerateDataKey', ja: 'ssm:StartSession と kms:GenerateDataKey' },
  stepInline: {
    en: '{path} → JSON: paste the policy document of the command below (it allows {actions} on this instance) → {next} → Policy name: {policy} → {create}. If your permissions are managed by someone else, ask them instead',
    ja: '{path}→「JSON」に下のコマンドのポリシー文書 (このインスタンスへの {actions} を許可) を貼り付けて{next}→ ポリシー名に「{policy}」と入力して{create}をクリックします。権限を別の担当者が管理している場合は、その担当者に依頼してください',
  },
  stepPermissionSet: {
    en: 'You signed in through IAM Identity Center (permission set {set}): its roles cannot be changed in IAM. Ask your administrator to add to the permission set (IAM Identity Center → Permission sets → {set} → Inline policy) a statement allowing {actions}: {statements}',
    ja: 'IAM Identity Center (許可セット {set}) でサインインしているため、ロールは IAM からは変更できません。管理者に依頼して、許可セットに {actions} を許可するステートメントを追加してもらいます (「IAM Identity Center」→「許可セット」→「{set}」→「インラインポリシー」): {statements}',
  },
  stepAskAdmin: {
    en: '{arn} is not an IAM user or role that a policy can be attached to: ask your administrator for {actions} on this instance ({statements})',
    ja: '{arn} はポリシーをアタッチできる IAM ユーザーやロールではありません。管理者に、このインスタンスへの {actions} の許可を依頼します ({statements})',
  },
});
export const CALLER_POLICY_MESSAGES = M.table;

/** Who the caller is as IAM policies see it: an IAM user, a role (possibly an IAM Identity Center one), root, or something nothing attaches to. */
export type CallerPrincipal =
  | { kind: 'root' }
  | { kind: 'user'; name: string }
  | { kind: 'role'; name: string; permissionSet?: string }
  | { kind: 'other'; arn: string };

export function callerPrincipal(caller: Caller): CallerPrincipal {
  const arn = caller.principalArn ?? caller.arn;
  if (/^arn:[^:]+:iam::\d{12}:root$/.test(arn)) return { kind: 'root' };
  const user = /^arn:[^:]+:iam::\d{12}:user\/(?:.*\/)?([^/]+)$/.exec(arn)?.[1];
  if (user) return { kind: 'user', name: user };
  const m = /^arn:[^:]+:(?:iam::\d{12}:role\/(?:.*\/)?([^/]+)|sts::\d{12}:assumed-role\/([^/]+)\/.*)$/.exec(arn);
  const name = m?.[1] ?? m?.[2];
  if (name === undefined) return { kind: 'other', arn };
  const sso = /^AWSReservedSSO_(.+)_[0-9a-f]{16}$/.exec(name);
  return sso || arn.includes('/aws-reserved/sso.amazonaws.com/')
    ? { kind: 'role', name, permissionSet: sso?.[1] ?? name }
    : { kind: 'role', name };
}

export function pluginStep(): FixStep {
  return { key: 'caller-plugin', text: M('stepPlugin') };
}

export interface SessionTarget {
  instanceId: string;
  instanceArn: string;
  documentArn: string;
  kmsKey: string | undefined;
  scope: PreferenceScope;
}

/** A policy for the caller's principal that allows ssm:StartSession on the instance and document (and the KMS key). */
export function permissionFix(p: CallerPrincipal, region: string, target: SessionTarget): Fix {
  const { kmsKey, scope } = target;
  const statements: object[] = [{ Effect: 'Allow', Action: 'ssm:StartSession', Resource: [target.instanceArn, target.documentArn] }];
  if (kmsKey) statements.push(kmsStatement('kms:GenerateDataKey', kmsKey, scope));
  const actions: Text = M(kmsKey ? 'actionsStartKms' : 'actionsStart');
  const json = JSON.stringify(statements);
  if (p.kind === 'user' || (p.kind === 'role' && !p.permissionSet)) {
    const policy = `ssm-start-session-${target.instanceId}`;
    const [page, op, flag] =
      p.kind === 'user' ? (['users', 'put-user-policy', '--user-name'] as const) : (['roles', 'put-role-policy', '--role-name'] as const);
    const doc = JSON.stringify({ Version: '2012-10-17', Statement: statements });
    const text = M('stepInline', {
      path: consolePath('iam', page, { id: p.name }, 'addPermissions', 'createInlinePolicy'),
      actions,
      next: label('next'),
      policy,
      create: label('createPolicy'),
    });
    return {
      steps: [{ key: `caller-policy:${p.name}`, text }],
      commands: [aws(region, 'iam', op, flag, p.name, '--policy-name', policy, '--policy-document', doc)],
    };
  }
  // An IAM Identity Center role is owned by its permission set: IAM rejects or reverts changes made to it directly.
  if (p.kind === 'role') {
    const set = p.permissionSet ?? p.name;
    return { steps: [{ key: `caller-policy:${p.name}`, text: M('stepPermissionSet', { set, actions, statements: json }) }], commands: [] };
  }
  const arn = p.kind === 'other' ? p.arn : 'root';
  return { steps: [{ key: `caller-policy:${arn}`, text: M('stepAskAdmin', { arn, actions, statements: json }) }], commands: [] };
}
