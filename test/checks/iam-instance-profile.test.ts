import { checkCases, resultOf } from '../helpers/check-tester';
import { IDS, denied, factsWith, instanceOf } from '../helpers/facts';
import { known, type Facts } from '../../src/facts/schema';

const R = `--region ${IDS.region}`;
const noProfile = (f: Facts) => void (instanceOf(f).instanceProfileArn = null);
const withDhmc = (roleName: string | null) => (f: Facts) => {
  noProfile(f);
  f.dhmc = known({ roleName });
};
const newProfileCommands = [
  new RegExp(
    `^aws iam create-role --role-name SSMInstanceRole --assume-role-policy-document '\\{.*"Service":"ec2\\.amazonaws\\.com".*"Action":"sts:AssumeRole".*\\}' ${R}$`,
  ),
  new RegExp(
    `^aws iam attach-role-policy --role-name SSMInstanceRole --policy-arn arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore ${R}$`,
  ),
  new RegExp(`^aws iam create-instance-profile --instance-profile-name SSMInstanceRole ${R}$`),
  new RegExp(`^aws iam add-role-to-instance-profile --instance-profile-name SSMInstanceRole --role-name SSMInstanceRole ${R}$`),
  new RegExp(`^aws ec2 associate-iam-instance-profile --instance-id ${IDS.instance} --iam-instance-profile Name=SSMInstanceRole ${R}$`),
];

checkCases('iam-instance-profile', [
  {
    name: 'profile with a role passes and names both',
    facts: factsWith(() => {}),
    status: 'pass',
    message: new RegExp(`${IDS.instance} has instance profile ${IDS.profileName} with role ${IDS.role}`),
    messageJa: /ロール SSMInstanceRole を含むインスタンスプロファイル SSMInstanceProfile がアタッチされています/,
  },
  {
    name: 'no profile and no DHMC fails with the whole role setup',
    facts: factsWith(withDhmc(null)),
    status: 'fail',
    message: new RegExp(
      `${IDS.instance} has no IAM instance profile, and Default Host Management Configuration is not set up in ${IDS.region}`,
    ),
    messageJa: /IAM インスタンスプロファイルがなく.*Default Host Management Configuration も設定されていません/,
    commands: newProfileCommands,
    verify: (r) => {
      expect(r.fix!.steps.map((s) => s.key)).toEqual(['iam-role-create', 'iam-role-attach-instance']);
      const [create, attach] = r.fix!.steps;
      expect(create?.text.en).toMatch(/IAM → Roles → Create role → .*AWS service.*EC2.*AmazonSSMManagedInstanceCore.*Create role/);
      expect(create?.text.ja).toMatch(
        /「IAM」→「ロール」→「ロールを作成」→.*「AWS のサービス」.*「EC2」.*「AmazonSSMManagedInstanceCore」.*「ロールを作成」/,
      );
      expect(attach?.text.en).toContain(
        `select ${IDS.instance} → Actions → Security → Modify IAM role → choose SSMInstanceRole → Update IAM role`,
      );
      expect(attach?.text.ja).toContain(
        `「EC2」→「インスタンス」→ ${IDS.instance} を選択 →「アクション」→「セキュリティ」→「IAM ロールを変更」→「SSMInstanceRole」を選択 →「IAM ロールの更新」`,
      );
    },
  },
  {
    name: 'no profile but DHMC names a role passes and says so',
    facts: factsWith(withDhmc('service-role/AWSSystemsManagerDefaultEC2InstanceManagementRole')),
    status: 'pass',
    message:
      /no instance profile; Default Host Management Configuration provides role AWSSystemsManagerDefaultEC2InstanceManagementRole in ap-northeast-1 \(it needs IMDSv2 and SSM Agent 3\.2\.582\.0 or later, and can take up to 30 minutes/,
    messageJa: /Default Host Management Configuration がロール AWSSystemsManagerDefaultEC2InstanceManagementRole を提供します.*最大 30 分/,
  },
  {
    name: 'DHMC whose role does not exist fails',
    facts: factsWith((f) => {
      withDhmc('DhmcRole')(f);
      f.roles.DhmcRole = {
        attachedPolicies: {
          known: false,
          call: 'iam:ListAttachedRolePolicies',
          code: 'NoSuchEntity',
          message: 'The role with name DhmcRole cannot be found.',
        },
        inlinePolicies: known([]),
        managedPolicyDocuments: {},
      };
    }),
    status: 'fail',
    message: /role that Default Host Management Configuration names in ap-northeast-1, DhmcRole, does not exist/,
    commands: newProfileCommands,
  },
  {
    name: 'DHMC with an agent too old for it fails',
    facts: factsWith((f) => {
      withDhmc('DhmcRole')(f);
      if (f.managedInstances.known) f.managedInstances.value[IDS.instance]!.agentVersion = '3.1.1732.0';
    }),
    status: 'fail',
    message: /agent 3\.1\.1732\.0 is older than 3\.2\.582\.0/,
  },
  {
    name: 'no profile and GetServiceSetting denied is unknown naming the call',
    facts: factsWith((f) => {
      noProfile(f);
      f.dhmc = denied('ssm:GetServiceSetting', 'AccessDeniedException');
    }),
    status: 'unknown',
    message: /ssm:GetServiceSetting was denied \(AccessDeniedException\)/,
  },
  {
    name: 'GetInstanceProfile denied is unknown naming the call',
    facts: factsWith((f) => void (f.instanceProfiles[IDS.profileArn] = denied('iam:GetInstanceProfile'))),
    status: 'unknown',
    message: /iam:GetInstanceProfile was denied/,
    messageJa: /iam:GetInstanceProfile が拒否されました/,
  },
  {
    name: 'a profile that was never collected is unknown, not a pass',
    facts: factsWith((f) => void delete f.instanceProfiles[IDS.profileArn]),
    status: 'unknown',
    message: /iam:GetInstanceProfile was not read: these facts come from an older version/,
  },
  {
    name: 'deleted profile fails: recreate it under the same name and re-associate',
    facts: factsWith((f) => void (f.instanceProfiles[IDS.profileArn] = known(null))),
    status: 'fail',
    message: new RegExp(`associated with instance profile ${IDS.profileName} \\(${IDS.profileArn}\\), which no longer exists`),
    messageJa: /既に存在しません/,
    commands: [
      /^aws iam create-role --role-name SSMInstanceRole /,
      /^aws iam attach-role-policy --role-name SSMInstanceRole /,
      new RegExp(`^aws iam create-instance-profile --instance-profile-name ${IDS.profileName} ${R}$`),
      new RegExp(`^aws iam add-role-to-instance-profile --instance-profile-name ${IDS.profileName} --role-name SSMInstanceRole ${R}$`),
      new RegExp(
        `^aws ec2 replace-iam-instance-profile-association --association-id "\\$\\(aws ec2 describe-iam-instance-profile-associations --filters Name=instance-id,Values=${IDS.instance} --query 'IamInstanceProfileAssociations\\[0\\]\\.AssociationId' --output text ${R}\\)" --iam-instance-profile Name=${IDS.profileName} ${R}$`,
      ),
    ],
  },
  {
    name: 'profile without a role fails with only add-role-to-instance-profile',
    facts: factsWith((f) => void (f.instanceProfiles[IDS.profileArn] = known({ name: IDS.profileName, arn: IDS.profileArn, roles: [] }))),
    status: 'fail',
    message: new RegExp(`instance profile ${IDS.profileName} attached to ${IDS.instance} contains no role`),
    messageJa: /ロールが入っていない/,
    commands: [
      new RegExp(`^aws iam add-role-to-instance-profile --instance-profile-name ${IDS.profileName} --role-name SSMInstanceRole ${R}$`),
    ],
    verify: (r) => {
      expect(r.fix!.steps).toHaveLength(1);
      expect(r.fix!.steps[0]?.key).toBe('iam-profile-add-role');
      expect(r.fix!.steps[0]?.text.ja).toContain('「IAM ロールを変更」');
    },
  },
  {
    name: 'a terminated instance skips',
    facts: factsWith((f) => {
      const i = instanceOf(f);
      f.instances[IDS.instance] = known({ ...i, state: 'terminated', vpcId: undefined, subnetId: undefined });
    }),
    status: 'skip',
    message: /terminated/,
  },
]);

describe('iam-instance-profile in other partitions', () => {
  it('uses the partition of the region in policy ARNs and keeps the plain EC2 service principal', () => {
    const facts = factsWith((f) => {
      withDhmc(null)(f);
      f.region = 'cn-north-1';
    });
    const r = resultOf('iam-instance-profile', facts);
    expect(r.status).toBe('fail');
    expect(r.fix!.commands[1]).toBe(
      'aws iam attach-role-policy --role-name SSMInstanceRole --policy-arn arn:aws-cn:iam::aws:policy/AmazonSSMManagedInstanceCore --region cn-north-1',
    );
    expect(r.fix!.commands[0]).toContain('"Service":"ec2.amazonaws.com"');
  });
});
