import { NO_TEXT, catText, defineMessages, joinText, type Text } from '../lang.js';
import { ANYWHERE, cidrsOf, everything, internetIpv6, intersect, publicIpv4, subtract, type Block, type Family } from './lib/cidr.js';
import { blockedServicesVerdict } from './lib/iam-ec2messages.js';
import { endpointBlocks, familyOf } from './lib/ipv6.js';
import { listText, networkOf } from './lib/network.js';
import { hubDestinations } from './lib/routes.js';
import { idSet, openPaths, targetsOf, type Target } from './lib/service-paths.js';
import { egressOn, instanceGroups } from './lib/sg.js';
import { FactUnknown, type Check } from './types.js';
import { fixOf, rangesPermission, unresolved, type Judge, type Verdict } from './lib/sg-egress-fix.js';

const HTTPS = 443;

const M = defineMessages({
  title: {
    en: "The instance's security groups allow outbound HTTPS to Systems Manager",
    ja: 'インスタンスのセキュリティグループが Systems Manager への HTTPS のアウトバウンドを許可している',
  },
  noPath: {
    en: '{id} has no network path to Systems Manager whose egress could be checked (see network-route)',
    ja: '{id} には、アウトバウンドを確認できる Systems Manager への経路がありません (network-route を参照)',
  },
  notChecked: { en: 'not checked: {why}', ja: '未確認: {why}' },
  noGroup: { en: '(no security group)', ja: '(セキュリティグループなし)' },
  noRule1: { en: '{sgs} has no outbound rule for TCP 443', ja: '{sgs} には TCP 443 のアウトバウンドルールがありません' },
  noRuleN: { en: '{sgs} have no outbound rule for TCP 443', ja: '{sgs} には TCP 443 のアウトバウンドルールがありません' },
  only1: { en: '{sgs} allows TCP 443 only to {dests}', ja: '{sgs} が TCP 443 を許可している宛先は {dests} だけです' },
  onlyN: { en: '{sgs} allow TCP 443 only to {dests}', ja: '{sgs} が TCP 443 を許可している宛先は {dests} だけです' },
  to1: { en: '{sgs} allows TCP 443 to {dest}', ja: '{sgs} は {dest} への TCP 443 を許可しています' },
  toN: { en: '{sgs} allow TCP 443 to {dest}', ja: '{sgs} は {dest} への TCP 443 を許可しています' },
  toAll1: { en: '{sgs} allows TCP 443 to {dest}', ja: '{sgs} は{dest}への TCP 443 を許可しています' },
  toAllN: { en: '{sgs} allow TCP 443 to {dest}', ja: '{sgs} は{dest}への TCP 443 を許可しています' },
  holds1: { en: '{sgs} allows TCP 443 to {by}, which holds {where}', ja: '{sgs} は {by} への TCP 443 を許可しており、{where} を含みます' },
  holdsN: { en: '{sgs} allow TCP 443 to {by}, which holds {where}', ja: '{sgs} は {by} への TCP 443 を許可しており、{where} を含みます' },
  everyPublic: { en: 'every public address', ja: 'すべてのパブリックアドレス' },
  everyPublicV6: {
    en: 'every public IPv6 address (and 64:ff9b::/96 for NAT64)',
    ja: 'すべてのパブリック IPv6 アドレス (と NAT64 の 64:ff9b::/96)',
  },
  noV6Address: {
    en: '{head}: no IPv6 address (IP address type ipv4, or no IPv6 CIDR on its subnets), so no IPv6 egress to it is needed; ipv6-only-path says how the instance reaches Systems Manager',
    ja: '{head}: IPv6 アドレスがない (IP アドレスタイプが ipv4、またはサブネットに IPv6 CIDR がない) ため、IPv6 のアウトバウンドは不要です。インスタンスが Systems Manager に到達する方法は ipv6-only-path を参照してください',
  },
  v6Only: {
    en: '{id} has only IPv6 addresses ({subnet} is IPv6-only), so only IPv6 destinations (Ipv6Ranges, IPv6 prefix list entries) and security group references let its traffic out; an IPv4 rule such as 0.0.0.0/0 does not',
    ja: '{id} には IPv6 アドレスしかない ({subnet} は IPv6 専用) ため、通信を許可するのは IPv6 の宛先 (Ipv6Ranges、プレフィックスリストの IPv6 エントリ) とセキュリティグループの参照だけで、0.0.0.0/0 などの IPv4 のルールは効きません',
  },
  everyAddress: { en: 'every address', ja: 'すべてのアドレス' },
  head: { en: '{ids} ({services})', ja: '{ids} ({services})' },
  headed: { en: '{head}: {what}', ja: '{head}: {what}' },
  endpointBlocked: {
    en: '{head}: {allowsOnly}, not to {places}, where the endpoints are',
    ja: '{head}: {allowsOnly}。エンドポイントのある {places} は含まれません',
  },
  endpointPartial: {
    en: "{head}: {allowsOnly}, which does not cover {missing}; DNS hands out the endpoint's address in every subnet, so some connections would fail",
    ja: '{head}: {allowsOnly}。{missing} を含まないため、DNS はすべてのサブネットのエンドポイントのアドレスを返すので、一部の接続が失敗します',
  },
  internetOk: { en: '{services} over the internet path: {allowed}', ja: '{services} はインターネット経由: {allowed}' },
  internetPartial: {
    en: '{services} go to public Systems Manager addresses (over NAT or an internet gateway), but {allowsOnly}; which public addresses the names resolve to is not known here, so connections may fail',
    ja: '{services} はパブリックな Systems Manager のアドレス (NAT またはインターネットゲートウェイ経由) に接続しますが、{allowsOnly}。名前がどのパブリックアドレスに解決されるかはここでは分からないため、接続が失敗する可能性があります',
  },
  internetBlocked: {
    en: '{services} go to public Systems Manager addresses (over NAT or an internet gateway), but {allowsOnly}',
    ja: '{services} はパブリックな Systems Manager のアドレス (NAT またはインターネットゲートウェイ経由) に接続しますが、{allowsOnly}',
  },
  noPublicAmong: { en: ', no public address among them', ja: '。パブリックアドレスは含まれません' },
  centralOkHub: {
    en: '{services} through centralised endpoints over {via}: {allowed}',
    ja: '{services} は {via} 経由の集約されたエンドポイント: {allowed}',
  },
  centralOkAll: { en: '{services} through centralised endpoints: {allowed}', ja: '{services} は集約されたエンドポイント経由: {allowed}' },
  hubWhere: {
    en: '{dests}, where the subnet routes toward the shared endpoints ({via})',
    ja: '共有エンドポイントへのルートがある {dests} ({via})',
  },
  hubUnknown: { en: "the shared endpoints' addresses, which are not known here", ja: '共有エンドポイントのアドレス (ここでは不明)' },
  centralPartial: {
    en: '{services} go to centralised endpoints in another VPC, and {allowsOnly}: check that this holds {where}',
    ja: '{services} は別の VPC に集約されたエンドポイントに接続します。{allowsOnly}。{where}が含まれているか確認してください',
  },
  centralBlocked: {
    en: '{services} go to centralised endpoints in another VPC, but {allowsOnly}',
    ja: '{services} は別の VPC に集約されたエンドポイントに接続しますが、{allowsOnly}',
  },
  nothingOf: { en: ', nothing of {where}', ja: '。{where}は含まれません' },
});

/** Each sentence about the instance's groups, with its verb for one group and for several. */
const AGREE = {
  noRule: ['noRule1', 'noRuleN'],
  only: ['only1', 'onlyN'],
  to: ['to1', 'toN'],
  toAll: ['toAll1', 'toAllN'],
  holds: ['holds1', 'holdsN'],
} as const;

function say(j: Judge, what: keyof typeof AGREE, params: Record<string, Text | string> = {}): Text {
  return M(AGREE[what][j.many ? 1 : 0], { sgs: j.sgs, ...params });
}

/** "sg-1 allows TCP 443 only to …", or that the groups have no rule for it at all. */
const allowsOnly = (j: Judge) =>
  j.egress.destinations.length ? say(j, 'only', { dests: listText(j.egress.destinations) }) : say(j, 'noRule');

function judgeEndpoint(j: Judge, target: Extract<Target, { via: 'endpoint' }>): Verdict {
  const ids = target.endpoints.map((e) => e.endpointId);
  const head = M('head', { ids: listText(ids), services: listText(target.services) });
  const [endpoint] = target.endpoints;
  const endpointGroups = endpoint.groupIds.length
    ? endpoint.groupIds
    : j.groups.filter((g) => g.groupName === 'default').map((g) => g.groupId);
  const byGroup = endpointGroups.find((g) => j.egress.groupIds.has(g));
  if (byGroup) return { target, reach: 'ok', text: M('headed', { head, what: say(j, 'to', { dest: byGroup }) }) };
  const cidrs = endpointBlocks(j.net, endpoint, j.family);
  if (!cidrs.length) return { target, reach: 'ok', text: M('noV6Address', { head }) };
  const reach = cidrs.map((c) =>
    !subtract([c.block], j.egress.blocks).length ? 'all' : intersect([c.block], j.egress.blocks).length ? 'some' : 'none',
  );
  const where = cidrs.map((c) => `${c.cidr} (${c.id})`);
  if (reach.every((r) => r === 'all')) {
    const by = cidrsOf(j.egress.blocks.filter((b) => cidrs.some((c) => intersect([c.block], [b]).length)));
    return { target, reach: 'ok', text: M('headed', { head, what: say(j, 'holds', { by: listText(by), where: listText(where) }) }) };
  }
  const pending = unresolved(j, target, `the subnets of ${ids.join(', ')}`);
  if (pending) return pending;
  const [sg] = endpointGroups;
  const open = sg
    ? { permission: `UserIdGroupPairs=[{GroupId=${sg}}]`, destination: sg }
    : { permission: rangesPermission(cidrs.map((c) => c.cidr)), destination: cidrs.map((c) => c.cidr).join(', ') };
  if (reach.every((r) => r === 'none')) {
    const places = [...endpointGroups, ...where];
    const text = j.egress.destinations.length
      ? M('endpointBlocked', { head, allowsOnly: allowsOnly(j), places: { en: places.join(' or '), ja: places.join('、') } })
      : M('headed', { head, what: allowsOnly(j) });
    return { target, reach: 'blocked', text, open };
  }
  const missing = where.filter((_, i) => reach[i] !== 'all');
  return { target, reach: 'partial', text: M('endpointPartial', { head, allowsOnly: allowsOnly(j), missing: listText(missing) }), open };
}

const internetOpen = (family: Family) => ({ permission: rangesPermission([ANYWHERE[family]]), destination: ANYWHERE[family] });

function judgeInternet(j: Judge, target: Target): Verdict {
  const services = listText(target.services);
  const v6 = j.family === 'ipv6';
  const whole = v6 ? internetIpv6() : publicIpv4();
  const INTERNET = internetOpen(j.family);
  if (!subtract(whole, j.egress.blocks).length) {
    const dest = M(v6 ? 'everyPublicV6' : 'everyPublic');
    return { target, reach: 'ok', text: M('internetOk', { services, allowed: say(j, 'toAll', { dest }) }) };
  }
  const pending = unresolved(j, target, 'the internet');
  if (pending) return pending;
  if (intersect(whole, j.egress.blocks).length)
    return { target, reach: 'partial', text: M('internetPartial', { services, allowsOnly: allowsOnly(j) }), open: INTERNET };
  const more = j.egress.destinations.length ? M('noPublicAmong') : NO_TEXT;
  return { target, reach: 'blocked', text: catText(M('internetBlocked', { services, allowsOnly: allowsOnly(j) }), more), open: INTERNET };
}

/** Centralised endpoints: their addresses are not in the facts, but must lie where the subnet routes toward other VPCs. */
function judgeCentral(j: Judge, target: Target): Verdict {
  const services = listText(target.services);
  const hub = hubDestinations(j.net, j.family);
  const dests = hub.routes.map((r) => r.destination);
  const via = listText(hub.routes.map((r) => `${r.destination} → ${r.target}`));
  const whole: Block[] = hub.blocks.length ? hub.blocks : [everything(j.family)];
  const open = hub.blocks.length ? { permission: rangesPermission(dests), destination: dests.join(', ') } : internetOpen(j.family);
  if (!subtract(whole, j.egress.blocks).length) {
    const text = hub.routes.length
      ? M('centralOkHub', { services, via, allowed: say(j, 'to', { dest: listText(dests) }) })
      : M('centralOkAll', { services, allowed: say(j, 'toAll', { dest: M('everyAddress') }) });
    return { target, reach: 'ok', text };
  }
  const pending = unresolved(j, target, 'the shared endpoints');
  if (pending) return pending;
  const where = hub.routes.length ? M('hubWhere', { dests: listText(dests), via }) : M('hubUnknown');
  // Egress to a group may name the hub endpoints' group across a peering connection: that cannot be checked here.
  if (intersect(whole, j.egress.blocks).length || j.egress.groupIds.size) {
    return { target, reach: 'partial', text: M('centralPartial', { services, allowsOnly: allowsOnly(j), where }), open };
  }
  const more = j.egress.destinations.length ? M('nothingOf', { where }) : NO_TEXT;
  return { target, reach: 'blocked', text: catText(M('centralBlocked', { services, allowsOnly: allowsOnly(j) }), more), open };
}

function judge(j: Judge, target: Target): Verdict {
  if (target.via === 'endpoint') return judgeEndpoint(j, target);
  return target.via === 'internet' ? judgeInternet(j, target) : judgeCentral(j, target);
}

/** The instance's primary-ENI security groups allow outbound TCP 443 to where each Systems Manager service resolves; a security group silently drops what no egress rule allows. */
export const instanceSgEgress: Check = {
  id: 'instance-sg-egress',
  severity: 'critical',
  title: M('title'),
  messages: M.table,
  evaluate(ctx) {
    const net = networkOf(ctx);
    const ids = net.instance.primaryEniGroupIds;
    const paths = openPaths(net);
    if (!paths.length) return { status: 'skip', message: M('noPath', { id: net.instance.instanceId }) };
    const { groups, own } = instanceGroups(net);
    const family = familyOf(net);
    const j: Judge = {
      net,
      family,
      groups,
      egress: egressOn(own, HTTPS, ctx.facts.prefixLists),
      sgs: ids.length ? listText(ids) : M('noGroup'),
      many: own.length > 1,
    };
    const verdicts = targetsOf(paths, (e) => `${idSet(e.groupIds)}|${idSet(e.subnetIds)}`).map((target) => judge(j, target));
    const bad = verdicts.filter((v) => v.reach === 'blocked' || v.reach === 'partial');
    const unknown = verdicts.flatMap((v) => (v.unknown ? [v.unknown] : []));
    if (!bad.length) {
      const [first] = unknown;
      if (first) throw new FactUnknown(first);
      return {
        status: 'pass',
        message: joinText(
          verdicts.map((v) => v.text),
          '; ',
          '。',
        ),
      };
    }
    const blocked = new Set(bad.filter((v) => v.reach === 'blocked').flatMap((v) => v.target.services));
    const { status, notes } = blockedServicesVerdict(ctx.facts, ctx.instanceId, blocked);
    const unchecked = unknown.map((u) => M('notChecked', { why: u.message }));
    const v6 = family === 'ipv6' ? [M('v6Only', { id: net.instance.instanceId, subnet: net.subnetId })] : [];
    const message = joinText([...bad.map((v) => v.text), ...v6, ...notes, ...unchecked], '; ', '。');
    return { status, message, fix: fixOf(net, bad) };
  },
};
