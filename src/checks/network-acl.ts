import type { Instance, NetworkAcl } from '../facts/schema.js';
import { t, type Text } from '../lang.js';
import { blockOf, everything, publicIpv4, type Block } from './lib/cidr.js';
import { aws } from './lib/cli.js';
import { blockedServicesVerdict } from './lib/iam-ec2messages.js';
import { CATCH_ALL, evaluateFlow, freeRuleNumber, peersText, portsText, type Decided, type Outcome, type PortRange } from './lib/nacl.js';
import { hubDestinations, networkOf, servicePaths, type Network, type ServicePath, type SsmService } from './lib/path.js';
import { FactUnknown, need, type Check, type Fix, type FixStep } from './types.js';

const HTTPS: PortRange = { from: 443, to: 443 };
/** What fixes open for replies: AWS's advice, wide enough for every client OS and for a NAT gateway's ports. */
const EPHEMERAL_FIX: PortRange = { from: 1024, to: 65535 };
const INTERNET = t('the internet', 'インターネット');
const HUB = t('the shared endpoints', '共有エンドポイント');
const REQUEST = t("the agent's HTTPS requests", 'エージェントの HTTPS リクエスト');
const NAT_REQUEST = t("the NAT gateway's HTTPS requests", 'NAT ゲートウェイの HTTPS リクエスト');
const NAT_REPLY = t("replies to the NAT gateway's ports 1024-65535", 'NAT ゲートウェイのポート 1024-65535 への応答');
const list = (xs: readonly string[]) => xs.join(', ');
const listJa = (xs: readonly string[]) => xs.join('、');

/**
 * The ports the instance's replies come back to. The agent's connections take source ports from the OS's ephemeral
 * range, so every port of it must be open or some connections fail: Linux's default ip_local_port_range is
 * 32768–60999, Windows Server's dynamic range 49152–65535. A custom range on the instance cannot be seen from AWS.
 */
export function ephemeralPorts(instance: Instance): { ports: PortRange; text: Text } {
  if (instance.platform === 'windows' || /windows/i.test(instance.platformDetails ?? '')) {
    return { ports: { from: 49152, to: 65535 }, text: t("Windows' dynamic ports 49152-65535", 'Windows の動的ポート 49152-65535') };
  }
  return { ports: { from: 32768, to: 60999 }, text: t("Linux's ephemeral ports 32768-60999", 'Linux のエフェメラルポート 32768-60999') };
}

/** One direction of TCP traffic that one ACL must let through. */
interface Need {
  acl: NetworkAcl;
  subnetId: string;
  egress: boolean;
  peers: Block[];
  peer: Text;
  ports: PortRange;
  /** What the traffic is, for messages. */
  purpose: Text;
  /** The entry a fix adds; undefined when adding one would override a deliberate deny (public block lists). */
  fix?: { cidr: string; ports: PortRange };
}

interface Judged {
  need: Need;
  outcome: Outcome;
}

type Reach = 'ok' | 'partial' | 'blocked';

interface Verdict {
  services: SsmService[];
  reach: Reach;
  text: Text;
  problems: Judged[];
}

/** The network ACLs on the way (the instance's subnet, each endpoint subnet it crosses into, a NAT gateway's subnet) let TCP 443 out and the replies back in; ACLs are stateless and evaluated in rule-number order, so a deny above an allow wins. */
export const networkAcl: Check = {
  id: 'network-acl',
  severity: 'critical',
  title: t('Network ACLs allow HTTPS and its return traffic', 'ネットワーク ACL が HTTPS とその戻りの通信を許可している'),
  evaluate(ctx) {
    const net = networkOf(ctx);
    const { instance, subnetId } = net;
    const paths = servicePaths(net).filter((p) => p.via !== 'internet' || p.path.kind !== 'none');
    if (!paths.length) {
      return {
        status: 'skip',
        message: t(
          `${instance.instanceId} has no network path to Systems Manager whose network ACLs could be checked (see network-route)`,
          `${instance.instanceId} には、ネットワーク ACL を確認できる Systems Manager への経路がありません (network-route を参照)`,
        ),
      };
    }
    const eph = ephemeralPorts(instance);
    const reply = t(`replies to ${eph.text.en}`, `${eph.text.ja} への応答`);
    const acls = lazy(() => need(net.vpc.networkAcls, 'ec2:DescribeNetworkAcls'));
    const subnets = lazy(() => need(net.vpc.subnets, 'ec2:DescribeSubnets'));
    const aclOf = (id: string): NetworkAcl => {
      const acl = acls().find((a) => a.subnetIds.includes(id));
      if (!acl) throw notCollected('ec2:DescribeNetworkAcls', `no collected network ACL is associated with ${id}`);
      return acl;
    };
    const cidrOf = (id: string): string => {
      const cidr = subnets().find((s) => s.subnetId === id)?.cidr;
      if (!cidr || !blockOf(cidr)) throw notCollected('ec2:DescribeSubnets', `the CIDR of ${id} was not collected`);
      return cidr;
    };
    const ip = instance.privateIp;
    const self = lazy(() => {
      if (!ip) throw notCollected('ec2:DescribeInstances', `${instance.instanceId} has no private IPv4 address in the facts`);
      // Fixes admit the instance's whole subnet, so a replaced instance keeps working.
      return { peers: [blockOf(ip)!], text: ip, fixCidr: safe(() => cidrOf(subnetId)) ?? `${ip}/32` };
    });

    /** Both ACLs between the instance and one endpoint subnet (requests out and in, replies back). */
    const crossing = (to: string): Need[] => {
      const cidr = cidrOf(to);
      const peer = [blockOf(cidr)!];
      const mine = aclOf(subnetId);
      const theirs = aclOf(to);
      const me = self();
      return [
        { acl: mine, subnetId, egress: true, peers: peer, peer: t(cidr, cidr), ports: HTTPS, purpose: REQUEST, fix: { cidr, ports: HTTPS } },
        { acl: mine, subnetId, egress: false, peers: peer, peer: t(cidr, cidr), ports: eph.ports, purpose: reply, fix: { cidr, ports: EPHEMERAL_FIX } },
        { acl: theirs, subnetId: to, egress: false, peers: me.peers, peer: t(me.text, me.text), ports: HTTPS, purpose: REQUEST, fix: { cidr: me.fixCidr, ports: HTTPS } },
        { acl: theirs, subnetId: to, egress: true, peers: me.peers, peer: t(me.text, me.text), ports: eph.ports, purpose: reply, fix: { cidr: me.fixCidr, ports: EPHEMERAL_FIX } },
      ];
    };

    const verdicts: Verdict[] = [];
    for (const target of targetsOf(net, paths)) {
      const names = list(target.services);
      const namesJa = listJa(target.services);
      if (target.via === 'endpoint') {
        const ids = target.endpointIds;
        const head = t(`${list(ids)} (${names})`, `${listJa(ids)} (${namesJa})`);
        const others = target.subnetIds.filter((s) => s !== subnetId);
        if (!others.length) {
          verdicts.push({
            services: target.services,
            reach: 'ok',
            text: t(
              `${head.en} ${ids.length > 1 ? 'are' : 'is'} in ${subnetId}, the instance's own subnet: network ACLs apply only when traffic leaves a subnet`,
              `${head.ja} はインスタンスと同じサブネット ${subnetId} にあります。ネットワーク ACL はサブネットの境界を越える通信にだけ適用されます`,
            ),
            problems: [],
          });
          continue;
        }
        const perSubnet = others.map((s) => judgeAll(crossing(s)));
        // An endpoint address in the instance's own subnet is reached without crossing any ACL.
        const reaches: Reach[] = [...perSubnet.map(reachOf), ...(target.subnetIds.includes(subnetId) ? ['ok' as const] : [])];
        const problems = perSubnet.flat().filter((j) => j.outcome.verdict !== 'allow');
        const reach: Reach = reaches.every((r) => r === 'ok') ? 'ok' : reaches.every((r) => r === 'blocked') ? 'blocked' : 'partial';
        const aclIds = [...new Set(perSubnet.flat().map((j) => `${j.need.acl.networkAclId} (${j.need.subnetId})`))];
        if (reach === 'ok') {
          verdicts.push({
            services: target.services,
            reach,
            text: t(
              `${head.en}: ${list(aclIds)} allow TCP 443 from ${ip} to ${list(others)} and the replies to ${eph.text.en}`,
              `${head.ja}: ${listJa(aclIds)} は ${ip} から ${listJa(others)} への TCP 443 と、${eph.text.ja} への戻りの通信を許可しています`,
            ),
            problems,
          });
          continue;
        }
        const detail = describe(problems);
        const why =
          reach !== 'partial'
            ? t('', '')
            : perSubnet.some((j) => reachOf(j) === 'blocked')
              ? t(
                  "; the endpoints stay reachable in some subnets only, and DNS hands out every subnet's address, so some connections fail",
                  '。エンドポイントに届くのは一部のサブネットだけですが、DNS はすべてのサブネットのアドレスを返すため、一部の接続が失敗します',
                )
              : t('; connections that fall on the blocked addresses or ports fail, the others work', '。ブロックされたアドレスやポートに当たる接続は失敗し、それ以外は成功します');
        verdicts.push({ services: target.services, reach, text: t(`${head.en}: ${detail.en}${why.en}`, `${head.ja}: ${detail.ja}${why.ja}`), problems });
        continue;
      }

      if (target.via === 'internet') {
        const mine = aclOf(subnetId);
        const pub = publicIpv4();
        const needs: Need[] = [
          { acl: mine, subnetId, egress: true, peers: pub, peer: INTERNET, ports: HTTPS, purpose: REQUEST, fix: { cidr: '0.0.0.0/0', ports: HTTPS } },
          { acl: mine, subnetId, egress: false, peers: pub, peer: INTERNET, ports: eph.ports, purpose: reply, fix: { cidr: '0.0.0.0/0', ports: EPHEMERAL_FIX } },
        ];
        for (const nat of target.natSubnets.filter((s) => s !== subnetId)) {
          const acl = aclOf(nat);
          const me = self();
          needs.push(
            { acl, subnetId: nat, egress: false, peers: me.peers, peer: t(me.text, me.text), ports: HTTPS, purpose: REQUEST, fix: { cidr: me.fixCidr, ports: HTTPS } },
            { acl, subnetId: nat, egress: true, peers: pub, peer: INTERNET, ports: HTTPS, purpose: NAT_REQUEST, fix: { cidr: '0.0.0.0/0', ports: HTTPS } },
            // A NAT gateway's own connections use source ports 1024-65535, so its replies come back to any of them.
            { acl, subnetId: nat, egress: false, peers: pub, peer: INTERNET, ports: EPHEMERAL_FIX, purpose: NAT_REPLY, fix: { cidr: '0.0.0.0/0', ports: EPHEMERAL_FIX } },
            { acl, subnetId: nat, egress: true, peers: me.peers, peer: t(me.text, me.text), ports: eph.ports, purpose: reply, fix: { cidr: me.fixCidr, ports: EPHEMERAL_FIX } },
          );
        }
        verdicts.push(publicVerdict(target.services, judgeAll(needs), eph, t('over the internet path', 'インターネット経由')));
        continue;
      }

      // The shared endpoints' addresses are not in the facts, but must lie where the subnet routes toward other VPCs.
      const mine = aclOf(subnetId);
      const hub = hubDestinations(net);
      const dests = hub.routes.length ? hub.routes.map((r) => ({ cidr: r.destination, block: blockOf(r.destination)! })) : [{ cidr: '0.0.0.0/0', block: everything('ipv4') }];
      const needs: Need[] = dests.flatMap(({ cidr, block }) => {
        const peer = hub.routes.length ? t(`${cidr} (toward the shared endpoints)`, `${cidr} (共有エンドポイント側)`) : HUB;
        return [
          { acl: mine, subnetId, egress: true, peers: [block], peer, ports: HTTPS, purpose: REQUEST, fix: { cidr, ports: HTTPS } },
          { acl: mine, subnetId, egress: false, peers: [block], peer, ports: eph.ports, purpose: reply, fix: { cidr, ports: EPHEMERAL_FIX } },
        ];
      });
      verdicts.push(publicVerdict(target.services, judgeAll(needs), eph, t('through centralised endpoints in another VPC', '別の VPC に集約されたエンドポイント経由')));
    }

    const bad = verdicts.filter((v) => v.reach !== 'ok');
    if (!bad.length) return { status: 'pass', message: join(verdicts.map((v) => v.text)) };
    const blocked = new Set(bad.filter((v) => v.reach === 'blocked').flatMap((v) => v.services));
    const { status, notes } = blockedServicesVerdict(ctx.facts, ctx.instanceId, blocked);
    return { status, message: join([...bad.map((v) => v.text), ...notes]), fix: fixOf(net, bad.flatMap((v) => v.problems)) };
  },
};

function lazy<T>(f: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) {
      value = f();
      done = true;
    }
    return value;
  };
}

function safe<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch (e) {
    if (e instanceof FactUnknown) return undefined;
    throw e;
  }
}

function notCollected(call: string, message: string): FactUnknown {
  return new FactUnknown({ known: false, call, code: 'NotCollected', message });
}

function join(parts: readonly Text[]): Text {
  return t(parts.map((p) => p.en).join('; '), parts.map((p) => p.ja).join('。'));
}

type Target =
  | { via: 'endpoint'; services: SsmService[]; endpointIds: string[]; subnetIds: string[] }
  | { via: 'internet'; services: SsmService[]; natSubnets: string[] }
  | { via: 'central'; services: SsmService[] };

/** Endpoints in the same subnets share a verdict; the internet and centralised services are one target each. */
function targetsOf(net: Network, paths: readonly ServicePath[]): Target[] {
  const targets: Target[] = [];
  for (const p of paths) {
    if (p.via === 'endpoint') {
      for (const e of p.endpoints) {
        const subnetIds = [...e.subnetIds].sort();
        const same = targets.find((x) => x.via === 'endpoint' && x.subnetIds.join() === subnetIds.join());
        if (same && same.via === 'endpoint') {
          same.endpointIds.push(e.endpointId);
          if (!same.services.includes(p.service)) same.services.push(p.service);
        } else targets.push({ via: 'endpoint', services: [p.service], endpointIds: [e.endpointId], subnetIds });
      }
      continue;
    }
    const same = targets.find((x) => x.via === p.via);
    if (same) {
      same.services.push(p.service);
      continue;
    }
    if (p.via === 'central') targets.push({ via: 'central', services: [p.service] });
    else {
      const natSubnets = natSubnetsOf(net, p);
      targets.push({ via: 'internet', services: [p.service], natSubnets });
    }
  }
  return targets;
}

/** The subnets of the NAT gateways the public routes lead to: their ACLs are on the way too. */
function natSubnetsOf(net: Network, p: Extract<ServicePath, { via: 'internet' }>): string[] {
  const nats = net.vpc.natGateways;
  if (!nats.known) return [];
  const ids = p.path.hops.filter((h) => h.kind === 'ok' && h.route?.target.startsWith('nat-')).map((h) => h.route!.target);
  return [...new Set(ids.flatMap((id) => nats.value.find((n) => n.natGatewayId === id)?.subnetId ?? []))];
}

function judgeAll(needs: readonly Need[]): Judged[] {
  return needs.map((need) => ({ need, outcome: evaluateFlow(need.acl, { egress: need.egress, peers: need.peers, ports: need.ports }) }));
}

function reachOf(judged: readonly Judged[]): Reach {
  if (judged.some((j) => j.outcome.verdict === 'deny')) return 'blocked';
  return judged.some((j) => j.outcome.verdict === 'partial') ? 'partial' : 'ok';
}

/** For the internet and the hub, whose addresses are not known: any allowed part may be the one in use. */
function publicVerdict(services: SsmService[], judged: Judged[], eph: { text: Text }, how: Text): Verdict {
  const reach = reachOf(judged);
  const names = list(services);
  const namesJa = listJa(services);
  const acls = [...new Set(judged.map((j) => `${j.need.acl.networkAclId} (${j.need.subnetId})`))];
  if (reach === 'ok') {
    return {
      services,
      reach,
      text: t(
        `${names} ${how.en}: ${list(acls)} allow TCP 443 out and the replies to ${eph.text.en}`,
        `${namesJa} は${how.ja}: ${listJa(acls)} は TCP 443 の送信と ${eph.text.ja} への戻りの通信を許可しています`,
      ),
      problems: [],
    };
  }
  const problems = judged.filter((j) => j.outcome.verdict !== 'allow');
  // A deny of some public or hub addresses is usually a deliberate block list: report it, do not override it.
  for (const p of problems) if (p.outcome.verdict === 'partial' && p.need.fix?.cidr === '0.0.0.0/0') p.need.fix = undefined;
  const detail = describe(problems);
  const why =
    reach === 'partial'
      ? t(
          "; which addresses Systems Manager's names resolve to is not known here, so check that they are not among the denied ones",
          '。Systems Manager の名前がどのアドレスに解決されるかはここでは分からないため、拒否されているアドレスに含まれないか確認してください',
        )
      : t('', '');
  return { services, reach, text: t(`${names} ${how.en}: ${detail.en}${why.en}`, `${namesJa} は${how.ja}: ${detail.ja}${why.ja}`), problems };
}

const direction = (egress: boolean) => (egress ? t('outbound', 'アウトバウンド') : t('inbound', 'インバウンド'));

function peerWords(need: Need): Text {
  const { peer } = need;
  return need.egress ? t(`to ${peer.en}`, `${peer.ja} 宛て`) : t(`from ${peer.en}`, `${peer.ja} から`);
}

function deniedText(d: Decided, egress: boolean): Text {
  const where = t(`TCP ${portsText(d.ports)} ${egress ? 'to' : 'from'} ${peersText(d.peers)}`, `${peersText(d.peers)} ${egress ? '宛て' : 'から'}の TCP ${portsText(d.ports)}`);
  return d.entry && d.ruleNumber !== CATCH_ALL
    ? t(`rule ${d.ruleNumber} denies ${where.en}`, `ルール ${d.ruleNumber} が ${where.ja} を拒否しています`)
    : t(`no rule allows ${where.en} (the final * rule denies it)`, `${where.ja} を許可するルールがありません (最後の * ルールが拒否します)`);
}

function describe(problems: readonly Judged[]): Text {
  const parts = problems.map(({ need, outcome }) => {
    const dir = direction(need.egress);
    const peer = peerWords(need);
    const acl = `${need.acl.networkAclId} (${need.subnetId})`;
    const traffic = t(`${dir.en} TCP ${portsText(need.ports)} ${peer.en} (${need.purpose.en})`, `${peer.ja}の${dir.ja} TCP ${portsText(need.ports)} (${need.purpose.ja})`);
    const rules = [...new Set(outcome.denied.map((d) => d.ruleNumber))];
    if (outcome.verdict === 'deny' && rules.length === 1) {
      return rules[0] === CATCH_ALL
        ? t(`${acl}: no rule allows ${traffic.en}, so the final * rule denies it`, `${acl}: ${traffic.ja} を許可するルールがないため、最後の * ルールで拒否されます`)
        : t(`${acl}: rule ${rules[0]} denies ${traffic.en}`, `${acl}: ルール ${rules[0]} が ${traffic.ja} を拒否しています`);
    }
    const denied = outcome.denied.map((d) => deniedText(d, need.egress));
    return t(
      `${acl} blocks ${outcome.verdict === 'deny' ? '' : 'part of '}${traffic.en}: ${denied.map((r) => r.en).join(', ')}`,
      `${acl} が ${traffic.ja} を${outcome.verdict === 'deny' ? '' : '一部'}ブロックしています (${denied.map((r) => r.ja).join('、')})`,
    );
  });
  return join(parts);
}

function fixOf(net: Network, problems: readonly Judged[]): Fix {
  const steps: FixStep[] = [];
  const commands: string[] = [];
  const taken = new Map<string, Set<number>>();
  const seen = new Set<string>();
  for (const { need, outcome } of problems) {
    const { acl, egress } = need;
    const aclId = acl.networkAclId;
    const dir = egress ? 'egress' : 'ingress';
    const firstDeny = Math.min(...outcome.denied.map((d) => d.ruleNumber));
    const console = egress
      ? t('Outbound rules → Edit outbound rules', '「アウトバウンドルール」→「アウトバウンドルールを編集」')
      : t('Inbound rules → Edit inbound rules', '「インバウンドルール」→「インバウンドルールを編集」');
    const side = egress ? t('Destination', '送信先') : t('Source', '送信元');
    if (!need.fix) {
      const rules = outcome.denied.filter((d) => d.ruleNumber !== CATCH_ALL).map((d) => d.ruleNumber);
      const key = `nacl-review:${aclId}:${dir}:${rules.join(',')}`;
      if (seen.has(key)) continue;
      seen.add(key);
      steps.push({
        key,
        text: t(
          `VPC → Network ACLs → select ${aclId} → ${console.en}: check that rule${rules.length > 1 ? 's' : ''} ${list(rules.map(String))} ${rules.length > 1 ? 'do' : 'does'} not deny Systems Manager's addresses on TCP ${portsText(need.ports)}; if ${rules.length > 1 ? 'they do' : 'it does'}, narrow ${rules.length > 1 ? 'them' : 'it'} or add an allow rule with a lower number`,
          `「VPC」→「ネットワーク ACL」→ ${aclId} を選択 →${console.ja}: ルール ${listJa(rules.map(String))} が Systems Manager のアドレスへの TCP ${portsText(need.ports)} を拒否していないか確認します。拒否している場合は範囲を狭めるか、より小さい番号で許可ルールを追加します`,
        ),
      });
      continue;
    }
    const { cidr, ports } = need.fix;
    const key = `nacl:${aclId}:${dir}:${cidr}:${portsText(ports)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const used = taken.get(`${aclId}:${dir}`) ?? new Set<number>();
    taken.set(`${aclId}:${dir}`, used);
    const n = freeRuleNumber(acl, egress, firstDeny, used);
    if (n === undefined) {
      steps.push({
        key,
        text: t(
          `VPC → Network ACLs → select ${aclId} → ${console.en}: no rule number below ${firstDeny} is free, so change rule ${firstDeny} to let TCP ${portsText(ports)} ${egress ? 'to' : 'from'} ${cidr} through → Save changes`,
          `「VPC」→「ネットワーク ACL」→ ${aclId} を選択 →${console.ja}: ${firstDeny} より小さい空きルール番号がないため、ルール ${firstDeny} を ${cidr} ${egress ? '宛て' : 'から'}の TCP ${portsText(ports)} が通るように変更し「変更を保存」`,
        ),
      });
      continue;
    }
    used.add(n);
    steps.push({
      key,
      text: t(
        `VPC → Network ACLs → select ${aclId} → ${console.en} → Add new rule: Rule number ${n}, Type Custom TCP, Port range ${portsText(ports)}, ${side.en} ${cidr}, Allow → Save changes`,
        `「VPC」→「ネットワーク ACL」→ ${aclId} を選択 →${console.ja}→「新しいルールを追加」→ ルール番号 ${n}、タイプ「カスタム TCP」、ポート範囲 ${portsText(ports)}、${side.ja} ${cidr}、「許可」→「変更を保存」`,
      ),
    });
    commands.push(
      aws(
        net.region,
        'ec2',
        'create-network-acl-entry',
        '--network-acl-id',
        aclId,
        '--rule-number',
        String(n),
        '--protocol',
        'tcp',
        '--port-range',
        `From=${ports.from},To=${ports.to}`,
        `--${dir}`,
        '--cidr-block',
        cidr,
        '--rule-action',
        'allow',
      ),
    );
  }
  return { steps, commands };
}
