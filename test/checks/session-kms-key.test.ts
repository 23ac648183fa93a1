import { checkCases } from '../helpers/check-tester';
import { IDS, denied, factsWith, instanceOf } from '../helpers/facts';
import { known, type Facts, type KmsKey } from '../../src/facts/schema';

const R = `--region ${IDS.region}`;
const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const KEY = `arn:aws:kms:${IDS.region}:${IDS.account}:key/${KEY_ID}`;
const ROOT = `arn:aws:iam::${IDS.account}:root`;

/** The default key policy: the account's IAM policies decide. */
const delegating = (more: object[] = []) => ({
  Version: '2012-10-17',
  Id: 'key-default-1',
  Statement: [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' }, ...more],
});
/** A key policy that names only an administrator role. */
const adminOnly = {
  Version: '2012-10-17',
  Statement: [{ Sid: 'KeyAdmins', Effect: 'Allow', Principal: { AWS: IDS.callerPrincipal }, Action: 'kms:*', Resource: '*' }],
};

function keyed(opts: { kmsKeyId?: string; key?: Partial<KmsKey> | null; policy?: unknown; read?: boolean } = {}) {
  const kmsKeyId = opts.kmsKeyId ?? KEY;
  return (f: Facts) => {
    f.sessionPreferences = known({ documentName: 'SSM-SessionManagerRunShell', kmsKeyId });
    if (opts.read === false) return;
    const key: KmsKey | null =
      opts.key === null
        ? null
        : { keyId: KEY_ID, arn: KEY, keyState: 'Enabled', keyManager: 'CUSTOMER', keySpec: 'SYMMETRIC_DEFAULT', ...opts.key };
    f.sessionKey = { kmsKeyId, key: known(key), policy: known(opts.policy ?? delegating()) };
  };
}

checkCases('session-kms-key', [
  {
    name: 'an enabled key whose policy delegates to the account passes, leaving IAM to session-preferences',
    facts: factsWith(keyed()),
    status: 'pass',
    message: new RegExp(
      `with the KMS key ${KEY}: ${KEY} is Enabled; its key policy lets IAM decide for account ${IDS.account} \\(statement Enable IAM User Permissions\\)`,
    ),
    messageJa: /は有効 \(Enabled\) です。キーポリシーはアカウント 123456789012 の判断を IAM に委ねています/,
  },
  {
    name: 'a key policy that names the role passes (IAM is then not needed)',
    facts: factsWith(
      keyed({
        policy: {
          Statement: [
            ...adminOnly.Statement,
            { Sid: 'Agent', Effect: 'Allow', Principal: { AWS: [IDS.roleArn] }, Action: ['kms:Decrypt'], Resource: '*' },
          ],
        },
      }),
    ),
    status: 'pass',
    message: new RegExp(`its key policy allows ${IDS.roleArn} kms:Decrypt \\(statement Agent\\)`),
  },
  {
    name: 'an alias resolved to its key is judged like the key',
    facts: factsWith(keyed({ kmsKeyId: 'alias/session' })),
    status: 'pass',
    message: new RegExp(`with the KMS key alias/session: ${KEY} is Enabled`),
  },
  {
    name: 'a disabled key fails with enable-key on its id',
    facts: factsWith(keyed({ key: { keyState: 'Disabled' } })),
    status: 'fail',
    message: new RegExp(`${KEY} is disabled, so sessions cannot open; its key policy lets IAM decide`),
    messageJa: /無効 \(Disabled\) のため、セッションを開始できません/,
    commands: [new RegExp(`^aws kms enable-key --key-id ${KEY_ID} ${R}$`)],
    verify: (r) => {
      expect(r.fix!.steps[0]!.text.en).toBe(`Key Management Service → Customer managed keys → ${KEY_ID} → Key actions → Enable`);
      expect(r.fix!.steps[0]!.text.ja).toContain('「キーのアクション」→「有効化」');
    },
  },
  {
    name: 'a key pending deletion fails with cancel-key-deletion, then enable-key',
    facts: factsWith(keyed({ key: { keyState: 'PendingDeletion', deletionDate: '2026-12-11T00:00:00.000Z' } })),
    status: 'fail',
    message: /is pending deletion \(on 2026-12-11T00:00:00\.000Z\), so sessions cannot open/,
    commands: [
      new RegExp(`^aws kms cancel-key-deletion --key-id ${KEY_ID} ${R}$`),
      new RegExp(`^aws kms enable-key --key-id ${KEY_ID} ${R}$`),
    ],
    verify: (r) => expect(r.fix!.steps[0]!.text.en).toContain('Cancel key deletion, then Key actions → Enable'),
  },
  {
    name: 'a replica key pending deletion, its date not given, fails the same way',
    facts: factsWith(keyed({ key: { keyState: 'PendingReplicaDeletion' } })),
    status: 'fail',
    message: new RegExp(`${KEY} is pending deletion, so sessions cannot open`),
    messageJa: /削除待ち \(PendingDeletion\) のため/,
  },
  {
    name: 'a key waiting for its key material fails with the import step',
    facts: factsWith(keyed({ key: { keyState: 'PendingImport' } })),
    status: 'fail',
    message: /waiting for its key material \(PendingImport\)/,
    commands: [],
    verify: (r) => expect(r.fix!.steps[0]!.text.en).toContain('Key material → Import key material'),
  },
  {
    name: 'a key in a disconnected custom key store fails with the connect step',
    facts: factsWith(keyed({ key: { keyState: 'Unavailable' } })),
    status: 'fail',
    message: /unavailable \(its custom key store is disconnected\)/,
    verify: (r) => expect(r.fix!.steps[0]!.text.en).toMatch(/^Key Management Service → Custom key stores: select the custom key store/),
  },
  {
    name: 'an asymmetric key fails: Session Manager encrypts with a symmetric key',
    facts: factsWith(keyed({ key: { keySpec: 'RSA_2048' } })),
    status: 'fail',
    message: /is a RSA_2048 key, and Session Manager encrypts only with a symmetric key/,
    verify: (r) => expect(r.fix!.steps[0]!.text.en).toMatch(/^Systems Manager → Session Manager → Preferences → Edit → KMS encryption/),
  },
  {
    name: 'a key that does not exist fails, pointing at the preferences',
    facts: factsWith(keyed({ key: null })),
    status: 'fail',
    message: new RegExp(`with the KMS key ${KEY}: it does not exist in ${IDS.region}, so sessions cannot open`),
  },
  {
    name: 'a key policy that names neither the role nor the account fails with the statement to add, as put-key-policy',
    facts: factsWith(keyed({ policy: adminOnly })),
    status: 'fail',
    message: new RegExp(`its key policy neither names ${IDS.roleArn} nor lets IAM decide for account ${IDS.account}`),
    commands: [
      new RegExp(
        `^aws kms put-key-policy --key-id ${KEY_ID} --policy-name default --policy '\\{"Version":"2012-10-17","Statement":\\[\\{"Sid":"KeyAdmins".*\\},\\{"Sid":"AllowSessionManagerInstanceRole","Effect":"Allow","Principal":\\{"AWS":"${IDS.roleArn}"\\},"Action":"kms:Decrypt","Resource":"\\*"\\}\\]\\}' ${R}$`,
      ),
    ],
    verify: (r) =>
      expect(r.fix!.steps[0]!.text.en).toContain(
        `${KEY_ID} → Key policy → Edit: add the statement {"Sid":"AllowSessionManagerInstanceRole"`,
      ),
  },
  {
    name: "another account's root in the key policy is not this account's delegation",
    facts: factsWith(
      keyed({ policy: { Statement: [{ Effect: 'Allow', Principal: { AWS: '111122223333' }, Action: 'kms:*', Resource: '*' }] } }),
    ),
    status: 'fail',
    message: /neither names/,
  },
  {
    name: 'an AWS managed key whose policy leaves the role out fails, pointing at a customer managed key',
    facts: factsWith(keyed({ key: { keyManager: 'AWS' }, policy: adminOnly })),
    status: 'fail',
    commands: [],
    verify: (r) => expect(r.fix!.steps[0]!.text.en).toContain('is an AWS managed key, whose key policy cannot be changed'),
  },
  {
    name: 'an explicit Deny for the role in the key policy fails, naming the statement',
    facts: factsWith(
      keyed({
        policy: delegating([{ Sid: 'NoInstances', Effect: 'Deny', Principal: { AWS: IDS.roleArn }, Action: 'kms:Decrypt', Resource: '*' }]),
      }),
    ),
    status: 'fail',
    message: new RegExp(`its key policy denies ${IDS.roleArn} kms:Decrypt \\(statement NoInstances\\), so sessions cannot open`),
    verify: (r) => expect(r.fix!.steps[0]!.text.en).toContain('Key policy → Edit: remove statement NoInstances'),
  },
  {
    name: 'a Deny for everyone but the administrator (NotPrincipal) denies the role too',
    facts: factsWith(
      keyed({ policy: delegating([{ Effect: 'Deny', NotPrincipal: { AWS: IDS.callerPrincipal }, Action: 'kms:*', Resource: '*' }]) }),
    ),
    status: 'fail',
    message: /denies .* kms:Decrypt \(statement #2\)/,
  },
  {
    name: 'a Deny on another principal, or on an action the agent does not ask, does not touch the role',
    facts: factsWith(
      keyed({
        policy: delegating([
          { Effect: 'Deny', Principal: { AWS: IDS.callerPrincipal }, Action: 'kms:Decrypt', Resource: '*' },
          { Effect: 'Deny', Principal: '*', Action: 'kms:ScheduleKeyDeletion', Resource: '*' },
        ]),
      }),
    ),
    status: 'pass',
  },
  {
    name: 'a condition the tool cannot evaluate warns, naming the statement',
    facts: factsWith(
      keyed({
        policy: {
          Statement: [
            ...adminOnly.Statement,
            {
              Sid: 'ViaSsm',
              Effect: 'Allow',
              Principal: { AWS: '*' },
              Action: 'kms:Decrypt',
              Resource: '*',
              Condition: { StringEquals: { 'kms:ViaService': `ssm.${IDS.region}.amazonaws.com` } },
            },
          ],
        },
      }),
    ),
    status: 'warn',
    message: /only under a condition \(statement ViaSsm\)/,
  },
  {
    name: 'a kms:CallerAccount condition on the account is evaluated (passes)',
    facts: factsWith(
      keyed({
        policy: {
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: '*' },
              Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
              Resource: '*',
              Condition: { StringEquals: { 'kms:CallerAccount': IDS.account } },
            },
          ],
        },
      }),
    ),
    status: 'pass',
    message: /allows .* kms:Decrypt \(statement #1\)/,
  },
  {
    name: 'a disabled key fails even when its policy could not be read',
    facts: factsWith((f) => {
      keyed({ key: { keyState: 'Disabled' } })(f);
      f.sessionKey!.policy = denied('kms:GetKeyPolicy');
    }),
    status: 'fail',
    message: /is disabled/,
  },
  {
    name: 'DescribeKey denied: unknown, naming the call',
    facts: factsWith((f) => {
      keyed()(f);
      f.sessionKey!.key = denied('kms:DescribeKey');
    }),
    status: 'unknown',
    message: /kms:DescribeKey was denied/,
  },
  {
    name: 'GetKeyPolicy denied on an enabled key: unknown, naming the call',
    facts: factsWith((f) => {
      keyed()(f);
      f.sessionKey!.policy = denied('kms:GetKeyPolicy');
    }),
    status: 'unknown',
    message: /kms:GetKeyPolicy was denied/,
  },
  {
    name: 'a key policy the evaluator cannot read: unknown, naming kms:GetKeyPolicy (never a guess)',
    facts: factsWith(keyed({ policy: { Statement: [{ Effect: 'Perhaps', Principal: '*', Action: 'kms:*', Resource: '*' }] } })),
    status: 'unknown',
    message: /kms:GetKeyPolicy/,
  },
  {
    name: 'an instance without a role: the key is judged, the policy is left to iam-instance-profile',
    facts: factsWith((f) => {
      keyed({ policy: adminOnly })(f);
      instanceOf(f).instanceProfileArn = null;
    }),
    status: 'pass',
    message: /is Enabled; the instance has no role to check against the key policy/,
  },
  {
    name: 'preferences without KMS encryption: skip',
    facts: factsWith((f) => void (f.sessionPreferences = known({ documentName: 'SSM-SessionManagerRunShell', s3BucketName: 'logs' }))),
    status: 'skip',
    message: /do not turn on KMS encryption/,
  },
  {
    name: 'preferences never saved: skip',
    facts: factsWith(() => {}),
    status: 'skip',
    message: /never saved in ap-northeast-1/,
  },
  {
    name: 'facts saved before the key was read: skip, saying so (not UNKNOWN for every old file)',
    facts: factsWith(keyed({ read: false })),
    status: 'skip',
    message: new RegExp(`the KMS key ${KEY} was not read \\(facts saved by an earlier version of ssm-doctor\\)`),
  },
  {
    name: 'preferences not readable: unknown, naming the call',
    facts: factsWith((f) => void (f.sessionPreferences = denied('ssm:GetDocument'))),
    status: 'unknown',
    message: /ssm:GetDocument was denied/,
  },
]);
