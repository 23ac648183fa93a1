import type { Facts } from '../facts/schema.js';
import { t } from '../lang.js';
import { DHMC_MIN_VERSION, compareVersions } from './lib/iam-ec2messages.js';
import {
  DEFAULT_ROLE,
  addRoleCommand,
  associateCommand,
  attachRoleToInstanceStep,
  createProfileCommands,
  createRoleCommands,
  createRoleStep,
  lastSegment,
  replaceAssociationCommand,
} from './lib/iam-role.js';
import { need, type Check, type Finding, type Fix } from './types.js';

/** The agent has a role to take credentials from: an instance profile that holds a role, or Default Host Management Configuration. */
export const iamInstanceProfile: Check = {
  id: 'iam-instance-profile',
  severity: 'critical',
  title: t(
    'The instance has an IAM role for the agent (instance profile or Default Host Management Configuration)',
    'インスタンスにエージェント用の IAM ロールがある (インスタンスプロファイルまたは Default Host Management Configuration)',
  ),
  evaluate({ facts, instance, region }) {
    const id = instance.instanceId;
    const arn = instance.instanceProfileArn;
    if (arn) {
      const profile = need(facts.instanceProfiles[arn], 'iam:GetInstanceProfile');
      if (profile === null) {
        const name = lastSegment(arn);
        return {
          status: 'fail',
          message: t(
            `${id} is associated with instance profile ${name} (${arn}), which no longer exists; a profile recreated under the same name only works once it is associated again`,
            `${id} に関連付けられたインスタンスプロファイル ${name} (${arn}) は既に存在しません。同じ名前で作り直しても、関連付けし直すまでは使われません`,
          ),
          fix: {
            steps: [createRoleStep(DEFAULT_ROLE), attachRoleToInstanceStep(id, DEFAULT_ROLE)],
            commands: [
              ...createRoleCommands(region, DEFAULT_ROLE),
              ...createProfileCommands(region, name, DEFAULT_ROLE),
              replaceAssociationCommand(region, id, name),
            ],
          },
        };
      }
      const role = profile.roles[0];
      if (!role) {
        return {
          status: 'fail',
          message: t(
            `instance profile ${profile.name} attached to ${id} contains no role, so the agent gets no credentials`,
            `${id} にアタッチされたインスタンスプロファイル ${profile.name} にロールが入っていないため、エージェントは認証情報を得られません`,
          ),
          fix: {
            steps: [
              {
                key: 'iam-profile-add-role',
                text: t(
                  `Put a role that has AmazonSSMManagedInstanceCore into instance profile ${profile.name}. The console has no page for this: run the command below (it names ${DEFAULT_ROLE}; use your role's name). Or instead: EC2 → Instances → select ${id} → Actions → Security → Modify IAM role → choose a role that has AmazonSSMManagedInstanceCore → Update IAM role`,
                  `インスタンスプロファイル ${profile.name} に AmazonSSMManagedInstanceCore を持つロールを追加します。コンソールにはこの操作の画面がないため、下のコマンドを実行します (${DEFAULT_ROLE} の部分は実際のロール名に置き換えてください)。または「EC2」→「インスタンス」→ ${id} を選択 →「アクション」→「セキュリティ」→「IAMロールを変更」で AmazonSSMManagedInstanceCore を持つロールを選び、「IAMロールの更新」をクリックします`,
                ),
              },
            ],
            commands: [addRoleCommand(region, profile.name, DEFAULT_ROLE)],
          },
        };
      }
      return {
        status: 'pass',
        message: t(
          `${id} has instance profile ${profile.name} with role ${role.roleName}`,
          `${id} にはロール ${role.roleName} を含むインスタンスプロファイル ${profile.name} がアタッチされています`,
        ),
      };
    }

    const dhmc = need(facts.dhmc, 'ssm:GetServiceSetting');
    if (!dhmc.roleName) {
      return {
        status: 'fail',
        message: t(
          `${id} has no IAM instance profile, and Default Host Management Configuration is not set up in ${region}: the agent has no credentials to register with`,
          `${id} には IAM インスタンスプロファイルがなく、${region} では Default Host Management Configuration も設定されていません。エージェントが登録に使う認証情報がありません`,
        ),
        fix: newProfileFix(region, id),
      };
    }
    return dhmcFinding(facts, region, id, lastSegment(dhmc.roleName));
  },
};

function newProfileFix(region: string, id: string): Fix {
  return {
    steps: [createRoleStep(DEFAULT_ROLE), attachRoleToInstanceStep(id, DEFAULT_ROLE)],
    commands: [
      ...createRoleCommands(region, DEFAULT_ROLE),
      ...createProfileCommands(region, DEFAULT_ROLE, DEFAULT_ROLE),
      associateCommand(region, id, DEFAULT_ROLE),
    ],
  };
}

/** No instance profile: Default Host Management Configuration is the agent's only source of credentials. */
function dhmcFinding(facts: Facts, region: string, id: string, roleName: string): Finding {
  const roleFact = facts.roles[roleName]?.attachedPolicies;
  if (roleFact && !roleFact.known && ['NoSuchEntity', 'NoSuchEntityException'].includes(roleFact.code)) {
    return {
      status: 'fail',
      message: t(
        `${id} has no IAM instance profile, and the role that Default Host Management Configuration names in ${region}, ${roleName}, does not exist`,
        `${id} には IAM インスタンスプロファイルがなく、${region} の Default Host Management Configuration が指定するロール ${roleName} は存在しません`,
      ),
      fix: newProfileFix(region, id),
    };
  }
  const managed = facts.managedInstances.known ? facts.managedInstances.value[id] : undefined;
  const version = managed?.agentVersion;
  if (version && (compareVersions(version, DHMC_MIN_VERSION) ?? 0) < 0) {
    return {
      status: 'fail',
      message: t(
        `${id} has no IAM instance profile and relies on Default Host Management Configuration (role ${roleName}), but its agent ${version} is older than ${DHMC_MIN_VERSION}, the first that supports it`,
        `${id} には IAM インスタンスプロファイルがなく Default Host Management Configuration (ロール ${roleName}) に頼っていますが、エージェント ${version} は対応する最初のバージョン ${DHMC_MIN_VERSION} より古いです`,
      ),
      fix: newProfileFix(region, id),
    };
  }
  return {
    status: 'pass',
    message: t(
      `${id} has no instance profile; Default Host Management Configuration provides role ${roleName} in ${region} (it needs IMDSv2 and SSM Agent ${DHMC_MIN_VERSION} or later, and can take up to 30 minutes after it is turned on)`,
      `${id} にはインスタンスプロファイルがありませんが、${region} の Default Host Management Configuration がロール ${roleName} を提供します (IMDSv2 と SSM Agent ${DHMC_MIN_VERSION} 以降が必要で、有効にしてから反映まで最大 30 分かかります)`,
    ),
  };
}
