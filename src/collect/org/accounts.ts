/**
 * Organisation mode: the accounts of an organisation, listed from its management account (or a
 * delegated administrator), and the credentials of a named read-only role in each, as the AWS
 * CLI's `role_arn` profiles and Prowler do. The only calls: organizations:ListAccounts,
 * sts:GetCallerIdentity and sts:AssumeRole, which issues temporary credentials and changes nothing.
 */
import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { clientSettings, guardedClient } from '../sdk/clients.js';
import { Deadline, DeadlineExceeded, formatDuration } from '../sdk/deadline.js';
import { CollectError, codeOf, messageOf } from '../sdk/errors.js';
import { Recorder } from '../sdk/guard.js';

export interface OrgAccount {
  id: string;
  name?: string;
}

export interface Organisation {
  /** The account the profile's credentials belong to: read with them, no role assumed. */
  self: string;
  /** Every ACTIVE account, in the order AWS lists them. */
  accounts: OrgAccount[];
}

export interface OrgOptions {
  profile?: string;
  region: string;
  timeoutMs: number;
  sideBySide?: boolean;
}

/** ListAccounts pages at most 20; an organisation of 10,000 accounts is 500 pages, which is the bound. */
const MAX_PAGES = 500;

async function withDeadline<T>(timeoutMs: number, what: string, run: (deadline: Deadline, recorder: Recorder) => Promise<T>): Promise<T> {
  const deadline = new Deadline(timeoutMs);
  try {
    return await deadline.race(run(deadline, new Recorder()), 5_000);
  } catch (e) {
    if (e instanceof DeadlineExceeded)
      throw new CollectError(`${what}: AWS did not answer within the --timeout of ${formatDuration(timeoutMs)}`);
    throw e;
  } finally {
    deadline.dispose();
  }
}

/** Lists the organisation's active accounts with the profile's credentials; one line of error when that is not allowed. */
export async function listOrganisation(opts: OrgOptions): Promise<Organisation> {
  return withDeadline(opts.timeoutMs, 'listing the organisation', async (deadline, recorder) => {
    const settings = { ...(await clientSettings(opts)), region: opts.region };
    const org = guardedClient(new OrganizationsClient(settings), recorder, deadline);
    const sts = guardedClient(new STSClient(settings), recorder, deadline);
    try {
      const [who, accounts] = await Promise.all([sts.send(new GetCallerIdentityCommand({})), listAccounts(org)]);
      if (!who.Account) throw new CollectError('sts:GetCallerIdentity gave no account');
      return { self: who.Account, accounts };
    } catch (e) {
      if (e instanceof CollectError) throw e;
      const from = opts.profile ? `profile ${opts.profile}` : 'these credentials';
      throw new CollectError(
        `cannot list the organisation's accounts with ${from} (${codeOf(e)}: ${messageOf(e)}): ` +
          'run from the management account or a delegated administrator, with organizations:ListAccounts',
      );
    } finally {
      org.destroy();
      sts.destroy();
    }
  });
}

async function listAccounts(org: OrganizationsClient): Promise<OrgAccount[]> {
  const out: OrgAccount[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const o = await org.send(new ListAccountsCommand({ NextToken: token }));
    for (const a of o.Accounts ?? []) {
      // `State` replaces `Status` (deprecated); either says whether the account is active.
      const state = (a as { State?: string }).State ?? a.Status;
      if (a.Id && /^\d{12}$/.test(a.Id) && (state === undefined || state === 'ACTIVE'))
        out.push({ id: a.Id, ...(a.Name ? { name: a.Name } : {}) });
    }
    token = o.NextToken;
    if (!token) break;
  }
  return out;
}

/** Temporary credentials of `roleArn`, assumed with the profile's own; one line naming the role when that fails. */
export async function assumeRole(opts: OrgOptions & { roleArn: string }): Promise<AwsCredentialIdentity> {
  return withDeadline(opts.timeoutMs, `assuming ${opts.roleArn}`, async (deadline, recorder) => {
    const sts = guardedClient(new STSClient({ ...(await clientSettings(opts)), region: opts.region }), recorder, deadline);
    try {
      const o = await sts.send(new AssumeRoleCommand({ RoleArn: opts.roleArn, RoleSessionName: 'ssm-doctor', DurationSeconds: 3600 }));
      const c = o.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error('AssumeRole returned no credentials');
      return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
    } catch (e) {
      throw new CollectError(`cannot assume ${opts.roleArn} (${codeOf(e)}: ${messageOf(e)}): the role must exist and trust the caller`);
    } finally {
      sts.destroy();
    }
  });
}
