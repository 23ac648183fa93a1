import {
  DescribeInstancesCommand,
  DescribeInternetGatewaysCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcAttributeCommand,
  DescribeVpcEndpointsCommand,
  type Filter,
} from '@aws-sdk/client-ec2';
import {
  GetInstanceProfileCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { DescribeInstanceInformationCommand, GetServiceSettingCommand, type InstanceInformation } from '@aws-sdk/client-ssm';
import {
  known,
  type Fact,
  type Facts,
  type Instance,
  type InstanceProfile,
  type ManagedInstance,
  type Role,
  type Unknown,
  type Vpc,
} from '../facts/schema.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import type { Clients } from './clients.js';
import { codeOf, runLevelError, unknownOf } from './errors.js';
import { RefusedOperation } from './guard.js';
import {
  lastSegment,
  mapEndpoint,
  mapInstance,
  mapInternetGateway,
  mapManagedInstance,
  mapNatGateway,
  mapRouteTable,
  mapSecurityGroup,
  mapSubnet,
  parsePolicyDocument,
} from './map.js';

export const DHMC_SETTING_ID = '/ssm/managed-instance/default-ec2-instance-management-role';
/** Values per EC2 filter; EC2 documents no limit, and 200 keeps each request small. */
const FILTER_BATCH = 200;
/** DescribeInstanceInformation: at most 50 results per page, so at most 50 ids per filter. */
const SSM_BATCH = 50;

/** Policies whose content the checks know by name, so their documents are never fetched. */
const KNOWN_SSM_POLICY =
  /^arn:[\w-]+:iam::aws:policy\/(?:[\w+=,.@-]+\/)*(?:AmazonSSMManagedInstanceCore|AmazonSSMManagedEC2InstanceDefaultPolicy|AmazonEC2RoleforSSM)$/;

/** Runs one read; an AWS error becomes an Unknown naming the call. A refused operation is a bug and is rethrown. */
async function attempt<T>(call: string, read: () => Promise<T>): Promise<Fact<T>> {
  try {
    return known(await read());
  } catch (e) {
    if (e instanceof RefusedOperation) throw e;
    return unknownOf(call, e);
  }
}

/** Follows a paginated read to its end (stopping if the service repeats a token). */
async function pages<O, T>(
  send: (token?: string) => Promise<O>,
  items: (o: O) => T[] | undefined,
  next: (o: O) => string | undefined,
): Promise<T[]> {
  const out: T[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  do {
    const o = await send(token);
    out.push(...(items(o) ?? []));
    token = next(o) || undefined;
    if (token !== undefined && seen.has(token)) break;
    if (token !== undefined) seen.add(token);
  } while (token !== undefined);
  return out;
}

function chunks<T>(xs: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}

const unique = <T>(xs: Iterable<T | undefined | null>): T[] => [...new Set([...xs].filter((x): x is T => x !== undefined && x !== null))];
const failureOf = <T>(f: Fact<T>): Unknown | undefined => (f.known ? undefined : f);

interface InstancesRead {
  byId: Record<string, Fact<Instance | null>>;
  calls: Fact<unknown>[];
}

/** The `instance-id` filter, not InstanceIds: an id that does not exist is then absent, not an error for the batch. */
async function describeInstances(c: Clients, ids: string[]): Promise<InstancesRead> {
  const byId: Record<string, Fact<Instance | null>> = {};
  const calls = await Promise.all(
    chunks(ids, FILTER_BATCH).map(async (batch) => {
      const got = await attempt('ec2:DescribeInstances', () =>
        pages(
          (NextToken) =>
            c.ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'instance-id', Values: batch }], MaxResults: 1000, NextToken })),
          (o) => (o.Reservations ?? []).flatMap((r) => (r.Instances ?? []).map((i) => mapInstance(i, r.OwnerId))),
          (o) => o.NextToken,
        ),
      );
      for (const id of batch) byId[id] = got.known ? known(got.value.find((i) => i.instanceId === id) ?? null) : got;
      return got;
    }),
  );
  return { byId: Object.fromEntries(ids.map((id) => [id, byId[id]])), calls };
}

async function describeInstanceInformation(c: Clients, ids: string[]): Promise<Fact<Record<string, ManagedInstance>>> {
  const list = (filter?: string[]) =>
    pages(
      (NextToken) =>
        c.ssm.send(
          new DescribeInstanceInformationCommand({
            ...(filter ? { Filters: [{ Key: 'InstanceIds', Values: filter }] } : {}),
            MaxResults: SSM_BATCH,
            NextToken,
          }),
        ),
      (o) => o.InstanceInformationList,
      (o) => o.NextToken,
    );
  return attempt('ssm:DescribeInstanceInformation', async () => {
    let infos: InstanceInformation[];
    try {
      infos = (await Promise.all(chunks(ids, SSM_BATCH).map((batch) => list(batch)))).flat();
    } catch (e) {
      // SSM rejects the whole filter when one id is not a node it knows: list every node and pick ours.
      if (codeOf(e) !== 'InvalidInstanceId') throw e;
      infos = await list();
    }
    const wanted = new Set(ids);
    return Object.fromEntries(
      infos.filter((i) => i.InstanceId !== undefined && wanted.has(i.InstanceId)).map((i) => [i.InstanceId!, mapManagedInstance(i)]),
    );
  });
}

/** Default Host Management Configuration: the role name the setting names, or null when it is off. */
async function defaultHostManagement(c: Clients): Promise<Fact<{ roleName: string | null }>> {
  try {
    const o = await c.ssm.send(new GetServiceSettingCommand({ SettingId: DHMC_SETTING_ID }));
    const value = o.ServiceSetting?.SettingValue?.trim();
    return known({ roleName: value && value !== '$None' ? lastSegment(value) : null });
  } catch (e) {
    if (e instanceof RefusedOperation) throw e;
    if (codeOf(e) === 'ServiceSettingNotFound') return known({ roleName: null });
    return unknownOf('ssm:GetServiceSetting', e);
  }
}

interface PerVpc<O, R, T> {
  call: string;
  send: (filter: Filter, token?: string) => Promise<O>;
  filterName: string;
  items: (o: O) => R[] | undefined;
  next: (o: O) => string | undefined;
  vpcsOf: (raw: R) => (string | undefined)[];
  map: (raw: R, vpcId: string) => T;
}

/** One describe call (per batch of VPC ids, paginated) shared by every VPC, split back by VPC. */
async function perVpc<O, R, T>(vpcIds: string[], spec: PerVpc<O, R, T>): Promise<Record<string, Fact<T[]>>> {
  const out: Record<string, Fact<T[]>> = {};
  await Promise.all(
    chunks(vpcIds, FILTER_BATCH).map(async (batch) => {
      const filter = { Name: spec.filterName, Values: batch };
      const got = await attempt(spec.call, () => pages((token) => spec.send(filter, token), spec.items, spec.next));
      for (const v of batch) {
        out[v] = got.known ? known(got.value.filter((r) => spec.vpcsOf(r).includes(v)).map((r) => spec.map(r, v))) : got;
      }
    }),
  );
  return out;
}

async function vpcAttribute(c: Clients, vpcId: string, attribute: 'enableDnsSupport' | 'enableDnsHostnames'): Promise<Fact<boolean>> {
  return attempt('ec2:DescribeVpcAttribute', async () => {
    const o = await c.ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: attribute }));
    const value = (attribute === 'enableDnsSupport' ? o.EnableDnsSupport : o.EnableDnsHostnames)?.Value;
    if (typeof value !== 'boolean') throw Object.assign(new Error(`the answer has no ${attribute} value`), { name: 'IncompleteResponse' });
    return value;
  });
}

async function describeVpcs(c: Clients, vpcIds: string[]): Promise<Record<string, Vpc>> {
  if (vpcIds.length === 0) return {};
  const ec2 = c.ec2;
  const [subnets, routeTables, endpoints, natGateways, internetGateways, securityGroups, dns] = await Promise.all([
    perVpc(vpcIds, {
      call: 'ec2:DescribeSubnets',
      filterName: 'vpc-id',
      send: (f, NextToken) => ec2.send(new DescribeSubnetsCommand({ Filters: [f], MaxResults: 1000, NextToken })),
      items: (o) => o.Subnets,
      next: (o) => o.NextToken,
      vpcsOf: (r) => [r.VpcId],
      map: mapSubnet,
    }),
    perVpc(vpcIds, {
      call: 'ec2:DescribeRouteTables',
      filterName: 'vpc-id',
      send: (f, NextToken) => ec2.send(new DescribeRouteTablesCommand({ Filters: [f], MaxResults: 100, NextToken })),
      items: (o) => o.RouteTables,
      next: (o) => o.NextToken,
      vpcsOf: (r) => [r.VpcId],
      map: mapRouteTable,
    }),
    // Filtered by vpc-id only: moto answers the vpc-endpoint-id filter with an HTML 500.
    perVpc(vpcIds, {
      call: 'ec2:DescribeVpcEndpoints',
      filterName: 'vpc-id',
      send: (f, NextToken) => ec2.send(new DescribeVpcEndpointsCommand({ Filters: [f], MaxResults: 1000, NextToken })),
      items: (o) => o.VpcEndpoints,
      next: (o) => o.NextToken,
      vpcsOf: (r) => [r.VpcId],
      map: mapEndpoint,
    }),
    perVpc(vpcIds, {
      call: 'ec2:DescribeNatGateways',
      filterName: 'vpc-id',
      send: (f, NextToken) => ec2.send(new DescribeNatGatewaysCommand({ Filter: [f], MaxResults: 1000, NextToken })),
      items: (o) => o.NatGateways,
      next: (o) => o.NextToken,
      vpcsOf: (r) => [r.VpcId],
      map: mapNatGateway,
    }),
    perVpc(vpcIds, {
      call: 'ec2:DescribeInternetGateways',
      filterName: 'attachment.vpc-id',
      send: (f, NextToken) => ec2.send(new DescribeInternetGatewaysCommand({ Filters: [f], MaxResults: 1000, NextToken })),
      items: (o) => o.InternetGateways,
      next: (o) => o.NextToken,
      vpcsOf: (r) => (r.Attachments ?? []).map((a) => a.VpcId),
      map: mapInternetGateway,
    }),
    // One call covers the instance's, the endpoints' and the default groups.
    perVpc(vpcIds, {
      call: 'ec2:DescribeSecurityGroups',
      filterName: 'vpc-id',
      send: (f, NextToken) => ec2.send(new DescribeSecurityGroupsCommand({ Filters: [f], MaxResults: 1000, NextToken })),
      items: (o) => o.SecurityGroups,
      next: (o) => o.NextToken,
      vpcsOf: (r) => [r.VpcId],
      map: mapSecurityGroup,
    }),
    Promise.all(vpcIds.map((v) => Promise.all([vpcAttribute(c, v, 'enableDnsSupport'), vpcAttribute(c, v, 'enableDnsHostnames')]))),
  ]);
  return Object.fromEntries(
    vpcIds.map((v, i) => [
      v,
      {
        dnsSupport: dns[i][0],
        dnsHostnames: dns[i][1],
        subnets: subnets[v],
        routeTables: routeTables[v],
        endpoints: endpoints[v],
        natGateways: natGateways[v],
        internetGateways: internetGateways[v],
        securityGroups: securityGroups[v],
      } satisfies Vpc,
    ]),
  );
}

async function getInstanceProfile(c: Clients, arn: string): Promise<Fact<InstanceProfile | null>> {
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
    // Real IAM's code is NoSuchEntity; the SDK's class for it is named NoSuchEntityException.
    if (['NoSuchEntity', 'NoSuchEntityException'].includes(codeOf(e))) return known(null);
    return unknownOf('iam:GetInstanceProfile', e);
  }
}

type DocumentCache = Map<string, Promise<Fact<unknown>>>;

/** A customer (or other) managed policy's default version, parsed. */
async function managedPolicyDocument(c: Clients, arn: string): Promise<Fact<unknown>> {
  const policy = await attempt('iam:GetPolicy', () => c.iam.send(new GetPolicyCommand({ PolicyArn: arn })));
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

async function readRole(c: Clients, roleName: string, cache: DocumentCache): Promise<Role> {
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
    ? unique(attachedPolicies.value.map((p) => p.policyArn)).filter((arn) => arn && !KNOWN_SSM_POLICY.test(arn))
    : [];
  const [inline, documents] = await Promise.all([
    inlineNames.known ? inlinePolicies(c, roleName, inlineNames.value) : Promise.resolve(inlineNames),
    Promise.all(
      toFetch.map(async (arn) => {
        if (!cache.has(arn)) cache.set(arn, managedPolicyDocument(c, arn));
        return [arn, await cache.get(arn)!] as const;
      }),
    ),
  ]);
  return { attachedPolicies, inlinePolicies: inline, managedPolicyDocuments: Object.fromEntries(documents) };
}

interface IamRead {
  instanceProfiles: Facts['instanceProfiles'];
  roles: Facts['roles'];
}

/** Each profile and role once, however many instances share it; a role's reads start as soon as its profile is known. */
async function readIam(c: Clients, profileArns: string[], dhmcRole: string | null): Promise<IamRead> {
  const roleReads = new Map<string, Promise<Role>>();
  const cache: DocumentCache = new Map();
  const role = (name: string) => {
    if (name && !roleReads.has(name)) roleReads.set(name, readRole(c, name, cache));
  };
  if (dhmcRole) role(dhmcRole);
  const profiles = await Promise.all(
    profileArns.map(async (arn) => {
      const p = await getInstanceProfile(c, arn);
      if (p.known && p.value) p.value.roles.forEach((r) => role(r.roleName));
      return [arn, p] as const;
    }),
  );
  const roles = await Promise.all([...roleReads].map(async ([name, read]) => [name, await read] as const));
  return { instanceProfiles: Object.fromEntries(profiles), roles: Object.fromEntries(roles) };
}

/**
 * Reads everything the checks need for these instances, in as few sequential rounds as the
 * dependencies allow: instances, registration and DHMC first; then each distinct VPC and
 * instance profile; then each distinct role.
 */
export async function gather(c: Clients, instanceIds: readonly string[], now: () => Date = () => new Date()): Promise<Facts> {
  const ids = unique(instanceIds);
  const [instances, managedInstances, dhmc] = await Promise.all([
    describeInstances(c, ids),
    ids.length ? describeInstanceInformation(c, ids) : Promise.resolve(known({})),
    defaultHostManagement(c),
  ]);
  const fatal = runLevelError([...instances.calls.map(failureOf), failureOf(managedInstances), failureOf(dhmc)], c.profile, c.region);
  if (fatal) throw fatal;

  const found = Object.values(instances.byId).flatMap((f) => (f.known && f.value ? [f.value] : []));
  const [vpcs, iam] = await Promise.all([
    describeVpcs(c, unique(found.map((i) => i.vpcId))),
    readIam(c, unique(found.map((i) => i.instanceProfileArn)), dhmc.known ? dhmc.value.roleName : null),
  ]);
  return {
    factsVersion: 1,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    collectedAt: now().toISOString(),
    region: c.region,
    instances: instances.byId,
    vpcs,
    instanceProfiles: iam.instanceProfiles,
    roles: iam.roles,
    dhmc,
    managedInstances,
  };
}
