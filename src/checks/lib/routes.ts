/** A subnet's route table and the routes that win for an address: longest prefix match, as the VPC router decides. */
import ipaddr from 'ipaddr.js';
import type { Route, RouteTable } from '../../facts/schema.js';
import { defineMessages, type Text } from '../../lang.js';
import { NON_PUBLIC_IPV4, blockOf, parseCidr, type Block, type Family } from './cidr.js';
import { memoize } from './memo.js';
import { notCollected, type Network } from './network.js';
import { need } from '../types.js';

const M = defineMessages({
  mainTable: {
    en: "route table {rt} (the VPC's main table: {subnet} has no explicit association)",
    ja: 'ルートテーブル {rt} (VPC のメインルートテーブル。{subnet} には明示的な関連付けがありません)',
  },
  ownTable: { en: 'route table {rt} (associated with {subnet})', ja: 'ルートテーブル {rt} ({subnet} に関連付け)' },
});

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
  return M(implicit ? 'mainTable' : 'ownTable', { rt: table.routeTableId, subnet: subnetId });
}

/** The effective route table of the instance's subnet; unknown when the tables could not be read or none applies. */
export function subnetRouteTable(net: Network): EffectiveTable {
  const table = effectiveRouteTable(need(net.vpc.routeTables, 'ec2:DescribeRouteTables'), net.subnetId);
  if (!table) {
    throw notCollected(
      'ec2:DescribeRouteTables',
      `no route table of ${net.vpcId} is associated with ${net.subnetId}, and none is marked main`,
    );
  }
  return table;
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
    const octet = octets[i] ?? 255;
    if (octet < 255) {
      octets[i] = octet + 1;
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
}

const HUB_TARGETS = [/^tgw-/, /^pcx-/, /^arn:.*core-network/];

/** Active routes toward another VPC (transit gateway, peering connection, Cloud WAN core network): the way to centralised endpoints. */
export function hubRoutes(table: RouteTable): Route[] {
  return table.routes.filter((r) => r.state.toLowerCase() === 'active' && HUB_TARGETS.some((re) => re.test(r.target)));
}

/** The destinations of one family (IPv4 unless told) the subnet routes toward other VPCs: where centralised endpoints' addresses must lie to be reachable. */
export function hubDestinations(net: Network, family: Family = 'ipv4'): { routes: Route[]; blocks: Block[] } {
  const hub = hubRoutes(subnetRouteTable(net).table).flatMap((route) => {
    const block = blockOf(route.destination);
    return block?.family === family ? [{ route, block }] : [];
  });
  return { routes: hub.map((h) => h.route), blocks: hub.map((h) => h.block) };
}
