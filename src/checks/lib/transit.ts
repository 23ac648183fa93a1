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
import { consolePath } from './glossary.js';
import { notCollected, type Network } from './network.js';
import { isAvailable, ssmEndpoints } from './ssm-endpoints.js';
import type { SsmService } from '../../aws/services.js';
import type { FixStep } from '../types.js';

const toAttachments = consolePath('vpc', 'transitGatewayAttachments');
const toTgwTables = consolePath('vpc', 'transitGatewayRouteTables');
const accept = consolePath('actions', 'acceptTgwAttachment');
const modify = consolePath('actions', 'modifyTgwAttachment');
const associate = consolePath('associations', 'createAssociation');

const M = defineMessages({
  attachState: {
    en: 'attachment {att} of {vpc} to {tgw} is {state}, not available',
    ja: '{vpc} の {tgw} へのアタッチメント {att} は {state} で、available ではありません',
  },
  stepAccept: {
    en: `Accept attachment {att} in the transit gateway's owner account{owner}: ${toAttachments.en} → select {att} → ${accept.en}`,
    ja: `トランジットゲートウェイを所有するアカウント{owner}でアタッチメント {att} を承諾します:${toAttachments.ja}→ {att} を選択 →${accept.ja}`,
  },
  inAccount: {
    en: ' (in account {account})',
    ja: ' (アカウント {account} で実行)',
  },
  stepState: {
    en: `Wait for attachment {att} to become available, or recreate it if it failed (${toAttachments.en})`,
    ja: `アタッチメント {att} が available になるまで待つか、失敗している場合は作り直します (${toAttachments.ja})`,
  },
  noAz: {
    en: 'attachment {att} has no subnet in {az}, where {id} runs: resources in an Availability Zone without an attachment subnet cannot reach the transit gateway',
    ja: 'アタッチメント {att} には {id} が動いている {az} のサブネットがありません。アタッチメントのサブネットがないアベイラビリティーゾーンのリソースはトランジットゲートウェイに到達できません',
  },
  stepAz: {
    en: `Add a subnet in {az} to attachment {att}{where}: ${toAttachments.en} → select {att} → ${modify.en} (AWS advises a small subnet of its own for the attachment, and it must have IPv4 addresses)`,
    ja: `アタッチメント {att} に {az} のサブネットを追加します{where}:${toAttachments.ja}→ {att} を選択 →${modify.ja} (アタッチメント専用の小さなサブネットが推奨され、IPv4 アドレスを持つサブネットである必要があります)`,
  },
  ownerView: {
    en: 'the route table association of {att} is seen only from the account that owns {tgw}, {owner}: add a profile of {owner} to --profile (or let --org-role read it), and its view is read',
    ja: '{att} のルートテーブルの関連付けは {tgw} を所有するアカウント {owner} からしか見えません。--profile に {owner} のプロファイルを加える (または --org-role で読み取る) と、その側から読み取ります',
  },
  noAssociation: {
    en: 'attachment {att} ({vpc}) is associated with no route table of {tgw}: the transit gateway drops the traffic it sends',
    ja: 'アタッチメント {att} ({vpc}) は {tgw} のどのルートテーブルにも関連付けられていません。トランジットゲートウェイはその通信を破棄します',
  },
  stepAssociate: {
    en: `Associate attachment {att} with a route table of {tgw}{where}: ${toTgwTables.en} → select one → ${associate.en}`,
    ja: `アタッチメント {att} を {tgw} のルートテーブルに関連付けます{where}:${toTgwTables.ja}→ ルートテーブルを選択 →${associate.ja}`,
  },
  noPropagation: {
    en: '{rtb} does not learn the routes of {att} ({vpc}) by propagation, so the way {dir} may be missing; a static route could carry it, but static routes are not read (only ec2:SearchTransitGatewayRoutes shows them, and this tool makes Describe, Get and List calls only)',
    ja: '{rtb} は {att} ({vpc}) のルートを伝播で学習していないため、{dir}の経路がない可能性があります。静的ルートがあれば通りますが、静的ルートは読み取っていません (ec2:SearchTransitGatewayRoutes でしか見えず、このツールは Describe・Get・List の呼び出ししか行いません)',
  },
  there: { en: 'there', ja: '往路' },
  back: { en: 'back', ja: '復路' },
  stepPropagate: {
    en: 'Let {rtb} learn the routes of {att} ({vpc}){where}: enable propagation (below), or add a static route with its CIDR as destination and {att} as target',
    ja: '{rtb} に {att} ({vpc}) のルートを学習させます{where}: 伝播を有効にする (下記) か、その CIDR を送信先、{att} をターゲットとする静的ルートを追加します',
  },
});
export const TRANSIT_MESSAGES = M.table;

/** Adding a subnet in an Availability Zone to an attachment, in the account that owns it. */
export const azStep = (net: Network, att: string, az: string, account: string | undefined): FixStep => ({
  key: `tgw-az:${att}:${az}`,
  text: M('stepAz', { att, az, where: where(net, account) }),
});

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
    const usable = ssmEndpoints(vpc.endpoints.value, facts.region).filter(
      (e) => services.includes(e.service) && isAvailable(e.endpoint) && e.endpoint.type.toLowerCase() === 'interface',
    );
    const served = new Set(usable.map((e) => e.service)).size;
    if (served && (!best || served > best.served)) best = { attachment: a, vpc, endpoints: usable.map((e) => e.endpoint), served };
  }
  return best;
}

export const gap = (level: Gap['level'], text: Text, steps: FixStep[] = [], commands: string[] = []): Gap => ({
  level,
  text,
  steps,
  commands,
});

/** Attachments in these states carry traffic: `modifying` is an available one whose subnets or options are being changed. */
const WORKING = new Set(['available', 'modifying']);
/** Attachments in these states are on their way out (EC2 lists a deleted one for a while beside its successor). */
export const GONE = new Set(['deleted', 'deleting', 'rejected', 'failed', 'failing']);

/** " (in account …)" when a fix is to be made in another account than the instance's. */
export const where = (net: Network, account: string | undefined): Text | string =>
  account && net.instance.accountId && account !== net.instance.accountId ? M('inAccount', { account }) : '';

/** The spoke's own attachment: available, in the instance's Availability Zone, associated with a route table. */
export function attachmentGaps(net: Network, a: TgwAttachment): Gap[] {
  const gaps: Gap[] = [];
  const { region, instance } = net;
  const base = { att: a.attachmentId, vpc: a.vpcId, tgw: a.transitGatewayId };
  if (!WORKING.has(a.state)) {
    const accept = a.state === 'pendingAcceptance';
    const owner = a.transitGatewayOwnerId ? ` ${a.transitGatewayOwnerId}` : '';
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
  const mine = subnets.find((s) => s.subnetId === net.subnetId);
  const az = instance.availabilityZone ?? mine?.availabilityZone;
  const served = new Set(a.subnetIds.map((id) => subnets.find((s) => s.subnetId === id)?.availabilityZone));
  if (az && !served.has(az)) {
    // An attachment cannot use an IPv6-only subnet: the instance's own is offered only when it has IPv4 addresses.
    const command =
      mine?.ipv6Native === true
        ? []
        : [
            aws(
              region,
              'ec2',
              'modify-transit-gateway-vpc-attachment',
              '--transit-gateway-attachment-id',
              a.attachmentId,
              '--add-subnet-ids',
              net.subnetId,
            ),
          ];
    gaps.push(
      gap(
        'fail',
        M('noAz', { att: a.attachmentId, az, id: instance.instanceId }),
        [{ key: `tgw-az:${a.attachmentId}:${az}`, text: M('stepAz', { att: a.attachmentId, az, where: where(net, a.vpcOwnerId) }) }],
        command,
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
    gaps.push(associationGap(net, a));
  }
  return gaps;
}

function associationGap(net: Network, a: TgwAttachment): Gap {
  const base = { att: a.attachmentId, vpc: a.vpcId, tgw: a.transitGatewayId };
  const step = { key: `tgw-assoc:${a.attachmentId}`, text: M('stepAssociate', { ...base, where: where(net, a.transitGatewayOwnerId) }) };
  return gap('fail', M('noAssociation', base), [step]);
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
      [
        {
          key: `tgw-prop:${rtb}:${from.attachmentId}`,
          text: M('stepPropagate', { ...args, where: where(net, from.transitGatewayOwnerId) }),
        },
      ],
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
  if (!hub.routeTableId || hub.associationState !== 'associated') return [associationGap(net, hub)];
  return [...propagationGap(net, tg, spoke.routeTableId!, hub, 'there'), ...propagationGap(net, tg, hub.routeTableId, spoke, 'back')];
}
