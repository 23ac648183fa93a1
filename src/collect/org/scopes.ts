/** Which accounts one run reads, and with what credentials: several profiles, or an organisation's accounts through a role. */
import type { AwsCredentialIdentity } from '@smithy/types';
import { partitionOfRegion } from '../../aws/arn.js';
import { CollectError } from '../sdk/errors.js';
import { assumeRole, listOrganisation } from './accounts.js';

/** One account to read: with a profile's own credentials, or with a role assumed in it. */
export interface AccountScope {
  /** The account id, when known before reading (organisation mode). */
  account?: string;
  profile?: string;
  credentials?: AwsCredentialIdentity;
}

/** An account (or one of its regions) that could not be read, and why, in one line. */
export interface UnreadScope {
  account?: string;
  profile?: string;
  region?: string;
  reason: string;
}

export interface ScopeOptions {
  profiles: readonly string[];
  orgRole?: string;
  /** --accounts: only these (organisation mode). */
  accounts: readonly string[];
  /** The first region of the run: where Organizations and STS are asked, and the partition of the role ARNs. */
  region?: string;
  timeoutMs: number;
}

/** Roles assumed at once; each is one call, so eight keep a 100-account organisation to a dozen rounds. */
const ASSUMING_AT_ONCE = 8;

/** Runs `work` over `items`, at most `n` at a time, keeping their order. */
export async function inPool<T, R>(items: readonly T[], n: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}

/**
 * The accounts of a run. Several profiles: one scope each, read with the profile's credentials.
 * Organisation mode: the organisation's active accounts (or those of --accounts among them); the
 * profile's own account is read with its own credentials, every other through the role; an
 * account whose role cannot be assumed is unread, with the reason, and the others go on.
 */
export async function accountScopes(o: ScopeOptions): Promise<{ scopes: AccountScope[]; unread: UnreadScope[] }> {
  if (o.orgRole === undefined) return { scopes: o.profiles.map((profile) => ({ profile })), unread: [] };
  const profile = o.profiles[0];
  const region = o.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const org = await listOrganisation({ profile, region, timeoutMs: o.timeoutMs, sideBySide: true });
  const listed = new Set(org.accounts.map((a) => a.id));
  const missing = o.accounts.filter((a) => !listed.has(a));
  if (missing.length) throw new CollectError(`--accounts ${missing.join(', ')}: not an active account of the organisation`);
  const chosen = o.accounts.length ? org.accounts.filter((a) => o.accounts.includes(a.id)) : org.accounts;
  const unread: UnreadScope[] = [];
  const partition = partitionOfRegion(region);
  const scopes = await inPool(chosen, ASSUMING_AT_ONCE, async (a): Promise<AccountScope | undefined> => {
    if (a.id === org.self) return { account: a.id, profile };
    const roleArn = `arn:${partition}:iam::${a.id}:role/${o.orgRole}`;
    try {
      return {
        account: a.id,
        profile,
        credentials: await assumeRole({ profile, region, timeoutMs: o.timeoutMs, sideBySide: true, roleArn }),
      };
    } catch (e) {
      if (!(e instanceof CollectError)) throw e;
      unread.push({ account: a.id, ...(profile ? { profile } : {}), reason: e.message });
      return undefined;
    }
  });
  return { scopes: scopes.filter((s): s is AccountScope => s !== undefined), unread };
}
