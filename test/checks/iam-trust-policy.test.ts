import { checkCases } from '../helpers/check-tester';
import { IDS, denied, factsWith, instanceOf } from '../helpers/facts';
import { known, type Facts } from '../../src/facts/schema';
import { at } from '../helpers/only';

const R = `--region ${IDS.region}`;
const trust = (f: Facts, ...Statement: object[]) => {
  const r = f.roles[IDS.role]!.role;
  if (r?.known) r.value.trustPolicy = { Version: '2012-10-17', Statement };
};
const EC2 = { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' };
/** update-assume-role-policy whose document, once parsed, is `doc`. */
const update = (role: string, doc: object) => (cmd: string) => {
  const m = new RegExp(`^aws iam update-assume-role-policy --role-name ${role} --policy-document '(.*)' ${R}$`).exec(cmd);
  expect(m).not.toBeNull();
  expect(JSON.parse(m![1]!)).toEqual(doc);
};
const dhmcOnly = (f: Facts, roleTrust: object) => {
  instanceOf(f).instanceProfileArn = null;
  f.dhmc = known({ roleName: 'service-role/AWSSystemsManagerDefaultEC2InstanceManagementRole' });
  f.roles.AWSSystemsManagerDefaultEC2InstanceManagementRole = {
    attachedPolicies: known([
      {
        policyName: 'AmazonSSMManagedEC2InstanceDefaultPolicy',
        policyArn: 'arn:aws:iam::aws:policy/AmazonSSMManagedEC2InstanceDefaultPolicy',
      },
    ]),
    inlinePolicies: known([]),
    managedPolicyDocuments: {},
    role: known({
      arn: `arn:aws:iam::${IDS.account}:role/service-role/AWSSystemsManagerDefaultEC2InstanceManagementRole`,
      trustPolicy: { Version: '2012-10-17', Statement: [roleTrust] },
    }),
  };
};

checkCases('iam-trust-policy', [
  {
    name: 'a role trusted by ec2.amazonaws.com passes',
    facts: factsWith(() => {}),
    status: 'pass',
    message: /^the trust policy of SSMInstanceRole lets ec2\.amazonaws\.com assume it \(statement 1\)$/,
    messageJa: /^SSMInstanceRole の信頼ポリシーは ec2\.amazonaws\.com による引き受けを許可しています/,
  },
  {
    name: 'Principal.Service as a list, with a Sid, passes',
    facts: factsWith((f) =>
      trust(f, {
        Sid: 'Ec2AndLambda',
        Effect: 'Allow',
        Principal: { Service: ['lambda.amazonaws.com', 'ec2.amazonaws.com'] },
        Action: ['sts:AssumeRole'],
      }),
    ),
    status: 'pass',
    message: /\(statement Sid Ec2AndLambda\)$/,
  },
  {
    name: 'the trust policy as URL-encoded JSON text (the raw IAM API) passes',
    facts: factsWith((f) => {
      const r = f.roles[IDS.role]!.role;
      if (r?.known) r.value.trustPolicy = encodeURIComponent(JSON.stringify({ Version: '2012-10-17', Statement: [EC2] }));
    }),
    status: 'pass',
  },
  {
    name: 'a role trusted by the wrong service fails, and the new policy keeps the old statement and adds EC2',
    facts: factsWith((f) => trust(f, { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' })),
    status: 'fail',
    message:
      /^the trust policy of SSMInstanceRole lets only lambda\.amazonaws\.com assume it, not ec2\.amazonaws\.com: EC2 cannot deliver the role's credentials to the instance \(IMDS\)/,
    messageJa: /lambda\.amazonaws\.com だけに引き受けを許可しており、ec2\.amazonaws\.com は含まれていません/,
    verify: (r) => {
      expect(r.fix!.commands).toHaveLength(1);
      update(IDS.role, {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }, EC2],
      })(at(r.fix!.commands, 0));
      expect(r.fix!.steps[0]?.text.en).toMatch(/^IAM → Roles → SSMInstanceRole → Trust relationships → Edit trust policy/);
      expect(r.fix!.steps[0]?.text.ja).toMatch(/^「IAM」→「ロール」→「SSMInstanceRole」→「信頼関係」タブ →「信頼ポリシーを編集」/);
    },
  },
  {
    name: 'sts:AssumeRoleWithWebIdentity alone is not enough',
    facts: factsWith((f) => trust(f, { ...EC2, Action: 'sts:AssumeRoleWithWebIdentity' })),
    status: 'fail',
    message: /^the trust policy of SSMInstanceRole lets no one assume it \(no Allow for sts:AssumeRole\): EC2 cannot/,
  },
  {
    name: 'an explicit Deny wins over the Allow, and the fix drops it',
    facts: factsWith((f) => trust(f, EC2, { Sid: 'NoEc2', Effect: 'Deny', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:*' })),
    status: 'fail',
    message: /^statement Sid NoEc2 of the trust policy of SSMInstanceRole denies sts:AssumeRole to ec2\.amazonaws\.com/,
    messageJa: /ステートメント \(Sid NoEc2\)が ec2\.amazonaws\.com の sts:AssumeRole を拒否しています/,
    verify: (r) => {
      update(IDS.role, { Version: '2012-10-17', Statement: [EC2] })(at(r.fix!.commands, 0));
      expect(r.fix!.steps[0]?.text.en).toMatch(/drops statement Sid NoEc2/);
    },
  },
  {
    name: 'an Allow under a condition is a warning that names the condition key',
    facts: factsWith((f) => trust(f, { ...EC2, Condition: { StringEquals: { 'aws:SourceAccount': IDS.account } } })),
    status: 'warn',
    message:
      /^the trust policy of SSMInstanceRole lets ec2\.amazonaws\.com assume it only under a condition on aws:SourceAccount \(statement 1\).*verify$/,
    messageJa: /aws:SourceAccount の条件付きでのみ/,
    commands: [new RegExp(`^aws iam get-role --role-name SSMInstanceRole --query Role\\.AssumeRolePolicyDocument --output json ${R}$`)],
  },
  {
    name: 'a DHMC role must trust ssm.amazonaws.com, not ec2.amazonaws.com',
    facts: factsWith((f) => dhmcOnly(f, EC2)),
    status: 'fail',
    message:
      /^the trust policy of AWSSystemsManagerDefaultEC2InstanceManagementRole lets only ec2\.amazonaws\.com assume it, not ssm\.amazonaws\.com: Systems Manager cannot hand/,
    verify: (r) =>
      update('AWSSystemsManagerDefaultEC2InstanceManagementRole', {
        Version: '2012-10-17',
        Statement: [EC2, { Effect: 'Allow', Principal: { Service: 'ssm.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      })(at(r.fix!.commands, 0)),
  },
  {
    name: 'a DHMC role trusting ssm.amazonaws.com passes',
    facts: factsWith((f) => dhmcOnly(f, { ...EC2, Principal: { Service: 'ssm.amazonaws.com' } })),
    status: 'pass',
    message: /lets ssm\.amazonaws\.com assume it/,
  },
  {
    name: 'a broken profile role with a working DHMC fallback is a warning',
    facts: factsWith((f) => {
      trust(f, { ...EC2, Principal: { Service: 'lambda.amazonaws.com' } });
      dhmcOnly(f, { ...EC2, Principal: { Service: 'ssm.amazonaws.com' } });
      instanceOf(f).instanceProfileArn = IDS.profileArn;
    }),
    status: 'warn',
    message:
      /not ec2\.amazonaws\.com.*; the agent falls back to the Default Host Management Configuration role AWSSystemsManagerDefaultEC2InstanceManagementRole/,
    messageJa: /Default Host Management Configuration のロール AWSSystemsManagerDefaultEC2InstanceManagementRole に切り替えます/,
  },
  {
    name: 'a denied GetRole is unknown naming the call',
    facts: factsWith((f) => void (f.roles[IDS.role]!.role = denied('iam:GetRole'))),
    status: 'unknown',
    message: /^iam:GetRole was denied \(AccessDenied\)/,
  },
  {
    name: 'facts without GetRole (an older facts file) are unknown, not a pass',
    facts: factsWith((f) => void delete f.roles[IDS.role]!.role),
    status: 'unknown',
    message: /^iam:GetRole was not read: these facts come from an older version/,
  },
  {
    name: 'a malformed trust policy is unknown, not a guess',
    facts: factsWith((f) => {
      const r = f.roles[IDS.role]!.role;
      if (r?.known) r.value.trustPolicy = '{"Statement": [';
    }),
    status: 'unknown',
    message: /iam:GetRole failed \(MalformedPolicyDocument: trust policy of SSMInstanceRole: the policy document is not valid JSON\)/,
  },
  {
    name: 'skips when the instance has no role',
    facts: factsWith((f) => void (instanceOf(f).instanceProfileArn = null)),
    status: 'skip',
    message: /needs iam-instance-profile to pass first/,
  },
]);
