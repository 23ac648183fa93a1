/** The role an instance's agent gets its credentials from, and the IAM fix steps the checks share. */
import type { Facts, Instance } from '../../facts/schema.js';
import { t } from '../../lang.js';
import { need, type FixStep } from '../types.js';
import { accountOfArn, awsManagedPolicyArn, lastSegment, partitionOfRegion } from '../../aws/arn.js';
import { aws, shq } from './cli.js';

export { lastSegment };

/** The name the fixes give a new role; the console also names the instance profile it creates after it. */
export const DEFAULT_ROLE = 'SSMInstanceRole';
import { CORE_POLICY, DHMC_POLICY } from '../../aws/policies.js';

export { CORE_POLICY, DHMC_POLICY };


export interface CredentialRole {
  source: 'profile' | 'dhmc';
  roleName: string;
  /** The instance profile name, when the role comes from one. */
  profileName?: string;
}

/**
 * The role of the instance profile, else the Default Host Management Configuration role. Facts
 * that could not be read end the check as `unknown` through `need`.
 */
export function credentialRole(facts: Facts, instance: Instance): CredentialRole | null {
  const arn = instance.instanceProfileArn;
  if (arn) {
    const profile = need(facts.instanceProfiles[arn], 'iam:GetInstanceProfile');
    const role = profile?.roles[0];
    return role ? { source: 'profile', roleName: role.roleName, profileName: profile.name } : null;
  }
  const dhmc = need(facts.dhmc, 'ssm:GetServiceSetting');
  return dhmc.roleName ? { source: 'dhmc', roleName: lastSegment(dhmc.roleName) } : null;
}

/** The instance ARN that ssm:UpdateInstanceInformation is authorised against, when the account is known. */
export function instanceArn(region: string, instance: Instance): string | undefined {
  const account = instance.accountId ?? (instance.instanceProfileArn ? accountOfArn(instance.instanceProfileArn) : undefined);
  return account ? `arn:${partitionOfRegion(region)}:ec2:${region}:${account}:instance/${instance.instanceId}` : undefined;
}

// IAM accepts the plain service principal in every partition (the China-specific ec2.amazonaws.com.cn is legacy).
const EC2_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

export function createRoleStep(roleName: string): FixStep {
  return {
    key: 'iam-role-create',
    text: t(
      `IAM → Roles → Create role → Trusted entity type: AWS service, Use case: EC2 → Next → search for ${CORE_POLICY} and tick it → Next → Role name: ${roleName} → Create role (the console also creates an instance profile named ${roleName}). Skip this if you already have such a role`,
      `「IAM」→「ロール」→「ロールを作成」→ 信頼されたエンティティタイプで「AWSのサービス」、ユースケースで「EC2」を選んで「次へ」→ 検索欄に「${CORE_POLICY}」と入力してチェックを入れ「次へ」→ ロール名に「${roleName}」と入力して「ロールを作成」(同じ名前のインスタンスプロファイルもコンソールが自動で作成します)。このポリシーを持つロールが既にあれば、この手順は不要です`,
    ),
  };
}

export function attachRoleToInstanceStep(instanceId: string, roleName: string): FixStep {
  return {
    key: 'iam-role-attach-instance',
    text: t(
      `EC2 → Instances → select ${instanceId} → Actions → Security → Modify IAM role → choose ${roleName} → Update IAM role`,
      `「EC2」→「インスタンス」→ ${instanceId} を選択 →「アクション」→「セキュリティ」→「IAMロールを変更」→「${roleName}」を選択 →「IAMロールの更新」`,
    ),
  };
}

export function attachPolicyStep(roleName: string, policyName: string): FixStep {
  return {
    key: 'iam-policy-attach',
    text: t(
      `IAM → Roles → ${roleName} → Add permissions → Attach policies → tick ${policyName} → Add permissions`,
      `「IAM」→「ロール」→「${roleName}」→「許可を追加」→「ポリシーをアタッチ」→「${policyName}」にチェックを入れて「許可を追加」`,
    ),
  };
}

/** create-role with the EC2 trust policy and the core policy attached. */
export function createRoleCommands(region: string, roleName: string): string[] {
  return [
    aws(region, 'iam', 'create-role', '--role-name', shq(roleName), '--assume-role-policy-document', shq(EC2_TRUST)),
    attachPolicyCommand(region, roleName, CORE_POLICY),
  ];
}

export function attachPolicyCommand(region: string, roleName: string, policyName: string): string {
  return aws(region, 'iam', 'attach-role-policy', '--role-name', shq(roleName), '--policy-arn', awsManagedPolicyArn(region, policyName));
}

export function createProfileCommands(region: string, profileName: string, roleName: string): string[] {
  return [
    aws(region, 'iam', 'create-instance-profile', '--instance-profile-name', shq(profileName)),
    addRoleCommand(region, profileName, roleName),
  ];
}

export function addRoleCommand(region: string, profileName: string, roleName: string): string {
  return aws(region, 'iam', 'add-role-to-instance-profile', '--instance-profile-name', shq(profileName), '--role-name', shq(roleName));
}

export function associateCommand(region: string, instanceId: string, profileName: string): string {
  return aws(region, 'ec2', 'associate-iam-instance-profile', '--instance-id', instanceId, '--iam-instance-profile', shq(`Name=${profileName}`));
}

/** Points the instance's existing association at another profile (used when the attached one was deleted). */
export function replaceAssociationCommand(region: string, instanceId: string, profileName: string): string {
  const lookup = aws(
    region,
    'ec2',
    'describe-iam-instance-profile-associations',
    '--filters',
    `Name=instance-id,Values=${instanceId}`,
    '--query',
    `'IamInstanceProfileAssociations[0].AssociationId'`,
    '--output',
    'text',
  );
  return aws(region, 'ec2', 'replace-iam-instance-profile-association', '--association-id', `"$(${lookup})"`, '--iam-instance-profile', shq(`Name=${profileName}`));
}
