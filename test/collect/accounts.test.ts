import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { accountScopes, inPool } from '../../src/collect/org/scopes';

const org = mockClient(OrganizationsClient);
const sts = mockClient(STSClient);

const MANAGEMENT = '111111111111';
const A = '222222222222';
const B = '333333333333';
const SUSPENDED = '444444444444';

beforeEach(() => {
  org.reset();
  sts.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Account: MANAGEMENT, Arn: `arn:aws:iam::${MANAGEMENT}:user/ops` });
  // Two pages, as ListAccounts gives them; one account suspended.
  org
    .on(ListAccountsCommand, { NextToken: undefined })
    .resolves({
      Accounts: [
        { Id: MANAGEMENT, Status: 'ACTIVE' },
        { Id: A, Status: 'ACTIVE', Name: 'a' },
      ],
      NextToken: 'next',
    })
    .on(ListAccountsCommand, { NextToken: 'next' })
    .resolves({
      Accounts: [
        { Id: SUSPENDED, Status: 'SUSPENDED' },
        { Id: B, Status: 'ACTIVE' },
      ],
    });
  sts.on(AssumeRoleCommand).callsFake(async (input: { RoleArn: string }) => ({
    Credentials: { AccessKeyId: `AK-${input.RoleArn.split(':')[4]}`, SecretAccessKey: 's', SessionToken: 't', Expiration: new Date() },
  }));
});

const base = { profiles: ['mgmt'], orgRole: 'audit/SsmDoctorReadOnly', accounts: [], region: 'ap-northeast-1', timeoutMs: 10_000 };

describe('organisation mode', () => {
  it("reads every active account of every page: its own with the profile's credentials, the others through the role", async () => {
    const { scopes, unread } = await accountScopes(base);
    expect(unread).toEqual([]);
    expect(scopes.map((s) => [s.account, s.credentials?.accessKeyId])).toEqual([
      [MANAGEMENT, undefined],
      [A, `AK-${A}`],
      [B, `AK-${B}`],
    ]);
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input.RoleArn)).toEqual([
      `arn:aws:iam::${A}:role/audit/SsmDoctorReadOnly`,
      `arn:aws:iam::${B}:role/audit/SsmDoctorReadOnly`,
    ]);
  });

  it('names the role ARN in the partition of the region', async () => {
    await accountScopes({ ...base, region: 'cn-north-1', accounts: [A] });
    expect(sts.commandCalls(AssumeRoleCommand)[0]?.args[0].input.RoleArn).toBe(`arn:aws-cn:iam::${A}:role/audit/SsmDoctorReadOnly`);
  });

  it('an account whose role cannot be assumed is unread, with the reason; the others go on', async () => {
    sts.on(AssumeRoleCommand, { RoleArn: `arn:aws:iam::${B}:role/audit/SsmDoctorReadOnly` }).rejects(
      new STSServiceException({
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: {},
        message: 'not authorized to perform sts:AssumeRole',
      }),
    );
    const { scopes, unread } = await accountScopes(base);
    expect(scopes.map((s) => s.account)).toEqual([MANAGEMENT, A]);
    expect(unread).toEqual([
      {
        account: B,
        profile: 'mgmt',
        reason: expect.stringMatching(new RegExp(`^cannot assume arn:aws:iam::${B}:role/\\S+ \\(AccessDenied: not authorized`)),
      },
    ]);
  });

  it('--accounts keeps only those; one the organisation does not list is an error', async () => {
    expect((await accountScopes({ ...base, accounts: [B] })).scopes.map((s) => s.account)).toEqual([B]);
    await expect(accountScopes({ ...base, accounts: [SUSPENDED] })).rejects.toThrow(
      `--accounts ${SUSPENDED}: not an active account of the organisation`,
    );
  });

  it('a profile that may not list the organisation is one line naming what is needed', async () => {
    org.on(ListAccountsCommand).rejects(new Error('AccessDeniedException: You don’t have permissions'));
    await expect(accountScopes(base)).rejects.toThrow(
      /^cannot list the organisation's accounts with profile mgmt \(.*\): run from the management account or a delegated administrator, with organizations:ListAccounts$/,
    );
  });

  it('several profiles are one scope each, no call made', async () => {
    expect(await accountScopes({ ...base, orgRole: undefined, profiles: ['a', 'b'] })).toEqual({
      scopes: [{ profile: 'a' }, { profile: 'b' }],
      unread: [],
    });
    expect(org.calls()).toHaveLength(0);
  });
});

test('inPool keeps the order and never runs more than n at once', async () => {
  let running = 0;
  let most = 0;
  const out = await inPool([5, 1, 4, 2, 3, 0], 2, async (ms, i) => {
    most = Math.max(most, ++running);
    await new Promise((r) => setTimeout(r, ms));
    running--;
    return i * 10;
  });
  expect(out).toEqual([0, 10, 20, 30, 40, 50]);
  expect(most).toBe(2);
});
