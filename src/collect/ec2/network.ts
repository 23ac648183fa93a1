import {
  DescribeDhcpOptionsCommand,
  DescribeInternetGatewaysCommand,
  DescribeNatGatewaysCommand,
  DescribeNetworkAclsCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcAttributeCommand,
  DescribeVpcEndpointsCommand,
  DescribeVpcsCommand,
  GetManagedPrefixListEntriesCommand,
  type Filter,
} from '@aws-sdk/client-ec2';
import { ListHostedZonesByVPCCommand, type VPCRegion } from '@aws-sdk/client-route-53';
import { known } from '../../facts/fact.js';
import type { Dhcp, Endpoint, Fact, Facts, HostedZone, Instance, RouteTable, SecurityGroup, Vpc } from '../../facts/schema.js';
import type { Clients } from '../sdk/clients.js';
import {
  mapEndpoint,
  mapHostedZone,
  mapInternetGateway,
  mapNatGateway,
  mapNetworkAcl,
  mapRouteTable,
  mapSecurityGroup,
  mapSubnet,
} from './map.js';
import { attempt, chunks, incomplete, pages, unique } from '../sdk/read.js';
import { resolverRulesOf } from '../dns/resolver.js';
import { answerLate } from '../sdk/turns.js';

/** Values per EC2 filter; EC2 documents no limit, and 200 keeps each request small. */
export const FILTER_BATCH = 200;

interface PerVpc<O, R, T> {
  call: string;
  send: (filter: Filter, token?: string) => Promise<O>;
  filterName: string;
  items: (o: O) => R[] | undefined;
  next: (o: O) => string | undefined;
  vpcsOf: (raw: R) => (string | undefined)[];
  map: (raw: R, vpcId: string) => T;
}

/** One VPC's part of a describe call shared by every VPC; a VPC the answer never reached is not read. */
type ByVpc<T> = (vpcId: string) => Fact<T[]>;

/** One describe call (per batch of VPC ids, paginated) shared by every VPC, split back by VPC. */
async function perVpc<O, R, T>(vpcIds: string[], spec: PerVpc<O, R, T>): Promise<ByVpc<T>> {
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
  return (v) => out[v] ?? { known: false, call: spec.call, code: 'NotCollected', message: `${v} was not in the answer` };
}

async function vpcAttribute(c: Clients, vpcId: string, attribute: 'enableDnsSupport' | 'enableDnsHostnames'): Promise<Fact<boolean>> {
  return attempt('ec2:DescribeVpcAttribute', async () => {
    const o = await c.ec2.send(answerLate(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: attribute })));
    const value = (attribute === 'enableDnsSupport' ? o.EnableDnsSupport : o.EnableDnsHostnames)?.Value;
    if (typeof value !== 'boolean') throw incomplete(`${attribute} value`);
    return value;
  });
}

/**
 * The DNS servers each VPC hands its instances: its DHCP options set (DescribeVpcs) and that set's
 * domain-name-servers (DescribeDhcpOptions, every set of the region: there are few), side by side.
 */
async function dhcpOf(
  c: Clients,
  vpcIds: string[],
): Promise<{ dhcp: (vpcId: string) => Fact<Dhcp>; meta: (vpcId: string) => Pick<Vpc, 'ownerId' | 'cidrs'> }> {
  const [vpcs, sets] = await Promise.all([
    attempt('ec2:DescribeVpcs', () =>
      pages(
        (NextToken) => c.ec2.send(answerLate(new DescribeVpcsCommand({ VpcIds: vpcIds, NextToken }))),
        (o) => o.Vpcs,
        (o) => o.NextToken,
      ),
    ),
    attempt('ec2:DescribeDhcpOptions', () =>
      pages(
        (NextToken) => c.ec2.send(answerLate(new DescribeDhcpOptionsCommand({ MaxResults: 1000, NextToken }))),
        (o) => o.DhcpOptions,
        (o) => o.NextToken,
      ),
    ),
  ]);
  const meta = (vpcId: string): Pick<Vpc, 'ownerId' | 'cidrs'> => {
    const vpc = vpcs.known ? vpcs.value.find((v) => v.VpcId === vpcId) : undefined;
    if (!vpc) return {};
    const cidrs = (vpc.CidrBlockAssociationSet ?? [])
      .filter((a) => a.CidrBlockState?.State === 'associated' && a.CidrBlock)
      .map((a) => a.CidrBlock!);
    const all = cidrs.length ? cidrs : vpc.CidrBlock ? [vpc.CidrBlock] : [];
    return { ...(vpc.OwnerId ? { ownerId: vpc.OwnerId } : {}), ...(all.length ? { cidrs: all } : {}) };
  };
  const dhcp = (vpcId: string): Fact<Dhcp> => {
    if (!vpcs.known) return vpcs;
    const vpc = vpcs.value.find((v) => v.VpcId === vpcId);
    if (!vpc) return { known: false, call: 'ec2:DescribeVpcs', code: 'NotCollected', message: `${vpcId} was not in the answer` };
    const id = vpc.DhcpOptionsId;
    // `default` (or none): the VPC uses the Amazon-provided DNS.
    if (!id || id === 'default') return known({ domainNameServers: [] });
    if (!sets.known) return sets;
    const set = sets.value.find((s) => s.DhcpOptionsId === id);
    const servers = (set?.DhcpConfigurations ?? [])
      .filter((d) => d.Key === 'domain-name-servers')
      .flatMap((d) => (d.Values ?? []).map((v) => v.Value ?? ''))
      .filter(Boolean);
    return known({ dhcpOptionsId: id, domainNameServers: servers });
  };
  return { dhcp, meta };
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Whether the VPC's hosted zones matter: ssm or ssmmessages has no available interface endpoint
 * of its own (or the endpoints are not known), so DNS may steer it to centralised endpoints.
 */
export function needsHostedZones(endpoints: Fact<Endpoint[]>, region: string): boolean {
  if (!endpoints.known) return true;
  const local = new RegExp(`^(cn\\.)?com\\.amazonaws\\.${escapeRe(region)}\\.(ssm|ssmmessages)$`);
  const present = new Set(
    endpoints.value
      .filter((e) => e.type.toLowerCase() === 'interface' && e.state.toLowerCase() === 'available')
      .map((e) => local.exec(e.serviceName)?.[2])
      .filter((s): s is string => !!s),
  );
  return !(present.has('ssm') && present.has('ssmmessages'));
}

async function hostedZones(c: Clients, vpcId: string): Promise<Fact<HostedZone[]>> {
  return attempt('route53:ListHostedZonesByVPC', () =>
    pages(
      (NextToken) =>
        c.route53.send(
          answerLate(new ListHostedZonesByVPCCommand({ VPCId: vpcId, VPCRegion: c.region as VPCRegion, MaxItems: 100, NextToken })),
        ),
      (o) => (o.HostedZoneSummaries ?? []).map(mapHostedZone),
      (o) => o.NextToken,
    ),
  );
}

/** The prefix lists that the security groups of these instances and of the VPC's endpoints name, in or out. */
export function referencedPrefixLists(
  groups: Fact<SecurityGroup[]>,
  endpoints: Fact<Endpoint[]>,
  instances: readonly Instance[],
): string[] {
  if (!groups.known) return [];
  const ids = new Set([
    ...instances.flatMap((i) => i.primaryEniGroupIds),
    ...(endpoints.known ? endpoints.value.flatMap((e) => e.groupIds) : []),
  ]);
  return unique(groups.value.filter((g) => ids.has(g.groupId)).flatMap((g) => [...g.ingress, ...g.egress].flatMap((r) => r.prefixListIds)));
}

async function prefixListEntries(c: Clients, id: string): Promise<Fact<string[]>> {
  return attempt('ec2:GetManagedPrefixListEntries', async () =>
    unique(
      await pages(
        (NextToken) => c.ec2.send(answerLate(new GetManagedPrefixListEntriesCommand({ PrefixListId: id, MaxResults: 100, NextToken }))),
        (o) => (o.Entries ?? []).map((e) => e.Cidr),
        (o) => o.NextToken,
      ),
    ),
  );
}

export interface VpcRead {
  vpcs: Facts['vpcs'];
  prefixLists: NonNullable<Facts['prefixLists']>;
}

/**
 * Every VPC fact in one round of calls shared by all the VPCs; then, only where needed, the hosted
 * zones (a VPC without its own Systems Manager endpoints) and the prefix lists its security groups
 * name, side by side. A hub (a VPC whose endpoints others reach through a transit gateway) is read
 * without what only an instance's own VPC needs: its DNS servers, Resolver rules and hosted zones.
 */
export async function describeVpcs(
  c: Clients,
  vpcIds: string[],
  instances: readonly Instance[],
  opts: {
    hub?: boolean;
    /** Told the route tables as soon as they are read, before the hosted zones and prefix lists that may follow (a transit gateway is followed from them). */
    routes?: (routeTables: (vpcId: string) => Fact<RouteTable[]>) => void;
  } = {},
): Promise<VpcRead> {
  if (vpcIds.length === 0) return { vpcs: {}, prefixLists: {} };
  const ec2 = c.ec2;
  const routeTablesRead = perVpc(vpcIds, {
    call: 'ec2:DescribeRouteTables',
    filterName: 'vpc-id',
    send: (f, NextToken) => ec2.send(new DescribeRouteTablesCommand({ Filters: [f], MaxResults: 100, NextToken })),
    items: (o) => o.RouteTables,
    next: (o) => o.NextToken,
    vpcsOf: (r) => [r.VpcId],
    map: mapRouteTable,
  });
  // A refused read (a bug) is thrown where the route tables are awaited, below, not here.
  if (opts.routes) routeTablesRead.then(opts.routes).catch(() => undefined);
  const endpointsRead = perVpc(vpcIds, {
    // Filtered by vpc-id only: moto answers the vpc-endpoint-id filter with an HTML 500.
    call: 'ec2:DescribeVpcEndpoints',
    filterName: 'vpc-id',
    send: (f, NextToken) => ec2.send(new DescribeVpcEndpointsCommand({ Filters: [f], MaxResults: 1000, NextToken })),
    items: (o) => o.VpcEndpoints,
    next: (o) => o.NextToken,
    vpcsOf: (r) => [r.VpcId],
    map: mapEndpoint,
  });
  // One call covers the instance's, the endpoints' and the default groups.
  const groupsRead = perVpc(vpcIds, {
    call: 'ec2:DescribeSecurityGroups',
    filterName: 'vpc-id',
    send: (f, NextToken) => ec2.send(new DescribeSecurityGroupsCommand({ Filters: [f], MaxResults: 1000, NextToken })),
    items: (o) => o.SecurityGroups,
    next: (o) => o.NextToken,
    vpcsOf: (r) => [r.VpcId],
    map: mapSecurityGroup,
  });
  const zonesRead = endpointsRead.then(async (endpoints) =>
    Object.fromEntries(
      await Promise.all(
        vpcIds.filter((v) => !opts.hub && needsHostedZones(endpoints(v), c.region)).map(async (v) => [v, await hostedZones(c, v)] as const),
      ),
    ),
  );
  const prefixListsRead = Promise.all([groupsRead, endpointsRead]).then(async ([groups, endpoints]) => {
    const ids = unique(
      vpcIds.flatMap((v) =>
        referencedPrefixLists(
          groups(v),
          endpoints(v),
          instances.filter((i) => i.vpcId === v),
        ),
      ),
    );
    return Object.fromEntries(await Promise.all(ids.map(async (id) => [id, await prefixListEntries(c, id)] as const)));
  });
  const [
    subnets,
    routeTables,
    endpoints,
    natGateways,
    internetGateways,
    securityGroups,
    networkAcls,
    dns,
    zones,
    prefixLists,
    dhcp,
    resolver,
  ] = await Promise.all([
    perVpc(vpcIds, {
      call: 'ec2:DescribeSubnets',
      filterName: 'vpc-id',
      send: (f, NextToken) => ec2.send(answerLate(new DescribeSubnetsCommand({ Filters: [f], MaxResults: 1000, NextToken }))),
      items: (o) => o.Subnets,
      next: (o) => o.NextToken,
      vpcsOf: (r) => [r.VpcId],
      map: mapSubnet,
    }),
    routeTablesRead,
    endpointsRead,
    perVpc(vpcIds, {
      call: 'ec2:DescribeNatGateways',
      filterName: 'vpc-id',
      send: (f, NextToken) => ec2.send(answerLate(new DescribeNatGatewaysCommand({ Filter: [f], MaxResults: 1000, NextToken }))),
      items: (o) => o.NatGateways,
      next: (o) => o.NextToken,
      vpcsOf: (r) => [r.VpcId],
      map: mapNatGateway,
    }),
    perVpc(vpcIds, {
      call: 'ec2:DescribeInternetGateways',
      filterName: 'attachment.vpc-id',
      send: (f, NextToken) => ec2.send(answerLate(new DescribeInternetGatewaysCommand({ Filters: [f], MaxResults: 1000, NextToken }))),
      items: (o) => o.InternetGateways,
      next: (o) => o.NextToken,
      vpcsOf: (r) => (r.Attachments ?? []).map((a) => a.VpcId),
      map: mapInternetGateway,
    }),
    groupsRead,
    perVpc(vpcIds, {
      call: 'ec2:DescribeNetworkAcls',
      filterName: 'vpc-id',
      send: (f, NextToken) => ec2.send(answerLate(new DescribeNetworkAclsCommand({ Filters: [f], MaxResults: 1000, NextToken }))),
      items: (o) => o.NetworkAcls,
      next: (o) => o.NextToken,
      vpcsOf: (r) => [r.VpcId],
      map: mapNetworkAcl,
    }),
    Promise.all(vpcIds.map((v) => Promise.all([vpcAttribute(c, v, 'enableDnsSupport'), vpcAttribute(c, v, 'enableDnsHostnames')]))),
    zonesRead,
    prefixListsRead,
    opts.hub ? undefined : dhcpOf(c, vpcIds),
    opts.hub ? undefined : resolverRulesOf(c),
  ]);
  const vpcs = Object.fromEntries(
    vpcIds.map((v, i) => {
      const vpc: Vpc = {
        ...dhcp?.meta(v),
        dnsSupport: dns[i]![0],
        dnsHostnames: dns[i]![1],
        subnets: subnets(v),
        routeTables: routeTables(v),
        endpoints: endpoints(v),
        natGateways: natGateways(v),
        internetGateways: internetGateways(v),
        securityGroups: securityGroups(v),
        networkAcls: networkAcls(v),
      };
      if (dhcp) vpc.dhcp = dhcp.dhcp(v);
      if (resolver) vpc.resolverRules = resolver(v);
      if (zones[v]) vpc.hostedZones = zones[v];
      return [v, vpc];
    }),
  );
  return { vpcs, prefixLists };
}
