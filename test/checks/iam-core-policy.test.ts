import { checkCases } from '../helpers/check-tester';
import { CORE_ACTIONS, IDS, boundaryOn, denied, factsWith, instanceOf } from '../helpers/facts';
import { known, type Facts, type Role, type SimulationResult } from '../../src/facts/schema';
import { compareVersions } from '../../src/checks/lib/iam-ec2messages';

const R = `--region ${IDS.region}`;
const roleOf = (f: Facts): Role => f.roles[IDS.role]!;
const attached = (f: Facts, ...policies: { policyName: string; policyArn: string }[]) =>
  void (roleOf(f).attachedPolicies = known(policies));
const inline = (f: Facts, policyName: string, ...Statement: object[]) => {
  const current = roleOf(f).inlinePolicies;
  const list = current.known ? current.value : [];
  roleOf(f).inlinePolicies = known([...list, { policyName, document: { Version: '2012-10-17', Statement } }]);
};
const awsPolicy = (name: string, path = '') => ({ policyName: name, policyArn: `arn:aws:iam::aws:policy/${path}${name}` });
const CORE = awsPolicy('AmazonSSMManagedInstanceCore');
const CUSTOMER_ARN = `arn:aws:iam::${IDS.account}:policy/guardrails`;
const agent = (f: Facts, patch: object) => {
  if (f.managedInstances.known) Object.assign(f.managedInstances.value[IDS.instance]!, patch);
};
const SESSION = [
  'ssm:UpdateInstanceInformation',
  'ssmmessages:CreateControlChannel',
  'ssmmessages:CreateDataChannel',
  'ssmmessages:OpenControlChannel',
  'ssmmessages:OpenDataChannel',
];
/** A role whose only policy is an inline one allowing the session actions but no ec2messages. */
const sessionOnly = (f: Facts) => {
  attached(f);
  inline(f, 'ssm-minimal', { Effect: 'Allow', Action: SESSION, Resource: '*' });
};
/** Facts without a simulation: the check decides from the role's documents. */
const docs = (patch: (f: Facts) => void) =>
  factsWith((f) => {
    delete roleOf(f).simulation;
    patch(f);
  });
const attachCore = (role: string = IDS.role, policy = 'AmazonSSMManagedInstanceCore') =>
  new RegExp(`^aws iam attach-role-policy --role-name ${role} --policy-arn arn:aws:iam::aws:policy/${policy} ${R}$`);

checkCases('iam-core-policy', [
  {
    name: 'AmazonSSMManagedInstanceCore attached passes and says so',
    facts: docs(() => {}),
    status: 'pass',
    message:
      /^AmazonSSMManagedInstanceCore is attached to SSMInstanceRole \(decided from the role's documents; iam:SimulatePrincipalPolicy was not run\)$/,
    messageJa:
      /^SSMInstanceRole に AmazonSSMManagedInstanceCore がアタッチされています \(ロールのポリシー文書から判定。iam:SimulatePrincipalPolicy は実行されていません\)$/,
  },
  {
    name: 'the deprecated AmazonEC2RoleforSSM passes with a note',
    facts: docs((f) => attached(f, awsPolicy('AmazonEC2RoleforSSM', 'service-role/'))),
    status: 'pass',
    message: /AmazonEC2RoleforSSM is attached to SSMInstanceRole \(it is deprecated: attach AmazonSSMManagedInstanceCore in its place\)/,
    messageJa: /非推奨/,
  },
  {
    name: 'AmazonSSMManagedEC2InstanceDefaultPolicy passes',
    facts: docs((f) => attached(f, awsPolicy('AmazonSSMManagedEC2InstanceDefaultPolicy'))),
    status: 'pass',
    message: /AmazonSSMManagedEC2InstanceDefaultPolicy is attached/,
  },
  {
    name: 'AdministratorAccess grants everything',
    facts: docs((f) => attached(f, awsPolicy('AdministratorAccess'))),
    status: 'pass',
    message: /policy AdministratorAccess on SSMInstanceRole allows ssm:UpdateInstanceInformation and the four ssmmessages channel actions/,
  },
  {
    name: 'an inline policy equivalent to the core policy passes',
    facts: docs((f) => {
      attached(f);
      inline(f, 'ssm-agent', {
        Effect: 'Allow',
        Action: ['ssm:UpdateInstanceInformation', 'ssmmessages:*', 'ec2messages:*'],
        Resource: '*',
      });
    }),
    status: 'pass',
    message: /inline policy ssm-agent on SSMInstanceRole allows ssm:UpdateInstanceInformation and the four ssmmessages channel actions/,
    messageJa:
      /SSMInstanceRole のインラインポリシー ssm-agent が ssm:UpdateInstanceInformation と ssmmessages の 4 つのチャネル操作を許可しています \(ロールのポリシー文書から判定/,
  },
  {
    name: 'no policies at all fails with attach-role-policy for the real role',
    facts: docs((f) => attached(f)),
    status: 'fail',
    message:
      /SSMInstanceRole allows none of ssm:UpdateInstanceInformation, .*ssmmessages:OpenDataChannel: AmazonSSMManagedInstanceCore is not attached \(no policies attached\)/,
    messageJa: /いずれも許可していません。AmazonSSMManagedInstanceCore がアタッチされていません/,
    commands: [attachCore()],
    verify: (r) => {
      expect(r.fix!.steps.map((s) => s.key)).toEqual(['iam-policy-attach']);
      expect(r.fix!.steps[0]?.text.en).toBe(
        'IAM → Roles → SSMInstanceRole → Add permissions → Attach policies → tick AmazonSSMManagedInstanceCore → Add permissions',
      );
      expect(r.fix!.steps[0]?.text.ja).toContain('「IAM」→「ロール」→「SSMInstanceRole」→「許可を追加」→「ポリシーをアタッチ」');
    },
  },
  {
    name: 'an inline policy that misses channel actions fails naming what is missing',
    facts: docs((f) => {
      attached(f);
      inline(f, 'partial', { Effect: 'Allow', Action: ['ssm:UpdateInstanceInformation', 'ssmmessages:Create*'], Resource: '*' });
    }),
    status: 'fail',
    message:
      /inline policy partial on SSMInstanceRole allows ssm:UpdateInstanceInformation, ssmmessages:CreateControlChannel, ssmmessages:CreateDataChannel; missing ssmmessages:OpenControlChannel, ssmmessages:OpenDataChannel/,
    messageJa: /ssmmessages:OpenControlChannel, ssmmessages:OpenDataChannel が不足しています/,
    commands: [attachCore()],
  },
  {
    name: 'an unread AWS managed policy is named when the verdict is a failure',
    facts: docs((f) => attached(f, awsPolicy('AmazonS3ReadOnlyAccess'))),
    status: 'fail',
    message: /\(attached: AmazonS3ReadOnlyAccess\) \(not evaluated, document not collected: AmazonS3ReadOnlyAccess\)/,
    messageJa: /AmazonS3ReadOnlyAccess は文書を取得していないため評価していません/,
  },
  {
    name: 'UpdateInstanceInformation limited to instances of another account is missing',
    facts: docs((f) => {
      attached(f);
      inline(
        f,
        'scoped',
        { Effect: 'Allow', Action: 'ssm:UpdateInstanceInformation', Resource: 'arn:aws:ec2:*:999999999999:instance/*' },
        { Effect: 'Allow', Action: 'ssmmessages:*', Resource: '*' },
      );
    }),
    status: 'fail',
    message: /missing ssm:UpdateInstanceInformation \(decided from the role's documents/,
  },
  {
    name: 'an inline explicit Deny wins over the core policy',
    facts: docs((f) => inline(f, 'lockdown', { Sid: 'NoSessions', Effect: 'Deny', Action: 'ssmmessages:Open*', Resource: '*' })),
    status: 'fail',
    message: /ssmmessages:OpenControlChannel, ssmmessages:OpenDataChannel denied by statement Sid NoSessions of inline policy lockdown/,
    messageJa: /インラインポリシー lockdown のステートメント \(Sid NoSessions\)で拒否されています/,
    commands: [
      new RegExp(
        `^aws iam get-role-policy --role-name SSMInstanceRole --policy-name lockdown --query PolicyDocument --output json ${R} > lockdown\\.json$`,
      ),
      new RegExp(
        `^aws iam put-role-policy --role-name SSMInstanceRole --policy-name lockdown --policy-document file://lockdown\\.json ${R}$`,
      ),
    ],
    verify: (r) => {
      expect(r.fix!.steps).toHaveLength(1);
      expect(r.fix!.steps[0]?.text.en).toMatch(
        /IAM → Roles → SSMInstanceRole → Permissions → inline policy lockdown → Edit: remove statement Sid NoSessions/,
      );
      expect(r.fix!.steps[0]?.text.ja).toMatch(
        /「許可」タブ → インラインポリシー「lockdown」→「編集」で、ステートメント \(Sid NoSessions\) を削除する/,
      );
    },
  },
  {
    name: 'a Deny in a customer-managed policy fails and names its statement by position',
    facts: docs((f) => {
      attached(f, CORE, { policyName: 'guardrails', policyArn: CUSTOMER_ARN });
      roleOf(f).managedPolicyDocuments[CUSTOMER_ARN] = known({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' },
          { Effect: 'Deny', NotAction: ['s3:*', 'ec2:*'], Resource: '*' },
        ],
      });
    }),
    status: 'fail',
    message: /denied by statement 2 of policy guardrails/,
    commands: [
      new RegExp(
        `^aws iam get-policy-version --policy-arn ${CUSTOMER_ARN} --version-id "\\$\\(aws iam get-policy --policy-arn ${CUSTOMER_ARN} --query Policy\\.DefaultVersionId --output text ${R}\\)" --query PolicyVersion\\.Document --output json ${R} > guardrails\\.json$`,
      ),
      new RegExp(
        `^aws iam create-policy-version --policy-arn ${CUSTOMER_ARN} --policy-document file://guardrails\\.json --set-as-default ${R}$`,
      ),
    ],
  },
  {
    name: 'a Deny outside the allowed regions applies in this region',
    facts: docs((f) =>
      inline(f, 'regions', {
        Sid: 'OnlyUsEast1',
        Effect: 'Deny',
        Action: '*',
        Resource: '*',
        Condition: { StringNotEquals: { 'aws:RequestedRegion': 'us-east-1' } },
      }),
    ),
    status: 'fail',
    message: /denied by statement Sid OnlyUsEast1 of inline policy regions/,
  },
  {
    name: 'a region Deny that spares this region does not count',
    facts: docs((f) =>
      inline(f, 'regions', {
        Effect: 'Deny',
        Action: '*',
        Resource: '*',
        Condition: { StringNotEquals: { 'aws:RequestedRegion': ['ap-northeast-1', 'us-east-1'] } },
      }),
    ),
    status: 'pass',
  },
  {
    name: 'a Deny with a condition it cannot evaluate is a warning naming the statement',
    facts: docs((f) =>
      inline(f, 'vpce-only', {
        Sid: 'ViaEndpointOnly',
        Effect: 'Deny',
        Action: 'ssmmessages:*',
        Resource: '*',
        Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-0abc' } },
      }),
    ),
    status: 'warn',
    message:
      /statement Sid ViaEndpointOnly of inline policy vpce-only may deny ssmmessages:CreateControlChannel.*cannot evaluate its condition/,
    messageJa: /拒否する可能性があります/,
    commands: [/^aws iam get-role-policy --role-name SSMInstanceRole --policy-name vpce-only /, /^aws iam put-role-policy /],
  },
  {
    name: 'an Allow only under a condition it cannot evaluate is a warning',
    facts: docs((f) => {
      attached(f);
      inline(f, 'ip-bound', {
        Sid: 'FromVpc',
        Effect: 'Allow',
        Action: [...SESSION, 'ec2messages:*'],
        Resource: '*',
        Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/16' } },
      });
    }),
    status: 'warn',
    message:
      /is allowed only by statement Sid FromVpc of inline policy ip-bound, whose condition ssm-doctor cannot evaluate: check that it holds for i-0123456789abcdef0/,
    messageJa: /条件は ssm-doctor では評価できません/,
    commands: [attachCore()],
  },
  {
    name: 'no ec2messages with a new agent on Linux is only a warning',
    facts: docs(sessionOnly),
    status: 'warn',
    message:
      /SSMInstanceRole does not allow ec2messages:\*; sessions work without them \(agent 3\.3\.1802\.0 on Amazon Linux 2023 uses ssmmessages instead\)/,
    messageJa: /セッションには不要です/,
    commands: [attachCore()],
  },
  {
    name: 'no ec2messages with an agent older than 3.3.40.0 fails',
    facts: docs((f) => {
      sessionOnly(f);
      agent(f, { agentVersion: '3.2.1705.0' });
    }),
    status: 'fail',
    message: /allows the session actions but not ec2messages:\*; the agent needs them: agent 3\.2\.1705\.0 is older than 3\.3\.40\.0/,
    commands: [attachCore()],
  },
  {
    name: 'no ec2messages on Windows Server 2012 R2 fails whatever the agent version',
    facts: docs((f) => {
      sessionOnly(f);
      agent(f, { platformType: 'Windows', platformName: 'Microsoft Windows Server 2012 R2 Datacenter', platformVersion: '6.3.9600' });
    }),
    status: 'fail',
    message: /on Microsoft Windows Server 2012 R2 Datacenter 6\.3\.9600 the agent keeps using ec2messages/,
  },
  {
    name: 'no ec2messages on Windows Server 2016 with a new agent is only a warning',
    facts: docs((f) => {
      sessionOnly(f);
      agent(f, {
        platformType: 'Windows',
        platformName: 'Microsoft Windows Server 2016 Datacenter',
        platformVersion: '10.0.14393',
        agentVersion: '3.3.40.0',
      });
    }),
    status: 'warn',
    message: /agent 3\.3\.40\.0 on Microsoft Windows Server 2016 Datacenter 10\.0\.14393 uses ssmmessages instead/,
  },
  {
    name: 'no ec2messages and an unknown agent version fails, saying why',
    facts: docs((f) => {
      sessionOnly(f);
      f.managedInstances = denied('ssm:DescribeInstanceInformation', 'AccessDeniedException');
    }),
    status: 'fail',
    message: /the agent version is not known \(ssm:DescribeInstanceInformation: AccessDeniedException\)/,
  },
  {
    name: 'a DHMC role is checked when there is no instance profile, and the fix names the DHMC policy',
    facts: docs((f) => {
      instanceOf(f).instanceProfileArn = null;
      f.dhmc = known({ roleName: 'service-role/DhmcRole' });
      f.roles.DhmcRole = { attachedPolicies: known([]), inlinePolicies: known([]), managedPolicyDocuments: {} };
    }),
    status: 'fail',
    message: /DhmcRole allows none of .*AmazonSSMManagedEC2InstanceDefaultPolicy is not attached/,
    commands: [attachCore('DhmcRole', 'AmazonSSMManagedEC2InstanceDefaultPolicy')],
  },
  {
    name: 'a profile role without ssm:UpdateInstanceInformation falls back to a working DHMC role',
    facts: docs((f) => {
      attached(f, awsPolicy('AmazonS3ReadOnlyAccess'));
      f.dhmc = known({ roleName: 'DhmcRole' });
      f.roles.DhmcRole = {
        attachedPolicies: known([awsPolicy('AmazonSSMManagedEC2InstanceDefaultPolicy')]),
        inlinePolicies: known([]),
        managedPolicyDocuments: {},
      };
    }),
    status: 'pass',
    message:
      /SSMInstanceRole \(instance profile\) does not allow ssm:UpdateInstanceInformation, so the agent falls back to the Default Host Management Configuration role DhmcRole: AmazonSSMManagedEC2InstanceDefaultPolicy is attached to DhmcRole/,
    messageJa:
      /Default Host Management Configuration のロール DhmcRole を使います。DhmcRole に AmazonSSMManagedEC2InstanceDefaultPolicy がアタッチされています/,
  },
  {
    name: 'a denied ListAttachedRolePolicies is unknown naming the call',
    facts: docs((f) => void (roleOf(f).attachedPolicies = denied('iam:ListAttachedRolePolicies'))),
    status: 'unknown',
    message: /iam:ListAttachedRolePolicies was denied \(AccessDenied\)/,
  },
  {
    name: 'a customer-managed document that could not be read is unknown naming the call',
    facts: docs((f) => {
      attached(f, CORE, { policyName: 'guardrails', policyArn: CUSTOMER_ARN });
      roleOf(f).managedPolicyDocuments[CUSTOMER_ARN] = denied('iam:GetPolicyVersion');
    }),
    status: 'unknown',
    message: /iam:GetPolicyVersion was denied/,
  },
  {
    name: 'a malformed inline document is unknown, not a guess',
    facts: docs((f) => void (roleOf(f).inlinePolicies = known([{ policyName: 'broken', document: '{"Statement": [' }]))),
    status: 'unknown',
    message: /iam:GetRolePolicy failed \(MalformedPolicyDocument: broken: the policy document is not valid JSON\)/,
  },
  {
    name: 'skips when there is no instance profile and no DHMC',
    facts: docs((f) => {
      instanceOf(f).instanceProfileArn = null;
      f.dhmc = known({ roleName: null });
    }),
    status: 'skip',
    message: /needs iam-instance-profile to pass first \(it is fail\)/,
  },
  {
    name: 'is unknown when the instance profile could not be read',
    facts: docs((f) => void (f.instanceProfiles[IDS.profileArn] = denied('iam:GetInstanceProfile'))),
    status: 'unknown',
    message: /depends on iam-instance-profile: iam:GetInstanceProfile was denied/,
  },
]);

/** One simulated result, as the collector records iam:SimulatePrincipalPolicy's EvaluationResults. */
const result = (action: string, decision = 'allowed', more: Partial<SimulationResult> = {}): SimulationResult => ({
  action,
  resource: '*',
  decision,
  matchedStatements: decision === 'allowed' ? [{ sourcePolicyId: 'AmazonSSMManagedInstanceCore', sourcePolicyType: 'aws-managed' }] : [],
  allowedByOrganizations: true,
  missingContextValues: [],
  ...more,
});
/** The simulation of the role: every core action allowed except those given. */
const simulate = (
  f: Facts,
  overrides: Record<string, Partial<SimulationResult>>,
  role: string = IDS.role,
  extra: SimulationResult[] = [],
) => {
  f.roles[role]!.simulation = known([...CORE_ACTIONS.map((a) => ({ ...result(a), ...(overrides[a] ?? {}) })), ...extra]);
};
const OPEN = { 'ssmmessages:OpenControlChannel': {}, 'ssmmessages:OpenDataChannel': {} };
const deny = (patch: Partial<SimulationResult>) => Object.fromEntries(Object.keys(OPEN).map((a) => [a, patch]));
const EC2M = ['AcknowledgeMessage', 'DeleteMessage', 'FailMessage', 'GetEndpoint', 'GetMessages', 'SendReply'].map(
  (a) => `ec2messages:${a}`,
);
const BOUNDARY = `arn:aws:iam::${IDS.account}:policy/DevBoundary`;
const INSTANCE_ARN = `arn:aws:ec2:${IDS.region}:${IDS.account}:instance/${IDS.instance}`;

checkCases('iam-core-policy', [
  {
    name: 'simulator: every core action allowed passes and says who decided',
    facts: factsWith(() => {}),
    status: 'pass',
    message:
      /^IAM's policy simulator allows ssm:UpdateInstanceInformation and the four ssmmessages channel actions for SSMInstanceRole \(matched: AmazonSSMManagedInstanceCore\) \(ec2messages decided from the role's documents\)$/,
    messageJa:
      /^IAM のポリシーシミュレーターは SSMInstanceRole に ssm:UpdateInstanceInformation と ssmmessages の 4 つのチャネル操作を許可しています/,
  },
  {
    name: 'simulator: its allow beats documents that say nothing (it sees what the tool cannot read)',
    facts: factsWith((f) => {
      attached(f, awsPolicy('AmazonS3ReadOnlyAccess'));
      simulate(
        f,
        {},
        IDS.role,
        EC2M.map((a) => result(a)),
      );
    }),
    status: 'pass',
    message: /^IAM's policy simulator allows .* for SSMInstanceRole \(matched: AmazonSSMManagedInstanceCore\)$/,
  },
  {
    name: 'simulator: an explicit deny is named by statement when the documents show it',
    facts: factsWith((f) => {
      inline(f, 'lockdown', { Sid: 'NoSessions', Effect: 'Deny', Action: 'ssmmessages:Open*', Resource: '*' });
      simulate(f, deny({ decision: 'explicitDeny', matchedStatements: [{ sourcePolicyId: 'lockdown', sourcePolicyType: 'role' }] }));
    }),
    status: 'fail',
    message:
      /^ssmmessages:OpenControlChannel, ssmmessages:OpenDataChannel denied by statement Sid NoSessions of inline policy lockdown \(decided by IAM's policy simulator\)$/,
    messageJa:
      /インラインポリシー lockdown のステートメント \(Sid NoSessions\)で拒否されています \(IAM のポリシーシミュレーターによる判定\)/,
    commands: [
      /^aws iam get-role-policy --role-name SSMInstanceRole --policy-name lockdown /,
      /^aws iam put-role-policy --role-name SSMInstanceRole --policy-name lockdown /,
    ],
  },
  {
    name: 'simulator: an explicit deny still fails, naming the SourcePolicyId, when the documents cannot be read',
    facts: factsWith((f) => {
      roleOf(f).attachedPolicies = denied('iam:ListAttachedRolePolicies');
      simulate(
        f,
        deny({ decision: 'explicitDeny', matchedStatements: [{ sourcePolicyId: 'guardrails', sourcePolicyType: 'user-managed' }] }),
      );
    }),
    status: 'fail',
    message:
      /^ssmmessages:OpenControlChannel, ssmmessages:OpenDataChannel explicitly denied by guardrails \(decided by IAM's policy simulator\)$/,
    messageJa: /guardrails で明示的に拒否されています/,
    commands: [],
    verify: (r) =>
      expect(r.fix!.steps[0]?.text.en).toMatch(
        /^IAM → Roles → SSMInstanceRole → Permissions → open guardrails → Edit: remove the Deny statement/,
      ),
  },
  {
    name: 'simulator: a permissions boundary that does not allow the channels fails naming it, with commands to edit it',
    facts: factsWith((f) => {
      const r = roleOf(f).role;
      if (r?.known) r.value.permissionsBoundaryArn = BOUNDARY;
      simulate(f, deny({ decision: 'implicitDeny', allowedByPermissionsBoundary: false }));
    }),
    status: 'fail',
    message: new RegExp(
      `^the permissions boundary ${BOUNDARY} of SSMInstanceRole does not allow ssmmessages:OpenControlChannel, ssmmessages:OpenDataChannel \\(decided by IAM's policy simulator\\)`,
    ),
    messageJa:
      /SSMInstanceRole のアクセス許可の境界 .*DevBoundary が ssmmessages:OpenControlChannel, ssmmessages:OpenDataChannel を許可していません/,
    commands: [
      new RegExp(`^aws iam get-policy-version --policy-arn ${BOUNDARY} --version-id .* > DevBoundary\\.json$`),
      new RegExp(
        `^aws iam create-policy-version --policy-arn ${BOUNDARY} --policy-document file://DevBoundary\\.json --set-as-default ${R}$`,
      ),
    ],
  },
  {
    name: 'simulator: an SCP deny fails and sends the reader to the organization administrator',
    facts: factsWith((f) => simulate(f, { 'ssm:UpdateInstanceInformation': { decision: 'explicitDeny', allowedByOrganizations: false } })),
    status: 'fail',
    message: /^an AWS Organizations service control policy denies ssm:UpdateInstanceInformation \(decided by IAM's policy simulator\)/,
    messageJa: /サービスコントロールポリシー \(SCP\) が ssm:UpdateInstanceInformation を拒否しています/,
    commands: [],
    verify: (r) => {
      expect(r.fix!.steps.map((x) => x.key)).toEqual(['iam-scp:SSMInstanceRole']);
      expect(r.fix!.steps[0]?.text.en).toMatch(/in account 123456789012.*AWS Organizations → Policies → Service control policies/);
      expect(r.fix!.steps[0]?.text.ja).toMatch(/「AWS Organizations」→「ポリシー」→「サービスコントロールポリシー」/);
    },
  },
  {
    name: 'simulator: unreadable documents do not make it unknown; ec2messages is reported as not evaluated',
    facts: factsWith((f) => void (roleOf(f).inlinePolicies = denied('iam:ListRolePolicies'))),
    status: 'pass',
    message:
      /for SSMInstanceRole \(matched: AmazonSSMManagedInstanceCore\) \(ec2messages not evaluated: neither simulated nor readable from the documents\)$/,
    messageJa: /ec2messages は未評価/,
  },
  {
    name: 'simulator: an implicit deny fails listing the missing actions, fix attaches the managed policy',
    facts: factsWith((f) => simulate(f, deny({ decision: 'implicitDeny' }))),
    status: 'fail',
    message:
      /^no policy of SSMInstanceRole allows ssmmessages:OpenControlChannel, ssmmessages:OpenDataChannel \(decided by IAM's policy simulator\)/,
    commands: [attachCore()],
  },
  {
    name: 'simulator: a deny that hangs on missing context values is a warning to verify',
    facts: factsWith((f) => simulate(f, deny({ decision: 'implicitDeny', missingContextValues: ['aws:SourceVpce'] }))),
    status: 'warn',
    message:
      /^IAM's policy simulator does not allow ssmmessages:OpenControlChannel, ssmmessages:OpenDataChannel for SSMInstanceRole without the context values aws:SourceVpce \(matched: AmazonSSMManagedInstanceCore\): conditional, verify that the condition holds for the agent's requests from i-0123456789abcdef0$/,
    messageJa: /コンテキストキー aws:SourceVpce の値がない状態では/,
    verify: (r) => expect(r.fix!.steps[0]?.key).toBe('iam-sim-conditional:SSMInstanceRole'),
  },
  {
    name: 'simulator: a result on the instance ARN decides ssm:UpdateInstanceInformation over one on *',
    facts: factsWith((f) =>
      simulate(f, { 'ssm:UpdateInstanceInformation': { decision: 'implicitDeny' } }, IDS.role, [
        result('ssm:UpdateInstanceInformation', 'allowed', { resource: INSTANCE_ARN }),
      ]),
    ),
    status: 'pass',
  },
  {
    name: 'simulator: simulated ec2messages missing with an old agent fails',
    facts: factsWith((f) => {
      simulate(
        f,
        {},
        IDS.role,
        EC2M.map((a) => result(a, 'implicitDeny')),
      );
      agent(f, { agentVersion: '3.2.1705.0' });
    }),
    status: 'fail',
    message: /^no policy of SSMInstanceRole allows ec2messages:\*; the agent needs them: agent 3\.2\.1705\.0 is older than 3\.3\.40\.0/,
    commands: [attachCore()],
  },
  {
    name: 'simulator: simulated ec2messages missing with a new agent is a warning',
    facts: factsWith((f) =>
      simulate(
        f,
        {},
        IDS.role,
        EC2M.map((a) => result(a, 'implicitDeny')),
      ),
    ),
    status: 'warn',
    message: /^no policy of SSMInstanceRole allows ec2messages:\*; sessions work without them/,
  },
  {
    name: 'a denied simulation falls back to the documents and says so',
    facts: factsWith((f) => void (roleOf(f).simulation = denied('iam:SimulatePrincipalPolicy'))),
    status: 'pass',
    message:
      /^AmazonSSMManagedInstanceCore is attached to SSMInstanceRole \(decided from the role's documents; iam:SimulatePrincipalPolicy was denied with AccessDenied\)$/,
    messageJa: /ロールのポリシー文書から判定。iam:SimulatePrincipalPolicy は AccessDenied で拒否されました/,
  },
  {
    name: 'a simulation that did not cover every core action falls back to the documents',
    facts: factsWith((f) => void (roleOf(f).simulation = known([result('ssm:UpdateInstanceInformation')]))),
    status: 'pass',
    message: /iam:SimulatePrincipalPolicy did not cover ssmmessages:CreateControlChannel, .*ssmmessages:OpenDataChannel\)$/,
  },
  {
    name: 'simulator: a profile role denied ssm:UpdateInstanceInformation falls back to a DHMC role the simulator allows',
    facts: factsWith((f) => {
      simulate(f, { 'ssm:UpdateInstanceInformation': { decision: 'implicitDeny' } });
      f.dhmc = known({ roleName: 'service-role/DhmcRole' });
      f.roles.DhmcRole = { attachedPolicies: known([]), inlinePolicies: known([]), managedPolicyDocuments: {} };
      simulate(
        f,
        {},
        'DhmcRole',
        EC2M.map((a) => result(a)),
      );
    }),
    status: 'pass',
    message:
      /^SSMInstanceRole \(instance profile\) does not allow ssm:UpdateInstanceInformation, so the agent falls back to the Default Host Management Configuration role DhmcRole: IAM's policy simulator allows .* for DhmcRole/,
  },
]);

describe('compareVersions', () => {
  it.each([
    ['3.3.40.0', '3.3.40.0', 0],
    ['3.3.1802.0', '3.3.40.0', 1],
    ['3.2.1705.0', '3.3.40.0', -1],
    ['3.10.0.0', '3.9.99.0', 1],
    ['3.3', '3.3.0.0', 0],
    ['latest', '3.3.40.0', undefined],
  ])('%s vs %s', (a, b, expected) => {
    expect(compareVersions(a, b)).toBe(expected);
  });
});

const boundary = (f: Facts, statements?: object[]) => boundaryOn(f, BOUNDARY, statements);
const SSM_ONLY = [{ Effect: 'Allow', Action: ['ssm:*', 'ec2messages:*'], Resource: '*' }];

checkCases('iam-core-policy', [
  {
    name: 'boundary, documents: a boundary that allows everything passes',
    facts: docs((f) => boundary(f, [{ Effect: 'Allow', Action: '*', Resource: '*' }])),
    status: 'pass',
    message: /^AmazonSSMManagedInstanceCore is attached to SSMInstanceRole \(decided from the role's documents/,
  },
  {
    name: 'boundary, documents: a boundary without ssmmessages fails naming it, with the boundary fix',
    facts: docs((f) => boundary(f, SSM_ONLY)),
    status: 'fail',
    message: new RegExp(
      `^the permissions boundary ${BOUNDARY} of SSMInstanceRole does not allow ssmmessages:CreateControlChannel, ssmmessages:CreateDataChannel, ssmmessages:OpenControlChannel, ssmmessages:OpenDataChannel \\(decided from the role's documents; iam:SimulatePrincipalPolicy was not run\\)$`,
    ),
    messageJa: /SSMInstanceRole のアクセス許可の境界 .*DevBoundary が ssmmessages:CreateControlChannel/,
    commands: [
      /^aws iam get-policy-version --policy-arn .*DevBoundary .* > DevBoundary\.json$/,
      /^aws iam create-policy-version --policy-arn .*DevBoundary /,
    ],
    verify: (r) => expect(r.fix!.steps.map((s) => s.key)).toEqual(['iam-boundary:SSMInstanceRole']),
  },
  {
    name: 'boundary: the simulator denied and a boundary without ssmmessages fails (it passed before the boundary was read)',
    facts: factsWith((f) => {
      roleOf(f).simulation = denied('iam:SimulatePrincipalPolicy');
      boundary(f, SSM_ONLY);
    }),
    status: 'fail',
    message:
      /does not allow ssmmessages:.* \(decided from the role's documents; iam:SimulatePrincipalPolicy was denied with AccessDenied\)$/,
  },
  {
    name: 'boundary, documents: a Deny in the boundary fails naming its statement',
    facts: docs((f) =>
      boundary(f, [
        { Effect: 'Allow', Action: '*', Resource: '*' },
        { Sid: 'NoOpen', Effect: 'Deny', Action: 'ssmmessages:Open*', Resource: '*' },
      ]),
    ),
    status: 'fail',
    message:
      /ssmmessages:OpenControlChannel, ssmmessages:OpenDataChannel denied by statement Sid NoOpen of permissions boundary DevBoundary/,
  },
  {
    name: 'boundary, documents: a boundary document that was not read is unknown naming the call',
    facts: docs((f) => boundary(f)),
    status: 'unknown',
    message: /iam:GetPolicyVersion/,
  },
  {
    name: 'boundary, documents: a denied read of the boundary is unknown naming the call',
    facts: docs((f) => {
      boundary(f);
      roleOf(f).permissionsBoundary = denied('iam:GetPolicy');
    }),
    status: 'unknown',
    message: /^iam:GetPolicy was denied \(AccessDenied\)/,
  },
  {
    name: 'boundary, documents: a denied iam:GetRole is unknown (the boundary cannot be known), never pass',
    facts: docs((f) => void (roleOf(f).role = denied('iam:GetRole'))),
    status: 'unknown',
    message: /^iam:GetRole was denied/,
  },
  {
    name: 'boundary, simulator: everything allowed passes without the boundary document',
    facts: factsWith((f) => boundary(f)),
    status: 'pass',
    message: /^IAM's policy simulator allows/,
  },
  {
    name: 'boundary, simulator: a boundary IAM says leaves out the channels fails, with the boundary fix',
    facts: factsWith((f) => {
      boundary(f);
      simulate(f, deny({ decision: 'implicitDeny', allowedByPermissionsBoundary: false }));
    }),
    status: 'fail',
    message: new RegExp(
      `^the permissions boundary ${BOUNDARY} of SSMInstanceRole does not allow ssmmessages:OpenControlChannel, ssmmessages:OpenDataChannel \\(decided by IAM's policy simulator\\)$`,
    ),
    verify: (r) => expect(r.fix!.steps.map((s) => s.key)).toEqual(['iam-boundary:SSMInstanceRole']),
  },
]);
