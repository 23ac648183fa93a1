import type { Instance, NetworkAcl } from '../facts/schema.js';
import { NO_TEXT, defineMessages, joinText, type Text } from '../lang.js';
import { blockOf, everything, publicIpv4, type Block } from './lib/cidr.js';
import { blockedServicesVerdict } from './lib/iam-ec2messages.js';
import type { PortRange } from './lib/nacl.js';
import { naclFix } from './lib/nacl-fix.js';
import { aclsText, describeProblems, judgeAll, reachOf, type Judged, type Need, type Reach } from './lib/nacl-report.js';
import { listText, networkOf, notCollected, type Network } from './lib/network.js';
import { hubDestinations } from './lib/routes.js';
import { idSet, openPaths, targetsOf, type Target } from './lib/service-paths.js';
import type { SsmService } from '../aws/services.js';
import { FactUnknown, need, type Check } from './types.js';

const HTTPS: PortRange = { from: 443, to: 443 };
/** What fixes open for replies: AWS's advice, wide enough for every client OS and for a NAT gateway's ports. */
const EPHEMERAL_FIX: PortRange = { from: 1024, to: 65535 };

const M = defineMessages({
  title: { en: 'Network ACLs allow HTTPS and its return traffic', ja: 'ネットワーク ACL が HTTPS とその戻りの通信を許可している' },
  noPath: {
    en: '{id} has no network path to Systems Manager whose network ACLs could be checked (see network-route)',
    ja: '{id} には、ネットワーク ACL を確認できる Systems Manager への経路がありません (network-route を参照)',
  },
  windowsPorts: { en: "Windows' dynamic ports 49152-65535", ja: 'Windows の動的ポート 49152-65535' },
  linuxPorts: { en: "Linux's ephemeral ports 32768-60999", ja: 'Linux のエフェメラルポート 32768-60999' },
  reply: { en: 'replies to {ports}', ja: '{ports} への応答' },
  request: { en: "the agent's HTTPS requests", ja: 'エージェントの HTTPS リクエスト' },
  natRequest: { en: "the NAT gateway's HTTPS requests", ja: 'NAT ゲートウェイの HTTPS リクエスト' },
  natReply: { en: "replies to the NAT gateway's ports 1024-65535", ja: 'NAT ゲートウェイのポート 1024-65535 への応答' },
  internet: { en: 'the internet', ja: 'インターネット' },
  hub: { en: 'the shared endpoints', ja: '共有エンドポイント' },
  towardHub: { en: '{cidr} (toward the shared endpoints)', ja: '{cidr} (共有エンドポイント側)' },
  head: { en: '{ids} ({services})', ja: '{ids} ({services})' },
  sameSubnet1: {
    en: "{head} is in {subnet}, the instance's own subnet: network ACLs apply only when traffic leaves a subnet",
    ja: '{head} はインスタンスと同じサブネット {subnet} にあります。ネットワーク ACL はサブネットの境界を越える通信にだけ適用されます',
  },
  sameSubnetN: {
    en: "{head} are in {subnet}, the instance's own subnet: network ACLs apply only when traffic leaves a subnet",
    ja: '{head} はインスタンスと同じサブネット {subnet} にあります。ネットワーク ACL はサブネットの境界を越える通信にだけ適用されます',
  },
  endpointOk: {
    en: '{head}: {acls} allow TCP 443 from {ip} to {subnets} and the replies to {ports}',
    ja: '{head}: {acls} は {ip} から {subnets} への TCP 443 と、{ports} への戻りの通信を許可しています',
  },
  blocked: { en: '{head}: {detail}{why}', ja: '{head}: {detail}{why}' },
  someSubnets: {
    en: "; the endpoints stay reachable in some subnets only, and DNS hands out every subnet's address, so some connections fail",
    ja: '。エンドポイントに届くのは一部のサブネットだけですが、DNS はすべてのサブネットのアドレスを返すため、一部の接続が失敗します',
  },
  someParts: {
    en: '; connections that fall on the blocked addresses or ports fail, the others work',
    ja: '。ブロックされたアドレスやポートに当たる接続は失敗し、それ以外は成功します',
  },
  overInternet: { en: 'over the internet path', ja: 'インターネット経由' },
  throughHub: { en: 'through centralised endpoints in another VPC', ja: '別の VPC に集約されたエンドポイント経由' },
  publicOk: {
    en: '{services} {how}: {acls} allow TCP 443 out and the replies to {ports}',
    ja: '{services} は{how}: {acls} は TCP 443 の送信と {ports} への戻りの通信を許可しています',
  },
  publicBlocked: { en: '{services} {how}: {detail}{why}', ja: '{services} は{how}: {detail}{why}' },
  unknownAddresses: {
    en: "; which addresses Systems Manager's names resolve to is not known here, so check that they are not among the denied ones",
    ja: '。Systems Manager の名前がどのアドレスに解決されるかはここでは分からないため、拒否されているアドレスに含まれないか確認してください',
  },
});

/**
 * The ports the instance's replies come back to. The agent's connections take source ports from the OS's ephemeral
 * range, so every port of it must be open or some connections fail: Linux's default ip_local_port_range is
 * 32768–60999, Windows Server's dynamic range 49152–65535. A custom range on the instance cannot be seen from AWS.
 */
export function ephemeralPorts(instance: Instance): { ports: PortRange; text: Text } {
  if (instance.platform === 'windows' || /windows/i.test(instance.platformDetails ?? '')) {
    return { ports: { from: 49152, to: 65535 }, text: M('windowsPorts') };
  }
  return { ports: { from: 32768, to: 60999 }, text: M('linuxPorts') };
}

interface Verdict {
  services: SsmService[];
  reach: Reach;
  text: Text;
  problems: Judged[];
}

/** The instance's side of every crossing: its subnet's ACL, its address, its reply ports; the facts are read when first needed. */
class Crossings {
  readonly eph: { ports: PortRange; text: Text };
  readonly reply: Text;
  private me?: { peers: Block[]; text: string; fixCidr: string };

  constructor(readonly net: Network) {
    this.eph = ephemeralPorts(net.instance);
    this.reply = M('reply', { ports: this.eph.text });
  }

  aclOf(subnetId: string): NetworkAcl {
    const acl = need(this.net.vpc.networkAcls, 'ec2:DescribeNetworkAcls').find((a) => a.subnetIds.includes(subnetId));
    if (!acl) throw notCollected('ec2:DescribeNetworkAcls', `no collected network ACL is associated with ${subnetId}`);
    return acl;
  }

  cidrOf(subnetId: string): { cidr: string; block: Block } {
    const cidr = need(this.net.vpc.subnets, 'ec2:DescribeSubnets').find((s) => s.subnetId === subnetId)?.cidr;
    const block = cidr ? blockOf(cidr) : undefined;
    if (!cidr || !block) throw notCollected('ec2:DescribeSubnets', `the CIDR of ${subnetId} was not collected`);
    return { cidr, block };
  }

  /** The instance as the other side's ACLs see it; fixes admit its whole subnet, so a replaced instance keeps working. */
  self(): { peers: Block[]; text: string; fixCidr: string } {
    if (this.me) return this.me;
    const { instance, subnetId } = this.net;
    const ip = instance.privateIp;
    const block = ip ? blockOf(ip) : undefined;
    if (!ip || !block) throw notCollected('ec2:DescribeInstances', `${instance.instanceId} has no private IPv4 address in the facts`);
    let fixCidr = `${ip}/32`;
    try {
      fixCidr = this.cidrOf(subnetId).cidr;
    } catch (e) {
      if (!(e instanceof FactUnknown)) throw e;
    }
    return (this.me = { peers: [block], text: ip, fixCidr });
  }

  /** From the instance's subnet to `peers` and back: requests out, replies in. */
  out(peers: Block[], peer: Text | string, fixCidr: string): Need[] {
    const acl = this.aclOf(this.net.subnetId);
    const subnetId = this.net.subnetId;
    return [
      { acl, subnetId, egress: true, peers, peer, ports: HTTPS, purpose: M('request'), fix: { cidr: fixCidr, ports: HTTPS } },
      {
        acl,
        subnetId,
        egress: false,
        peers,
        peer,
        ports: this.eph.ports,
        purpose: this.reply,
        fix: { cidr: fixCidr, ports: EPHEMERAL_FIX },
      },
    ];
  }

  /** Into another subnet from the instance and back: requests in, replies out. */
  into(subnetId: string): [request: Need, reply: Need] {
    const acl = this.aclOf(subnetId);
    const me = this.self();
    const peer = me.text;
    return [
      { acl, subnetId, egress: false, peers: me.peers, peer, ports: HTTPS, purpose: M('request'), fix: { cidr: me.fixCidr, ports: HTTPS } },
      {
        acl,
        subnetId,
        egress: true,
        peers: me.peers,
        peer,
        ports: this.eph.ports,
        purpose: this.reply,
        fix: { cidr: me.fixCidr, ports: EPHEMERAL_FIX },
      },
    ];
  }
}

function endpointVerdict(c: Crossings, target: Extract<Target, { via: 'endpoint' }>): Verdict {
  const { subnetId } = c.net;
  const { services } = target;
  const ids = target.endpoints.map((e) => e.endpointId);
  const subnetIds = [...target.endpoints[0].subnetIds].sort();
  const head = M('head', { ids: listText(ids), services: listText(services) });
  const others = subnetIds.filter((s) => s !== subnetId);
  if (!others.length)
    return { services, reach: 'ok', text: M(ids.length > 1 ? 'sameSubnetN' : 'sameSubnet1', { head, subnet: subnetId }), problems: [] };
  const perSubnet = others.map((s) => {
    const { cidr, block } = c.cidrOf(s);
    return judgeAll([...c.out([block], cidr, cidr), ...c.into(s)]);
  });
  // An endpoint address in the instance's own subnet is reached without crossing any ACL.
  const reaches: Reach[] = [...perSubnet.map(reachOf), ...(subnetIds.includes(subnetId) ? ['ok' as const] : [])];
  const problems = perSubnet.flat().filter((j) => j.outcome.verdict !== 'allow');
  const reach: Reach = reaches.every((r) => r === 'ok') ? 'ok' : reaches.every((r) => r === 'blocked') ? 'blocked' : 'partial';
  if (reach === 'ok') {
    const text = M('endpointOk', {
      head,
      acls: listText(aclsText(perSubnet.flat())),
      ip: c.self().text,
      subnets: listText(others),
      ports: c.eph.text,
    });
    return { services, reach, text, problems };
  }
  const why = reach !== 'partial' ? NO_TEXT : perSubnet.some((j) => reachOf(j) === 'blocked') ? M('someSubnets') : M('someParts');
  return { services, reach, text: M('blocked', { head, detail: describeProblems(problems), why }), problems };
}

function internetVerdict(c: Crossings, target: Extract<Target, { via: 'internet' }>): Verdict {
  const pub = publicIpv4();
  const internet = M('internet');
  const needs = c.out(pub, internet, '0.0.0.0/0');
  for (const nat of natSubnets(c.net, target).filter((s) => s !== c.net.subnetId)) {
    const [request, reply] = c.into(nat);
    const from = { acl: request.acl, subnetId: nat, peers: pub, peer: internet };
    needs.push(
      request,
      { ...from, egress: true, ports: HTTPS, purpose: M('natRequest'), fix: { cidr: '0.0.0.0/0', ports: HTTPS } },
      // A NAT gateway's own connections use source ports 1024-65535, so its replies come back to any of them.
      { ...from, egress: false, ports: EPHEMERAL_FIX, purpose: M('natReply'), fix: { cidr: '0.0.0.0/0', ports: EPHEMERAL_FIX } },
      reply,
    );
  }
  return publicVerdict(c, target.services, judgeAll(needs), M('overInternet'));
}

/** The shared endpoints' addresses are not in the facts, but must lie where the subnet routes toward other VPCs. */
function centralVerdict(c: Crossings, target: Target): Verdict {
  const hub = hubDestinations(c.net);
  const needs = hub.routes.length
    ? hub.routes.flatMap((r, i) => {
        const block = hub.blocks[i];
        return block ? c.out([block], M('towardHub', { cidr: r.destination }), r.destination) : [];
      })
    : c.out([everything('ipv4')], M('hub'), '0.0.0.0/0');
  return publicVerdict(c, target.services, judgeAll(needs), M('throughHub'));
}

/** The subnets of the NAT gateways the public routes lead to: their ACLs are on the way too. */
function natSubnets(net: Network, target: Extract<Target, { via: 'internet' }>): string[] {
  const nats = net.vpc.natGateways;
  if (!nats.known) return [];
  const ids = target.path.hops.flatMap((h) => (h.kind === 'ok' && h.route?.target.startsWith('nat-') ? [h.route.target] : []));
  return [...new Set(ids.flatMap((id) => nats.value.find((n) => n.natGatewayId === id)?.subnetId ?? []))];
}

/** For the internet and the hub, whose addresses are not known: any allowed part may be the one in use. */
function publicVerdict(c: Crossings, services: SsmService[], judged: Judged[], how: Text): Verdict {
  const reach = reachOf(judged);
  const names = listText(services);
  if (reach === 'ok')
    return {
      services,
      reach,
      text: M('publicOk', { services: names, how, acls: listText(aclsText(judged)), ports: c.eph.text }),
      problems: [],
    };
  const problems = judged.filter((j) => j.outcome.verdict !== 'allow');
  // A deny of some public or hub addresses is usually a deliberate block list: report it, do not override it.
  for (const p of problems) if (p.outcome.verdict === 'partial' && p.need.fix?.cidr === '0.0.0.0/0') p.need.fix = undefined;
  const why = reach === 'partial' ? M('unknownAddresses') : NO_TEXT;
  return { services, reach, text: M('publicBlocked', { services: names, how, detail: describeProblems(problems), why }), problems };
}

/** The network ACLs on the way (the instance's subnet, each endpoint subnet it crosses into, a NAT gateway's subnet) let TCP 443 out and the replies back in; ACLs are stateless and evaluated in rule-number order, so a deny above an allow wins. */
export const networkAcl: Check = {
  id: 'network-acl',
  severity: 'critical',
  title: M('title'),
  messages: M.table,
  evaluate(ctx) {
    const net = networkOf(ctx);
    const paths = openPaths(net);
    if (!paths.length) return { status: 'skip', message: M('noPath', { id: net.instance.instanceId }) };
    const c = new Crossings(net);
    const verdicts = targetsOf(paths, (e) => idSet(e.subnetIds)).map((target) =>
      target.via === 'endpoint'
        ? endpointVerdict(c, target)
        : target.via === 'internet'
          ? internetVerdict(c, target)
          : centralVerdict(c, target),
    );
    const bad = verdicts.filter((v) => v.reach !== 'ok');
    if (!bad.length)
      return {
        status: 'pass',
        message: joinText(
          verdicts.map((v) => v.text),
          '; ',
          '。',
        ),
      };
    const blocked = new Set(bad.filter((v) => v.reach === 'blocked').flatMap((v) => v.services));
    const { status, notes } = blockedServicesVerdict(ctx.facts, ctx.instanceId, blocked);
    return {
      status,
      message: joinText([...bad.map((v) => v.text), ...notes], '; ', '。'),
      fix: naclFix(
        net,
        bad.flatMap((v) => v.problems),
      ),
    };
  },
};
