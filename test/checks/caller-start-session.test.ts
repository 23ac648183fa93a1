import { checkCases } from '../helpers/check-tester';
import { IDS, denied, factsWith } from '../helpers/facts';
import { known, type Facts, type SimulationResult } from '../../src/facts/schema';
import { at } from '../helpers/only';

const R = `--region ${IDS.region}`;
const INSTANCE_ARN = `arn:aws:ec2:${IDS.region}:${IDS.account}:instance/${IDS.instance}`;
const DOC_ARN = `arn:aws:ssm:${IDS.region}:${IDS.account}:document/SSM-SessionManagerRunShell`;
const KEY = `arn:aws:kms:${IDS.region}:${IDS.account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
/** Patches the simulated result on the resource that contains `on`. */
const sim = (on: string, patch: Partial<SimulationResult>) => (f: Facts) => {
  if (f.callerSimulation?.known)
    Object.assign(
      f.callerSimulation.value.find((r) => r.resource?.includes(on))!,
      patch,
    );
};
const addSim = (r: Partial<SimulationResult>) => (f: Facts) => {
  if (f.callerSimulation?.known)
    f.callerSimulation.value.push({
      action: '',
      resource: '*',
      decision: 'allowed',
      matchedStatements: [],
      missingContextValues: [],
      ...r,
    });
};
const caller = (arn: string, principalArn?: string) => (f: Facts) =>
  void (f.caller = known({ arn, accountId: IDS.account, ...(principalArn ? { principalArn } : {}) }));
const kmsOn = (f: Facts) => void (f.sessionPreferences = known({ documentName: 'SSM-SessionManagerRunShell', kmsKeyId: KEY }));
const ROOT_STATEMENT = { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${IDS.account}:root` }, Action: 'kms:*', Resource: '*' };
const keyPolicy = (statements: object[]) => (f: Facts) =>
  void (f.sessionKey = {
    kmsKeyId: KEY,
    key: known({ keyId: '1234abcd-12ab-34cd-56ef-1234567890ab', arn: KEY, keyState: 'Enabled', keyManager: 'CUSTOMER' }),
    policy: known({ Version: '2012-10-17', Statement: statements }),
  });
const policyDoc = (cmd: string) => JSON.parse(/--policy-document '(.*)' --region/.exec(cmd)![1]!);
const both = (...patches: ((f: Facts) => void)[]) => factsWith((f) => patches.forEach((p) => p(f)));

checkCases('caller-start-session', [
  {
    name: 'allowed on the instance and the document, plugin installed: pass',
    facts: factsWith(() => {}),
    status: 'pass',
    message:
      /^IAM's policy simulator allows arn:aws:sts::123456789012:assumed-role\/Admin\/alice ssm:StartSession on i-0123456789abcdef0, ssm:StartSession on the document SSM-SessionManagerRunShell \(matched: AdministratorAccess\); session-manager-plugin is at \/usr\/local\/bin\/session-manager-plugin$/,
    messageJa: /IAM のポリシーシミュレーターは .* を許可しています/,
  },
  {
    name: 'StartSession not allowed on the instance: warn with an inline policy for the caller role',
    facts: factsWith(sim(':instance/', { decision: 'implicitDeny', matchedStatements: [] })),
    status: 'warn',
    message:
      /^arn:aws:sts::123456789012:assumed-role\/Admin\/alice may not do ssm:StartSession on i-0123456789abcdef0 \(no policy allows it\)$/,
    messageJa: /i-0123456789abcdef0 への ssm:StartSession \(許可するポリシーなし\) の権限がありません/,
    commands: [
      new RegExp(`^aws iam put-role-policy --role-name Admin --policy-name ssm-start-session-${IDS.instance} --policy-document '.*' ${R}$`),
    ],
    verify: (r) => {
      expect(policyDoc(at(r.fix!.commands, 0)).Statement).toEqual([
        { Effect: 'Allow', Action: 'ssm:StartSession', Resource: [INSTANCE_ARN, DOC_ARN] },
      ]);
      expect(r.fix!.steps[0]?.text.ja).toMatch(/^「IAM」→「ロール」→「Admin」→「許可を追加」→「インラインポリシーを作成」/);
    },
  },
  {
    name: 'an IAM user denied on the document by an explicit Deny gets put-user-policy',
    facts: both(caller(`arn:aws:iam::${IDS.account}:user/dev/alice`), sim(':document/', { decision: 'explicitDeny' })),
    status: 'warn',
    message: /may not do ssm:StartSession on the document SSM-SessionManagerRunShell \(explicitly denied\)/,
    commands: [new RegExp(`^aws iam put-user-policy --user-name alice --policy-name ssm-start-session-${IDS.instance} `)],
  },
  {
    name: 'an IAM Identity Center role: ask the administrator to change the permission set, no command',
    facts: both(
      caller(
        `arn:aws:sts::${IDS.account}:assumed-role/AWSReservedSSO_Developers_0123456789abcdef/alice`,
        `arn:aws:iam::${IDS.account}:role/aws-reserved/sso.amazonaws.com/ap-northeast-1/AWSReservedSSO_Developers_0123456789abcdef`,
      ),
      sim(':instance/', { decision: 'implicitDeny' }),
    ),
    status: 'warn',
    commands: [],
    verify: (r) => {
      expect(r.fix!.steps[0]?.text.en).toMatch(
        /IAM Identity Center \(permission set Developers\).*IAM Identity Center → Permission sets → Developers → Inline policy/,
      );
      expect(r.fix!.steps[0]?.text.ja).toMatch(/「IAM Identity Center」→「許可セット」→「Developers」/);
    },
  },
  {
    name: 'several instances in one run: only the result on this instance counts',
    facts: factsWith(
      addSim({
        action: 'ssm:StartSession',
        resource: `arn:aws:ec2:${IDS.region}:${IDS.account}:instance/i-0fedcba9876543210`,
        decision: 'implicitDeny',
      }),
    ),
    status: 'pass',
  },
  {
    name: 'an SCP deny is named as such',
    facts: factsWith(sim(':instance/', { decision: 'explicitDeny', allowedByOrganizations: false })),
    status: 'warn',
    message: /\(denied by an organization SCP\)/,
  },
  {
    name: 'the plugin missing from PATH: warn with the install step',
    facts: factsWith((f) => void (f.client = { sessionManagerPlugin: { found: false } })),
    status: 'warn',
    message: /^session-manager-plugin is not on PATH, so `aws ssm start-session` cannot open the session \(the console can\)$/,
    messageJa: /session-manager-plugin が PATH にない/,
    commands: [],
    verify: (r) => expect(r.fix!.steps[0]?.text.en).toMatch(/"Install the Session Manager plugin for the AWS CLI"/),
  },
  {
    name: 'KMS encryption on and kms:GenerateDataKey denied: warn, the policy includes the key',
    facts: both(kmsOn, addSim({ action: 'kms:GenerateDataKey', resource: KEY, decision: 'implicitDeny' })),
    status: 'warn',
    message: new RegExp(`may not do kms:GenerateDataKey on ${KEY} \\(no policy allows it\\)`),
    verify: (r) =>
      expect(policyDoc(at(r.fix!.commands, 0)).Statement).toEqual([
        { Effect: 'Allow', Action: 'ssm:StartSession', Resource: [INSTANCE_ARN, DOC_ARN] },
        { Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: KEY },
      ]),
  },
  {
    name: 'KMS encryption on, IAM allows kms:GenerateDataKey, and the key policy delegates to the account: pass',
    facts: both(kmsOn, keyPolicy([ROOT_STATEMENT]), addSim({ action: 'kms:GenerateDataKey', resource: KEY })),
    status: 'pass',
    message: new RegExp(`kms:GenerateDataKey on ${KEY}`),
  },
  {
    name: 'KMS encryption on, IAM allows kms:GenerateDataKey, but the key policy leaves the caller out: warn with the statement to add (no command)',
    facts: both(kmsOn, keyPolicy([]), addSim({ action: 'kms:GenerateDataKey', resource: KEY })),
    status: 'warn',
    message: new RegExp(
      `^the key policy of ${KEY} neither names ${IDS.callerPrincipal} nor lets IAM decide for account ${IDS.account}, so kms:GenerateDataKey is denied whatever IAM allows$`,
    ),
    messageJa: /キーポリシーは .* を指定しておらず/,
    commands: [],
    verify: (r) =>
      expect(r.fix!.steps[0]!.text.en).toContain(
        `Key policy → Edit: add the statement {"Sid":"AllowSessionManagerUser","Effect":"Allow","Principal":{"AWS":"${IDS.callerPrincipal}"},"Action":"kms:GenerateDataKey","Resource":"*"}`,
      ),
  },
  {
    name: 'a Deny for the caller in the key policy: warn naming the statement',
    facts: both(
      kmsOn,
      keyPolicy([
        ROOT_STATEMENT,
        { Sid: 'NoHumans', Effect: 'Deny', Principal: { AWS: IDS.callerPrincipal }, Action: 'kms:GenerateDataKey*', Resource: '*' },
      ]),
      addSim({ action: 'kms:GenerateDataKey', resource: KEY }),
    ),
    status: 'warn',
    message: /denies arn:aws:iam::123456789012:role\/Admin kms:GenerateDataKey \(statement NoHumans\)/,
  },
  {
    name: 'KMS encryption on but kms:GenerateDataKey not simulated: unknown',
    facts: factsWith(kmsOn),
    status: 'unknown',
    message: /^iam:SimulatePrincipalPolicy failed \(NotCollected: no simulated result for kms:GenerateDataKey\)$/,
  },
  {
    name: 'a decision that needs missing context values is a warning to verify',
    facts: factsWith(sim(':instance/', { decision: 'implicitDeny', missingContextValues: ['ssm:resourceTag/Team'] })),
    status: 'warn',
    message: /without the context values ssm:resourceTag\/Team: conditional, verify$/,
  },
  {
    name: 'root passes with a note',
    facts: factsWith(caller(`arn:aws:iam::${IDS.account}:root`)),
    status: 'pass',
    message: /is the account's root user, which may do anything.*use an IAM user or role instead of root/,
    messageJa: /ルートユーザー/,
  },
  {
    name: 'facts from a file without the client part pass with the plugin unchecked',
    facts: factsWith((f) => void delete f.client),
    status: 'pass',
    message: /whether session-manager-plugin is installed was not checked/,
  },
  {
    name: 'a denied simulation is unknown naming the call',
    facts: factsWith((f) => void (f.callerSimulation = denied('iam:SimulatePrincipalPolicy'))),
    status: 'unknown',
    message: /^iam:SimulatePrincipalPolicy was denied \(AccessDenied\)/,
  },
  {
    name: 'an unknown caller is unknown naming sts:GetCallerIdentity',
    facts: factsWith((f) => void (f.caller = denied('sts:GetCallerIdentity'))),
    status: 'unknown',
    message: /^sts:GetCallerIdentity was denied/,
  },
  {
    name: 'a denied StartSession still warns when the preferences are unknown',
    facts: both((f) => void (f.sessionPreferences = denied('ssm:GetDocument')), sim(':instance/', { decision: 'implicitDeny' })),
    status: 'warn',
  },
  {
    name: 'everything allowed but the preferences unknown: unknown (KMS may be on)',
    facts: factsWith((f) => void (f.sessionPreferences = denied('ssm:GetDocument'))),
    status: 'unknown',
    message: /^ssm:GetDocument was denied/,
  },
]);
