/**
 * Following a transit gateway from a spoke VPC to the hub VPC that holds centralised Systems Manager endpoints: the
 * spoke's attachment (its state, its Availability Zones, its route table), what each side's transit gateway route table
 * learns from the other (propagations), the routes between the VPCs both ways, and the hub endpoints' security groups and
 * network ACLs. Each gap is a `fail` when the facts show it, a `warn` when only an unread static route could close it.
 */
import type { Endpoint, Facts, TgwAttachment, TransitGateways, Vpc } from '../../facts/schema.js';
import { defineMessages, type Text } from '../../lang.js';
import { need } from '../types.js';
import { aws } from './cli.js';
import { blockOf } from './cidr.js';
import { evaluateFlow } from './nacl.js';
import { ephemeralPorts, EPHEMERAL_FIX, HTTPS } from './nacl-crossings.js';
import { notCollected, type Network } from './network.js';
import { effectiveRouteTable, routeFor } from './routes.js';
import { ingressOn } from './sg.js';
import { isAvailable, ssmEndpoints } from './ssm-endpoints.js';
import type { SsmService } from '../../aws/services.js';
import type { FixStep } from '../types.js';

const M = defineMessages({
  attachState: {
    en: 'attachment {att} of {vpc} to {tgw} is {state}, not available',
    ja: '{vpc} の {tgw} へのアタッチメント {att} は {state} で、available ではありません',
  },
  stepAccept: {
    en: "Accept attachment {att} in the transit gateway's account {owner} (VPC → Transit gateway attachments → select {att} → Actions → Accept)",
    ja: 'トランジットゲートウェイのアカウント {owner} でアタッチメント {att} を承諾します (VPC → Transit Gateway アタッチメント → {att} を選択 → アクション → 承諾)',
  },
  stepState: {
    en: 'Wait for attachment {att} to become available, or recreate it if it failed (VPC → Transit gateway attachments)',
    ja: 'アタッチメント {att} が available になるまで待つか、失敗している場合は作り直します (VPC → Transit Gateway アタッチメント)',
  },
  noAz: {
    en: 'attachment {att} has no subnet in {az}, where {id} runs: a transit gateway carries traffic only from the Availability Zones its attachment has a subnet in',
    ja: 'アタッチメント {att} には {id} が動いている {az} のサブネットがありません。トランジットゲートウェイはアタッチメントにサブネットのあるアベイラビリティーゾーンからの通信しか運びません',
  },
  stepAz: {
    en: 'Add a subnet in {az} to attachment {att} (VPC → Transit gateway attachments → select {att} → Actions → Modify; AWS advises a small subnet of its own for the attachment)',
    ja: 'アタッチメント {att} に {az} のサブネットを追加します (VPC → Transit Gateway アタッチメント → {att} を選択 → アクション → 変更。アタッチメント専用の小さなサブネットが推奨されています)',
  },
  ownerView: {
    en: 'the route table association of {att} is seen from the account that owns {tgw}, {owner}: add a profile of {owner} to --profile (or let --org-role read it), and its view is read',
    ja: '{att} のルートテーブルの関連付けは {tgw} を所有するアカウント {owner} から見えます。--profile に {owner} のプロファイルを加える (または --org-role で読み取る) と、その側から読み取ります',
  },
  noAssociation: {
    en: 'attachment {att} ({vpc}) is associated with no route table of {tgw}: the transit gateway drops the traffic it sends',
    ja: 'アタッチメント {att} ({vpc}) は {tgw} のどのルートテーブルにも関連付けられていません。トランジットゲートウェイはその通信を破棄します',
  },
  stepAssociate: {
    en: 'Associate attachment {att} with a route table of {tgw} (VPC → Transit gateway route tables → select one → Associations → Create association)',
    ja: 'アタッチメント {att} を {tgw} のルートテーブルに関連付けます (VPC → Transit Gateway ルートテーブル → 選択 → 関連付け → 関連付けを作成)',
  },
  noPropagation: {
    en: '{rtb} does not learn the routes of {att} ({vpc}) by propagation, so the way {dir} may be missing; a static route could carry it, but static routes are not read (only ec2:SearchTransitGatewayRoutes shows them, and this tool makes Describe, Get and List calls only)',
    ja: '{rtb} は {att} ({vpc}) のルートを伝播で学習していないため、{dir}の経路がない可能性があります。静的ルートがあれば通りますが、静的ルートは読み取っていません (ec2:SearchTransitGatewayRoutes でしか見えず、このツールは Describe・Get・List の呼び出ししか行いません)',
  },
  there: { en: 'there', ja: '往路' },
  back: { en: 'back', ja: '復路' },
  stepPropagate: {
    en: 'Let {rtb} learn the routes of {att} ({vpc}): enable propagation (below), or add a static route for its CIDR to {att}',
    ja: '{rtb} に {att} ({vpc}) のルートを学習させます: 伝播を有効にする (下記) か、その CIDR への {att} 宛て静的ルートを追加します',
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
    en: 'In {rt} add a route: Destination {cidr}, Target transit gateway {tgw} (VPC → Route tables → {rt} → Edit routes)',
    ja: '{rt} にルートを追加します: 送信先 {cidr}、ターゲットはトランジットゲートウェイ {tgw} (VPC → ルートテーブル → {rt} → ルートを編集)',
  },
  hubSg: {
    en: "hub endpoint {ep}'s security groups {groups} do not admit {ip} on TCP 443",
    ja: 'ハブのエンドポイント {ep} のセキュリティグループ {groups} は {ip} からの TCP 443 を許可していません',
  },
  stepSg: {
    en: "Allow inbound TCP 443 from {cidr} in {sg} (hub endpoint {ep}); a rule naming the instance's security group works across a transit gateway only with security group referencing on for the transit gateway and both attachments, so the rule names the CIDR",
    ja: '{sg} (ハブのエンドポイント {ep}) で {cidr} からの TCP 443 のインバウンドを許可します。インスタンスのセキュリティグループを指定するルールがトランジットゲートウェイ越しに効くのは、トランジットゲートウェイと両方のアタッチメントでセキュリティグループの参照が有効な場合だけなので、CIDR で指定します',
  },
  hubAcl: {
    en: 'network ACL {acl} of hub subnet {subnet} does not let through {what}',
    ja: 'ハブのサブネット {subnet} のネットワーク ACL {acl} は {what} を通しません',
  },
  aclIn: { en: 'TCP 443 in from {ip}', ja: '{ip} からの TCP 443 の受信' },
  aclOut: { en: 'replies out to {ip} on {ports}', ja: '{ip} の {ports} への応答の送信' },
  stepAcl: {
    en: 'In network ACL {acl} allow inbound TCP 443 from {cidr} and outbound TCP {ports} to {cidr}, numbered before any entry that denies them',
    ja: 'ネットワーク ACL {acl} で {cidr} からの TCP 443 の受信と {cidr} への TCP {ports} の送信を、それを拒否するエントリより小さい番号で許可します',
  },
});
export const TRANSIT_MESSAGES = M.table;

export interface Gap {
  /** `fail` when the facts show the break; `warn` when only something unread (a static route) could mend it. */
  level: 'fail' | 'warn';
  text: Text;
  steps: FixStep[];
  commands: string[];
}

/** The hub: a VPC attached to the same transit gateway with available interface endpoints for the services. */
export interface Hub {
  attachment: TgwAttachment;
  vpc: Vpc;
  endpoints: Endpoint[];
}

/** Attached VPCs (other than the spoke) whose endpoints serve the most of these services. */
export function hubOf(
  facts: Facts,
  attachments: readonly TgwAttachment[],
  spoke: TgwAttachment,
  services: readonly SsmService[],
): Hub | undefined {
  let best: (Hub & { served: number }) | undefined;
  for (const a of attachments) {
    const vpc = facts.vpcs[a.vpcId];
    if (a === spoke || a.vpcId === spoke.vpcId || !vpc?.endpoints.known) continue;
    const endpoints = ssmEndpoints(vpc.endpoints.value, facts.region)
      .filter((e) => services.includes(e.service) && isAvailable(e.endpoint) && e.endpoint.type.toLowerCase() === 'interface')
      .map((e) => e.endpoint);
    const served = new Set(ssmEndpoints(endpoints, facts.region).map((e) => e.service)).size;
    if (served && (!best || served > best.served)) best = { attachment: a, vpc, endpoints, served };
  }
  return best;
}

const gap = (level: Gap['level'], text: Text, steps: FixStep[] = [], commands: string[] = []): Gap => ({ level, text, steps, commands });

/** The spoke's own attachment: available, in the instance's Availability Zone, associated with a route table. */
export function attachmentGaps(net: Network, a: TgwAttachment): Gap[] {
  const gaps: Gap[] = [];
  const { region, instance } = net;
  const base = { att: a.attachmentId, vpc: a.vpcId, tgw: a.transitGatewayId };
  if (a.state !== 'available') {
    const accept = a.state === 'pendingAcceptance';
    const owner = a.transitGatewayOwnerId ?? '';
    gaps.push(
      gap(
        'fail',
        M('attachState', { ...base, state: a.state }),
        [{ key: `tgw-attach:${a.attachmentId}`, text: M(accept ? 'stepAccept' : 'stepState', { att: a.attachmentId, owner }) }],
        accept ? [aws(region, 'ec2', 'accept-transit-gateway-vpc-attachment', '--transit-gateway-attachment-id', a.attachmentId)] : [],
      ),
    );
  }
  const subnets = need(net.vpc.subnets, 'ec2:DescribeSubnets');
  const az = instance.availabilityZone ?? subnets.find((s) => s.subnetId === net.subnetId)?.availabilityZone;
  const served = new Set(a.subnetIds.map((id) => subnets.find((s) => s.subnetId === id)?.availabilityZone));
  if (az && !served.has(az)) {
    gaps.push(
      gap(
        'fail',
        M('noAz', { att: a.attachmentId, az, id: instance.instanceId }),
        [{ key: `tgw-az:${a.attachmentId}:${az}`, text: M('stepAz', { att: a.attachmentId, az }) }],
        [
          aws(
            region,
            'ec2',
            'modify-transit-gateway-vpc-attachment',
            '--transit-gateway-attachment-id',
            a.attachmentId,
            '--add-subnet-ids',
            net.subnetId,
          ),
        ],
      ),
    );
  }
  if (!a.routeTableId || a.associationState !== 'associated') {
    // A spoke account may not see the association of a shared transit gateway's attachment: its owner decides.
    const owner = a.transitGatewayOwnerId;
    if (!a.routeTableId && owner && instance.accountId && owner !== instance.accountId) {
      throw notCollected(
        'ec2:DescribeTransitGatewayAttachments',
        M('ownerView', { att: a.attachmentId, tgw: a.transitGatewayId, owner }).en,
      );
    }
    gaps.push(associationGap(a));
  }
  return gaps;
}

function associationGap(a: TgwAttachment): Gap {
  const base = { att: a.attachmentId, vpc: a.vpcId, tgw: a.transitGatewayId };
  return gap('fail', M('noAssociation', base), [{ key: `tgw-assoc:${a.attachmentId}`, text: M('stepAssociate', base) }]);
}

/** Whether `rtb` learns `from`'s routes by an enabled propagation; a warning when not (a static route might). */
function propagationGap(net: Network, tg: TransitGateways, rtb: string, from: TgwAttachment, dir: 'there' | 'back'): Gap[] {
  const props = need(tg.propagations[rtb], 'ec2:GetTransitGatewayRouteTablePropagations');
  if (props.some((p) => p.attachmentId === from.attachmentId && p.state === 'enabled')) return [];
  const args = { rtb, att: from.attachmentId, vpc: from.vpcId };
  return [
    gap(
      'warn',
      M('noPropagation', { ...args, dir: M(dir) }),
      [{ key: `tgw-prop:${rtb}:${from.attachmentId}`, text: M('stepPropagate', args) }],
      [
        aws(
          net.region,
          'ec2',
          'enable-transit-gateway-route-table-propagation',
          '--transit-gateway-route-table-id',
          rtb,
          '--transit-gateway-attachment-id',
          from.attachmentId,
        ),
      ],
    ),
  ];
}

/** The transit gateway's route tables both ways: the spoke's learns the hub, the hub's learns the spoke. */
export function tgwTableGaps(net: Network, tg: TransitGateways, spoke: TgwAttachment, hub: TgwAttachment): Gap[] {
  if (!hub.routeTableId || hub.associationState !== 'associated') return [associationGap(hub)];
  return [...propagationGap(net, tg, spoke.routeTableId!, hub, 'there'), ...propagationGap(net, tg, hub.routeTableId, spoke, 'back')];
}

function routeGap(region: string, rt: string, cidr: string, tgw: string, text: Text): Gap {
  return gap(
    'fail',
    text,
    [{ key: `route:${rt}:${cidr}`, text: M('stepRoute', { rt, cidr, tgw }) }],
    [aws(region, 'ec2', 'create-route', '--route-table-id', rt, '--destination-cidr-block', cidr, '--transit-gateway-id', tgw)],
  );
}

const subnetCidr = (vpc: Vpc, subnetId: string): string => {
  const cidr = need(vpc.subnets, 'ec2:DescribeSubnets').find((s) => s.subnetId === subnetId)?.cidr;
  if (!cidr || !blockOf(cidr)) throw notCollected('ec2:DescribeSubnets', `the CIDR of ${subnetId} was not collected`);
  return cidr;
};

/**
 * For each hub endpoint subnet: the spoke's route to it and the hub subnet's route back lead through the transit
 * gateway; the endpoints' security groups admit the instance on 443; the subnet's network ACL lets both ways through.
 */
export function hubGaps(net: Network, facts: Facts, tgw: string, spokeTable: string, hub: Hub, spoke: TgwAttachment): Gap[] {
  // A rule may name the instance's security group across the transit gateway only with referencing on for both attachments.
  const referencing = spoke.securityGroupReferencing === 'enable' && hub.attachment.securityGroupReferencing === 'enable';
  const { region, instance } = net;
  const ip = instance.privateIp;
  if (!ip) throw notCollected('ec2:DescribeInstances', `${instance.instanceId} has no private IPv4 address in the facts`);
  const spokeRoutes = need(net.vpc.routeTables, 'ec2:DescribeRouteTables').find((t) => t.routeTableId === spokeTable)!.routes;
  const mine = subnetCidr(net.vpc, net.subnetId);
  const hubTables = need(hub.vpc.routeTables, 'ec2:DescribeRouteTables');
  const acls = need(hub.vpc.networkAcls, 'ec2:DescribeNetworkAcls');
  const groups = need(hub.vpc.securityGroups, 'ec2:DescribeSecurityGroups');
  const eph = ephemeralPorts(instance);
  const gaps: Gap[] = [];
  for (const subnet of [...new Set(hub.endpoints.flatMap((e) => e.subnetIds))]) {
    const cidr = subnetCidr(hub.vpc, subnet);
    const there = routeFor(spokeRoutes, cidr.split('/')[0]!);
    if (there?.target !== tgw) {
      const target = there?.target ?? M('nowhere');
      gaps.push(
        routeGap(region, spokeTable, cidr, tgw, M('spokeRoute', { rt: spokeTable, id: instance.instanceId, cidr, subnet, target, tgw })),
      );
    }
    const table = effectiveRouteTable(hubTables, subnet)?.table;
    if (!table) throw notCollected('ec2:DescribeRouteTables', `no route table of the hub applies to ${subnet}`);
    const back = routeFor(table.routes, ip);
    if (back?.target !== tgw) {
      gaps.push(
        routeGap(
          region,
          table.routeTableId,
          mine,
          tgw,
          M('hubRoute', { rt: table.routeTableId, subnet, ip, target: back?.target ?? M('nowhere'), tgw }),
        ),
      );
    }
    const acl = acls.find((a) => a.subnetIds.includes(subnet));
    if (!acl) throw notCollected('ec2:DescribeNetworkAcls', `no network ACL of the hub is associated with ${subnet}`);
    const peers = [blockOf(`${ip}/32`)!];
    const inbound = evaluateFlow(acl, { egress: false, peers, ports: HTTPS }).verdict === 'allow';
    const outbound = evaluateFlow(acl, { egress: true, peers, ports: eph.ports }).verdict === 'allow';
    if (!inbound || !outbound) {
      const what = !inbound ? M('aclIn', { ip }) : M('aclOut', { ip, ports: eph.text });
      const ports = `${EPHEMERAL_FIX.from}-${EPHEMERAL_FIX.to}`;
      gaps.push(
        gap('fail', M('hubAcl', { acl: acl.networkAclId, subnet, what }), [
          { key: `hub-acl:${acl.networkAclId}`, text: M('stepAcl', { acl: acl.networkAclId, cidr: mine, ports }) },
        ]),
      );
    }
  }
  for (const ep of hub.endpoints) {
    const own = groups.filter((g) => ep.groupIds.includes(g.groupId));
    const verdicts = own.map((g) =>
      ingressOn(g, 443, { groupIds: referencing ? instance.primaryEniGroupIds : [], addresses: [ip] }, facts.prefixLists),
    );
    if (verdicts.some((v) => v.admittedBy)) continue;
    const unresolved = verdicts.flatMap((v) => v.unresolved)[0];
    if (unresolved) need(unresolved);
    const sg = ep.groupIds[0] ?? '';
    gaps.push(
      gap(
        'fail',
        M('hubSg', { ep: ep.endpointId, groups: ep.groupIds.join(', '), ip }),
        [{ key: `hub-sg:${sg}`, text: M('stepSg', { sg, ep: ep.endpointId, cidr: mine }) }],
        [aws(region, 'ec2', 'authorize-security-group-ingress', '--group-id', sg, '--protocol', 'tcp', '--port', '443', '--cidr', mine)],
      ),
    );
  }
  return gaps;
}
