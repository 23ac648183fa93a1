import { GetRoleCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { Caller, Fact, SessionPreferences, SimulationResult, Unknown } from '../../facts/schema.js';
import { known } from '../../facts/fact.js';
import type { Clients } from '../sdk/clients.js';
import { compact } from '../sdk/read.js';
import { attempt, chunks, incomplete } from '../sdk/read.js';
import { arnParts, type ArnScope } from '../../aws/arn.js';
import { callerPairs, simulate } from './simulate.js';

/** Instances per simulation: each answers one result per resource, so 500 keep it to one page of 1,000 and one round. */
export const CALLER_BATCH = 500;

const ASSUMED_ROLE = /^arn:([^:]+):sts::(\d+):assumed-role\/([^/]+)\/[^/]+$/;

/**
 * The IAM user or role whose policies apply to a caller ARN. A role session's ARN loses the
 * role's path, so the role ARN built from it may need iam:GetRole. Undefined for the root user
 * and federated users, which IAM cannot simulate.
 */
export function principalOf(arn: string): string | undefined {
  const role = ASSUMED_ROLE.exec(arn);
  if (role) return `arn:${role[1]}:iam::${role[2]}:role/${role[3]}`;
  if (/^arn:[^:]+:iam::\d+:user\/.+$/.test(arn)) return arn;
  return undefined;
}

const roleNameOf = (arn: string) => ASSUMED_ROLE.exec(arn)?.[3];
const isRoot = (arn: string) => /^arn:[^:]+:iam::\d+:root$/.test(arn);

/** IAM Identity Center roles always live under /aws-reserved/sso.amazonaws.com/: their path-less ARN never resolves. */
const SSO_ROLE = /^AWSReservedSSO_/;

export async function callerIdentity(c: Clients): Promise<Fact<Caller>> {
  return attempt('sts:GetCallerIdentity', async () => {
    const o = await c.sts.send(new GetCallerIdentityCommand({}));
    if (!o.Arn || !o.Account) throw incomplete('Arn or Account');
    return compact({ arn: o.Arn, accountId: o.Account, principalArn: principalOf(o.Arn) });
  });
}

export interface CallerRead {
  caller: Fact<Caller>;
  /** Undefined when nothing was simulated: no instance found, or the root user (who may do anything the account's SCPs allow). */
  simulation?: Fact<SimulationResult[]>;
}

const roleArnOf = (c: Clients, roleName: string) =>
  attempt('iam:GetRole', async () => {
    const arn = (await c.iam.send(new GetRoleCommand({ RoleName: roleName }))).Role?.Arn;
    if (!arn) throw incomplete('role ARN');
    return arn;
  });

/**
 * iam:SimulatePrincipalPolicy for the caller: ssm:StartSession on each instance found and on the
 * session document, kms:GenerateDataKey on the preferences' key. For a role session whose path-less
 * role ARN IAM does not know, iam:GetRole gives the real ARN and the simulation runs again.
 */
export async function callerSimulation(
  c: Clients,
  caller: Fact<Caller>,
  instanceIds: readonly string[],
  prefs: SessionPreferences | null,
  region: string,
): Promise<CallerRead> {
  if (!caller.known) return { caller, simulation: caller };
  if (instanceIds.length === 0 || isRoot(caller.value.arn)) return { caller };
  const principal = caller.value.principalArn;
  if (!principal) {
    const unsupported: Unknown = {
      known: false,
      call: 'iam:SimulatePrincipalPolicy',
      code: 'UnsupportedPrincipal',
      message: `${caller.value.arn} is neither an IAM user nor a role session, so IAM cannot simulate its permissions`,
    };
    return { caller, simulation: unsupported };
  }
  const p = arnParts(caller.value.arn);
  const scope: ArnScope = { partition: p?.partition ?? 'aws', region, account: caller.value.accountId };
  const run = (arn: string) =>
    attempt('iam:SimulatePrincipalPolicy', async () => {
      const parts = await Promise.all(
        // Nothing waits on the caller's answer: its parse (the largest of a fleet's) goes after the others.
        chunks([...instanceIds], CALLER_BATCH).map((ids) => simulate(c, arn, callerPairs(ids, prefs, scope), { late: true })),
      );
      // The session document (and the key) is asked in every part: keep its answer once.
      const seen = new Set<string>();
      return parts.flat().filter((r) => {
        const k = `${r.action}\n${r.resource ?? '*'}`;
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      });
    });
  const withPrincipal = (arn: string): Fact<Caller> => known({ ...caller.value, principalArn: arn });

  const roleName = roleNameOf(caller.value.arn);
  if (roleName && SSO_ROLE.test(roleName)) {
    const real = await roleArnOf(c, roleName);
    return real.known ? { caller: withPrincipal(real.value), simulation: await run(real.value) } : { caller, simulation: real };
  }
  const first = await run(principal);
  if (first.known || !roleName || !first.code.startsWith('NoSuchEntity')) return { caller, simulation: first };
  const real = await roleArnOf(c, roleName);
  if (!real.known) return { caller, simulation: real };
  if (real.value === principal) return { caller, simulation: first };
  return { caller: withPrincipal(real.value), simulation: await run(real.value) };
}
