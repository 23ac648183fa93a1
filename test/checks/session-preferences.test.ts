import { checkCases } from '../helpers/check-tester';
import { IDS, V6, denied, factsWith, instanceOf, ipv6Only, vpcOf, natRoute } from '../helpers/facts';
import { known, type Endpoint, type Facts, type SessionPreferences, type SimulationResult } from '../../src/facts/schema';

const R = `--region ${IDS.region}`;
const KEY = `arn:aws:kms:${IDS.region}:${IDS.account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const prefs = (patch: Partial<SessionPreferences>) => (f: Facts) =>
  void (f.sessionPreferences = known({ documentName: 'SSM-SessionManagerRunShell', ...patch }));
const endpoint = (f: Facts, e: Partial<Endpoint> & { endpointId: string; serviceName: string }) => {
  const eps = vpcOf(f).endpoints;
  if (eps.known)
    eps.value.push({
      type: 'Interface',
      state: 'available',
      subnetIds: [IDS.subnet],
      groupIds: [IDS.endpointSg],
      privateDnsEnabled: true,
      ...e,
    });
};
const KMS_VPCE = 'vpce-0kms000000000001';
const kmsEndpoint = (f: Facts, patch: Partial<Endpoint> = {}) =>
  endpoint(f, { endpointId: KMS_VPCE, serviceName: `com.amazonaws.${IDS.region}.kms`, ...patch });
const allowInline = (f: Facts, Action: string[], Resource: string | string[] = '*') => {
  const r = f.roles[IDS.role]!;
  r.inlinePolicies = known([
    { policyName: 'session-extras', document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action, Resource }] } },
  ]);
};
/** The VPC's default group (the endpoint's here) admits HTTPS from these sources only. */
const admitHttpsOnDefaultSg = (f: Facts, from: { cidrs?: string[]; ipv6Cidrs?: string[]; prefixListIds?: string[] }) => {
  const sg = vpcOf(f).securityGroups;
  if (sg.known)
    sg.value.find((g) => g.groupId === IDS.defaultSg)!.ingress = [
      { protocol: 'tcp', fromPort: 443, toPort: 443, cidrs: [], ipv6Cidrs: [], groupIds: [], prefixListIds: [], ...from },
    ];
};

const simulated = (f: Facts, ...results: Partial<SimulationResult>[]) => {
  const sim = f.roles[IDS.role]!.simulation;
  if (sim?.known)
    sim.value.push(
      ...results.map((r) => ({ action: '', resource: '*', decision: 'allowed', matchedStatements: [], missingContextValues: [], ...r })),
    );
};
const natPath = natRoute;
const LOGS = ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogGroups', 'logs:DescribeLogStreams'];

checkCases('session-preferences', [
  {
    name: 'preferences never saved: skip',
    facts: factsWith(() => {}),
    status: 'skip',
    message: /^Session Manager preferences were never saved in ap-northeast-1/,
    messageJa: /Session Manager の設定が保存されていません/,
  },
  {
    name: 'preferences saved with nothing on: skip',
    facts: factsWith(prefs({ runAsEnabled: false })),
    status: 'skip',
    message: /turn on neither KMS encryption nor S3 or CloudWatch Logs output/,
  },
  {
    name: 'KMS on without a kms endpoint or internet path fails: endpoint with the endpoints group, and kms:Decrypt on the key',
    facts: factsWith(prefs({ kmsKeyId: KEY })),
    status: 'fail',
    message: new RegExp(
      `^the Session Manager preferences turn on KMS encryption with key ${KEY}, but i-0123456789abcdef0 has no way to kms: no com\\.amazonaws\\.ap-northeast-1\\.kms endpoint in ${IDS.vpc}, and no way out to the internet \\(route table ${IDS.privateRt} .*: no 0\\.0\\.0\\.0/0 route\\), and SSMInstanceRole does not allow kms:Decrypt, so the session handshake fails$`,
    ),
    messageJa:
      /kms への経路がありません.*SSMInstanceRole に kms:Decrypt の権限がありません。そのためセッションのハンドシェイクが失敗します$/,
    commands: [
      new RegExp(
        `^aws ec2 create-vpc-endpoint --vpc-id ${IDS.vpc} --vpc-endpoint-type Interface --service-name com\\.amazonaws\\.ap-northeast-1\\.kms --subnet-ids ${IDS.subnet} --security-group-ids ${IDS.endpointSg} --private-dns-enabled ${R}$`,
      ),
      new RegExp(
        `^aws iam put-role-policy --role-name SSMInstanceRole --policy-name SessionManagerPreferences --policy-document '.*"kms:Decrypt","Resource":"${KEY}".*' ${R}$`,
      ),
    ],
    verify: (r) => {
      // The endpoints' group comes from the shared builder, as in vpc-endpoints' fix: one reuse step, printed once in a plan.
      expect(r.fix!.steps.map((s) => s.key)).toEqual([
        `endpoint-sg-reuse:${IDS.endpointSg}`,
        'endpoint-create:kms',
        'iam-prefs-policy:SSMInstanceRole',
      ]);
      expect(r.fix!.steps[2]?.text.ja).toMatch(/「IAM」→「ロール」→「SSMInstanceRole」→「許可を追加」→「インラインポリシーを作成」/);
    },
  },
  {
    name: 'KMS on with a kms endpoint and kms:Decrypt allowed passes, noting the key policy',
    facts: factsWith((f) => {
      prefs({ kmsKeyId: KEY })(f);
      kmsEndpoint(f);
      allowInline(f, ['kms:Decrypt'], KEY);
    }),
    status: 'pass',
    message: new RegExp(
      `: kms through ${KMS_VPCE} \\(private DNS\\); SSMInstanceRole allows kms:Decrypt \\(the role's documents\\); the key policy must also let the role use the key \\(not checked\\)$`,
    ),
    messageJa: /キーポリシーでも/,
  },
  {
    name: 'the same with the key read: the note points at session-kms-key, which judges the key policy',
    facts: factsWith((f) => {
      prefs({ kmsKeyId: KEY })(f);
      kmsEndpoint(f);
      allowInline(f, ['kms:Decrypt'], KEY);
      f.sessionKey = { kmsKeyId: KEY, key: denied('kms:DescribeKey'), policy: denied('kms:GetKeyPolicy') };
    }),
    status: 'pass',
    message: /SSMInstanceRole allows kms:Decrypt \(the role's documents\); the key and its key policy: see session-kms-key$/,
  },
  {
    name: 'a kms endpoint whose security group does not admit the instance fails with the ingress rule',
    facts: factsWith((f) => {
      prefs({ kmsKeyId: KEY })(f);
      kmsEndpoint(f, { groupIds: [IDS.defaultSg] });
      allowInline(f, ['kms:Decrypt']);
    }),
    status: 'fail',
    message: new RegExp(
      `the kms endpoint ${KMS_VPCE} does not admit HTTPS from i-0123456789abcdef0 \\(security groups ${IDS.defaultSg}\\)`,
    ),
    commands: [
      new RegExp(
        `^aws ec2 authorize-security-group-ingress --group-id ${IDS.defaultSg} --protocol tcp --port 443 --source-group ${IDS.instanceSg} ${R}$`,
      ),
    ],
  },
  {
    name: "a kms endpoint whose group admits HTTPS from a prefix list holding the instance's address reaches it",
    facts: factsWith((f) => {
      prefs({ kmsKeyId: KEY })(f);
      kmsEndpoint(f, { groupIds: [IDS.defaultSg] });
      admitHttpsOnDefaultSg(f, { prefixListIds: ['pl-0corp000000000001'] });
      f.prefixLists = { 'pl-0corp000000000001': known(['10.0.0.0/16']) };
      allowInline(f, ['kms:Decrypt']);
    }),
    status: 'pass',
    message: new RegExp(`kms through ${KMS_VPCE}`),
  },
  {
    name: "an IPv6-only instance: a kms endpoint group that admits its subnet's IPv6 block reaches it, and an IPv4 range does not",
    facts: factsWith((f) => {
      ipv6Only(f);
      prefs({ kmsKeyId: KEY })(f);
      kmsEndpoint(f, { groupIds: [IDS.defaultSg], subnetIds: [IDS.otherSubnet], ipAddressType: 'dualstack' });
      admitHttpsOnDefaultSg(f, { cidrs: ['10.0.0.0/16'], ipv6Cidrs: [V6.subnet] });
      allowInline(f, ['kms:Decrypt']);
    }),
    status: 'pass',
    message: new RegExp(`kms through ${KMS_VPCE}`),
  },
  {
    name: 'an IPv6-only instance: a kms endpoint group that admits only an IPv4 range does not admit it',
    facts: factsWith((f) => {
      ipv6Only(f);
      prefs({ kmsKeyId: KEY })(f);
      kmsEndpoint(f, { groupIds: [IDS.defaultSg], subnetIds: [IDS.otherSubnet], ipAddressType: 'dualstack' });
      admitHttpsOnDefaultSg(f, { cidrs: ['10.0.0.0/16'] });
      allowInline(f, ['kms:Decrypt']);
    }),
    status: 'fail',
    message: new RegExp(`the kms endpoint ${KMS_VPCE} does not admit HTTPS from i-0123456789abcdef0`),
  },
  {
    name: 'KMS over a NAT gateway, with the simulator allowing kms:Decrypt, passes',
    facts: factsWith((f) => {
      prefs({ kmsKeyId: 'alias/session-key' })(f);
      natPath(f);
      simulated(f, { action: 'kms:Decrypt' });
    }),
    status: 'pass',
    message:
      /kms over the internet \(route table rtb-0private00000001 .*nat-0aaaa00000000001.*\); SSMInstanceRole allows kms:Decrypt \(IAM's policy simulator\)/,
  },
  {
    name: 'an SCP that denies kms:Decrypt fails, saying so',
    facts: factsWith((f) => {
      prefs({ kmsKeyId: KEY })(f);
      kmsEndpoint(f);
      simulated(f, { action: 'kms:Decrypt', decision: 'explicitDeny', allowedByOrganizations: false });
    }),
    status: 'fail',
    message:
      /SSMInstanceRole does not allow kms:Decrypt \(denied: IAM's policy simulator: an organization SCP\), so the session handshake fails$/,
    messageJa: /組織の SCP/,
    commands: [],
    verify: (r) => expect(r.fix!.steps.map((s) => s.key)).toEqual(['iam-prefs-deny:SSMInstanceRole:kms']),
  },
  {
    name: 'S3 logging without encryption and no path is a warning (logs lost, blank screen), fix is a gateway endpoint on the effective route table',
    facts: factsWith((f) => {
      prefs({ s3BucketName: 'session-logs', s3KeyPrefix: 'ssm', s3EncryptionEnabled: false })(f);
      allowInline(f, ['s3:PutObject', 's3:GetEncryptionConfiguration'], ['arn:aws:s3:::session-logs', 'arn:aws:s3:::session-logs/ssm/*']);
    }),
    status: 'warn',
    message:
      /^the Session Manager preferences turn on session logs to S3 bucket session-logs, but i-0123456789abcdef0 has no way to s3: .*, so session logs are lost, and the session may show a blank screen$/,
    messageJa: /セッション画面が空白になることがあります/,
    commands: [
      new RegExp(
        `^aws ec2 create-vpc-endpoint --vpc-id ${IDS.vpc} --vpc-endpoint-type Gateway --service-name com\\.amazonaws\\.ap-northeast-1\\.s3 --route-table-ids ${IDS.privateRt} ${R}$`,
      ),
    ],
  },
  {
    name: 'S3 logging with encryption enforced and no path fails',
    facts: factsWith((f) => {
      prefs({ s3BucketName: 'session-logs', s3EncryptionEnabled: true })(f);
      allowInline(f, ['s3:*']);
    }),
    status: 'fail',
    message:
      /S3 bucket session-logs \(encrypted buckets only\), but .*, so sessions fail: the agent cannot validate the bucket's encryption$/,
  },
  {
    name: 'an S3 gateway endpoint on the subnet route table and the permissions pass',
    facts: factsWith((f) => {
      prefs({ s3BucketName: 'session-logs', s3EncryptionEnabled: true })(f);
      endpoint(f, {
        endpointId: 'vpce-0s3gw0000000001',
        serviceName: `com.amazonaws.${IDS.region}.s3`,
        type: 'Gateway',
        subnetIds: [],
        groupIds: [],
        privateDnsEnabled: false,
        routeTableIds: [IDS.privateRt],
      });
      allowInline(f, ['s3:PutObject', 's3:GetEncryptionConfiguration'], ['arn:aws:s3:::session-logs', 'arn:aws:s3:::session-logs/*']);
    }),
    status: 'pass',
    message:
      /s3 through gateway endpoint vpce-0s3gw0000000001 on rtb-0private00000001; SSMInstanceRole allows s3:PutObject, s3:GetEncryptionConfiguration/,
  },
  {
    name: 'an S3 gateway endpoint on another route table is no path',
    facts: factsWith((f) => {
      prefs({ s3BucketName: 'session-logs', s3EncryptionEnabled: true })(f);
      endpoint(f, {
        endpointId: 'vpce-0s3gw0000000001',
        serviceName: `com.amazonaws.${IDS.region}.s3`,
        type: 'Gateway',
        subnetIds: [],
        groupIds: [],
        privateDnsEnabled: false,
        routeTableIds: [IDS.publicRt],
      });
      allowInline(f, ['s3:*']);
    }),
    status: 'fail',
    message: /has no way to s3/,
  },
  {
    name: 'CloudWatch Logs with encryption enforced and a role without logs permissions fails with the four actions',
    facts: factsWith((f) => {
      prefs({ cloudWatchLogGroupName: '/ssm/sessions', cloudWatchEncryptionEnabled: true })(f);
      endpoint(f, { endpointId: 'vpce-0logs00000000001', serviceName: `com.amazonaws.${IDS.region}.logs` });
    }),
    status: 'fail',
    message:
      /\(encrypted log groups only\), but SSMInstanceRole does not allow logs:CreateLogStream, logs:PutLogEvents, logs:DescribeLogGroups, logs:DescribeLogStreams, so sessions fail/,
    verify: (r) => {
      const cmd = r.fix!.commands.at(-1)!;
      const doc = JSON.parse(/--policy-document '(.*)' --region/.exec(cmd)![1]!);
      expect(doc.Statement).toEqual([
        {
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
          Resource: `arn:aws:logs:${IDS.region}:${IDS.account}:log-group:/ssm/sessions:*`,
        },
        { Effect: 'Allow', Action: 'logs:DescribeLogGroups', Resource: '*' },
      ]);
    },
  },
  {
    name: 'CloudWatch Logs through AmazonEC2RoleforSSM (which grants logs) and the endpoint passes',
    facts: factsWith((f) => {
      prefs({ cloudWatchLogGroupName: '/ssm/sessions' })(f);
      endpoint(f, { endpointId: 'vpce-0logs00000000001', serviceName: `com.amazonaws.${IDS.region}.logs` });
      f.roles[IDS.role]!.attachedPolicies = known([
        { policyName: 'AmazonEC2RoleforSSM', policyArn: 'arn:aws:iam::aws:policy/service-role/AmazonEC2RoleforSSM' },
      ]);
    }),
    status: 'pass',
    message: new RegExp(`SSMInstanceRole allows ${LOGS.join(', ')}`),
  },
  {
    name: 'centralised endpoints through a private hosted zone count as a path',
    facts: factsWith((f) => {
      prefs({ kmsKeyId: KEY })(f);
      vpcOf(f).hostedZones = known([{ name: `kms.${IDS.region}.amazonaws.com.`, hostedZoneId: 'Z0KMS', owningAccount: '111122223333' }]);
      allowInline(f, ['kms:Decrypt']);
    }),
    status: 'pass',
    message: /kms through centralised endpoints \(private hosted zone kms\.ap-northeast-1\.amazonaws\.com\. \(Z0KMS\)\)/,
  },
  {
    name: 'a route to a transit gateway cannot be verified: a warning even for KMS, with the endpoint to create',
    facts: factsWith((f) => {
      prefs({ kmsKeyId: KEY })(f);
      const v = vpcOf(f);
      if (v.routeTables.known)
        v.routeTables.value
          .find((rt) => rt.routeTableId === IDS.privateRt)!
          .routes.push({ destination: '0.0.0.0/0', target: 'tgw-0aaaa00000000001', state: 'active' });
      allowInline(f, ['kms:Decrypt']);
    }),
    status: 'warn',
    message:
      /i-0123456789abcdef0 may reach kms another way, which cannot be verified from here \(.*tgw-0aaaa00000000001.*\); if this blocks it, the session handshake fails$/,
    commands: [/^aws ec2 create-vpc-endpoint .*--service-name com\.amazonaws\.ap-northeast-1\.kms /],
  },
  {
    name: 'a kms:Decrypt allowed only under a condition the tool cannot evaluate is a warning',
    facts: factsWith((f) => {
      prefs({ kmsKeyId: KEY })(f);
      kmsEndpoint(f);
      f.roles[IDS.role]!.inlinePolicies = known([
        {
          policyName: 'kms-vpce',
          document: {
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'aws:SourceVpce': KMS_VPCE } } },
            ],
          },
        },
      ]);
    }),
    status: 'warn',
    message: /SSMInstanceRole does not allow kms:Decrypt \(conditional: the role's documents: inline policy kms-vpce\)/,
    verify: (r) => expect(r.fix!.steps.map((s) => s.key)).toEqual(['iam-prefs-deny:SSMInstanceRole:kms']),
  },
  {
    name: 'a permissions boundary that leaves out kms:Decrypt fails from the documents too (one IAM decision model)',
    facts: factsWith((f) => {
      prefs({ kmsKeyId: KEY })(f);
      kmsEndpoint(f);
      allowInline(f, ['kms:Decrypt'], KEY);
      const r = f.roles[IDS.role]!;
      if (r.role?.known) r.role.value.permissionsBoundaryArn = `arn:aws:iam::${IDS.account}:policy/DevBoundary`;
      r.permissionsBoundary = known({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ssm:*', Resource: '*' }] });
    }),
    status: 'fail',
    message:
      /SSMInstanceRole does not allow kms:Decrypt \(denied: the role's documents: permissions boundary DevBoundary\), so the session handshake fails$/,
    verify: (r) => expect(r.fix!.steps.map((s) => s.key)).toEqual(['iam-prefs-deny:SSMInstanceRole:kms']),
  },
  {
    name: 'a denied GetDocument is unknown naming the call',
    facts: factsWith((f) => void (f.sessionPreferences = denied('ssm:GetDocument', 'AccessDeniedException'))),
    status: 'unknown',
    message: /^ssm:GetDocument was denied \(AccessDeniedException\)/,
  },
  {
    name: 'facts without the preferences (an older facts file) are unknown',
    facts: factsWith((f) => void delete f.sessionPreferences),
    status: 'unknown',
    message: /^ssm:GetDocument was not read: these facts come from an older version/,
  },
  {
    name: 'a path that is fine but permissions that cannot be read is unknown, not a pass',
    facts: factsWith((f) => {
      prefs({ kmsKeyId: KEY })(f);
      kmsEndpoint(f);
      f.roles[IDS.role]!.attachedPolicies = denied('iam:ListAttachedRolePolicies');
    }),
    status: 'unknown',
    message: /iam:ListAttachedRolePolicies was denied/,
  },
  {
    name: 'skips when the instance is gone',
    facts: factsWith((f) => {
      prefs({ kmsKeyId: KEY })(f);
      f.instances[IDS.instance] = known({ ...instanceOf(f), state: 'terminated', vpcId: undefined, subnetId: undefined });
    }),
    status: 'skip',
  },
]);
