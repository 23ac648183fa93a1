/** The fixes for a role that does not get the agent's permissions: attach, edit a Deny, a boundary, an SCP. */
import { isAwsManagedPolicyArn, lastSegment } from '../../aws/arn.js';
import { defineMessages, joinText } from '../../lang.js';
import type { Fix, FixStep } from '../types.js';
import { aws, shq, substitution } from './cli.js';
import { CONSOLE } from './glossary.js';
import type { Permission } from './iam-decision.js';
import { attachPolicyCommand, attachPolicyStep } from './iam-role.js';
import { actionList, groupByStatement, statementOnly } from './iam-statements.js';
import type { StatementRef } from './policy.js';
import { sourceOf, type RoleView } from './role-policies.js';

const en = (k: keyof typeof CONSOLE) => CONSOLE[k].en;
const ja = (k: keyof typeof CONSOLE) => `「${CONSOLE[k].ja}」`;
const ROLE_EN = `${en('iam')} → ${en('roles')} → {role} → ${en('permissions')}`;
const ROLE_JA = `${ja('iam')}→${ja('roles')}→「{role}」→${ja('permissions')}タブ`;
const WITH_COMMANDS = {
  en: 'Or with the commands below: edit {file} between them',
  ja: '下のコマンドを使う場合は、2 つのコマンドの間で {file} を編集します',
};

const M = defineMessages({
  denyInline: {
    en: `${ROLE_EN} → inline policy {name} → ${en('edit')}: {verb} → ${en('saveChanges')}. ${WITH_COMMANDS.en}`,
    ja: `${ROLE_JA} → インラインポリシー「{name}」→${ja('edit')}で、{verb}。最後に${ja('saveChanges')}をクリックします。${WITH_COMMANDS.ja}`,
  },
  denyManaged: {
    en: `${en('iam')} → ${en('policies')} → {name} → ${en('edit')}: {verb} → ${en('saveChanges')} (the policy may be attached to other roles too; detaching it from {role} is the other way). ${WITH_COMMANDS.en}`,
    ja: `${ja('iam')}→${ja('policies')}→「{name}」→${ja('edit')}で、{verb}。最後に${ja('saveChanges')}をクリックします (このポリシーは他のロールにもアタッチされている可能性があります。{role} からデタッチする方法もあります)。${WITH_COMMANDS.ja}`,
  },
  verbRemove: {
    en: 'remove {statements} or narrow it so that it no longer matches {actions}',
    ja: '{statements} を削除するか、{actions} に当たらないよう絞り込みます',
  },
  verbReview: {
    en: 'check the condition of {statements}; if it can apply to the instance, remove the statement or narrow it',
    ja: '{statements} の条件を確認し、このインスタンスに当てはまり得るなら、ステートメントを削除するか絞り込みます',
  },
  denyByIds: {
    en: `${ROLE_EN} → open {by} → ${en('edit')}: remove the Deny statement that matches {actions}, or narrow it → ${en('saveChanges')}`,
    ja: `${ROLE_JA} → {by} を開いて${ja('edit')}で、{actions} に当たる Deny ステートメントを削除するか絞り込み、${ja('saveChanges')}をクリックします`,
  },
  denyStatement: { en: 'a Deny statement', ja: 'Deny ステートメント' },
  scp: {
    en: `Ask the administrator of your AWS Organization: a service control policy denies {actions} to {role} in account{where}. In the management account: AWS Organizations → ${en('policies')} → ${en('serviceControlPolicies')} → find the Deny and exempt this role or these actions (its text cannot be read from this account)`,
    ja: `AWS Organizations の管理者に依頼します: サービスコントロールポリシーがアカウント{where} の {role} に {actions} を拒否しています。管理アカウントの「AWS Organizations」→${ja('policies')}→${ja('serviceControlPolicies')}で該当する Deny を探し、このロールまたはこれらの操作を除外してもらいます (SCP の内容はこのアカウントからは読めません)`,
  },
  boundaryEdit: {
    en: `${en('iam')} → ${en('policies')} → {name} (the permissions boundary of {role}) → ${en('edit')}: allow {actions} → ${en('saveChanges')} (the boundary may bound other roles too); or ${ROLE_EN} → ${en('permissionsBoundary')} → ${en('removeBoundary')}, if your organization allows it. With the commands below: edit {name}.json between them`,
    ja: `${ja('iam')}→${ja('policies')}→「{name}」({role} の${CONSOLE.permissionsBoundary.ja}) →${ja('edit')}で {actions} を許可し、${ja('saveChanges')}をクリックします (この境界は他のロールにも設定されている可能性があります)。組織のルールが許すなら、${ROLE_JA} →${ja('permissionsBoundary')}→${ja('removeBoundary')}でも構いません。下のコマンドを使う場合は、2 つのコマンドの間で {name}.json を編集します`,
  },
  boundaryReplace: {
    en: `${ROLE_EN} → ${en('permissionsBoundary')}{arn}: set a boundary that allows {actions}, or remove the boundary if your organization allows it`,
    ja: `${ROLE_JA} →${ja('permissionsBoundary')}{arn} で、{actions} を許可する境界に変更するか、組織のルールが許すなら境界を削除します`,
  },
  conditional: {
    en: `${ROLE_EN} (and its permissions boundary, and your organization's service control policies): find the statements that test {keys} and make sure they hold for the agent's requests (for aws:SourceVpce, the instance's Systems Manager endpoints); narrow them if they do not`,
    ja: `${ROLE_JA} (アクセス許可の境界、組織のサービスコントロールポリシーも) で {keys} を条件に使うステートメントを探し、エージェントのリクエストで条件が満たされるか確認します (aws:SourceVpce ならインスタンスの Systems Manager エンドポイント)。満たされない場合はステートメントを絞り込みます`,
  },
});
export const FIX_MESSAGES = M.table;

export function mergeFixes(...fixes: (Fix | undefined)[]): Fix {
  const present = fixes.filter((f): f is Fix => f !== undefined);
  return { steps: present.flatMap((f) => f.steps), commands: present.flatMap((f) => f.commands) };
}

export function attachFix(role: string, policy: string, region: string): Fix {
  return { steps: [attachPolicyStep(role, policy)], commands: [attachPolicyCommand(region, role, policy)] };
}

/** Download a managed policy's default version, then make the edited file the default. */
function editManagedCommands(region: string, arn: string, file: string): string[] {
  const version = aws(region, 'iam', 'get-policy', '--policy-arn', arn, '--query', 'Policy.DefaultVersionId', '--output', 'text');
  return [
    aws(
      region,
      'iam',
      'get-policy-version',
      '--policy-arn',
      arn,
      '--version-id',
      substitution(version),
      '--query',
      'PolicyVersion.Document',
      '--output',
      'json',
    ) + ` > ${shq(file)}`,
    aws(region, 'iam', 'create-policy-version', '--policy-arn', arn, '--policy-document', `file://${file}`, '--set-as-default'),
  ];
}

/** Steps and commands to remove or narrow the statements behind `perms` (denied, or conditional with `review`), one policy at a time. */
export function denyFix(view: RoleView, perms: readonly Permission[], region: string, review = false): Fix {
  const role = view.roleName;
  const steps: FixStep[] = [];
  const commands: string[] = [];
  const bySource = new Map<number, { refs: StatementRef[]; actions: string[] }>();
  for (const { ref, actions } of groupByStatement(perms)) {
    const g = bySource.get(ref.source) ?? { refs: [], actions: [] };
    g.refs.push(ref);
    g.actions.push(...actions);
    bySource.set(ref.source, g);
  }
  for (const [si, { refs, actions }] of bySource) {
    const src = sourceOf(view, si);
    if (!src) continue;
    const statements = joinText(refs.map(statementOnly), ', ', '、');
    const verb = review ? M('verbReview', { statements }) : M('verbRemove', { statements, actions: actionList(actions) });
    const file = `${src.name}.json`;
    if (src.kind === 'inline') {
      steps.push({ key: `iam-policy-deny:${role}:${src.name}`, text: M('denyInline', { role, name: src.name, verb, file }) });
      commands.push(
        aws(
          region,
          'iam',
          'get-role-policy',
          '--role-name',
          role,
          '--policy-name',
          src.name,
          '--query',
          'PolicyDocument',
          '--output',
          'json',
        ) + ` > ${shq(file)}`,
        aws(region, 'iam', 'put-role-policy', '--role-name', role, '--policy-name', src.name, '--policy-document', `file://${file}`),
      );
    } else {
      const arn = src.arn ?? src.name;
      steps.push({ key: `iam-policy-deny:${arn}`, text: M('denyManaged', { role, name: src.name, verb, file }) });
      commands.push(...editManagedCommands(region, arn, file));
    }
  }
  return { steps, commands };
}

/** When only the simulator names the Deny: the policies IAM says matched, to open and edit. */
export function denyByIdsFix(role: string, ids: readonly string[], actions: string): Fix {
  const by = ids.length ? { en: ids.join(', '), ja: ids.join('、') } : M('denyStatement');
  return { steps: [{ key: `iam-policy-deny:${role}:${ids.join(',')}`, text: M('denyByIds', { role, by, actions }) }], commands: [] };
}

export function scpFix(role: string, actions: string, account: string): Fix {
  return { steps: [{ key: `iam-scp:${role}`, text: M('scp', { role, actions, where: account ? ` ${account}` : '' }) }], commands: [] };
}

export function boundaryFix(role: string, arn: string | undefined, actions: string, region: string): Fix {
  const key = `iam-boundary:${role}`;
  if (arn === undefined || isAwsManagedPolicyArn(arn)) {
    return { steps: [{ key, text: M('boundaryReplace', { role, actions, arn: arn ? ` (${arn})` : '' }) }], commands: [] };
  }
  const name = lastSegment(arn);
  return { steps: [{ key, text: M('boundaryEdit', { role, name, actions }) }], commands: editManagedCommands(region, arn, `${name}.json`) };
}

export function conditionalFix(role: string, keys: readonly string[]): Fix {
  return {
    steps: [{ key: `iam-sim-conditional:${role}`, text: M('conditional', { role, keys: { en: keys.join(', '), ja: keys.join('、') } }) }],
    commands: [],
  };
}
