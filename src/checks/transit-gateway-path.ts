import { defineMessages, joinText, type Text } from '../lang.js';
import { observedConnected } from './lib/agent-evidence.js';
import { consolePath, label } from './lib/glossary.js';
import { familyOf } from './lib/ipv6.js';
import { listText } from './lib/list.js';
import { notCollected } from './lib/network.js';
import { SESSION_SERVICES, networkOf, serviceHost, servicePaths, subnetRouteTable, type Network, type SsmService } from './lib/path.js';
import { attachmentGaps, GONE, hubOf, tgwTableGaps, TRANSIT_MESSAGES, type Gap } from './lib/transit.js';
import { HUB_MESSAGES, hubGaps, pickTransitGateway } from './lib/transit-hub.js';
import { need, type Check, type Finding } from './types.js';

const toAttachments = consolePath('vpc', 'transitGatewayAttachments');
const create = label('createTgwAttachment');

const M = defineMessages({
  title: {
    en: 'A transit gateway on the way leads to the Systems Manager endpoints and back',
    ja: '経路上のトランジットゲートウェイが Systems Manager のエンドポイントまで往復をつなぐ',
  },
  noTgw: {
    en: '{id} reaches {services} without a transit gateway',
    ja: '{id} はトランジットゲートウェイを通らずに {services} に到達します',
  },
  notRead: {
    en: 'transit gateways were not read (facts saved by an earlier version of ssm-doctor)',
    ja: 'トランジットゲートウェイは読み取られていません (以前のバージョンの ssm-doctor で保存したファクトです)',
  },
  notAttached: {
    en: '{table} of {id} routes to {tgw}, but {vpc} has no attachment to it: the traffic goes nowhere',
    ja: '{id} の {table} は {tgw} にルーティングしていますが、{vpc} はそれにアタッチされていません。通信はどこにも届きません',
  },
  stepAttach: {
    en: `Attach {vpc} to {tgw} with a subnet in each Availability Zone its instances use (${toAttachments.en} → ${create.en}), or remove the route`,
    ja: `{vpc} を {tgw} にアタッチし、インスタンスが使う各アベイラビリティーゾーンのサブネットを指定します (${toAttachments.ja}→${create.ja})。または、そのルートを削除します`,
  },
  otherAccount: {
    en: '{tgw} belongs to account {owner}: the hub VPCs attached to it are seen from that account; add a profile of {owner} to --profile (or let --org-role read it), and its view is read',
    ja: '{tgw} はアカウント {owner} のものです。アタッチされたハブ VPC はそのアカウントからしか見えません。--profile に {owner} のプロファイルを加える (または --org-role で読み取る) と、その側から読み取ります',
  },
  noHub: {
    en: 'none of the VPCs attached to {tgw} ({vpcs}) has available interface endpoints for {services}: the addresses the hosted zone returns lie beyond what this tool can follow (another transit gateway, a peering connection, an on-premises network)',
    ja: '{tgw} にアタッチされた VPC ({vpcs}) には {services} の利用可能なインターフェイスエンドポイントがありません。ホストゾーンが返すアドレスは、このツールが追える範囲の外 (別のトランジットゲートウェイ、ピアリング接続、オンプレミスのネットワーク) にあります',
  },
  none: { en: 'none', ja: 'なし' },
  hubElsewhere: {
    en: 'no VPC attached to {tgw} whose endpoints were read holds Systems Manager endpoints; VPCs of accounts {accounts} are attached too, and the hub may be one of them: add a profile of its account to --profile (or let --org-role read it)',
    ja: '{tgw} にアタッチされ、エンドポイントを読み取れた VPC には Systems Manager のエンドポイントがありません。アカウント {accounts} の VPC もアタッチされており、ハブはその中にあるかもしれません。--profile にそのアカウントのプロファイルを加えてください (または --org-role で読み取る)',
  },
  otherWay: {
    en: "{id} reaches the hub endpoints' addresses through {via}, not a transit gateway (network-route judges that path)",
    ja: '{id} はハブのエンドポイントのアドレスにトランジットゲートウェイではなく {via} 経由で到達します (その経路は network-route が判定します)',
  },
  sharedVpc: {
    en: '{vpc} is shared by account {owner}, which holds its transit gateway attachments: add a profile of {owner} to --profile (or let --org-role read it), and its view is read',
    ja: '{vpc} はアカウント {owner} から共有されており、トランジットゲートウェイのアタッチメントはそのアカウントにあります。--profile に {owner} のプロファイルを加える (または --org-role で読み取る) と、その側から読み取ります',
  },
  ipv6Hub: {
    en: '{id} is IPv6-only: the way through {tgw} to hub {hub} and back is judged for IPv4 only, so its IPv6 routes, security group rules and network ACL entries are not verified',
    ja: '{id} は IPv6 専用です。{tgw} を通ってハブ {hub} まで往復する経路は IPv4 でしか判定しないため、IPv6 のルート、セキュリティグループのルール、ネットワーク ACL のエントリは確認していません',
  },
  stepIpv6Hub: {
    en: "Check that {hub}'s endpoints are dual-stack, that both sides' route tables send each other's IPv6 blocks to the transit gateway, and that the hub endpoints' security groups and network ACLs admit {id}'s IPv6 address on TCP 443",
    ja: '{hub} のエンドポイントがデュアルスタックであること、双方のルートテーブルが相手の IPv6 ブロックをトランジットゲートウェイに送ること、ハブのエンドポイントのセキュリティグループとネットワーク ACL が {id} の IPv6 アドレスからの TCP 443 を許可することを確認します',
  },
  stepNoHub: {
    en: "Check that {names} resolve, from {id}, to the addresses of interface endpoints that {tgw}'s route tables reach, or create the endpoints in {vpc}",
    ja: '{id} から {names} が、{tgw} のルートテーブルで到達できるインターフェイスエンドポイントのアドレスに解決されることを確認するか、{vpc} にエンドポイントを作成します',
  },
  beyond: {
    en: "{id}'s attachment {att} to {tgw} is available, serves its Availability Zone and is associated with {rtb}; where {rtb} sends 0.0.0.0/0 is a static route, which only ec2:SearchTransitGatewayRoutes shows (not called: this tool makes Describe, Get and List calls only), so the way out to the internet beyond it is network-route's to judge",
    ja: '{id} の {tgw} へのアタッチメント {att} は available で、そのアベイラビリティーゾーンをカバーし、{rtb} に関連付けられています。{rtb} が 0.0.0.0/0 をどこへ送るかは静的ルートで、ec2:SearchTransitGatewayRoutes でしか見えません (このツールは Describe・Get・List の呼び出ししか行わないため呼びません)。その先のインターネットへの経路は network-route の判定に委ねます',
  },
  ok: {
    en: '{id} reaches {services} through {tgw}: attachment {att} serves its Availability Zone, {rtb} learns the routes of hub {hub} ({hubAtt}) and {hubRtb} those of {att}; the hub endpoints {eps} admit {ip} on TCP 443, and their subnets route it back through {tgw}',
    ja: '{id} は {tgw} 経由で {services} に到達します。アタッチメント {att} はそのアベイラビリティーゾーンをカバーし、{rtb} はハブ {hub} ({hubAtt}) のルートを、{hubRtb} は {att} のルートを学習しています。ハブのエンドポイント {eps} は {ip} からの TCP 443 を許可し、そのサブネットは応答を {tgw} 経由で返します',
  },
  gaps: {
    en: '{id} cannot reach {services} through {tgw}: {gaps}',
    ja: '{id} は {tgw} 経由で {services} に到達できません: {gaps}',
  },
  maybe: {
    en: '{id} may not reach {services} through {tgw}: {gaps}',
    ja: '{id} は {tgw} 経由で {services} に到達できない可能性があります: {gaps}',
  },
  observed: {
    en: '{gaps}; but the agent of {id} is Online and connected, so its traffic gets through',
    ja: '{gaps}。ただし {id} のエージェントはオンラインで接続済みのため、通信は届いています',
  },
});

/** The session services whose traffic leaves through a transit gateway, and the transit gateways it may take (in route order). */
function throughTgw(net: Network): { tgws: string[]; services: SsmService[]; central: boolean } | undefined {
  const routes = subnetRouteTable(net).table.routes.filter((r) => r.state.toLowerCase() === 'active' && r.target.startsWith('tgw-'));
  const paths = servicePaths(net).filter((p) => SESSION_SERVICES.includes(p.service));
  const central = paths.filter((p) => p.via === 'central').map((p) => p.service);
  if (central.length && routes.length) return { tgws: [...new Set(routes.map((r) => r.target))], services: central, central: true };
  for (const p of paths) {
    if (p.via !== 'internet') continue;
    const hop = p.path.hops.find((h) => h.route?.target.startsWith('tgw-'));
    if (hop?.route) {
      const services = paths.filter((q) => q.via === 'internet').map((q) => q.service);
      return { tgws: [hop.route.target], services, central: false };
    }
  }
  return undefined;
}

/** One gap per fix: several endpoints behind one security group, or subnets sharing a route table, say it once. */
function distinct(gaps: readonly Gap[]): Gap[] {
  const seen = new Set<string>();
  return gaps.filter((g) => {
    const key = g.steps[0]?.key ?? JSON.stringify(g.text);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function verdict(gaps: Gap[], head: { id: string; services: Text; tgw: string }, observed: boolean): Finding | undefined {
  if (!gaps.length) return undefined;
  const fix = { steps: gaps.flatMap((g) => g.steps), commands: gaps.flatMap((g) => g.commands) };
  const text = joinText(
    gaps.map((g) => g.text),
    '; ',
    '。',
  );
  if (gaps.some((g) => g.level === 'fail')) return { status: 'fail', message: M('gaps', { ...head, gaps: text }), fix };
  if (observed) return { status: 'pass', message: M('observed', { gaps: text, id: head.id }) };
  return { status: 'warn', message: M('maybe', { ...head, gaps: text }), fix };
}

/**
 * A route to a transit gateway is only the first hop: the attachment must serve the instance's Availability Zone and
 * be associated with a route table, that table must lead to the hub VPC with the endpoints, the hub must route the
 * replies back, and the hub endpoints' security groups and network ACLs must let the spoke in.
 */
export const transitGatewayPath: Check = {
  id: 'transit-gateway-path',
  severity: 'critical',
  title: M('title'),
  messages: { ...M.table, ...TRANSIT_MESSAGES, ...HUB_MESSAGES },
  requires: ['network-route'],
  evaluate(ctx): Finding {
    const net = networkOf(ctx);
    const id = ctx.instanceId;
    const way = throughTgw(net);
    if (!way) return { status: 'skip', message: M('noTgw', { id, services: listText(SESSION_SERVICES) }) };
    const tg = ctx.facts.transitGateways;
    if (!tg) return { status: 'skip', message: M('notRead') };
    const picked = way.central ? pickTransitGateway(ctx.facts, net, way.tgws, way.services) : { tgw: way.tgws[0]! };
    if (picked.via) return { status: 'skip', message: M('otherWay', { id, via: picked.via }) };
    const tgw = picked.tgw!;
    const services = listText(way.services);
    const head = { id, services, tgw };
    const observed = observedConnected(ctx.facts, id);
    const listed = need(tg.attachments[tgw], 'ec2:DescribeTransitGatewayVpcAttachments');
    // EC2 lists a deleted attachment for a while beside its successor; one that is gone is reported only when it is all there is.
    const attachments = listed.filter((a) => !GONE.has(a.state));
    const spoke = attachments.find((a) => a.vpcId === net.vpcId) ?? listed.find((a) => a.vpcId === net.vpcId);
    const table = subnetRouteTable(net).table.routeTableId;
    if (!spoke) {
      // In a shared VPC the owner holds the attachments; a participant account sees none of them.
      const owner = net.vpc.ownerId;
      if (owner && ctx.instance.accountId && owner !== ctx.instance.accountId) {
        throw notCollected('ec2:DescribeTransitGatewayVpcAttachments', M('sharedVpc', { vpc: net.vpcId, owner }).en);
      }
      const text = M('notAttached', { table, id, tgw, vpc: net.vpcId });
      const steps = [{ key: `tgw-attach:${net.vpcId}:${tgw}`, text: M('stepAttach', { vpc: net.vpcId, tgw }) }];
      return verdict([{ level: 'fail', text, steps, commands: [] }], head, observed)!;
    }
    const own = verdict(attachmentGaps(net, spoke), head, observed);
    if (own) return own;
    const rtb = spoke.routeTableId!;
    if (!way.central) return { status: 'skip', message: M('beyond', { id, att: spoke.attachmentId, tgw, rtb }) };
    const hub = hubOf(ctx.facts, attachments, spoke, way.services);
    if (!hub) {
      const owner = spoke.transitGatewayOwnerId;
      const mine = ctx.instance.accountId;
      const others = attachments.filter((a) => a !== spoke);
      // Only the spoke's own attachment in view: the gateway's owner holds the rest.
      if (owner && mine && owner !== mine && !others.length) {
        throw notCollected('ec2:DescribeTransitGatewayVpcAttachments', M('otherAccount', { tgw, owner }).en);
      }
      need(tg.hubVpcs, 'ec2:DescribeVpcEndpoints');
      // Attached VPCs of accounts whose endpoints were not read: the hub may be one of them.
      const unread = [
        ...new Set(others.flatMap((a) => (a.vpcOwnerId && a.vpcOwnerId !== mine && a.vpcOwnerId !== owner ? [a.vpcOwnerId] : []))),
      ];
      if (unread.length) {
        const accounts = unread.length > 5 ? `${unread.slice(0, 5).join(', ')}, …` : unread.join(', ');
        throw notCollected('ec2:DescribeVpcEndpoints', M('hubElsewhere', { tgw, accounts }).en);
      }
      const vpcs = others.map((a) => a.vpcId);
      const names = way.services.map((s) => serviceHost(net.region, s)).join(', ');
      const text = M('noHub', { tgw, vpcs: vpcs.length ? listText(vpcs) : M('none'), services });
      const steps = [{ key: `tgw-hub:${tgw}`, text: M('stepNoHub', { names, id, tgw, vpc: net.vpcId }) }];
      return verdict([{ level: 'warn', text, steps, commands: [] }], head, observed)!;
    }
    if (familyOf(net) === 'ipv6') {
      const text = M('ipv6Hub', { id, tgw, hub: hub.attachment.vpcId });
      const steps = [{ key: `tgw-ipv6:${tgw}`, text: M('stepIpv6Hub', { id, hub: hub.attachment.vpcId }) }];
      return verdict([{ level: 'warn', text, steps, commands: [] }], head, observed)!;
    }
    const gaps = distinct([...tgwTableGaps(net, tg, spoke, hub.attachment), ...hubGaps(net, ctx.facts, tgw, table, hub, spoke)]);
    const found = verdict(gaps, head, observed);
    if (found) return found;
    return {
      status: 'pass',
      message: M('ok', {
        ...head,
        att: spoke.attachmentId,
        rtb,
        hub: hub.attachment.vpcId,
        hubAtt: hub.attachment.attachmentId,
        hubRtb: hub.attachment.routeTableId ?? '',
        eps: listText(hub.endpoints.map((e) => e.endpointId)),
        ip: ctx.instance.privateIp ?? '',
      }),
    };
  },
};
