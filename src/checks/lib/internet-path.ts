/** The instance's way to Systems Manager's public addresses: its subnet's routes, on through an internet or NAT gateway. */
import type { NatGateway, Route } from '../../facts/schema.js';
import { NO_TEXT, defineMessages, joinText, type Text } from '../../lang.js';
import type { Network } from './network.js';
import { describeTable, effectiveRouteTable, publicRouting, subnetRouteTable, type EffectiveTable } from './routes.js';
import { need, type CheckContext } from '../types.js';

const M = defineMessages({
  blackhole: {
    en: '{arrow} is a blackhole route (its target no longer exists)',
    ja: '{arrow} はブラックホールルートです (ターゲットが存在しません)',
  },
  routeState: { en: '{arrow} is {state}', ja: '{arrow} は {state} です' },
  igwDetached: { en: '{arrow}, but {target} is not attached to {vpc}', ja: '{arrow} ですが、{target} は {vpc} にアタッチされていません' },
  publicIp: { en: '{arrow}, and {id} has public IPv4 {ip}', ja: '{arrow}、{id} のパブリック IPv4 は {ip}' },
  noPublicIp: { en: '{arrow}, but {id} has no public IPv4 address', ja: '{arrow} ですが、{id} にパブリック IPv4 アドレスがありません' },
  natUnknown: {
    en: '{arrow}, which is not among the collected NAT gateways of {vpc}',
    ja: '{arrow} ですが、{vpc} の NAT ゲートウェイとして取得できませんでした',
  },
  natState: { en: '{arrow}, which is {state}', ja: '{arrow} ですが、状態が {state} です' },
  natPrivate: {
    en: '{arrow}, a private NAT gateway with no internet access',
    ja: '{arrow} ですが、インターネットに出られないプライベート NAT ゲートウェイです',
  },
  natPublic: { en: '{arrow} (available, public){onward}', ja: '{arrow} (available、public){onward}' },
  beyond: {
    en: '{arrow} ({kind}): where traffic goes beyond it cannot be verified from here',
    ja: '{arrow} ({kind}): その先の経路はここからは確認できません',
  },
  tgw: { en: 'a transit gateway', ja: 'トランジットゲートウェイ' },
  vgw: { en: 'a virtual private gateway', ja: '仮想プライベートゲートウェイ' },
  pcx: { en: 'a VPC peering connection', ja: 'VPC ピアリング接続' },
  eni: { en: 'a network interface', ja: 'ネットワークインターフェイス' },
  instance: { en: 'an instance', ja: 'インスタンス' },
  gwlbe: { en: 'a Gateway Load Balancer endpoint', ja: 'Gateway Load Balancer エンドポイント' },
  cagw: { en: 'a carrier gateway', ja: 'キャリアゲートウェイ' },
  lgw: { en: 'a local gateway', ja: 'ローカルゲートウェイ' },
  coreNetwork: { en: 'a Cloud WAN core network', ja: 'Cloud WAN コアネットワーク' },
  target: { en: 'a target', ja: 'ターゲット' },
  natNoSubnet: {
    en: ', but which subnet the NAT gateway sits in is not known',
    ja: '。ただし NAT ゲートウェイがどのサブネットにあるかは不明です',
  },
  natNoTable: {
    en: ", but no route table applies to the NAT gateway's subnet {subnet}",
    ja: '。ただし NAT ゲートウェイのサブネット {subnet} に適用されるルートテーブルがありません',
  },
  natMainTable: { en: "route table {rt} (the VPC's main table)", ja: 'ルートテーブル {rt} (VPC のメインルートテーブル)' },
  natTable: { en: 'route table {rt}', ja: 'ルートテーブル {rt}' },
  natNoWayOut: {
    en: ', but the NAT gateway sits in {subnet}, whose {table} has no active route to an attached internet gateway ({targets})',
    ja: '。ただし NAT ゲートウェイは {subnet} にあり、その{table}にはアタッチ済みインターネットゲートウェイへの有効なルートがありません ({targets})',
  },
  natBeyond: {
    en: "; the NAT gateway's subnet {subnet} goes on over its {table} ({targets}), which cannot be verified from here",
    ja: '。NAT ゲートウェイのサブネット {subnet} の{table}は {targets} へ向かい、その先はここからは確認できません',
  },
  noOtherRoute: { en: 'no route for the other internet addresses', ja: 'その他のインターネット宛てのルートなし' },
  noDefaultRoute: { en: 'no 0.0.0.0/0 route', ja: '0.0.0.0/0 のルートなし' },
  path: { en: '{table}: {hops}', ja: '{table}: {hops}' },
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

const TARGET_KINDS: [RegExp, Parameters<typeof M>[0]][] = [
  [/^tgw-/, 'tgw'],
  [/^vgw-/, 'vgw'],
  [/^pcx-/, 'pcx'],
  [/^eni-/, 'eni'],
  [/^i-/, 'instance'],
  [/^vpce-/, 'gwlbe'],
  [/^cagw-/, 'cagw'],
  [/^lgw-/, 'lgw'],
  [/^arn:.*core-network/, 'coreNetwork'],
];

const isActive = (r: Route) => r.state.toLowerCase() === 'active';

function igwAttached(net: Network, id: string): boolean {
  return !!need(net.vpc.internetGateways, 'ec2:DescribeInternetGateways').find((g) => g.internetGatewayId === id)?.attached;
}

function hopOf(route: Route, net: Network): Hop {
  const { target, state } = route;
  const arrow = `${route.destination} → ${target}`;
  const id = net.instance.instanceId;
  const hop = (kind: PathKind, text: Text): Hop => ({ route, kind, text });
  if (!isActive(route))
    return hop('none', state.toLowerCase() === 'blackhole' ? M('blackhole', { arrow }) : M('routeState', { arrow, state }));
  if (target.startsWith('igw-')) {
    if (!igwAttached(net, target)) return hop('none', M('igwDetached', { arrow, target, vpc: net.vpcId }));
    const ip = net.instance.publicIp;
    return ip ? hop('ok', M('publicIp', { arrow, id, ip })) : hop('none', M('noPublicIp', { arrow, id }));
  }
  if (target.startsWith('nat-')) {
    const nat = need(net.vpc.natGateways, 'ec2:DescribeNatGateways').find((n) => n.natGatewayId === target);
    if (!nat) return hop('unverifiable', M('natUnknown', { arrow, vpc: net.vpcId }));
    if (nat.state.toLowerCase() !== 'available') return hop('none', M('natState', { arrow, state: nat.state }));
    if (nat.connectivityType.toLowerCase() !== 'public') return hop('none', M('natPrivate', { arrow }));
    const onward = natOnward(nat, net);
    return hop(onward.kind, M('natPublic', { arrow, onward: onward.text }));
  }
  const kind = TARGET_KINDS.find(([re]) => re.test(target))?.[1] ?? 'target';
  return hop('unverifiable', M('beyond', { arrow, kind: M(kind) }));
}

/**
 * A public NAT gateway reaches the internet only through its own subnet's route table: every public
 * address must go on to an attached internet gateway. A NAT gateway placed in a private subnet is a
 * classic mistake that leaves the NAT route looking fine. A firewall or transit gateway on the way is
 * reported as unverifiable; no route at all, a blackhole or a detached gateway as no way out.
 */
function natOnward(nat: NatGateway, net: Network): { kind: PathKind; text: Text } {
  const subnet = nat.subnetId;
  if (!subnet) return { kind: 'unverifiable', text: M('natNoSubnet') };
  const table = effectiveRouteTable(need(net.vpc.routeTables, 'ec2:DescribeRouteTables'), subnet);
  if (!table) return { kind: 'unverifiable', text: M('natNoTable', { subnet }) };
  const routing = net.memo.get('public-routing', table.table.routeTableId, () => publicRouting(table.table.routes));
  const onward = routing.routes.map((r): PathKind => {
    // A NAT gateway in a subnet whose default route is the NAT gateway itself: the usual way this mistake looks.
    if (!isActive(r) || r.target === nat.natGatewayId) return 'none';
    if (!r.target.startsWith('igw-')) return 'unverifiable';
    return igwAttached(net, r.target) ? 'ok' : 'none';
  });
  if (routing.unrouted) onward.push('none');
  // The usual case says nothing more: the instance's own route is the news.
  if (onward.every((k) => k === 'ok')) return { kind: 'ok', text: NO_TEXT };
  const head = M(table.implicit ? 'natMainTable' : 'natTable', { rt: table.table.routeTableId });
  const listed = routing.routes.map((r) => `${r.destination} → ${r.target}${isActive(r) ? '' : ` (${r.state})`}`).join(', ');
  if (onward.every((k) => k === 'none')) {
    return { kind: 'none', text: M('natNoWayOut', { subnet, table: head, targets: listed || M('noDefaultRoute') }) };
  }
  return { kind: 'unverifiable', text: M('natBeyond', { subnet, table: head, targets: listed }) };
}

/**
 * The instance's way to Systems Manager's public addresses: only through an attached internet gateway with a public IPv4,
 * or an available public NAT gateway. Other targets (transit gateway, firewall…) are reported as unverifiable, never guessed.
 */
export function internetPath(net: Network): InternetPath {
  const table = subnetRouteTable(net);
  const routing = net.memo.get('public-routing', table.table.routeTableId, () => publicRouting(table.table.routes));
  const hops = routing.routes.map((r) => hopOf(r, net));
  if (routing.unrouted) hops.push({ kind: 'none', text: M(hops.length ? 'noOtherRoute' : 'noDefaultRoute') });
  const kinds = [...new Set(hops.map((h) => h.kind))];
  const kind: PathKind = kinds.length === 1 && kinds[0] ? kinds[0] : 'unverifiable';
  const text = M('path', {
    table: describeTable(table, net.subnetId),
    hops: joinText(
      hops.map((h) => h.text),
      '; ',
      '。',
    ),
  });
  return { table, kind, hops, text };
}

/** Targets of the hops that could not be verified, for fix step keys. */
export const unverifiedTargets = (path: InternetPath) =>
  path.hops.flatMap((h) => (h.kind === 'unverifiable' && h.route ? [h.route.target] : []));

/**
 * PingStatus Online proves the agent's heartbeat to ssm got out. It vouches for an unverifiable route only when that
 * route is the one way out for every public address and ssm itself has no endpoint to take instead.
 */
export function confirmedByPing(ctx: Pick<CheckContext, 'facts' | 'instanceId'>, path: InternetPath, ssmHasEndpoint: boolean): boolean {
  if (path.kind !== 'unverifiable' || path.hops.length !== 1 || ssmHasEndpoint) return false;
  const m = ctx.facts.managedInstances;
  return m.known && m.value[ctx.instanceId]?.pingStatus === 'Online';
}
