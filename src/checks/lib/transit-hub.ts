/**
 * The hub side of a transit gateway path: for each hub endpoint subnet, the routes both ways, the hub attachment's
 * Availability Zones and the subnet's network ACL; and the endpoints' security groups.
 */
import type { Facts, TgwAttachment, Vpc } from '../../facts/schema.js';
import { defineMessages, type Text } from '../../lang.js';
import { need } from '../types.js';
import { aws } from './cli.js';
import { consolePath } from './glossary.js';
import { blockOf } from './cidr.js';
import { evaluateFlow } from './nacl.js';
import { ephemeralPorts, EPHEMERAL_FIX, HTTPS } from './nacl-crossings.js';
import { notCollected, type Network } from './network.js';
import { effectiveRouteTable, routeFor } from './routes.js';
import { cidrContains, ingressOn } from './sg.js';
import { azStep, gap, GONE, hubOf, where, type Gap, type Hub } from './transit.js';
import type { SsmService } from '../../aws/services.js';

const toRoutes = consolePath('vpc', 'routeTables', 'editRoutes');

const M = defineMessages({
  hubAz: {
    en: "hub attachment {att} has no subnet in {az}, where hub endpoint subnet {subnet} is: replies from the endpoints' addresses there never reach {tgw}",
    ja: 'ハブのアタッチメント {att} には、ハブのエンドポイントのサブネット {subnet} がある {az} のサブネットがありません。そこにあるエンドポイントのアドレスからの応答は {tgw} に届きません',
  },
  spokeRoute: {
    en: '{rt} of {id} sends {cidr} (subnet {subnet} of the hub endpoints) to {target}, not to {tgw}',
    ja: '{id} の {rt} は {cidr} (ハブのエンドポイントのサブネット {subnet}) を {tgw} ではなく {target} に送ります',
  },
  hubRoute: {
    en: '{rt} of hub subnet {subnet} sends replies to {ip} to {target}, not back to {tgw}',
    ja: 'ハブのサブネット {subnet} の {rt} は {ip} への応答を {tgw} ではなく {target} に送ります',
  },
  nowhere: { en: 'no route', ja: 'ルートなし' },
  stepRoute: {
    en: `In {rt}{where} add (or change) the route: Destination {cidr}, Target transit gateway {tgw} (${toRoutes.en})`,
    ja: `{rt} のルートを追加 (または変更) します{where}: 送信先 {cidr}、ターゲットはトランジットゲートウェイ {tgw} (${toRoutes.ja})`,
  },
  hubSg: {
    en: "hub endpoint {ep}'s security groups {groups} do not admit {ip} on TCP 443",
    ja: 'ハブのエンドポイント {ep} のセキュリティグループ {groups} は {ip} からの TCP 443 を許可していません',
  },
  sgUnread: {
    en: "hub endpoint {ep}'s security groups {groups} were not all read",
    ja: 'ハブのエンドポイント {ep} のセキュリティグループ {groups} はすべては読み取れていません',
  },
  stepSg: {
    en: "Allow inbound TCP 443 from {cidr} in {sg} (hub endpoint {ep}){where}; a rule naming the instance's security group works across a transit gateway only with security group referencing on for the transit gateway and both attachments, so the rule names the CIDR",
    ja: '{sg} (ハブのエンドポイント {ep}) で {cidr} からの TCP 443 のインバウンドを許可します{where}。インスタンスのセキュリティグループを指定するルールがトランジットゲートウェイ越しに効くのは、トランジットゲートウェイと両方のアタッチメントでセキュリティグループの参照が有効な場合だけなので、CIDR で指定します',
  },
  hubAcl: {
    en: 'network ACL {acl} of hub subnet {subnet} does not let through {what}',
    ja: 'ハブのサブネット {subnet} のネットワーク ACL {acl} は {what} を通しません',
  },
  aclIn: { en: 'TCP 443 in from {ip}', ja: '{ip} からの TCP 443 の受信' },
  aclOut: { en: 'replies out to {ip} on {ports}', ja: '{ip} の {ports} への応答の送信' },
  stepAcl: {
    en: 'In network ACL {acl}{where} allow inbound TCP 443 from {cidr} and outbound TCP {ports} to {cidr}, numbered before any entry that denies them',
    ja: 'ネットワーク ACL {acl} で {cidr} からの TCP 443 の受信と {cidr} への TCP {ports} の送信を、それを拒否するエントリより小さい番号で許可します{where}',
  },
});
export const HUB_MESSAGES = M.table;

/**
 * Which of the subnet's transit gateways leads to the hub: the one the route to the hub endpoints' addresses names.
 * `via` when those addresses are routed another way (a peering connection…): not this check's path. Without a hub
 * behind any of them, the first transit gateway route.
 */
export function pickTransitGateway(
  facts: Facts,
  net: Network,
  tgws: readonly string[],
  services: readonly SsmService[],
): { tgw: string; via?: undefined } | { via: string; tgw?: undefined } {
  const tg = facts.transitGateways;
  const routes = effectiveRouteTable(need(net.vpc.routeTables, 'ec2:DescribeRouteTables'), net.subnetId)?.table.routes ?? [];
  let withHub: string | undefined;
  for (const tgw of tgws) {
    const f = tg?.attachments[tgw];
    if (!f?.known) continue;
    const usable = f.value.filter((a) => !GONE.has(a.state));
    const spoke = usable.find((a) => a.vpcId === net.vpcId);
    const hub = spoke && hubOf(facts, usable, spoke, services);
    const subnetId = hub?.endpoints[0]?.subnetIds[0];
    const cidr = hub && subnetId && hub.vpc.subnets.known ? hub.vpc.subnets.value.find((s) => s.subnetId === subnetId)?.cidr : undefined;
    if (!cidr) continue;
    withHub ??= tgw;
    const r = routeFor(routes, cidr.split('/')[0]!);
    if (r?.target === tgw) return { tgw };
    if (r && r.target !== 'local' && !r.target.startsWith('tgw-')) return { via: r.target };
  }
  return { tgw: withHub ?? tgws[0]! };
}

/** A route to add, or to change when the table already has one for that very destination (create-route would be refused). */
function routeGap(
  net: Network,
  rt: string,
  cidr: string,
  tgw: string,
  existing: string | undefined,
  account: string | undefined,
  text: Text,
): Gap {
  const verb = existing === cidr ? 'replace-route' : 'create-route';
  return gap(
    'fail',
    text,
    [{ key: `route:${rt}:${cidr}`, text: M('stepRoute', { rt, cidr, tgw, where: where(net, account) }) }],
    [aws(net.region, 'ec2', verb, '--route-table-id', rt, '--destination-cidr-block', cidr, '--transit-gateway-id', tgw)],
  );
}

const subnetOf = (vpc: Vpc, subnetId: string) => {
  const subnet = need(vpc.subnets, 'ec2:DescribeSubnets').find((s) => s.subnetId === subnetId);
  if (!subnet?.cidr || !blockOf(subnet.cidr)) throw notCollected('ec2:DescribeSubnets', `the CIDR of ${subnetId} was not collected`);
  return { ...subnet, cidr: subnet.cidr };
};

/** What the hub's routes and rules admit the spoke by: the spoke VPC's CIDR that holds the instance (one rule for every subnet), else its subnet's. */
function spokeCidr(net: Network, ip: string): string {
  const vpcCidr = net.vpc.cidrs?.find((c) => cidrContains(c, ip));
  return vpcCidr ?? subnetOf(net.vpc, net.subnetId).cidr;
}

/**
 * For each hub endpoint subnet: the spoke's route to it and the hub subnet's route back lead through the transit
 * gateway, the hub attachment serves its Availability Zone, the subnet's network ACL lets both ways through; and the
 * endpoints' security groups admit the instance on 443.
 */
export function hubGaps(net: Network, facts: Facts, tgw: string, spokeTable: string, hub: Hub, spoke: TgwAttachment): Gap[] {
  const { instance } = net;
  const ip = instance.privateIp;
  if (!ip) throw notCollected('ec2:DescribeInstances', `${instance.instanceId} has no private IPv4 address in the facts`);
  const hubAccount = hub.attachment.vpcOwnerId;
  const spokeRoutes = need(net.vpc.routeTables, 'ec2:DescribeRouteTables').find((t) => t.routeTableId === spokeTable)!.routes;
  const mine = spokeCidr(net, ip);
  const hubTables = need(hub.vpc.routeTables, 'ec2:DescribeRouteTables');
  const acls = need(hub.vpc.networkAcls, 'ec2:DescribeNetworkAcls');
  const attachmentAzs = new Set(hub.attachment.subnetIds.map((id) => subnetOf(hub.vpc, id).availabilityZone));
  const eph = ephemeralPorts(instance);
  const gaps: Gap[] = [];
  for (const subnetId of [...new Set(hub.endpoints.flatMap((e) => e.subnetIds))]) {
    const { cidr, availabilityZone: az } = subnetOf(hub.vpc, subnetId);
    const there = routeFor(spokeRoutes, cidr.split('/')[0]!);
    if (there?.target !== tgw) {
      const target = there?.target ?? M('nowhere');
      const text = M('spokeRoute', { rt: spokeTable, id: instance.instanceId, cidr, subnet: subnetId, target, tgw });
      gaps.push(routeGap(net, spokeTable, cidr, tgw, there?.destination, undefined, text));
    }
    const table = effectiveRouteTable(hubTables, subnetId)?.table;
    if (!table) throw notCollected('ec2:DescribeRouteTables', `no route table of the hub applies to ${subnetId}`);
    const back = routeFor(table.routes, ip);
    if (back?.target !== tgw) {
      const text = M('hubRoute', { rt: table.routeTableId, subnet: subnetId, ip, target: back?.target ?? M('nowhere'), tgw });
      gaps.push(routeGap(net, table.routeTableId, mine, tgw, back?.destination, hubAccount, text));
    }
    if (!attachmentAzs.has(az)) {
      const att = hub.attachment.attachmentId;
      gaps.push(gap('fail', M('hubAz', { att, az, subnet: subnetId, tgw }), [azStep(net, att, az, hubAccount)]));
    }
    const acl = acls.find((a) => a.subnetIds.includes(subnetId));
    if (!acl) throw notCollected('ec2:DescribeNetworkAcls', `no network ACL of the hub is associated with ${subnetId}`);
    const peers = [blockOf(`${ip}/32`)!];
    // Traffic the transit gateway delivers into its own attachment subnet is not checked against that subnet's ACL.
    const inbound =
      hub.attachment.subnetIds.includes(subnetId) || evaluateFlow(acl, { egress: false, peers, ports: HTTPS }).verdict === 'allow';
    const outbound = evaluateFlow(acl, { egress: true, peers, ports: eph.ports }).verdict === 'allow';
    if (!inbound || !outbound) {
      const what = !inbound ? M('aclIn', { ip }) : M('aclOut', { ip, ports: eph.text });
      const ports = `${EPHEMERAL_FIX.from}-${EPHEMERAL_FIX.to}`;
      const step = {
        key: `hub-acl:${acl.networkAclId}`,
        text: M('stepAcl', { acl: acl.networkAclId, cidr: mine, ports, where: where(net, hubAccount) }),
      };
      gaps.push(gap('fail', M('hubAcl', { acl: acl.networkAclId, subnet: subnetId, what }), [step]));
    }
  }
  return [...gaps, ...sgGaps(net, facts, hub, spoke, ip, mine)];
}

/**
 * The hub endpoints' security groups admit the instance on 443: by an address range, or by naming its security group
 * when the transit gateway and both attachments reference security groups (the gateway's own option defaults to off).
 */
function sgGaps(net: Network, facts: Facts, hub: Hub, spoke: TgwAttachment, ip: string, mine: string): Gap[] {
  const { instance } = net;
  const groups = need(hub.vpc.securityGroups, 'ec2:DescribeSecurityGroups');
  const tgw = facts.transitGateways?.gateways?.[spoke.transitGatewayId];
  const attachmentsRefer = spoke.securityGroupReferencing === 'enable' && hub.attachment.securityGroupReferencing === 'enable';
  const gaps: Gap[] = [];
  for (const ep of hub.endpoints) {
    const own = groups.filter((g) => ep.groupIds.includes(g.groupId));
    const byAddress = own.map((g) => ingressOn(g, 443, { groupIds: [], addresses: [ip] }, facts.prefixLists));
    if (byAddress.some((v) => v.admittedBy)) continue;
    const byGroup = own.some((g) => ingressOn(g, 443, { groupIds: instance.primaryEniGroupIds, addresses: [] }).admittedBy);
    if (byGroup && attachmentsRefer) {
      // Only the gateway's own option is left to decide: unknown when it was not read.
      const gateway = need(tgw, 'ec2:DescribeTransitGateways');
      if (gateway.securityGroupReferencing === 'enable') continue;
    }
    const unresolved = byAddress.flatMap((v) => v.unresolved)[0];
    if (unresolved) need(unresolved);
    if (own.length < ep.groupIds.length)
      throw notCollected('ec2:DescribeSecurityGroups', M('sgUnread', { ep: ep.endpointId, groups: ep.groupIds.join(', ') }).en);
    const sg = ep.groupIds[0];
    const step = {
      key: `hub-sg:${sg ?? ep.endpointId}`,
      text: M('stepSg', { sg: sg ?? ep.endpointId, ep: ep.endpointId, cidr: mine, where: where(net, hub.attachment.vpcOwnerId) }),
    };
    const commands = sg
      ? [aws(net.region, 'ec2', 'authorize-security-group-ingress', '--group-id', sg, '--protocol', 'tcp', '--port', '443', '--cidr', mine)]
      : [];
    gaps.push(gap('fail', M('hubSg', { ep: ep.endpointId, groups: ep.groupIds.join(', '), ip }), [step], commands));
  }
  return gaps;
}
