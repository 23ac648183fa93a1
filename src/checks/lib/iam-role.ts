/** The role an instance's agent gets its credentials from, and the IAM fix steps the checks share. */
import type { Facts, Instance } from '../../facts/schema.js';
import { defineMessages } from '../../lang.js';
import { need, type Fix, type FixStep } from '../types.js';
import { consolePath, label } from './glossary.js';
import { accountOfArn, awsManagedPolicyArn, instanceArn as arnOfInstance, lastSegment, scopeOf } from '../../aws/arn.js';
import { aws, substitution } from './cli.js';
import { CORE_POLICY, DHMC_POLICY } from '../../aws/policies.js';

export { lastSegment };

/** The name the fixes give a new role; the console also names the instance profile it creates after it. */
export const DEFAULT_ROLE = 'SSMInstanceRole';

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
  return account ? arnOfInstance(instance.instanceId, scopeOf(region, account)) : undefined;
}

// IAM accepts the plain service principal in every partition (the China-specific ec2.amazonaws.com.cn is legacy).
const EC2_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

const M = defineMessages({
  stepCreateRole: {
    en: '{path} → Trusted entity type: {awsService}, Use case: EC2 → {next} → search for {policy} and tick it → {next} → Role name: {role} → {create} (the console also creates an instance profile named {role}). Skip this if you already have such a role',
    ja: '{path}→ 信頼されたエンティティタイプで{awsService}、ユースケースで「EC2」を選んで{next}→ 検索欄に「{policy}」と入力してチェックを入れ{next}→ ロール名に「{role}」と入力して{create}(同じ名前のインスタンスプロファイルもコンソールが自動で作成します)。このポリシーを持つロールが既にあれば、この手順は不要です',
  },
  stepAttachToInstance: {
    en: '{instances} → select {id} → {modify} → choose {role} → {update}',
    ja: '{instances}→ {id} を選択 →{modify}→「{role}」を選択 →{update}',
  },
  stepAttachPolicy: { en: '{path} → tick {policy} → {add}', ja: '{path}→「{policy}」にチェックを入れて{add}' },
});
/** The sentences of the shared IAM fix steps, for the checks that use them to list in their `messages`. */
export const ROLE_MESSAGES = M.table;

export function createRoleStep(roleName: string): FixStep {
  return {
    key: 'iam-role-create',
    text: M('stepCreateRole', {
      path: consolePath('iam', 'roles', 'createRole'),
      awsService: label('awsService'),
      next: label('next'),
      policy: CORE_POLICY,
      role: roleName,
      create: label('createRole'),
    }),
  };
}

export function attachRoleToInstanceStep(instanceId: string, roleName: string): FixStep {
  return {
    key: 'iam-role-attach-instance',
    text: M('stepAttachToInstance', {
      instances: consolePath('ec2', 'instances'),
      id: instanceId,
      modify: consolePath('actions', 'security', 'modifyIamRole'),
      role: roleName,
      update: label('updateIamRole'),
    }),
  };
}

export function attachPolicyStep(roleName: string, policyName: string): FixStep {
  return {
    key: 'iam-policy-attach',
    text: M('stepAttachPolicy', {
      path: consolePath('iam', 'roles', { id: roleName }, 'addPermissions', 'attachPolicies'),
      policy: policyName,
      add: label('addPermissions'),
    }),
  };
}

/**
 * A new role with the core policy in an instance profile, attached to the instance: `profileName` is the profile to
 * create (the role's name unless the instance names a deleted one), `replace` re-points an existing association.
 */
export function newRoleFix(region: string, instanceId: string, profileName = DEFAULT_ROLE, replace = false): Fix {
  return {
    steps: [createRoleStep(DEFAULT_ROLE), attachRoleToInstanceStep(instanceId, DEFAULT_ROLE)],
    commands: [
      ...createRoleCommands(region, DEFAULT_ROLE),
      ...createProfileCommands(region, profileName, DEFAULT_ROLE),
      replace ? replaceAssociationCommand(region, instanceId, profileName) : associateCommand(region, instanceId, profileName),
    ],
  };
}

/** create-role with the EC2 trust policy and the core policy attached. */
export function createRoleCommands(region: string, roleName: string): string[] {
  return [
    aws(region, 'iam', 'create-role', '--role-name', roleName, '--assume-role-policy-document', EC2_TRUST),
    attachPolicyCommand(region, roleName, CORE_POLICY),
  ];
}

export function attachPolicyCommand(region: string, roleName: string, policyName: string): string {
  return aws(region, 'iam', 'attach-role-policy', '--role-name', roleName, '--policy-arn', awsManagedPolicyArn(region, policyName));
}

export function createProfileCommands(region: string, profileName: string, roleName: string): string[] {
  return [
    aws(region, 'iam', 'create-instance-profile', '--instance-profile-name', profileName),
    addRoleCommand(region, profileName, roleName),
  ];
}

export function addRoleCommand(region: string, profileName: string, roleName: string): string {
  return aws(region, 'iam', 'add-role-to-instance-profile', '--instance-profile-name', profileName, '--role-name', roleName);
}

export function associateCommand(region: string, instanceId: string, profileName: string): string {
  return aws(region, 'ec2', 'associate-iam-instance-profile', '--instance-id', instanceId, '--iam-instance-profile', `Name=${profileName}`);
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
    'IamInstanceProfileAssociations[0].AssociationId',
    '--output',
    'text',
  );
  return aws(
    region,
    'ec2',
    'replace-iam-instance-profile-association',
    '--association-id',
    substitution(lookup),
    '--iam-instance-profile',
    `Name=${profileName}`,
  );
}
