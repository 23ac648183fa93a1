import type { Facts } from '../facts/schema.js';
import { defineMessages } from '../lang.js';
import { CORE_POLICY } from '../aws/policies.js';
import { consolePath, label } from './lib/glossary.js';
import { DHMC_MIN_VERSION, compareVersions } from './lib/iam-ec2messages.js';
import { DEFAULT_ROLE, ROLE_MESSAGES, addRoleCommand, lastSegment, newRoleFix } from './lib/iam-role.js';
import { need, type Check, type Finding } from './types.js';

const M = defineMessages({
  title: {
    en: 'The instance has an IAM role for the agent (instance profile or Default Host Management Configuration)',
    ja: 'インスタンスにエージェント用の IAM ロールがある (インスタンスプロファイルまたは Default Host Management Configuration)',
  },
  profileGone: {
    en: '{id} is associated with instance profile {name} ({arn}), which no longer exists; a profile recreated under the same name only works once it is associated again',
    ja: '{id} に関連付けられたインスタンスプロファイル {name} ({arn}) は既に存在しません。同じ名前で作り直しても、関連付けし直すまでは使われません',
  },
  profileEmpty: {
    en: 'instance profile {profile} attached to {id} contains no role, so the agent gets no credentials',
    ja: '{id} にアタッチされたインスタンスプロファイル {profile} にロールが入っていないため、エージェントは認証情報を得られません',
  },
  stepAddRole: {
    en: "Put a role that has {policy} into instance profile {profile}. The console has no page for this: run the command below (it names {role}; use your role's name). Or instead: {instances} → select {id} → {modify} → choose a role that has {policy} → {update}",
    ja: 'インスタンスプロファイル {profile} に {policy} を持つロールを追加します。コンソールにはこの操作の画面がないため、下のコマンドを実行します ({role} の部分は実際のロール名に置き換えてください)。または{instances}→ {id} を選択 →{modify}で {policy} を持つロールを選び、{update}をクリックします',
  },
  profileOk: {
    en: '{id} has instance profile {profile} with role {role}',
    ja: '{id} にはロール {role} を含むインスタンスプロファイル {profile} がアタッチされています',
  },
  noProfileNoDhmc: {
    en: '{id} has no IAM instance profile, and Default Host Management Configuration is not set up in {region}: the agent has no credentials to register with',
    ja: '{id} には IAM インスタンスプロファイルがなく、{region} では Default Host Management Configuration も設定されていません。エージェントが登録に使う認証情報がありません',
  },
  dhmcRoleGone: {
    en: '{id} has no IAM instance profile, and the role that Default Host Management Configuration names in {region}, {role}, does not exist',
    ja: '{id} には IAM インスタンスプロファイルがなく、{region} の Default Host Management Configuration が指定するロール {role} は存在しません',
  },
  dhmcAgentOld: {
    en: '{id} has no IAM instance profile and relies on Default Host Management Configuration (role {role}), but its agent {version} is older than {min}, the first that supports it',
    ja: '{id} には IAM インスタンスプロファイルがなく Default Host Management Configuration (ロール {role}) に頼っていますが、エージェント {version} は対応する最初のバージョン {min} より古いです',
  },
  dhmcOk: {
    en: '{id} has no instance profile; Default Host Management Configuration provides role {role} in {region} (it needs IMDSv2 and SSM Agent {min} or later, and can take up to 30 minutes after it is turned on)',
    ja: '{id} にはインスタンスプロファイルがありませんが、{region} の Default Host Management Configuration がロール {role} を提供します (IMDSv2 と SSM Agent {min} 以降が必要で、有効にしてから反映まで最大 30 分かかります)',
  },
});

/** The agent has a role to take credentials from: an instance profile that holds a role, or Default Host Management Configuration. */
export const iamInstanceProfile: Check = {
  id: 'iam-instance-profile',
  severity: 'critical',
  title: M('title'),
  messages: { ...M.table, ...ROLE_MESSAGES },
  evaluate({ facts, instance, region }) {
    const id = instance.instanceId;
    const arn = instance.instanceProfileArn;
    if (arn) return profileFinding(facts, region, id, arn);
    const dhmc = need(facts.dhmc, 'ssm:GetServiceSetting');
    if (!dhmc.roleName) return { status: 'fail', message: M('noProfileNoDhmc', { id, region }), fix: newRoleFix(region, id) };
    return dhmcFinding(facts, region, id, lastSegment(dhmc.roleName));
  },
};

function profileFinding(facts: Facts, region: string, id: string, arn: string): Finding {
  const profile = need(facts.instanceProfiles[arn], 'iam:GetInstanceProfile');
  if (profile === null) {
    const name = lastSegment(arn);
    return { status: 'fail', message: M('profileGone', { id, name, arn }), fix: newRoleFix(region, id, name, true) };
  }
  const role = profile.roles[0];
  if (role) return { status: 'pass', message: M('profileOk', { id, profile: profile.name, role: role.roleName }) };
  const step = M('stepAddRole', {
    policy: CORE_POLICY,
    profile: profile.name,
    role: DEFAULT_ROLE,
    instances: consolePath('ec2', 'instances'),
    id,
    modify: consolePath('actions', 'security', 'modifyIamRole'),
    update: label('updateIamRole'),
  });
  return {
    status: 'fail',
    message: M('profileEmpty', { profile: profile.name, id }),
    fix: { steps: [{ key: 'iam-profile-add-role', text: step }], commands: [addRoleCommand(region, profile.name, DEFAULT_ROLE)] },
  };
}

/** No instance profile: Default Host Management Configuration is the agent's only source of credentials. */
function dhmcFinding(facts: Facts, region: string, id: string, role: string): Finding {
  const roleFact = facts.roles[role]?.attachedPolicies;
  if (roleFact && !roleFact.known && ['NoSuchEntity', 'NoSuchEntityException'].includes(roleFact.code)) {
    return { status: 'fail', message: M('dhmcRoleGone', { id, region, role }), fix: newRoleFix(region, id) };
  }
  const managed = facts.managedInstances.known ? facts.managedInstances.value[id] : undefined;
  const version = managed?.agentVersion;
  if (version && (compareVersions(version, DHMC_MIN_VERSION) ?? 0) < 0) {
    return { status: 'fail', message: M('dhmcAgentOld', { id, role, version, min: DHMC_MIN_VERSION }), fix: newRoleFix(region, id) };
  }
  return { status: 'pass', message: M('dhmcOk', { id, role, region, min: DHMC_MIN_VERSION }) };
}
