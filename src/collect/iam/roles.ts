import {
  GetAccountAuthorizationDetailsCommand,
  GetInstanceProfileCommand,
  GetPolicyCommand,
  type GetPolicyCommandOutput,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { known } from '../../facts/fact.js';
import type { Fact, Facts, InstanceProfile, Role, SimulationResult, Unknown } from '../../facts/schema.js';
import type { Clients } from '../sdk/clients.js';
import { unknownOf } from '../sdk/errors.js';
import { RefusedOperation } from '../sdk/guard.js';
import { lastSegment } from '../../aws/arn.js';
import { isBuiltInPolicy } from '../../aws/policies.js';
import { parsePolicyDocument } from './map.js';
import { attempt, compact, incomplete, isNoSuchEntity, pages, unique } from '../sdk/read.js';
import { simulate, type SimPair } from './simulate.js';

/** What one iam:GetAccountAuthorizationDetails sweep tells about the account's roles, their profiles and the customer managed policies. */
export interface IamSweep {
  profiles: Map<string, InstanceProfile>;
  roles: Map<string, RolePolicies & { role: NonNullable<Role['role']> }>;
  /** The customer managed policies' default documents, by ARN (a permissions boundary may be one). */
  documents: Map<string, Fact<unknown>>;
}

/** Past this many instance profiles one sweep of the account is cheaper than reading each profile and role. */
export const SWEEP_PROFILES = 8;

/**
 * Every role with its trust policy, inline and attached policies and instance profiles, and every
 * customer managed policy's default version: pages of 1,000 items, in place of per-role reads.
 */
export async function sweepIam(c: Clients): Promise<Fact<IamSweep>> {
  return attempt('iam:GetAccountAuthorizationDetails', async () => {
    const out = await pages(
      (Marker) => c.iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['Role', 'LocalManagedPolicy'], MaxItems: 1000, Marker })),
      (o) => [o],
      (o) => (o.IsTruncated ? o.Marker : undefined),
    );
    const documents = new Map<string, Fact<unknown>>();
    for (const p of out.flatMap((o) => o.Policies ?? [])) {
      if (!p.Arn) continue;
      const v =
        (p.PolicyVersionList ?? []).find((x) => x.IsDefaultVersion) ??
        (p.PolicyVersionList ?? []).find((x) => x.VersionId === p.DefaultVersionId);
      documents.set(
        p.Arn,
        v
          ? parsed('iam:GetAccountAuthorizationDetails', v.Document)
          : unknownOf('iam:GetAccountAuthorizationDetails', incomplete('default policy version')),
      );
    }
    const sweep: IamSweep = { profiles: new Map(), roles: new Map(), documents };
    for (const r of out.flatMap((o) => o.RoleDetailList ?? [])) {
      if (!r.RoleName || !r.Arn) continue;
      for (const p of r.InstanceProfileList ?? []) {
        if (p.Arn)
          sweep.profiles.set(p.Arn, {
            name: p.InstanceProfileName ?? lastSegment(p.Arn),
            arn: p.Arn,
            roles: (p.Roles ?? []).map((x) => ({ roleName: x.RoleName ?? '', arn: x.Arn ?? '' })),
          });
      }
      const attached = (r.AttachedManagedPolicies ?? []).map((p) => ({
        policyName: p.PolicyName ?? lastSegment(p.PolicyArn ?? ''),
        policyArn: p.PolicyArn ?? '',
      }));
      const inline = (r.RolePolicyList ?? []).map((p) => ({
        policyName: p.PolicyName ?? '',
        document: parsed('iam:GetAccountAuthorizationDetails', p.PolicyDocument),
      }));
      const badInline = inline.find((p) => !p.document.known);
      sweep.roles.set(r.RoleName, {
        role: parsed('iam:GetAccountAuthorizationDetails', r.AssumeRolePolicyDocument, (trustPolicy) =>
          compact({ arn: r.Arn!, trustPolicy, permissionsBoundaryArn: r.PermissionsBoundary?.PermissionsBoundaryArn }),
        ),
        attachedPolicies: known(attached),
        inlinePolicies: badInline
          ? (badInline.document as Unknown)
          : known(inline.map((p) => ({ policyName: p.policyName, document: (p.document as { value: unknown }).value }))),
        managedPolicyDocuments: Object.fromEntries(
          attached.flatMap((p) => (documents.has(p.policyArn) ? [[p.policyArn, documents.get(p.policyArn)!]] : [])),
        ),
      });
    }
    return sweep;
  });
}

function parsed<T = unknown>(call: string, text: string | undefined, shape: (doc: unknown) => T = (d) => d as T): Fact<T> {
  try {
    return known(shape(parsePolicyDocument(text)));
  } catch (e) {
    return unknownOf(call, e);
  }
}

async function getInstanceProfile(c: Clients, arn: string, sweep?: IamSweep): Promise<Fact<InstanceProfile | null>> {
  // A profile without a role is in no role's list, and one that does not exist in none: those are read one by one.
  const swept = sweep?.profiles.get(arn);
  if (swept) return known(swept);
  try {
    const o = await c.iam.send(new GetInstanceProfileCommand({ InstanceProfileName: lastSegment(arn) }));
    const p = o.InstanceProfile;
    return known({
      name: p?.InstanceProfileName ?? lastSegment(arn),
      arn: p?.Arn ?? arn,
      roles: (p?.Roles ?? []).map((r) => ({ roleName: r.RoleName ?? '', arn: r.Arn ?? '' })),
    });
  } catch (e) {
    if (e instanceof RefusedOperation) throw e;
    if (isNoSuchEntity(e)) return known(null);
    return unknownOf('iam:GetInstanceProfile', e);
  }
}

/** Managed policies read so far: iam:GetPolicy (its default version) and the parsed document, each once per run however many roles attach it. */
interface DocumentCache {
  policies: Map<string, Promise<Fact<GetPolicyCommandOutput>>>;
  documents: Map<string, Promise<Fact<unknown>>>;
  /** The documents asked before any simulation called for them (readRole), at most PREFETCH_POLICIES. */
  ahead: Set<string>;
}

/** One cache per account and region's clients: a fleet's prefetch (prefetchPolicies) and its role reads share it. */
const caches = new WeakMap<Clients, DocumentCache>();

function cacheOf(c: Clients): DocumentCache {
  let cache = caches.get(c);
  if (!cache) {
    cache = { policies: new Map(), documents: new Map(), ahead: new Set() };
    caches.set(c, cache);
  }
  return cache;
}

function memo<T>(map: Map<string, Promise<T>>, key: string, read: () => Promise<T>): Promise<T> {
  let p = map.get(key);
  if (!p) {
    p = read();
    map.set(key, p);
  }
  return p;
}

const policyOf = (c: Clients, arn: string, cache: DocumentCache) =>
  memo(cache.policies, arn, () => attempt('iam:GetPolicy', () => c.iam.send(new GetPolicyCommand({ PolicyArn: arn }))));

/** A managed policy's default version, parsed, read once per run however many roles attach it. */
function cachedDocument(c: Clients, arn: string, cache: DocumentCache): Promise<Fact<unknown>> {
  return memo(cache.documents, arn, () => managedPolicyDocument(c, arn, cache));
}

/**
 * The permissions boundary's document, for the local evaluation: none when the role has no
 * boundary or it is a built-in AWS managed policy; from the sweep when it holds it; else read.
 */
async function boundaryDocument(
  c: Clients,
  role: NonNullable<Role['role']>,
  cache: DocumentCache,
  sweep?: IamSweep,
): Promise<Fact<unknown> | undefined> {
  const arn = role.known ? role.value.permissionsBoundaryArn : undefined;
  if (!arn || isBuiltInPolicy(arn)) return undefined;
  return sweep?.documents.get(arn) ?? cachedDocument(c, arn, cache);
}

/** A customer (or other) managed policy's default version, parsed. */
async function managedPolicyDocument(c: Clients, arn: string, cache: DocumentCache): Promise<Fact<unknown>> {
  const policy = await policyOf(c, arn, cache);
  if (!policy.known) return policy;
  const VersionId = policy.value.Policy?.DefaultVersionId;
  return attempt('iam:GetPolicyVersion', async () => {
    const o = await c.iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId }));
    return parsePolicyDocument(o.PolicyVersion?.Document);
  });
}

async function inlinePolicies(c: Clients, roleName: string, names: string[]): Promise<Role['inlinePolicies']> {
  const docs = await Promise.all(
    names.map((policyName) =>
      attempt('iam:GetRolePolicy', async () => {
        const o = await c.iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: policyName }));
        return { policyName, document: parsePolicyDocument(o.PolicyDocument) };
      }),
    ),
  );
  const out: { policyName: string; document: unknown }[] = [];
  for (const d of docs) {
    if (!d.known) return d;
    out.push(d.value);
  }
  return known(out);
}

type RolePolicies = Pick<Role, 'attachedPolicies' | 'inlinePolicies' | 'managedPolicyDocuments'>;

/** The role's attached and inline policies with the documents the checks cannot know by name. */
async function rolePolicies(c: Clients, roleName: string, cache: DocumentCache): Promise<RolePolicies> {
  const [attached, inlineNames] = await Promise.all([
    attempt('iam:ListAttachedRolePolicies', () =>
      pages(
        (Marker) => c.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName, Marker })),
        (o) => o.AttachedPolicies,
        (o) => (o.IsTruncated ? o.Marker : undefined),
      ),
    ),
    attempt('iam:ListRolePolicies', () =>
      pages(
        (Marker) => c.iam.send(new ListRolePoliciesCommand({ RoleName: roleName, Marker })),
        (o) => o.PolicyNames,
        (o) => (o.IsTruncated ? o.Marker : undefined),
      ),
    ),
  ]);
  const attachedPolicies: Role['attachedPolicies'] = attached.known
    ? known(attached.value.map((p) => ({ policyName: p.PolicyName ?? lastSegment(p.PolicyArn ?? ''), policyArn: p.PolicyArn ?? '' })))
    : attached;
  const toFetch = attachedPolicies.known
    ? unique(attachedPolicies.value.map((p) => p.policyArn)).filter((arn) => arn && !isBuiltInPolicy(arn))
    : [];
  const [inline, documents] = await Promise.all([
    inlineNames.known ? inlinePolicies(c, roleName, inlineNames.value) : Promise.resolve(inlineNames),
    Promise.all(toFetch.map(async (arn) => [arn, await cachedDocument(c, arn, cache)] as const)),
  ]);
  return { attachedPolicies, inlinePolicies: inline, managedPolicyDocuments: Object.fromEntries(documents) };
}

async function getRole(c: Clients, roleName: string): Promise<NonNullable<Role['role']>> {
  return attempt('iam:GetRole', async () => {
    const r = (await c.iam.send(new GetRoleCommand({ RoleName: roleName }))).Role;
    if (!r?.Arn) throw incomplete('role ARN');
    return compact({
      arn: r.Arn,
      trustPolicy: parsePolicyDocument(r.AssumeRolePolicyDocument),
      permissionsBoundaryArn: r.PermissionsBoundary?.PermissionsBoundaryArn,
    });
  });
}

const simulationOf = (c: Clients, arn: string, pairs: readonly SimPair[]) =>
  attempt('iam:SimulatePrincipalPolicy', () => simulate(c, arn, pairs));

/** Lists that were not read because IAM's simulator already answered for every action the checks ask about. */
function notNeeded(call: string): Unknown {
  return {
    known: false,
    call,
    code: 'NotCollected',
    message: 'not read: iam:SimulatePrincipalPolicy allowed every action ssm-doctor asks about for this role',
  };
}

const notRead = (): RolePolicies => ({
  attachedPolicies: notNeeded('iam:ListAttachedRolePolicies'),
  inlinePolicies: notNeeded('iam:ListRolePolicies'),
  managedPolicyDocuments: {},
});

/** A role's policies are needed when the simulator could not answer or did not allow everything (they then say which statement denies). */
const needsPolicies = (sim: Fact<SimulationResult[]>) =>
  !sim.known || sim.value.length === 0 || sim.value.some((r) => r.decision.toLowerCase() !== 'allowed');

/** What a role read starts from: its name, the ARN to simulate when already known, and the actions to simulate. */
export interface RoleRequest {
  roleName: string;
  arn?: string;
  pairs: (roleArn: string) => SimPair[];
}

interface RoleRead {
  /** The simulation, settled before the policy lists that may follow it. */
  simulated: Promise<Fact<SimulationResult[]>>;
  done: Promise<Role>;
}

/**
 * iam:GetRole and iam:SimulatePrincipalPolicy side by side; the policy lists and documents only
 * when the simulation could not answer or did not allow everything (an extra round only then).
 */
function readRole(c: Clients, req: RoleRequest, cache: DocumentCache, ahead: Promise<unknown>[], sweep?: IamSweep): RoleRead {
  const swept = sweep?.roles.get(req.roleName);
  // The document of an attached AWS managed policy is asked beside the simulation, not after it:
  // its default version (iam:GetPolicy, already asked beside the listing in a large fleet, see
  // prefetchPolicies) and then the version itself, so a denial costs no round at all. A role that
  // the simulation allows everything has had its documents read for nothing: two calls per policy
  // and run, not per role, and for PREFETCH_POLICIES policies at most (past them, a role asks its
  // own only when its simulation calls for them).
  if (swept) {
    for (const arn of unsweptDocuments(swept)) {
      if (!cache.ahead.has(arn) && cache.ahead.size >= PREFETCH_POLICIES) continue;
      cache.ahead.add(arn);
      ahead.push(cachedDocument(c, arn, cache));
    }
  }
  const rolePromise = swept ? Promise.resolve(swept.role) : getRole(c, req.roleName);
  const firstSim = req.arn
    ? simulationOf(c, req.arn, req.pairs(req.arn))
    : rolePromise.then((r): Promise<Fact<SimulationResult[]>> =>
        r.known ? simulationOf(c, r.value.arn, req.pairs(r.value.arn)) : Promise.resolve(r),
      );
  const simulated = Promise.all([rolePromise, firstSim]).then(async ([role, first]) => {
    // A role ARN built from a name (Default Host Management) may lack the role's path: GetRole has the real one.
    if (req.arn && !first.known && first.code.startsWith('NoSuchEntity') && role.known && role.value.arn !== req.arn) {
      return simulationOf(c, role.value.arn, req.pairs(role.value.arn));
    }
    return first;
  });
  const done = Promise.all([rolePromise, simulated]).then(async ([role, simulation]): Promise<Role> => {
    const needed = needsPolicies(simulation);
    const [policies, boundary] = await Promise.all([
      swept ? sweptPolicies(c, swept, needed, cache) : needed ? rolePolicies(c, req.roleName, cache) : Promise.resolve(notRead()),
      // The boundary's document is read under the same condition as the role's own documents: the local evaluation needs both.
      needed ? boundaryDocument(c, role, cache, sweep) : Promise.resolve(undefined),
    ]);
    return { ...policies, role, simulation, ...(boundary ? { permissionsBoundary: boundary } : {}) };
  });
  return { simulated, done };
}

/** The attached policies of a swept role whose documents the sweep lacks and the checks do not know by name (AWS managed ones). */
const unsweptDocuments = (swept: RolePolicies): string[] =>
  swept.attachedPolicies.known
    ? unique(swept.attachedPolicies.value.map((p) => p.policyArn)).filter(
        (arn) => arn && !isBuiltInPolicy(arn) && !Object.hasOwn(swept.managedPolicyDocuments, arn),
      )
    : [];

/** Past this many, the AWS managed policies of a fleet's instance roles are not asked ahead: each role asks its own when read. */
export const PREFETCH_POLICIES = 20;

/**
 * The default versions (iam:GetPolicy) of the AWS managed policies that the account's instance
 * roles attach and the checks do not know by name, asked as soon as the sweep is in: in a fleet
 * whose listing goes wide, beside its parts, so that the documents themselves can leave with the
 * VPC reads (readRole) instead of a round after them. Returns how many were asked: none when there
 * are more than PREFETCH_POLICIES, since most would go unused.
 */
export function prefetchPolicies(c: Clients, sweep: IamSweep): number {
  const roleNames = unique([...sweep.profiles.values()].flatMap((p) => p.roles.map((r) => r.roleName)));
  const arns = unique(
    roleNames.flatMap((name) => {
      const role = sweep.roles.get(name);
      return role ? unsweptDocuments(role) : [];
    }),
  );
  if (arns.length > PREFETCH_POLICIES) return 0;
  for (const arn of arns) policyOf(c, arn, cacheOf(c)).catch(() => undefined);
  return arns.length;
}

/** A swept role's policies; the documents of AWS managed policies the checks do not know by name join them only when the simulation calls for them. */
async function sweptPolicies(c: Clients, swept: RolePolicies, needed: boolean, cache: DocumentCache): Promise<RolePolicies> {
  if (!needed || !swept.attachedPolicies.known) return swept;
  const documents = await Promise.all(unsweptDocuments(swept).map(async (arn) => [arn, await cachedDocument(c, arn, cache)] as const));
  return { ...swept, managedPolicyDocuments: { ...swept.managedPolicyDocuments, ...Object.fromEntries(documents) } };
}

export interface IamRead {
  instanceProfiles: Facts['instanceProfiles'];
  roles: Facts['roles'];
}

const UII = 'ssm:UpdateInstanceInformation';

/** Whether the agent, validating a profile role with ssm:UpdateInstanceInformation, might fall back to DHMC: not known to be allowed. */
function mayFallBack(sim: Fact<SimulationResult[]>): boolean {
  if (!sim.known) return true;
  const results = sim.value.filter((r) => r.action === UII);
  return results.length === 0 || results.some((r) => r.decision.toLowerCase() !== 'allowed');
}

/**
 * Each profile and role once, however many instances share it; a role's reads start as soon as
 * its profile is known. `dhmc` is the Default Host Management role, with its ARN when it can be
 * built from the setting (the setting holds the role's path). It is read only when an instance may
 * take its credentials: one has no instance profile (read at once), a profile is missing, unknown
 * or roleless (read beside the roles), or a profile role may not be allowed
 * ssm:UpdateInstanceInformation (read once its simulation says so).
 */
export async function readIam(
  c: Clients,
  profileArns: string[],
  dhmc: { roleName: string; arn?: string; neededNow: boolean } | null,
  pairs: (roleArn: string) => SimPair[],
  sweep?: IamSweep,
): Promise<IamRead> {
  const roleReads = new Map<string, Promise<Role>>();
  const fallbacks: Promise<void>[] = [];
  const cache = cacheOf(c);
  // Documents asked ahead that no simulation called for: awaited too, so none is left running.
  const ahead: Promise<unknown>[] = [];
  const readDhmc = () => {
    if (dhmc && !roleReads.has(dhmc.roleName))
      roleReads.set(
        dhmc.roleName,
        readRole(
          c,
          { roleName: dhmc.roleName, arn: sweep?.roles.get(dhmc.roleName)?.role.known ? undefined : dhmc.arn, pairs },
          cache,
          ahead,
          sweep,
        ).done,
      );
  };
  const readProfileRole = (roleName: string, arn: string) => {
    if (!roleName || roleReads.has(roleName)) return;
    const read = readRole(c, { roleName, arn: arn || undefined, pairs }, cache, ahead, sweep);
    roleReads.set(roleName, read.done);
    fallbacks.push(read.simulated.then((sim) => (mayFallBack(sim) ? readDhmc() : undefined)));
  };
  if (dhmc?.neededNow) readDhmc();
  const profiles = await Promise.all(
    profileArns.map(async (arn) => {
      const p = await getInstanceProfile(c, arn, sweep);
      if (p.known && p.value) p.value.roles.forEach((r) => readProfileRole(r.roleName, r.arn));
      return [arn, p] as const;
    }),
  );
  if (profiles.some(([, p]) => !p.known || !p.value || p.value.roles.length === 0)) readDhmc();
  await Promise.all(fallbacks);
  const roles = await Promise.all([...roleReads].map(async ([name, read]) => [name, await read] as const));
  await Promise.allSettled(ahead);
  return { instanceProfiles: Object.fromEntries(profiles), roles: Object.fromEntries(roles) };
}
