import { checkCases } from '../helpers/check-tester';
import { IDS, denied, factsWith, vpcOf } from '../helpers/facts';
import { known, type Endpoint, type Fact, type Facts, type ManagedInstance } from '../../src/facts/schema';
import { at } from '../helpers/only';

const value = <T>(fact: Fact<T>): T => {
  if (!fact.known) throw new Error('fact is unknown');
  return fact.value;
};
const endpoint = (f: Facts, svc: keyof typeof IDS.vpce): Endpoint => value(vpcOf(f).endpoints).find((e) => e.endpointId === IDS.vpce[svc])!;
const policy = (f: Facts, svc: keyof typeof IDS.vpce, ...Statement: object[]) =>
  void (endpoint(f, svc).policy = JSON.stringify({ Version: '2012-10-17', Statement }));
const agent = (f: Facts, patch: Partial<ManagedInstance>) => {
  const m = value(f.managedInstances);
  m[IDS.instance] = { ...m[IDS.instance]!, ...patch };
};
const allowAll = { Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' };
const instanceArn = `arn:aws:ec2:${IDS.region}:${IDS.account}:instance/${IDS.instance}`;
const region = `--region ${IDS.region}$`;
const reset = (svc: keyof typeof IDS.vpce) =>
  new RegExp(`^aws ec2 modify-vpc-endpoint --vpc-endpoint-id ${IDS.vpce[svc]} --reset-policy ${region}`);

checkCases('endpoint-policy', [
  {
    name: 'endpoints without a policy have full access',
    facts: factsWith(() => {}),
    status: 'pass',
    message: new RegExp(
      `^${IDS.vpce.ssm} \\(ssm\\), ${IDS.vpce.ssmmessages} \\(ssmmessages\\), ${IDS.vpce.ec2messages} \\(ec2messages\\): no endpoint policy, so full access$`,
    ),
  },
  {
    name: 'the default full-access policy passes, and is named as such',
    facts: factsWith(
      (f) => void (endpoint(f, 'ssm').policy = '{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}'),
    ),
    status: 'pass',
    message: new RegExp(`${IDS.vpce.ssm} \\(ssm\\): the default full-access policy`),
  },
  {
    name: "a custom policy that allows the agent's actions to the role passes",
    facts: factsWith((f) => {
      policy(f, 'ssm', {
        Effect: 'Allow',
        Principal: { AWS: IDS.roleArn },
        Action: 'ssm:UpdateInstanceInformation',
        Resource: instanceArn,
      });
      policy(f, 'ssmmessages', { Effect: 'Allow', Principal: { AWS: [IDS.roleArn] }, Action: 'ssmmessages:*', Resource: '*' });
    }),
    status: 'pass',
    message: new RegExp(
      `${IDS.vpce.ssm} \\(ssm\\), ${IDS.vpce.ssmmessages} \\(ssmmessages\\): a custom policy that allows the agent's calls to ${IDS.roleArn}`,
    ),
  },
  {
    name: 'an account principal stands for every role of the account on an interface endpoint',
    facts: factsWith((f) => policy(f, 'ssm', { ...allowAll, Principal: { AWS: `arn:aws:iam::${IDS.account}:root` } })),
    status: 'pass',
  },
  {
    name: 'the role session of instance-profile credentials (named after the instance) matches',
    facts: factsWith((f) =>
      policy(f, 'ssmmessages', { ...allowAll, Principal: { AWS: `arn:aws:sts::${IDS.account}:assumed-role/${IDS.role}/${IDS.instance}` } }),
    ),
    status: 'pass',
  },
  {
    name: "an aws:PrincipalArn condition is evaluated against the role's ARN, ARN operators included",
    facts: factsWith((f) =>
      policy(
        f,
        'ssm',
        allowAll,
        {
          Effect: 'Deny',
          Principal: '*',
          Action: '*',
          Resource: '*',
          Condition: { StringNotEquals: { 'aws:PrincipalArn': [IDS.roleArn] } },
        },
        {
          Effect: 'Deny',
          Principal: '*',
          Action: '*',
          Resource: '*',
          Condition: { ArnNotLike: { 'aws:PrincipalArn': `arn:aws:iam::${IDS.account}:role/SSM*` } },
        },
      ),
    ),
    status: 'pass',
  },
  {
    name: 'a Deny with NotPrincipal that exempts the role does not apply to it',
    facts: factsWith((f) => policy(f, 'ssm', allowAll, { Effect: 'Deny', NotPrincipal: { AWS: IDS.roleArn }, Action: '*', Resource: '*' })),
    status: 'pass',
  },
  {
    name: 'an explicit Deny fails, naming the statement, with the command that restores full access',
    facts: factsWith((f) => policy(f, 'ssm', allowAll, { Sid: 'NoSsm', Effect: 'Deny', Principal: '*', Action: 'ssm:*', Resource: '*' })),
    status: 'fail',
    message: new RegExp(
      `^the policy of ${IDS.vpce.ssm} \\(ssm\\) denies ssm:UpdateInstanceInformation to ${IDS.roleArn}: statement 2 \\(Sid NoSsm\\) is an explicit Deny`,
    ),
    messageJa: /ステートメント 2 \(Sid NoSsm\) は明示的な Deny/,
    commands: [reset('ssm')],
    verify: (r) =>
      expect(r.fix!.steps[0]?.text.ja).toContain(`「VPC」→「エンドポイント」→ ${IDS.vpce.ssm} を選択 →「アクション」→「ポリシーを管理」`),
  },
  {
    name: 'a policy for another role only fails; the fix adds a statement for this role and keeps the rest',
    facts: factsWith((f) =>
      policy(f, 'ssmmessages', {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${IDS.account}:role/Other` },
        Action: '*',
        Resource: '*',
      }),
    ),
    status: 'fail',
    message: new RegExp(
      `^no statement in the policy of ${IDS.vpce.ssmmessages} \\(ssmmessages\\) allows ssmmessages:CreateControlChannel, ssmmessages:CreateDataChannel, ssmmessages:OpenControlChannel, ssmmessages:OpenDataChannel to ${IDS.roleArn}`,
    ),
    commands: [
      new RegExp(
        `^aws ec2 modify-vpc-endpoint --vpc-endpoint-id ${IDS.vpce.ssmmessages} --policy-document '\\{.*role/Other.*\\}' ${region}`,
      ),
    ],
    verify: (r) => {
      const doc = JSON.parse(/--policy-document '(.*)' --region/.exec(at(r.fix!.commands, 0))![1]!);
      expect(doc.Statement).toHaveLength(2);
      expect(doc.Statement[1]).toEqual({
        Sid: 'AllowSsmAgentSsmmessages',
        Effect: 'Allow',
        Principal: { AWS: IDS.roleArn },
        Action: [
          'ssmmessages:CreateControlChannel',
          'ssmmessages:CreateDataChannel',
          'ssmmessages:OpenControlChannel',
          'ssmmessages:OpenDataChannel',
        ],
        Resource: '*',
      });
    },
  },
  {
    name: 'another account, a service principal: neither is the role',
    facts: factsWith((f) =>
      policy(f, 'ssm', { ...allowAll, Principal: { AWS: '210987654321' } }, { ...allowAll, Principal: { Service: 'ec2.amazonaws.com' } }),
    ),
    status: 'fail',
    message: /allows ssm:UpdateInstanceInformation to arn:aws:iam::123456789012:role\/SSMInstanceRole, so the endpoint refuses it/,
  },
  {
    name: 'UpdateInstanceInformation limited to another instance fails for this one',
    facts: factsWith((f) =>
      policy(f, 'ssm', { ...allowAll, Resource: `arn:aws:ec2:${IDS.region}:${IDS.account}:instance/i-0fedcba9876543210` }),
    ),
    status: 'fail',
  },
  {
    name: 'a condition that cannot be evaluated here warns, naming the statement and its keys',
    facts: factsWith((f) =>
      policy(f, 'ssmmessages', { ...allowAll, Sid: 'OrgOnly', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } } }),
    ),
    status: 'warn',
    message: /hangs on statement 1 \(Sid OrgOnly\) \(Allow\): its condition on aws:PrincipalOrgID cannot be evaluated here/,
    commands: [new RegExp(`--vpc-endpoint-id ${IDS.vpce.ssmmessages} --policy-document`)],
  },
  {
    name: 'a Deny of insecure transport never applies: the agent always uses TLS',
    facts: factsWith((f) =>
      policy(f, 'ssm', allowAll, {
        Effect: 'Deny',
        Principal: '*',
        Action: '*',
        Resource: '*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    ),
    status: 'pass',
  },
  {
    name: 'a Deny limited to other endpoints does not apply to this one',
    facts: factsWith((f) =>
      policy(f, 'ssm', allowAll, {
        Effect: 'Deny',
        Principal: '*',
        Action: '*',
        Resource: '*',
        Condition: { StringNotEquals: { 'aws:SourceVpce': IDS.vpce.ssm } },
      }),
    ),
    status: 'pass',
  },
  {
    name: 'a conditional Deny warns with no command: the owner decides',
    facts: factsWith((f) =>
      policy(f, 'ssm', allowAll, {
        Effect: 'Deny',
        Principal: '*',
        Action: '*',
        Resource: '*',
        Condition: { StringNotEquals: { 'aws:PrincipalTag/team': 'ops' } },
      }),
    ),
    status: 'warn',
    message: /statement 2 \(Deny\): its condition on aws:PrincipalTag\/team/,
    commands: [],
  },
  {
    name: "a role-specific policy cannot be matched when the instance's role is not known: warn, saying why",
    facts: factsWith((f) => {
      f.instanceProfiles[IDS.profileArn] = denied('iam:GetInstanceProfile');
      policy(f, 'ssm', { ...allowAll, Principal: { AWS: IDS.roleArn } });
    }),
    status: 'warn',
    message: /cannot be matched to the instance's role \(not known: iam:GetInstanceProfile was denied/,
  },
  {
    name: 'a Deny on the ec2messages endpoint only warns when the agent no longer needs it',
    facts: factsWith((f) => policy(f, 'ec2messages', { Effect: 'Deny', Principal: '*', Action: '*', Resource: '*' })),
    status: 'warn',
    message: /denies ec2messages:AcknowledgeMessage.*sessions work without ec2messages, because agent 3\.3\.1802\.0/,
    commands: [reset('ec2messages')],
  },
  {
    name: 'a Deny on the ec2messages endpoint fails for an agent older than 3.3.40.0',
    facts: factsWith((f) => {
      policy(f, 'ec2messages', { Effect: 'Deny', Principal: '*', Action: '*', Resource: '*' });
      agent(f, { agentVersion: '3.2.582.0' });
    }),
    status: 'fail',
    message: /ec2messages is needed: agent 3\.2\.582\.0 is older than 3\.3\.40\.0/,
  },
  {
    name: 'a policy that cannot be parsed warns instead of guessing',
    facts: factsWith((f) => void (endpoint(f, 'ssm').policy = '{"Statement": [{"Effect": "Maybe"}]}')),
    status: 'warn',
    message: /the policy of vpce-0ssm000000000001 \(ssm\) cannot be evaluated: statement 1 has Effect "Maybe"/,
  },
  {
    name: 'no endpoint: nothing to evaluate',
    facts: factsWith((f) => void (vpcOf(f).endpoints = known([]))),
    status: 'skip',
    message: new RegExp(`${IDS.vpc} has no Systems Manager interface endpoint`),
  },
  {
    name: 'denied DescribeVpcEndpoints is unknown',
    facts: factsWith((f) => void (vpcOf(f).endpoints = denied('ec2:DescribeVpcEndpoints', 'UnauthorizedOperation'))),
    status: 'unknown',
    message: /ec2:DescribeVpcEndpoints was denied/,
  },
]);
