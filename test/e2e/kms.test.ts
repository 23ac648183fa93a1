import * as IAM from '@aws-sdk/client-iam';
import * as KMS from '@aws-sdk/client-kms';
import { check, parseReport, statuses } from './helpers/cli';
import { commandsOf, diagnose, HEALTHY } from './helpers/expect';
import { ACCOUNT } from './helpers/aws-stub';
import { REGION, type World } from './helpers/scenarios';
import { useE2E } from './helpers/suite';

// The KMS key that encrypts sessions, built in moto: its state and its key policy, judged through
// the built CLI. The instance reaches Systems Manager through its endpoints and kms through a NAT
// gateway, and its role may kms:Decrypt, so session-preferences passes and session-kms-key alone
// speaks about the key.

const e2e = useE2E();
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };

async function withKms<T>(f: (kms: KMS.KMSClient) => Promise<T>): Promise<T> {
  const kms = new KMS.KMSClient({ region: REGION, endpoint: e2e.moto.url, credentials });
  try {
    return await f(kms);
  } finally {
    kms.destroy();
  }
}

/** A world whose preferences encrypt with a new key of moto's (its default key policy delegates to the account). */
async function keyedWorld(): Promise<{ w: World; keyId: string; arn: string }> {
  const w = await e2e.scenarios.build({ endpoints: {}, nat: true });
  const meta = await withKms(async (kms) => (await kms.send(new KMS.CreateKeyCommand({ Description: 'session encryption' }))).KeyMetadata!);
  const iam = new IAM.IAMClient({ region: 'us-east-1', endpoint: e2e.moto.url, credentials });
  try {
    await iam.send(
      new IAM.PutRolePolicyCommand({
        RoleName: w.role!.roleName,
        PolicyName: 'SessionEncryption',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: meta.Arn }],
        }),
      }),
    );
  } finally {
    iam.destroy();
  }
  e2e.stub.preferences = { kmsKeyId: meta.KeyId };
  return { w, keyId: meta.KeyId!, arn: meta.Arn! };
}

const withKey = (changes: Record<string, string> = {}) => ({
  ...HEALTHY,
  'session-preferences': 'pass',
  'session-kms-key': 'pass',
  ...changes,
});

describe('session-kms-key against moto', () => {
  it('an enabled key whose policy delegates to the account passes (two KMS reads); disabled, it fails with enable-key and exit 2', async () => {
    const { w, keyId, arn } = await keyedWorld();
    const id = w.instance.instanceId;
    const healthy = await diagnose(e2e, [id]);
    expect(statuses(healthy.report, id)).toEqual(withKey());
    expect(check(healthy.report, id, 'session-kms-key').message).toContain(
      `${arn} is Enabled; its key policy lets IAM decide for account ${ACCOUNT}`,
    );
    expect(e2e.stub.countsByOperation()).toMatchObject({ 'kms:DescribeKey': 1, 'kms:GetKeyPolicy': 1 });
    expect(healthy.code).toBe(0);

    await withKms((kms) => kms.send(new KMS.DisableKeyCommand({ KeyId: keyId })));
    const disabled = await diagnose(e2e, [id]);
    expect(statuses(disabled.report, id)).toEqual(withKey({ 'session-kms-key': 'fail' }));
    expect(check(disabled.report, id, 'session-kms-key').message).toContain(`${arn} is disabled, so sessions cannot open`);
    expect(commandsOf(disabled.report, id, 'session-kms-key')).toEqual([`aws kms enable-key --key-id ${keyId} --region ${REGION}`]);
    expect(disabled.code).toBe(2);
  });

  it('a key pending deletion, named by its alias, fails with cancel-key-deletion and enable-key', async () => {
    const { w, keyId } = await keyedWorld();
    await withKms(async (kms) => {
      await kms.send(new KMS.CreateAliasCommand({ AliasName: 'alias/session', TargetKeyId: keyId }));
      await kms.send(new KMS.ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
    });
    e2e.stub.preferences = { kmsKeyId: 'alias/session' };
    const id = w.instance.instanceId;
    const { report, code } = await diagnose(e2e, [id]);
    const c = check(report, id, 'session-kms-key');
    // session-preferences judges an alias's IAM side by kms:ResourceAliases, which the role's policy does not use.
    expect(c.status).toBe('fail');
    expect(c.message).toMatch(/with the KMS key alias\/session: .* is pending deletion/);
    expect(commandsOf(report, id, 'session-kms-key')).toEqual([
      `aws kms cancel-key-deletion --key-id ${keyId} --region ${REGION}`,
      `aws kms enable-key --key-id ${keyId} --region ${REGION}`,
    ]);
    expect(code).toBe(2);
  });

  it('a key policy that names neither the role nor the account fails with put-key-policy; a Deny for the role fails naming it; the caller left out warns, apart', async () => {
    const { w, keyId } = await keyedWorld();
    const id = w.instance.instanceId;
    const admin = { Sid: 'KeyAdmins', Effect: 'Allow', Principal: { AWS: w.caller!.principalArn }, Action: 'kms:*', Resource: '*' };
    const put = (statements: object[]) =>
      withKms((kms) =>
        kms.send(
          new KMS.PutKeyPolicyCommand({
            KeyId: keyId,
            PolicyName: 'default',
            Policy: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
            BypassPolicyLockoutSafetyCheck: true,
          }),
        ),
      );
    await put([admin]);
    const missing = await diagnose(e2e, [id]);
    expect(statuses(missing.report, id)).toEqual(withKey({ 'session-kms-key': 'fail' }));
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/${w.role!.roleName}`;
    expect(check(missing.report, id, 'session-kms-key').message).toContain(`its key policy neither names ${roleArn} nor lets IAM decide`);
    const [command] = commandsOf(missing.report, id, 'session-kms-key');
    expect(command).toMatch(
      new RegExp(`^aws kms put-key-policy --key-id ${keyId} --policy-name default --policy '.*"KeyAdmins".*' --region ${REGION}$`),
    );
    expect(command).toContain(
      `{"Sid":"AllowSessionManagerInstanceRole","Effect":"Allow","Principal":{"AWS":"${roleArn}"},"Action":"kms:Decrypt","Resource":"*"}`,
    );
    expect(missing.code).toBe(2);

    await put([
      admin,
      { Sid: 'Root', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
      { Sid: 'NoInstances', Effect: 'Deny', Principal: { AWS: roleArn }, Action: 'kms:Decrypt', Resource: '*' },
    ]);
    const denied = await diagnose(e2e, [id]);
    expect(check(denied.report, id, 'session-kms-key')).toMatchObject({
      status: 'fail',
      message: expect.stringContaining(`its key policy denies ${roleArn} kms:Decrypt (statement NoInstances)`),
    });

    // A policy naming the role alone: the instance may decrypt, the caller may not generate the data key.
    await put([{ Sid: 'Agent', Effect: 'Allow', Principal: { AWS: roleArn }, Action: 'kms:Decrypt', Resource: '*' }]);
    const callerLeftOut = await diagnose(e2e, [id]);
    expect(statuses(callerLeftOut.report, id)).toEqual(withKey({ 'caller-start-session': 'warn' }));
    expect(check(callerLeftOut.report, id, 'caller-start-session').message).toContain(
      `the key policy of ${keyId} neither names ${w.caller!.principalArn} nor lets IAM decide for account ${ACCOUNT}`,
    );
    expect(callerLeftOut.code).toBe(0);
  });

  it('kms:GetKeyPolicy denied: unknown naming the call (exit 3), not a fail', async () => {
    const { w } = await keyedWorld();
    e2e.stub.denied.add('kms:GetKeyPolicy');
    const id = w.instance.instanceId;
    const r = await e2e.run([id, '-o', 'json']);
    const report = parseReport(r);
    expect(check(report, id, 'session-kms-key')).toMatchObject({ status: 'unknown', message: expect.stringContaining('kms:GetKeyPolicy') });
    expect(r.code).toBe(3);
  });
});
