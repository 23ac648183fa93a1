import { arnParts, lastSegment, partitionOfRegion } from '../aws/arn.js';
import type { Fact, Facts } from '../facts/schema.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { consoleOutputs } from './ec2/console.js';
import { describeVpcs } from './ec2/network.js';
import { isFleet, readTargets, type Targets } from './ec2/targets.js';
import { callerIdentity, callerSimulation } from './iam/caller.js';
import { readIam, sweepIam, SWEEP_PROFILES, type IamSweep } from './iam/roles.js';
import { rolePairs } from './iam/simulate.js';
import { findSessionManagerPlugin } from './plugin.js';
import type { Clients } from './sdk/clients.js';
import { CollectError, runLevelError } from './sdk/errors.js';
import { failureOf, unique } from './sdk/read.js';
import { registrationOf, registrationOfRegion } from './ssm/registration.js';
import { connectionStatuses, defaultHostManagement, sessionPreferences } from './ssm/settings.js';

/**
 * Reads everything the checks need for these targets, in as few sequential rounds as the
 * dependencies allow, with calls that grow with the account's structure (VPCs, roles), not with
 * the number of instances. Round 1: the instances (ids 200 per call; --all and --filter pages of
 * 1,000, split by id prefix side by side when larger), registration (by id, or for a fleet the
 * whole region's nodes at once), DHMC, session preferences, the caller, and for a fleet one IAM
 * sweep. Round 2: each distinct VPC and instance profile (or the sweep, when there are many), the
 * console output of unregistered instances (not in a fleet), the caller's simulation. Round 3: each
 * distinct role (GetRole and the simulation), the prefix lists and hosted zones that round 2 showed
 * are needed. The role's policy lists and documents follow only when the simulation did not allow
 * everything. ssm:GetConnectionStatus (one instance per call) is asked in round 1 for the ids
 * named; a fleet's suspects are asked afterwards, by the orchestrator (src/diagnose.ts), once the
 * checks have said which instances are suspect.
 */
export async function gather(
  c: Clients,
  targets: Targets | readonly string[],
  now: () => Date = () => new Date(),
  env: NodeJS.ProcessEnv = process.env,
): Promise<Facts> {
  const t: Targets = isTargets(targets) ? targets : { ids: [...targets] };
  const ids = unique(t.ids);
  const fleet = isFleet(t);
  const plugin = findSessionManagerPlugin(env);
  const [instances, managedInstances, dhmc, connections, prefsFact, callerFact, firstSweep] = await Promise.all([
    readTargets(c, t),
    fleet ? registrationOfRegion(c) : registrationOf(c, ids),
    defaultHostManagement(c),
    fleet ? Promise.resolve<Record<string, Fact<string>>>({}) : connectionStatuses(c, ids),
    sessionPreferences(c),
    callerIdentity(c),
    fleet && t.iamSweep !== false ? sweepIam(c) : Promise.resolve<Fact<IamSweep> | undefined>(undefined),
  ]);
  const fatal = runLevelError(
    [
      ...instances.calls.map(failureOf),
      failureOf(managedInstances),
      failureOf(dhmc.fact),
      ...Object.values(connections).map(failureOf),
      failureOf(prefsFact),
      failureOf(callerFact),
    ],
    c.profile,
    c.region,
    c.settings,
  );
  if (fatal) throw fatal;
  const listing = instances.calls.find((f) => !f.known);
  if (listing && ids.length === 0) {
    // Without the list there is nothing to diagnose: the run as a whole is unknown.
    throw new CollectError(`cannot list the instances in ${c.region}: ${listing.call} ${listing.code}: ${listing.message}`);
  }

  const found = Object.values(instances.byId).flatMap((f) => (f.known && f.value ? [f.value] : []));
  const prefs = prefsFact.known ? prefsFact.value : null;
  const account = found.find((i) => i.accountId)?.accountId ?? (callerFact.known ? callerFact.value.accountId : undefined);
  const partition = (callerFact.known && arnParts(callerFact.value.arn)?.partition) || partitionOfRegion(c.region);
  const dhmcRole = dhmc.rolePath
    ? {
        roleName: lastSegment(dhmc.rolePath),
        arn: account ? `arn:${partition}:iam::${account}:role/${dhmc.rolePath}` : undefined,
        neededNow: found.some((i) => !i.instanceProfileArn),
      }
    : null;
  const pairs = (roleArn: string) => {
    const p = arnParts(roleArn);
    return rolePairs(prefs, { partition: p?.partition ?? partition, region: c.region, account: p?.account || account || '' });
  };
  const profileArns = unique(found.map((i) => i.instanceProfileArn));
  const sweepRead = firstSweep ?? (profileArns.length > SWEEP_PROFILES && t.iamSweep !== false ? sweepIam(c) : undefined);
  const iamRead = Promise.resolve(sweepRead).then((s?: Fact<IamSweep>) =>
    readIam(c, profileArns, dhmcRole, pairs, s?.known ? s.value : undefined),
  );

  const [vpcRead, iam, consoleOutput, caller] = await Promise.all([
    describeVpcs(c, unique(found.map((i) => i.vpcId)), found),
    iamRead,
    fleet ? Promise.resolve<NonNullable<Facts['consoleOutput']>>({}) : consoleOutputs(c, found, managedInstances),
    callerSimulation(
      c,
      callerFact,
      found.map((i) => i.instanceId),
      prefs,
      c.region,
    ),
  ]);
  const facts: Facts = {
    factsVersion: 1,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    collectedAt: now().toISOString(),
    region: c.region,
    instances: instances.byId,
    vpcs: vpcRead.vpcs,
    instanceProfiles: iam.instanceProfiles,
    roles: iam.roles,
    dhmc: dhmc.fact,
    managedInstances,
    prefixLists: vpcRead.prefixLists,
    connections,
    consoleOutput,
    sessionPreferences: prefsFact,
    caller: caller.caller,
    ...(caller.simulation ? { callerSimulation: caller.simulation } : {}),
    client: { sessionManagerPlugin: plugin },
  };
  return facts;
}

const isTargets = (t: Targets | readonly string[]): t is Targets => !Array.isArray(t);
