import * as Org from '@aws-sdk/client-organizations';
import * as STS from '@aws-sdk/client-sts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseReport } from './helpers/cli';
import { REGION } from './helpers/scenarios';
import { useE2E } from './helpers/suite';
import { bareInstance, type MotoCredentials } from './helpers/bare';

// Several accounts in one run: --profile a,b and organisation mode (--org-role), against moto,
// which keeps each account's resources apart by the account of the credentials (an assumed
// role's credentials act in the role's account).

const e2e = useE2E();

const MANAGEMENT = '123456789012';
const ROLE = 'SsmDoctorReadOnly';
const testing = { accessKeyId: 'testing', secretAccessKey: 'testing' };

/** An organisation in the management account with one member account; the member's id. */
async function organisation(): Promise<string> {
  const org = new Org.OrganizationsClient({ region: 'us-east-1', endpoint: e2e.moto.url, credentials: testing });
  try {
    await org.send(new Org.CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    const made = await org.send(new Org.CreateAccountCommand({ AccountName: 'workload', Email: 'workload@example.com' }));
    return made.CreateAccountStatus!.AccountId!;
  } finally {
    org.destroy();
  }
}

/** Credentials of the role in `account`, as moto issues them. */
async function roleIn(account: string): Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken: string }> {
  const sts = new STS.STSClient({ region: REGION, endpoint: e2e.moto.url, credentials: testing });
  try {
    const o = await sts.send(new STS.AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/${ROLE}`, RoleSessionName: 'e2e' }));
    const c = o.Credentials!;
    return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
  } finally {
    sts.destroy();
  }
}

/** A bare instance (no endpoints, no role) in the account of these credentials. */
const bareIn = (credentials: MotoCredentials) => bareInstance(e2e.moto.url, REGION, credentials, 7);

describe('several accounts in one run', () => {
  it('--org-role lists the organisation and reads each account through the role, each instance with its account', async () => {
    const home = await e2e.scenarios.build({});
    const member = await organisation();
    const away = await bareIn(await roleIn(member));

    const r = await e2e.run(['--org-role', ROLE, '--all', '-o', 'json']);
    const report = parseReport(r);
    expect(report.accounts?.sort()).toEqual([MANAGEMENT, member].sort());
    const where = Object.fromEntries(report.instances.map((i) => [i.instanceId, i.account]));
    expect(where).toEqual({ [home.instance.instanceId]: MANAGEMENT, [away]: member });
    // The member's bare instance has no way to Systems Manager: the run is CRITICAL because of it.
    expect(report.instances.find((i) => i.instanceId === away)?.status).toBe('critical');
    expect(r.code).toBe(2);
    expect(report.unread).toBeUndefined();

    const table = await e2e.run(['--org-role', ROLE, '--all']);
    expect(table.stdout).toMatch(new RegExp(`${away}\\s+│\\s+${member}`));

    const only = parseReport(await e2e.run(['--org-role', ROLE, '--accounts', member, '--all', '-o', 'json']));
    expect(only.instances.map((i) => [i.instanceId, i.account])).toEqual([[away, member]]);

    const notMember = await e2e.run(['--org-role', ROLE, '--accounts', '111122223333', '--all']);
    expect({ code: notMember.code, stderr: notMember.stderr.trim() }).toEqual({
      code: 3,
      stderr: expect.stringMatching(/^ssm-doctor: --accounts 111122223333: not an active account of the organisation$/),
    });
  });

  it('--profile a,b reads each profile side by side; a profile that cannot be read is UNKNOWN beside the others', async () => {
    const home = await e2e.scenarios.build({});
    const member = await organisation();
    const role = await roleIn(member);
    const away = await bareIn(role);
    mkdirSync(join(e2e.dir, '.aws'), { recursive: true });
    writeFileSync(
      join(e2e.dir, '.aws', 'credentials'),
      `[home]\naws_access_key_id = testing\naws_secret_access_key = testing\n\n` +
        `[workload]\naws_access_key_id = ${role.accessKeyId}\naws_secret_access_key = ${role.secretAccessKey}\naws_session_token = ${role.sessionToken}\n`,
    );
    const env = { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' };
    const r = await e2e.run(['--profile', 'home,workload', '--all', '-o', 'json'], { env });
    const report = parseReport(r);
    expect(Object.fromEntries(report.instances.map((i) => [i.instanceId, i.account]))).toEqual({
      [home.instance.instanceId]: MANAGEMENT,
      [away]: member,
    });

    const missing = parseReport(await e2e.run(['--profile', 'home,nosuch', '--all', '-o', 'json'], { env }));
    const homeStatus = report.instances.find((i) => i.instanceId === home.instance.instanceId)!.status;
    // The worst decides: an unread profile is unknown, which only a critical instance outranks.
    expect(missing.status).toBe(homeStatus === 'critical' ? 'critical' : 'unknown');
    expect(missing.unread).toEqual([{ profile: 'nosuch', reason: expect.stringContaining('nosuch') }]);
    expect(missing.instances.map((i) => i.instanceId)).toEqual([home.instance.instanceId]);
  });
});
