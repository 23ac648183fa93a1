import { arnParts, lastSegment, partitionOfRegion } from '../aws/arn.js';
import type { Caller, Fact, Facts, Instance, SessionPreferences, Vpc } from '../facts/schema.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { blockPublicAccess } from './ec2/block-public-access.js';
import { consoleOutputs } from './ec2/console.js';
import { describeVpcs } from './ec2/network.js';
import { transitGatewaysOf } from './ec2/transit.js';
import { isFleet, readTargets, type Targets } from './ec2/targets.js';
import { callerIdentity, callerSimulation } from './iam/caller.js';
import { sessionKey } from './kms/key.js';
import { prefetchPolicies, readIam, sweepIam, SWEEP_PROFILES, type IamRead, type IamSweep } from './iam/roles.js';
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
 * the number of instances. Each read starts as soon as what it needs has arrived (rounds are the
 * depth of that chain, as AWS sees it, not batches). First: the instances (ids 200 per call; --all
 * and --filter pages of 1,000, split by id prefix side by side when larger), registration (by id,
 * or for a fleet the whole region's nodes at once), DHMC, session preferences, the caller, and for
 * a fleet one IAM sweep. When a fleet's listing goes wide, its parts, and beside them (the sweep
 * in by then) the default versions of the AWS managed policies its instance roles attach. Once the
 * instances are known: each distinct VPC, and beside them the
 * region's VPC Block Public Access (mode and exclusions, when an instance has a VPC); with the
 * preferences and the caller too, each distinct instance profile (or the sweep, when there are
 * many) and the caller's simulation; with the registration, the console output of unregistered
 * instances (not in a fleet); with the preferences alone, when they name a KMS key, that key and
 * its key policy (an alias resolved first). Once the route tables are known, and only when a route
 * names a transit gateway, its attachments, then the hub VPCs behind it (src/collect/ec2/transit.ts).
 * Then each distinct role (GetRole and the simulation),
 * and the prefix lists and hosted zones that the VPC reads showed are needed. The role's policy
 * lists and documents follow only when the simulation did not allow everything; in a sweep, which
 * holds the lists, the AWS managed documents are read beside the simulation. Answers are parsed
 * in an order of their own (src/collect/sdk/turns.ts): requests made meanwhile leave first.
 * ssm:GetConnectionStatus (one instance per call) is asked at once for the ids named; a fleet's
 * suspects are asked afterwards, by the orchestrator (src/diagnose.ts), once the checks have said
 * which instances are suspect.
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
  // Each read starts the moment its inputs are known, not when the whole round before it has
  // returned: the VPCs wait only for the instances, the caller's simulation for the caller and
  // the preferences, the console output for the instances and their registration. A paged read
  // (a large fleet's listing, the IAM sweep) then delays only what depends on it.
  // A fleet's two region-wide listings, its instances and its managed nodes, send their parts
  // together, each once both first pages are read: a round apart, everything after would wait for
  // the later parts. A first page that is slow to come (throttled, retried) holds the other's
  // parts up for a second at most, from the moment the other's own first page is read.
  const [instancesFirst, instancesFirstRead] = signal();
  const [nodesFirst, nodesFirstRead] = signal();
  const [partsLeaving, partsLeave] = signal();
  let partBack = false;
  const instancesRead = readTargets(c, t, {
    wide: instancesFirstRead,
    ...(fleet ? { after: telling(atMost(nodesFirst, PAIRED_WAIT_MS), partsLeave), back: () => (partBack = true) } : {}),
  });
  instancesRead.then(instancesFirstRead, instancesFirstRead);
  const managedRead = fleet
    ? registrationOfRegion(c, { wide: nodesFirstRead, after: atMost(instancesFirst, PAIRED_WAIT_MS) })
    : registrationOf(c, ids);
  managedRead.then(nodesFirstRead, nodesFirstRead);
  const dhmcRead = defaultHostManagement(c);
  const connectionsRead = fleet ? Promise.resolve<Record<string, Fact<string>>>({}) : connectionStatuses(c, ids);
  const prefsRead = sessionPreferences(c);
  const callerRead = callerIdentity(c);
  const sweepFirst = fleet && t.iamSweep !== false ? sweepIam(c) : Promise.resolve<Fact<IamSweep> | undefined>(undefined);
  // A listing that goes wide makes the VPC reads and the roles wait a round: the default versions
  // of the AWS managed policies the roles may need are asked in that round, once the parts are
  // leaving and the sweep is in, and only while no part has come back (asked later, they would
  // make a round of their own).
  // A refused sweep (a bug) is thrown where the sweep is awaited, below, not here.
  Promise.all([sweepFirst, partsLeaving])
    .then(([s]) => (s?.known && !partBack ? prefetchPolicies(c, s.value) : 0))
    .catch(() => undefined);
  const foundRead = instancesRead.then(foundIn);

  // A transit gateway that a route names is followed to the hub VPCs as soon as the route tables
  // are known, not once the hosted zones and prefix lists that the VPC read may go on to ask are.
  let routesKnown!: (vpcs: Record<string, Pick<Vpc, 'routeTables'>>) => void;
  const routesRead = new Promise<Record<string, Pick<Vpc, 'routeTables'>>>((resolve) => (routesKnown = resolve));
  const vpcRead = foundRead.then((found) => {
    const vpcIds = unique(found.map((i) => i.vpcId));
    return describeVpcs(c, vpcIds, found, {
      routes: (routeTables) => routesKnown(Object.fromEntries(vpcIds.map((v) => [v, { routeTables: routeTables(v) }]))),
    });
  });
  // No VPC (no route tables to tell), or a read that failed: what the VPC read holds, or nothing.
  void vpcRead.then(
    (v) => routesKnown(v.vpcs),
    () => routesKnown({}),
  );
  const transitRead = routesRead.then((vpcs) => transitGatewaysOf(c, vpcs));
  // The region's Block Public Access, beside the VPC reads; a run without a VPC has no path it could block.
  const bpaRead = foundRead.then((found) => (found.some((i) => i.vpcId) ? blockPublicAccess(c) : undefined));
  const consoleRead = fleet
    ? Promise.resolve<NonNullable<Facts['consoleOutput']>>({})
    : Promise.all([foundRead, managedRead]).then(([found, managed]) => consoleOutputs(c, found, managed));
  const callerSimRead = Promise.all([callerRead, prefsRead, foundRead]).then(([callerFact, prefsFact, found]) =>
    callerSimulation(
      c,
      callerFact,
      found.map((i) => i.instanceId),
      prefsOf(prefsFact),
      c.region,
    ),
  );
  const iamRead = Promise.all([foundRead, dhmcRead, prefsRead, callerRead, sweepFirst]).then(
    ([found, dhmc, prefsFact, callerFact, first]) => iamOf(c, t, found, dhmc.rolePath, prefsOf(prefsFact), callerFact, first),
  );
  // Only when the preferences name a key: without one, not a call more.
  const keyRead = prefsRead.then((f) => {
    const key = prefsOf(f)?.kmsKeyId;
    return key ? sessionKey(c, key) : undefined;
  });
  const later = [vpcRead, transitRead, bpaRead, consoleRead, callerSimRead, iamRead, keyRead];
  // Awaited below; until then a rejection (a refused operation is a bug, and throws) must not count as unhandled.
  for (const p of later) p.catch(() => undefined);

  const [instances, managedInstances, dhmc, connections, prefsFact, callerFact] = await Promise.all([
    instancesRead,
    managedRead,
    dhmcRead,
    connectionsRead,
    prefsRead,
    callerRead,
    sweepFirst,
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
  const listing = instances.calls.find((f) => !f.known);
  // Without the list there is nothing to diagnose: the run as a whole is unknown.
  const noList =
    listing && ids.length === 0
      ? new CollectError(`cannot list the instances in ${c.region}: ${listing.call} ${listing.code}: ${listing.message}`)
      : undefined;
  if (fatal || noList) {
    // The reads already started settle first: none is left running against clients about to close.
    await Promise.allSettled(later);
    throw fatal ?? noList;
  }

  const [vpcs, transit, bpa, iam, consoleOutput, caller, key] = await Promise.all([
    vpcRead,
    transitRead,
    bpaRead,
    iamRead,
    consoleRead,
    callerSimRead,
    keyRead,
  ]);
  const facts: Facts = {
    factsVersion: 1,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    collectedAt: now().toISOString(),
    region: c.region,
    instances: instances.byId,
    vpcs: { ...transit?.hubs.vpcs, ...vpcs.vpcs },
    instanceProfiles: iam.instanceProfiles,
    roles: iam.roles,
    dhmc: dhmc.fact,
    managedInstances,
    prefixLists: { ...transit?.hubs.prefixLists, ...vpcs.prefixLists },
    connections,
    consoleOutput,
    ...(bpa ? { blockPublicAccess: bpa } : {}),
    ...(transit ? { transitGateways: transit.transitGateways } : {}),
    sessionPreferences: prefsFact,
    caller: caller.caller,
    ...(caller.simulation ? { callerSimulation: caller.simulation } : {}),
    ...(key ? { sessionKey: key } : {}),
    client: { sessionManagerPlugin: plugin },
  };
  return facts;
}

/**
 * The instance profiles and roles of these instances, once the instances, the DHMC setting, the
 * preferences (what the roles must be allowed) and the caller (the account, the partition) are
 * known: from the fleet's sweep, from a sweep made now (many profiles), or one by one.
 */
function iamOf(
  c: Clients,
  t: Targets,
  found: readonly Instance[],
  dhmcRolePath: string | undefined,
  prefs: SessionPreferences | null,
  callerFact: Fact<Caller>,
  first: Fact<IamSweep> | undefined,
): Promise<IamRead> {
  const account = found.find((i) => i.accountId)?.accountId ?? (callerFact.known ? callerFact.value.accountId : undefined);
  const partition = (callerFact.known && arnParts(callerFact.value.arn)?.partition) || partitionOfRegion(c.region);
  const dhmcRole = dhmcRolePath
    ? {
        roleName: lastSegment(dhmcRolePath),
        arn: account ? `arn:${partition}:iam::${account}:role/${dhmcRolePath}` : undefined,
        neededNow: found.some((i) => !i.instanceProfileArn),
      }
    : null;
  const pairs = (roleArn: string) => {
    const p = arnParts(roleArn);
    return rolePairs(prefs, { partition: p?.partition ?? partition, region: c.region, account: p?.account || account || '' });
  };
  const profileArns = unique(found.map((i) => i.instanceProfileArn));
  const sweepRead = first ?? (profileArns.length > SWEEP_PROFILES && t.iamSweep !== false ? sweepIam(c) : undefined);
  return Promise.resolve(sweepRead).then((s?: Fact<IamSweep>) => readIam(c, profileArns, dhmcRole, pairs, s?.known ? s.value : undefined));
}

/** The instances that were found (a listing that failed, or an id that does not exist, adds none). */
const foundIn = (instances: Awaited<ReturnType<typeof readTargets>>) =>
  Object.values(instances.byId).flatMap((f) => (f.known && f.value ? [f.value] : []));

/** How long one of a fleet's two listings waits for the other's first page before sending its parts. */
const PAIRED_WAIT_MS = 1_000;

/** `p`, or nothing once `ms` have passed since it was awaited (the timer starts then, not now). */
const atMost = (p: Promise<void>, ms: number): PromiseLike<void> => ({
  then: (onDone, onFail) => Promise.race([p, new Promise<void>((resolve) => setTimeout(resolve, ms).unref())]).then(onDone, onFail),
});

/** `p`, telling `told` the moment it settles, before whatever awaits it goes on. */
const telling = (p: PromiseLike<void>, told: () => void): PromiseLike<void> => ({
  then: (onDone, onFail) =>
    p
      .then(
        () => told(),
        () => told(),
      )
      .then(onDone, onFail),
});

/** A promise and what settles it. */
function signal(): [Promise<void>, () => void] {
  let settle!: () => void;
  const p = new Promise<void>((resolve) => (settle = resolve));
  return [p, settle];
}

const prefsOf = (f: Fact<SessionPreferences | null>) => (f.known ? f.value : null);

const isTargets = (t: Targets | readonly string[]): t is Targets => !Array.isArray(t);
