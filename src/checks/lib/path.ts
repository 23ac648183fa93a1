/** How the instance's traffic reaches Systems Manager: its VPC's interface endpoints and its subnet's routes. */
import ipaddr from 'ipaddr.js';
import type { Endpoint, HostedZone, Instance, NatGateway, Route, RouteTable, Vpc } from '../../facts/schema.js';
import { t, type Text } from '../../lang.js';
import { NON_PUBLIC_IPV4, blockOf, parseCidr, type Block } from './cidr.js';
import { SSM_SERVICES, serviceHost, serviceName, serviceOf, type SsmService } from '../../aws/services.js';
import { memoize, memoizeOn } from './memo.js';
import { FactUnknown, need, type CheckContext } from '../types.js';

export { SESSION_SERVICES, SSM_SERVICES, serviceHost, serviceName, serviceOf, type SsmService } from '../../aws/services.js';

export interface SsmEndpoint {
  service: SsmService;
  endpoint: Endpoint;
}

/** The interface endpoints for ssm, ssmmessages and ec2messages among a VPC's endpoints, in that service order. */
export const ssmEndpoints = memoizeOn((endpoints: readonly Endpoint[], region: string): readonly SsmEndpoint[] => {
  const found: SsmEndpoint[] = [];
  for (const endpoint of endpoints) {
    const service = serviceOf(endpoint.serviceName, region);
    if (service && endpoint.type.toLowerCase() === 'interface') found.push({ service, endpoint });
  }
  return found.sort((a, b) => SSM_SERVICES.indexOf(a.service) - SSM_SERVICES.indexOf(b.service));
});

// The API's enum says "Available", the filter and the CLI say "available".
export const isAvailable = (e: Endpoint) => e.state.toLowerCase() === 'available';

const GONE = new Set(['deleting', 'deleted', 'failed', 'rejected', 'expired']);
/** Available or on its way there (pending): an endpoint whose settings decide where traffic goes. */
export const isLive = (e: Endpoint) => !GONE.has(e.state.toLowerCase());

export interface Network {
  instance: Instance;
  vpcId: string;
  subnetId: string;
  vpc: Vpc;
  region: string;
}

export function networkOf({ instance, facts }: Pick<CheckContext, 'instance' | 'facts'>): Network {
  const { vpcId, subnetId } = instance;
  if (!vpcId || !subnetId) {
    throw new FactUnknown({ known: false, call: 'ec2:DescribeInstances', code: 'NotCollected', message: `${instance.instanceId} has no VPC or subnet in the facts` });
  }
  const vpc = facts.vpcs[vpcId];
  if (!vpc) throw new FactUnknown({ known: false, call: 'ec2:DescribeVpcs', code: 'NotCollected', message: `${vpcId} is not in the facts` });
  return { instance, vpcId, subnetId, vpc, region: facts.region };
}

/** The live Systems Manager endpoints of the instance's VPC (the endpoints checks 3–5 look at). */
export function liveSsmEndpoints(net: Network): SsmEndpoint[] {
  return ssmEndpoints(need(net.vpc.endpoints, 'ec2:DescribeVpcEndpoints'), net.region).filter((e) => isLive(e.endpoint));
}

export interface EffectiveTable {
  table: RouteTable;
  /** True when the subnet has no association of its own and uses the VPC's main table. */
  implicit: boolean;
}

/** The subnet's own route table, else the VPC's main one (the API names no subnet for an implicit association). */
export function effectiveRouteTable(tables: readonly RouteTable[], subnetId: string): EffectiveTable | undefined {
  const own = tables.find((rt) => rt.subnetIds.includes(subnetId));
  if (own) return { table: own, implicit: false };
  const main = tables.find((rt) => rt.main);
  return main ? { table: main, implicit: true } : undefined;
}

export function describeTable({ table, implicit }: EffectiveTable, subnetId: string): Text {
  return implicit
    ? t(
        `route table ${table.routeTableId} (the VPC's main table: ${subnetId} has no explicit association)`,
        `ルートテーブル ${table.routeTableId} (VPC のメインルートテーブル。${subnetId} には明示的な関連付けがありません)`,
      )
    : t(`route table ${table.routeTableId} (associated with ${subnetId})`, `ルートテーブル ${table.routeTableId} (${subnetId} に関連付け)`);
}

const parseAddress = memoize((address: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined => {
  if (ipaddr.IPv4.isValidFourPartDecimal(address)) return ipaddr.IPv4.parse(address);
  if (ipaddr.IPv6.isValid(address)) return ipaddr.IPv6.parse(address);
  return undefined;
});

/** The route a packet to `address` takes: longest prefix match over the CIDR routes (prefix-list routes are not resolved). */
export function routeFor(routes: readonly Route[], address: string): Route | undefined {
  const addr = parseAddress(address);
  return addr ? lpm(routes, addr) : undefined;
}

function lpm(routes: readonly Route[], addr: ipaddr.IPv4 | ipaddr.IPv6): Route | undefined {
  let best: { route: Route; bits: number } | undefined;
  for (const route of routes) {
    const cidr = parseCidr(route.destination);
    if (!cidr || cidr[0].kind() !== addr.kind() || !addr.match(cidr)) continue;
    if (!best || cidr[1] > best.bits) best = { route, bits: cidr[1] };
  }
  return best?.route;
}

function nextAddress(a: ipaddr.IPv4): ipaddr.IPv4 | undefined {
  const octets = [...a.octets];
  for (let i = 3; i >= 0; i--) {
    if (octets[i] < 255) {
      octets[i]++;
      return new ipaddr.IPv4(octets);
    }
    octets[i] = 0;
  }
  return undefined;
}

export interface PublicRouting {
  /** Every route that is the longest match for some public IPv4 address, in table order. */
  routes: Route[];
  /** Some public IPv4 addresses match no route at all. */
  unrouted: boolean;
}

/**
 * The routes that carry traffic to public IPv4 addresses, where Systems Manager's public names resolve.
 * Which AWS address a name resolves to is not known here, so every route that wins for some public address counts.
 */
export function publicRouting(routes: readonly Route[]): PublicRouting {
  return routingOf(routes, '');
}

const routingOf = memoizeOn((routes: readonly Route[]): PublicRouting => {
  const v4 = routes.filter((r) => ipaddr.IPv4.isValidCIDRFourPartDecimal(r.destination));
  const blocks = [...v4.map((r) => r.destination), ...NON_PUBLIC_IPV4];
  const nonPublic = NON_PUBLIC_IPV4.map((c) => ipaddr.IPv4.parseCIDR(c));
  // Which route wins changes only where a block starts or just after one ends, so those points cover every case.
  const points: ipaddr.IPv4[] = [ipaddr.IPv4.parse('0.0.0.0')];
  for (const b of blocks) {
    points.push(ipaddr.IPv4.networkAddressFromCIDR(b));
    const after = nextAddress(ipaddr.IPv4.broadcastAddressFromCIDR(b));
    if (after) points.push(after);
  }
  const winners = new Set<Route>();
  let unrouted = false;
  for (const p of points) {
    if (nonPublic.some((np) => p.match(np))) continue;
    const r = lpm(v4, p);
    if (!r) unrouted = true;
    // A local route covers the VPC's own addresses, never a service endpoint's.
    else if (r.target !== 'local') winners.add(r);
  }
  return { routes: v4.filter((r) => winners.has(r)), unrouted };
});

export type PathKind = 'ok' | 'none' | 'unverifiable';

export interface Hop {
  /** Undefined for the public addresses that no route matches. */
  route?: Route;
  kind: PathKind;
  text: Text;
}

export interface InternetPath {
  table: EffectiveTable;
  kind: PathKind;
  hops: Hop[];
  /** "route table rtb-… (…): 0.0.0.0/0 → nat-… (available, public)". */
  text: Text;
}

const TARGET_KINDS: [RegExp, string, string][] = [
  [/^tgw-/, 'a transit gateway', 'トランジットゲートウェイ'],
  [/^vgw-/, 'a virtual private gateway', '仮想プライベートゲートウェイ'],
  [/^pcx-/, 'a VPC peering connection', 'VPC ピアリング接続'],
  [/^eni-/, 'a network interface', 'ネットワークインターフェイス'],
  [/^i-/, 'an instance', 'インスタンス'],
  [/^vpce-/, 'a Gateway Load Balancer endpoint', 'Gateway Load Balancer エンドポイント'],
  [/^cagw-/, 'a carrier gateway', 'キャリアゲートウェイ'],
  [/^lgw-/, 'a local gateway', 'ローカルゲートウェイ'],
  [/^arn:.*core-network/, 'a Cloud WAN core network', 'Cloud WAN コアネットワーク'],
];

function hopOf(route: Route, net: Network): Hop {
  const { destination: dest, target } = route;
  const arrow = `${dest} → ${target}`;
  const id = net.instance.instanceId;
  if (route.state.toLowerCase() !== 'active') {
    return {
      route,
      kind: 'none',
      text:
        route.state.toLowerCase() === 'blackhole'
          ? t(`${arrow} is a blackhole route (its target no longer exists)`, `${arrow} はブラックホールルートです (ターゲットが存在しません)`)
          : t(`${arrow} is ${route.state}`, `${arrow} は ${route.state} です`),
    };
  }
  if (target.startsWith('igw-')) {
    const igw = need(net.vpc.internetGateways, 'ec2:DescribeInternetGateways').find((g) => g.internetGatewayId === target);
    if (!igw?.attached) {
      return { route, kind: 'none', text: t(`${arrow}, but ${target} is not attached to ${net.vpcId}`, `${arrow} ですが、${target} は ${net.vpcId} にアタッチされていません`) };
    }
    const ip = net.instance.publicIp;
    return ip
      ? { route, kind: 'ok', text: t(`${arrow}, and ${id} has public IPv4 ${ip}`, `${arrow}、${id} のパブリック IPv4 は ${ip}`) }
      : { route, kind: 'none', text: t(`${arrow}, but ${id} has no public IPv4 address`, `${arrow} ですが、${id} にパブリック IPv4 アドレスがありません`) };
  }
  if (target.startsWith('nat-')) {
    const nat = need(net.vpc.natGateways, 'ec2:DescribeNatGateways').find((n) => n.natGatewayId === target);
    if (!nat) {
      return {
        route,
        kind: 'unverifiable',
        text: t(`${arrow}, which is not among the collected NAT gateways of ${net.vpcId}`, `${arrow} ですが、${net.vpcId} の NAT ゲートウェイとして取得できませんでした`),
      };
    }
    if (nat.state.toLowerCase() !== 'available') {
      return { route, kind: 'none', text: t(`${arrow}, which is ${nat.state}`, `${arrow} ですが、状態が ${nat.state} です`) };
    }
    if (nat.connectivityType.toLowerCase() !== 'public') {
      return {
        route,
        kind: 'none',
        text: t(`${arrow}, a private NAT gateway with no internet access`, `${arrow} ですが、インターネットに出られないプライベート NAT ゲートウェイです`),
      };
    }
    const onward = natOnward(nat, net);
    return {
      route,
      kind: onward.kind,
      text: t(`${arrow} (available, public)${onward.text.en}`, `${arrow} (available、public)${onward.text.ja}`),
    };
  }
  const kind = TARGET_KINDS.find(([re]) => re.test(target));
  const [en, ja] = kind ? [kind[1], kind[2]] : ['a target', 'ターゲット'];
  return {
    route,
    kind: 'unverifiable',
    text: t(
      `${arrow} (${en}): where traffic goes beyond it cannot be verified from here`,
      `${arrow} (${ja}): その先の経路はここからは確認できません`,
    ),
  };
}

/**
 * A public NAT gateway reaches the internet only through its own subnet's route table: every public
 * address must go on to an attached internet gateway. A NAT gateway placed in a private subnet is a
 * classic mistake that leaves the NAT route looking fine. A firewall or transit gateway on the way is
 * reported as unverifiable; no route at all, a blackhole or a detached gateway as no way out.
 */
function natOnward(nat: NatGateway, net: Network): { kind: PathKind; text: Text } {
  if (!nat.subnetId) {
    return { kind: 'unverifiable', text: t(', but which subnet the NAT gateway sits in is not known', '。ただし NAT ゲートウェイがどのサブネットにあるかは不明です') };
  }
  const where = nat.subnetId;
  const table = effectiveRouteTable(need(net.vpc.routeTables, 'ec2:DescribeRouteTables'), where);
  if (!table) {
    return {
      kind: 'unverifiable',
      text: t(`, but no route table applies to the NAT gateway's subnet ${where}`, `。ただし NAT ゲートウェイのサブネット ${where} に適用されるルートテーブルがありません`),
    };
  }
  const head = table.implicit
    ? t(`route table ${table.table.routeTableId} (the VPC's main table)`, `ルートテーブル ${table.table.routeTableId} (VPC のメインルートテーブル)`)
    : t(`route table ${table.table.routeTableId}`, `ルートテーブル ${table.table.routeTableId}`);
  const routing = publicRouting(table.table.routes);
  const onward = routing.routes.map((r): PathKind => {
    // A NAT gateway in a subnet whose default route is the NAT gateway itself: the usual way this mistake looks.
    if (r.state.toLowerCase() !== 'active' || r.target === nat.natGatewayId) return 'none';
    if (!r.target.startsWith('igw-')) return 'unverifiable';
    const igw = need(net.vpc.internetGateways, 'ec2:DescribeInternetGateways').find((g) => g.internetGatewayId === r.target);
    return igw?.attached ? 'ok' : 'none';
  });
  if (routing.unrouted) onward.push('none');
  // The usual case says nothing more: the instance's own route is the news.
  if (onward.every((k) => k === 'ok')) return { kind: 'ok', text: t('', '') };
  const targets = routing.routes.map((r) => `${r.destination} → ${r.target}${r.state.toLowerCase() === 'active' ? '' : ` (${r.state})`}`).join(', ');
  if (onward.every((k) => k === 'none')) {
    return {
      kind: 'none',
      text: t(
        `, but the NAT gateway sits in ${where}, whose ${head.en} has no active route to an attached internet gateway (${targets || 'no 0.0.0.0/0 route'})`,
        `。ただし NAT ゲートウェイは ${where} にあり、その${head.ja}にはアタッチ済みインターネットゲートウェイへの有効なルートがありません (${targets || '0.0.0.0/0 のルートなし'})`,
      ),
    };
  }
  return {
    kind: 'unverifiable',
    text: t(
      `; the NAT gateway's subnet ${where} goes on over its ${head.en} (${targets}), which cannot be verified from here`,
      `。NAT ゲートウェイのサブネット ${where} の${head.ja}は ${targets} へ向かい、その先はここからは確認できません`,
    ),
  };
}

/**
 * The instance's way to Systems Manager's public addresses: only through an attached internet gateway with a public IPv4,
 * or an available public NAT gateway. Other targets (transit gateway, firewall…) are reported as unverifiable, never guessed.
 */
export function internetPath(net: Network): InternetPath {
  const table = subnetRouteTable(net);
  const routing = publicRouting(table.table.routes);
  const hops = routing.routes.map((r) => hopOf(r, net));
  if (routing.unrouted) {
    hops.push({
      kind: 'none',
      text: hops.length
        ? t('no route for the other internet addresses', 'その他のインターネット宛てのルートなし')
        : t('no 0.0.0.0/0 route', '0.0.0.0/0 のルートなし'),
    });
  }
  const kinds = new Set(hops.map((h) => h.kind));
  const kind: PathKind = kinds.size === 1 ? [...kinds][0] : 'unverifiable';
  const head = describeTable(table, net.subnetId);
  return {
    table,
    kind,
    hops,
    text: t(`${head.en}: ${hops.map((h) => h.text.en).join('; ')}`, `${head.ja}: ${hops.map((h) => h.text.ja).join('。')}`),
  };
}

/** Targets of the hops that could not be verified, for fix step keys. */
export const unverifiedTargets = (path: InternetPath) =>
  path.hops.filter((h) => h.kind === 'unverifiable' && h.route).map((h) => h.route!.target);

/**
 * PingStatus Online proves the agent's heartbeat to ssm got out. It vouches for an unverifiable route only when that
 * route is the one way out for every public address and ssm itself has no endpoint to take instead.
 */
export function confirmedByPing(ctx: Pick<CheckContext, 'facts' | 'instanceId'>, path: InternetPath, ssmHasEndpoint: boolean): boolean {
  if (path.kind !== 'unverifiable' || path.hops.length !== 1 || ssmHasEndpoint) return false;
  const m = ctx.facts.managedInstances;
  return m.known && m.value[ctx.instanceId]?.pingStatus === 'Online';
}

/** "com.amazonaws.r.ssm (vpce-… is pending)" for each service that has no available endpoint. */
export function missingText(all: readonly SsmEndpoint[], services: readonly SsmService[], region: string): Text {
  const parts = services.map((s) => {
    const name = all.find((e) => e.service === s)?.endpoint.serviceName ?? serviceName(region, s);
    const others = all.filter((e) => e.service === s && !isAvailable(e.endpoint)).map((e) => e.endpoint);
    return others.length
      ? t(`${name} (${others.map((e) => `${e.endpointId} is ${e.state}`).join(', ')})`, `${name} (${others.map((e) => `${e.endpointId} は ${e.state}`).join('、')})`)
      : t(name, name);
  });
  return t(parts.map((p) => p.en).join(', '), parts.map((p) => p.ja).join('、'));
}

const HUB_TARGETS = [/^tgw-/, /^pcx-/, /^arn:.*core-network/];

/** Active routes toward another VPC (transit gateway, peering connection, Cloud WAN core network): the way to centralised endpoints. */
export function hubRoutes(table: RouteTable): Route[] {
  return table.routes.filter((r) => r.state.toLowerCase() === 'active' && HUB_TARGETS.some((re) => re.test(r.target)));
}

/** The IPv4 destinations the subnet routes toward other VPCs: where centralised endpoints' addresses must lie to be reachable. */
export function hubDestinations(net: Network): { routes: Route[]; blocks: Block[] } {
  const routes = hubRoutes(subnetRouteTable(net).table).filter((r) => blockOf(r.destination)?.family === 'ipv4');
  return { routes, blocks: routes.map((r) => blockOf(r.destination)!) };
}

const zoneName = (name: string) => (name.endsWith('.') ? name : `${name}.`).toLowerCase();

/**
 * The private hosted zones associated with the VPC that answer for a service's name: the name itself, or a parent up
 * to amazonaws.com. Such a zone makes the VPC's resolver return its records instead of the public ones.
 */
export function steeringZones(zones: readonly HostedZone[], region: string, service: SsmService): HostedZone[] {
  const labels = serviceHost(region, service).split('.');
  const stop = region.startsWith('cn-') ? 3 : 2;
  const names = new Set<string>();
  for (let i = 0; i <= labels.length - stop; i++) names.add(`${labels.slice(i).join('.')}.`);
  return zones.filter((z) => names.has(zoneName(z.name)));
}

/** "ssm.ap-northeast-1.amazonaws.com. (Z0…, account 111122223333)" for each zone, once. */
export function zonesText(zones: readonly HostedZone[]): Text {
  const seen = new Map<string, HostedZone>();
  for (const z of zones) seen.set(z.hostedZoneId, z);
  const one = (z: HostedZone, ja: boolean) => {
    const owner = z.owningAccount ? (ja ? `、アカウント ${z.owningAccount}` : `, account ${z.owningAccount}`) : z.owningService ? (ja ? `、${z.owningService}` : `, ${z.owningService}`) : '';
    return `${zoneName(z.name)} (${z.hostedZoneId}${owner})`;
  };
  const list = [...seen.values()];
  return t(list.map((z) => one(z, false)).join(', '), list.map((z) => one(z, true)).join('、'));
}

/** The effective route table of the instance's subnet; unknown when the tables could not be read or none applies. */
export function subnetRouteTable(net: Network): EffectiveTable {
  const table = effectiveRouteTable(need(net.vpc.routeTables, 'ec2:DescribeRouteTables'), net.subnetId);
  if (!table) {
    throw new FactUnknown({
      known: false,
      call: 'ec2:DescribeRouteTables',
      code: 'NotCollected',
      message: `no route table of ${net.vpcId} is associated with ${net.subnetId}, and none is marked main`,
    });
  }
  return table;
}

/** How one service's traffic leaves the instance, in the order DNS decides it. */
export type ServicePath =
  | { service: SsmService; via: 'endpoint'; endpoints: Endpoint[] }
  | { service: SsmService; via: 'central'; zones: HostedZone[] }
  | { service: SsmService; via: 'internet'; path: InternetPath };

/**
 * For each Systems Manager service: an available local endpoint (private DNS sends every instance there), else a private
 * hosted zone that steers the name to centralised endpoints, else the public name over the subnet's routes. Hosted zones
 * that were not read count as absent here; network-route says when that matters.
 */
export function servicePaths(net: Network): ServicePath[] {
  const all = ssmEndpoints(need(net.vpc.endpoints, 'ec2:DescribeVpcEndpoints'), net.region);
  const zones = net.vpc.hostedZones?.known ? net.vpc.hostedZones.value : [];
  let path: InternetPath | undefined;
  return SSM_SERVICES.map((service): ServicePath => {
    const endpoints = all.filter((e) => e.service === service && isAvailable(e.endpoint)).map((e) => e.endpoint);
    if (endpoints.length) return { service, via: 'endpoint', endpoints };
    const steering = steeringZones(zones, net.region, service);
    if (steering.length) return { service, via: 'central', zones: steering };
    path ??= internetPath(net);
    return { service, via: 'internet', path };
  });
}
