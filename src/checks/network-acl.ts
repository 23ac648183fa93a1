import { NO_TEXT, defineMessages, joinText, type Text } from '../lang.js';
import { ANYWHERE, everything, internetIpv6, publicIpv4 } from './lib/cidr.js';
import { blockedServicesVerdict } from './lib/iam-ec2messages.js';
import { Crossings, EPHEMERAL_FIX, HTTPS } from './lib/nacl-crossings.js';
import { naclFix } from './lib/nacl-fix.js';
import { aclsText, describeProblems, judgeAll, reachOf, type Judged, type Reach } from './lib/nacl-report.js';
import { endpointBlocks } from './lib/ipv6.js';
import { listText, networkOf, type Network } from './lib/network.js';
import { hubDestinations } from './lib/routes.js';
import { idSet, openPaths, targetsOf, type Target } from './lib/service-paths.js';
import type { SsmService } from '../aws/services.js';
import type { Check } from './types.js';

const M = defineMessages({
  title: { en: 'Network ACLs allow HTTPS and its return traffic', ja: 'ネットワーク ACL が HTTPS とその戻りの通信を許可している' },
  noPath: {
    en: '{id} has no network path to Systems Manager whose network ACLs could be checked (see network-route)',
    ja: '{id} には、ネットワーク ACL を確認できる Systems Manager への経路がありません (network-route を参照)',
  },
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
  noV6Address: {
    en: '{head}: no IPv6 address (IP address type ipv4, or no IPv6 CIDR on its subnets), so no IPv6 traffic to it crosses an ACL; ipv6-only-path says how the instance reaches Systems Manager',
    ja: '{head}: IPv6 アドレスがない (IP アドレスタイプが ipv4、またはサブネットに IPv6 CIDR がない) ため、ACL を通る IPv6 の通信はありません。インスタンスが Systems Manager に到達する方法は ipv6-only-path を参照してください',
  },
  v6Only: {
    en: '{id} has only IPv6 addresses ({subnet} is IPv6-only), so only the ACL entries for IPv6 (Ipv6CidrBlock) apply to its traffic',
    ja: '{id} には IPv6 アドレスしかない ({subnet} は IPv6 専用) ため、その通信に適用されるのは IPv6 の ACL エントリ (Ipv6CidrBlock) だけです',
  },
  unknownAddresses: {
    en: "; which addresses Systems Manager's names resolve to is not known here, so check that they are not among the denied ones",
    ja: '。Systems Manager の名前がどのアドレスに解決されるかはここでは分からないため、拒否されているアドレスに含まれないか確認してください',
  },
});

interface Verdict {
  services: SsmService[];
  reach: Reach;
  text: Text;
  problems: Judged[];
}

function endpointVerdict(c: Crossings, target: Extract<Target, { via: 'endpoint' }>): Verdict {
  const { subnetId } = c.net;
  const { services } = target;
  const ids = target.endpoints.map((e) => e.endpointId);
  const head = M('head', { ids: listText(ids), services: listText(services) });
  // An IPv6-only instance reaches the endpoint only at its IPv6 addresses, in the subnets that have an IPv6 block.
  const v6 = c.family === 'ipv6' ? endpointBlocks(c.net, target.endpoints[0], 'ipv6') : undefined;
  const subnetIds = [...target.endpoints[0].subnetIds].filter((s) => !v6 || v6.some((b) => b.id === s)).sort();
  if (!subnetIds.length) return { services, reach: 'ok', text: M('noV6Address', { head }), problems: [] };
  const others = subnetIds.filter((s) => s !== subnetId);
  if (!others.length)
    return { services, reach: 'ok', text: M(ids.length > 1 ? 'sameSubnetN' : 'sameSubnet1', { head, subnet: subnetId }), problems: [] };
  const perSubnet = others.map((s) => {
    const blocks = v6 ? v6.filter((b) => b.id === s) : [c.cidrOf(s)];
    return judgeAll([...blocks.flatMap(({ cidr, block }) => c.out([block], cidr, cidr)), ...c.into(s)]);
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
  // An IPv6-only instance's own traffic is IPv6 (AAAA records, or DNS64's 64:ff9b::/96 to a NAT gateway, which goes on over IPv4).
  const needs = c.family === 'ipv6' ? c.out(internetIpv6(), internet, ANYWHERE.ipv6) : c.out(pub, internet, ANYWHERE.ipv4);
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
  const hub = hubDestinations(c.net, c.family);
  const needs = hub.routes.length
    ? hub.routes.flatMap((r, i) => {
        const block = hub.blocks[i];
        return block ? c.out([block], M('towardHub', { cidr: r.destination }), r.destination) : [];
      })
    : c.out([everything(c.family)], M('hub'), ANYWHERE[c.family]);
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
  for (const p of problems)
    if (p.outcome.verdict === 'partial' && Object.values(ANYWHERE).includes(p.need.fix?.cidr ?? '')) p.need.fix = undefined;
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
    const v6 = c.family === 'ipv6' ? [M('v6Only', { id: net.instance.instanceId, subnet: net.subnetId })] : [];
    return {
      status,
      message: joinText([...bad.map((v) => v.text), ...v6, ...notes], '; ', '。'),
      fix: naclFix(
        net,
        bad.flatMap((v) => v.problems),
      ),
    };
  },
};
