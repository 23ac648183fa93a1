import type { Endpoint, SecurityGroup, SgRule, Subnet, Unknown } from '../facts/schema.js';
import { t, type Text } from '../lang.js';
import { blockOf, cidrsOf, everything, intersect, publicIpv4, subtract, type Block } from './lib/cidr.js';
import { aws, shq } from './lib/cli.js';
import { blockedServicesVerdict } from './lib/iam-ec2messages.js';
import { hubDestinations, networkOf, servicePaths, type Network, type ServicePath, type SsmService } from './lib/path.js';
import { coversTcpPort } from './lib/sg.js';
import { FactUnknown, need, type Check, type CheckContext, type Fix, type FixStep } from './types.js';

const HTTPS = 443;
const list = (xs: readonly string[]) => xs.join(', ');
const listJa = (xs: readonly string[]) => xs.join('、');
const bare = (id: string) => id.slice(id.lastIndexOf('/') + 1);

/** Where some of the agent's traffic must go: the endpoints of one group/subnet set, the hub of a centralised design, or the internet. */
type Target =
  | { kind: 'endpoint'; services: SsmService[]; endpoints: Endpoint[] }
  | { kind: 'central'; services: SsmService[] }
  | { kind: 'internet'; services: SsmService[] };

type Reach = 'ok' | 'partial' | 'blocked';

interface Verdict {
  target: Target;
  reach: Reach | 'unknown';
  text: Text;
  unknown?: Unknown;
  /** The --ip-permissions destination that opens what is missing, and how the console names it. */
  open?: { permission: string; destination: string };
}

/** The TCP 443 egress rules of the instance's groups, and what they allow, resolved as far as the facts go. */
interface Egress {
  rules: { sg: SecurityGroup; rule: SgRule }[];
  groupIds: Set<string>;
  blocks: Block[];
  /** Prefix lists whose entries are not in the facts. */
  unresolved: Unknown[];
  /** "sg-…, 10.0.0.0/16, pl-…" for messages. */
  destinations: string[];
}

function egressOf(ctx: CheckContext, own: SecurityGroup[]): Egress {
  const rules = own.flatMap((sg) => sg.egress.filter((rule) => coversTcpPort(rule, HTTPS)).map((rule) => ({ sg, rule })));
  const groupIds = new Set<string>();
  const blocks: Block[] = [];
  const unresolved: Unknown[] = [];
  const destinations = new Set<string>();
  for (const { sg, rule } of rules) {
    for (const g of rule.groupIds.map(bare)) {
      groupIds.add(g);
      destinations.add(g);
    }
    for (const c of [...rule.cidrs, ...rule.ipv6Cidrs]) {
      destinations.add(c);
      const b = blockOf(c);
      if (b) blocks.push(b);
    }
    for (const pl of rule.prefixListIds) {
      destinations.add(pl);
      const fact = ctx.facts.prefixLists?.[pl];
      if (fact?.known) {
        fact.value.forEach((c) => {
          const b = blockOf(c);
          if (b) blocks.push(b);
        });
      } else {
        unresolved.push(
          fact ?? {
            known: false,
            call: 'ec2:GetManagedPrefixListEntries',
            code: 'NotCollected',
            message: `the entries of prefix list ${pl} (in an outbound rule of ${sg.groupId}) were not collected`,
          },
        );
      }
    }
  }
  return { rules, groupIds, blocks, unresolved, destinations: [...destinations] };
}

/** The instance's primary-ENI security groups allow outbound TCP 443 to where each Systems Manager service resolves; a security group silently drops what no egress rule allows. */
export const instanceSgEgress: Check = {
  id: 'instance-sg-egress',
  severity: 'critical',
  title: t("The instance's security groups allow outbound HTTPS to Systems Manager", 'インスタンスのセキュリティグループが Systems Manager への HTTPS のアウトバウンドを許可している'),
  evaluate(ctx) {
    const net = networkOf(ctx);
    const { instance } = net;
    const paths = servicePaths(net).filter((p) => p.via !== 'internet' || p.path.kind !== 'none');
    if (!paths.length) {
      return {
        status: 'skip',
        message: t(
          `${instance.instanceId} has no network path to Systems Manager whose egress could be checked (see network-route)`,
          `${instance.instanceId} には、アウトバウンドを確認できる Systems Manager への経路がありません (network-route を参照)`,
        ),
      };
    }
    const groups = need(net.vpc.securityGroups, 'ec2:DescribeSecurityGroups');
    const absent = instance.primaryEniGroupIds.filter((g) => !groups.some((x) => x.groupId === g));
    if (absent.length) {
      throw new FactUnknown({
        known: false,
        call: 'ec2:DescribeSecurityGroups',
        code: 'NotCollected',
        message: `${list(absent)} of ${instance.instanceId} is not among the collected security groups`,
      });
    }
    const own = instance.primaryEniGroupIds.map((g) => groups.find((x) => x.groupId === g)!);
    const egress = egressOf(ctx, own);
    const who: Who = {
      en: list(instance.primaryEniGroupIds) || '(no security group)',
      ja: listJa(instance.primaryEniGroupIds) || '(セキュリティグループなし)',
      allows: own.length > 1 ? 'allow' : 'allows',
    };
    const verdicts = targetsOf(paths).map((target) => judge(net, target, egress, groups, who));
    const bad = verdicts.filter((v) => v.reach === 'blocked' || v.reach === 'partial');
    const unknown = verdicts.filter((v) => v.reach === 'unknown');
    if (!bad.length) {
      if (unknown.length) throw new FactUnknown(unknown[0].unknown!);
      return { status: 'pass', message: join(verdicts.map((v) => v.text)) };
    }

    const blocked = bad.filter((v) => v.reach === 'blocked');
    const blockedServices = new Set(blocked.flatMap((v) => v.target.services));
    const { status, notes } = blockedServicesVerdict(ctx.facts, ctx.instanceId, blockedServices);
    const unchecked = unknown.map((v) => t(`not checked: ${v.unknown!.message}`, `未確認: ${v.unknown!.message}`));
    return {
      status,
      message: join([...bad.map((v) => v.text), ...notes, ...unchecked]),
      fix: fixOf(net, bad),
    };
  },
};

function join(parts: readonly Text[]): Text {
  return t(parts.map((p) => p.en).join('; '), parts.map((p) => p.ja).join('。'));
}

/** Endpoints with the same groups and subnets get the same verdict; central and internet services are one target each. */
function targetsOf(paths: readonly ServicePath[]): Target[] {
  const targets: Target[] = [];
  const byKey = new Map<string, Extract<Target, { kind: 'endpoint' }>>();
  for (const p of paths) {
    if (p.via === 'endpoint') {
      for (const e of p.endpoints) {
        const key = `${[...e.groupIds].sort().join(',')}|${[...e.subnetIds].sort().join(',')}`;
        const existing = byKey.get(key);
        if (existing) {
          existing.endpoints.push(e);
          if (!existing.services.includes(p.service)) existing.services.push(p.service);
        } else {
          const target: Target = { kind: 'endpoint', services: [p.service], endpoints: [e] };
          byKey.set(key, target);
          targets.push(target);
        }
      }
      continue;
    }
    const kind = p.via;
    const same = targets.find((x) => x.kind === kind);
    if (same) same.services.push(p.service);
    else targets.push({ kind, services: [p.service] });
  }
  return targets;
}

/** The instance's groups as messages name them. */
interface Who {
  en: string;
  ja: string;
  allows: 'allow' | 'allows';
}

function judge(net: Network, target: Target, egress: Egress, groups: readonly SecurityGroup[], who: Who): Verdict {
  const services = list(target.services);
  const servicesJa = listJa(target.services);
  const { en: sgs, ja: sgsJa, allows } = who;
  const none = !egress.destinations.length;
  const allowsOnly: Text = none
    ? t(`${sgs} ${allows === 'allow' ? 'have' : 'has'} no outbound rule for TCP 443`, `${sgsJa} には TCP 443 のアウトバウンドルールがありません`)
    : t(`${sgs} ${allows} TCP 443 only to ${list(egress.destinations)}`, `${sgsJa} が TCP 443 を許可している宛先は ${listJa(egress.destinations)} だけです`);
  const unresolvedVerdict = (what: string): Verdict | undefined =>
    egress.unresolved.length
      ? {
          target,
          reach: 'unknown',
          text: t('', ''),
          unknown: { ...egress.unresolved[0], message: `${egress.unresolved[0].message}: whether ${sgs} ${allows} TCP 443 to ${what} cannot be told` },
        }
      : undefined;

  if (target.kind === 'endpoint') {
    const ids = target.endpoints.map((e) => e.endpointId);
    const head = t(`${list(ids)} (${services})`, `${listJa(ids)} (${servicesJa})`);
    const endpoint = target.endpoints[0];
    const endpointGroups = endpoint.groupIds.length ? endpoint.groupIds : groups.filter((g) => g.groupName === 'default').map((g) => g.groupId);
    const byGroup = endpointGroups.find((g) => egress.groupIds.has(g));
    if (byGroup) {
      return { target, reach: 'ok', text: t(`${head.en}: ${sgs} ${allows} TCP 443 to ${byGroup}`, `${head.ja}: ${sgsJa} は ${byGroup} への TCP 443 を許可しています`) };
    }
    const subnets = need(net.vpc.subnets, 'ec2:DescribeSubnets');
    const cidrs = endpoint.subnetIds.map((id) => {
      const s: Subnet | undefined = subnets.find((x) => x.subnetId === id);
      const b = s?.cidr ? blockOf(s.cidr) : undefined;
      if (!s?.cidr || !b) {
        throw new FactUnknown({ known: false, call: 'ec2:DescribeSubnets', code: 'NotCollected', message: `the CIDR of ${id}, a subnet of ${endpoint.endpointId}, was not collected` });
      }
      return { id, cidr: s.cidr, block: b };
    });
    const reach = cidrs.map((c) => {
      const left = subtract([c.block], egress.blocks);
      return left.length === 0 ? 'all' : intersect([c.block], egress.blocks).length ? 'some' : 'none';
    });
    const where = cidrs.map((c) => `${c.cidr} (${c.id})`);
    if (reach.every((r) => r === 'all')) {
      const by = cidrsOf(egress.blocks.filter((b) => cidrs.some((c) => intersect([c.block], [b]).length)));
      return {
        target,
        reach: 'ok',
        text: t(`${head.en}: ${sgs} ${allows} TCP 443 to ${list(by)}, which holds ${list(where)}`, `${head.ja}: ${sgsJa} は ${listJa(by)} への TCP 443 を許可しており、${listJa(where)} を含みます`),
      };
    }
    const pending = unresolvedVerdict(`the subnets of ${list(ids)}`);
    if (pending) return pending;
    const sg = endpointGroups[0];
    const open = sg
      ? { permission: `UserIdGroupPairs=[{GroupId=${sg}}]`, destination: sg }
      : { permission: `IpRanges=[${cidrs.map((c) => `{CidrIp=${c.cidr}}`).join(',')}]`, destination: list(cidrs.map((c) => c.cidr)) };
    if (reach.every((r) => r === 'none')) {
      const places = [...endpointGroups, ...where];
      return {
        target,
        reach: 'blocked',
        text: none
          ? t(`${head.en}: ${allowsOnly.en}`, `${head.ja}: ${allowsOnly.ja}`)
          : t(
              `${head.en}: ${allowsOnly.en}, not to ${places.join(' or ')}, where the endpoints are`,
              `${head.ja}: ${allowsOnly.ja}。エンドポイントのある ${listJa(places)} は含まれません`,
            ),
        open,
      };
    }
    const missing = where.filter((_, i) => reach[i] !== 'all');
    return {
      target,
      reach: 'partial',
      text: t(
        `${head.en}: ${allowsOnly.en}, which does not cover ${list(missing)}; DNS hands out the endpoint's address in every subnet, so some connections would fail`,
        `${head.ja}: ${allowsOnly.ja}。${listJa(missing)} を含まないため、DNS はすべてのサブネットのエンドポイントのアドレスを返すので、一部の接続が失敗します`,
      ),
      open,
    };
  }

  const whole = target.kind === 'internet' ? publicIpv4() : [everything('ipv4')];
  const left = subtract(whole, egress.blocks);
  const internet = { permission: 'IpRanges=[{CidrIp=0.0.0.0/0}]', destination: '0.0.0.0/0' };
  if (target.kind === 'internet') {
    if (!left.length) {
      return { target, reach: 'ok', text: t(`${services} over the internet path: ${sgs} ${allows} TCP 443 to every public address`, `${servicesJa} はインターネット経由: ${sgsJa} はすべてのパブリックアドレスへの TCP 443 を許可しています`) };
    }
    const pending = unresolvedVerdict('the internet');
    if (pending) return pending;
    return intersect(whole, egress.blocks).length
      ? {
          target,
          reach: 'partial',
          text: t(
            `${services} go to public Systems Manager addresses (over NAT or an internet gateway), but ${allowsOnly.en}; which public addresses the names resolve to is not known here, so connections may fail`,
            `${servicesJa} はパブリックな Systems Manager のアドレス (NAT またはインターネットゲートウェイ経由) に接続しますが、${allowsOnly.ja}。名前がどのパブリックアドレスに解決されるかはここでは分からないため、接続が失敗する可能性があります`,
          ),
          open: internet,
        }
      : {
          target,
          reach: 'blocked',
          text: t(
            `${services} go to public Systems Manager addresses (over NAT or an internet gateway), but ${allowsOnly.en}${none ? '' : ', no public address among them'}`,
            `${servicesJa} はパブリックな Systems Manager のアドレス (NAT またはインターネットゲートウェイ経由) に接続しますが、${allowsOnly.ja}${none ? '' : '。パブリックアドレスは含まれません'}`,
          ),
          open: internet,
        };
  }

  // Centralised endpoints: their addresses are not in the facts, but must lie where the subnet routes toward other VPCs.
  const hub = hubDestinations(net);
  const dests = hub.routes.map((r) => r.destination);
  const via = hub.routes.map((r) => `${r.destination} → ${r.target}`);
  const hubWhole = hub.blocks.length ? hub.blocks : [everything('ipv4')];
  const open = hub.blocks.length
    ? { permission: `IpRanges=[${dests.map((d) => `{CidrIp=${d}}`).join(',')}]`, destination: list(dests) }
    : internet;
  if (!subtract(hubWhole, egress.blocks).length) {
    return {
      target,
      reach: 'ok',
      text: hub.routes.length
        ? t(
            `${services} through centralised endpoints over ${list(via)}: ${sgs} ${allows} TCP 443 to ${list(dests)}`,
            `${servicesJa} は ${listJa(via)} 経由の集約されたエンドポイント: ${sgsJa} は ${listJa(dests)} への TCP 443 を許可しています`,
          )
        : t(`${services} through centralised endpoints: ${sgs} ${allows} TCP 443 to every address`, `${servicesJa} は集約されたエンドポイント経由: ${sgsJa} はすべてのアドレスへの TCP 443 を許可しています`),
    };
  }
  const pending = unresolvedVerdict('the shared endpoints');
  if (pending) return pending;
  const where = hub.routes.length
    ? t(`${list(dests)}, where the subnet routes toward the shared endpoints (${list(via)})`, `共有エンドポイントへのルートがある ${listJa(dests)} (${listJa(via)})`)
    : t("the shared endpoints' addresses, which are not known here", '共有エンドポイントのアドレス (ここでは不明)');
  // Egress to a group may name the hub endpoints' group across a peering connection: that cannot be checked here.
  if (intersect(hubWhole, egress.blocks).length || egress.groupIds.size) {
    return {
      target,
      reach: 'partial',
      text: t(
        `${services} go to centralised endpoints in another VPC, and ${allowsOnly.en}: check that this holds ${where.en}`,
        `${servicesJa} は別の VPC に集約されたエンドポイントに接続します。${allowsOnly.ja}。${where.ja}が含まれているか確認してください`,
      ),
      open,
    };
  }
  return {
    target,
    reach: 'blocked',
    text: t(
      `${services} go to centralised endpoints in another VPC, but ${allowsOnly.en}${none ? '' : `, nothing of ${where.en}`}`,
      `${servicesJa} は別の VPC に集約されたエンドポイントに接続しますが、${allowsOnly.ja}${none ? '' : `。${where.ja}は含まれません`}`,
    ),
    open,
  };
}

function fixOf(net: Network, bad: readonly Verdict[]): Fix {
  const { region } = net;
  const sg = net.instance.primaryEniGroupIds[0];
  const steps: FixStep[] = [];
  const commands: string[] = [];
  const seen = new Set<string>();
  for (const v of bad) {
    if (!v.open || seen.has(v.open.permission)) continue;
    seen.add(v.open.permission);
    const { destination } = v.open;
    const narrow =
      v.target.kind === 'central' && destination === '0.0.0.0/0'
        ? t(" (or only the shared-services VPC's CIDR)", ' (共有サービス VPC の CIDR だけでもかまいません)')
        : t('', '');
    if (!sg) {
      steps.push({
        key: `sg-egress-attach:${net.instance.instanceId}`,
        text: t(
          `EC2 → Instances → select ${net.instance.instanceId} → Actions → Security → Change security groups: add a group that allows outbound HTTPS (TCP 443) to ${destination}${narrow.en}`,
          `「EC2」→「インスタンス」→ ${net.instance.instanceId} を選択 →「アクション」→「セキュリティ」→「セキュリティグループを変更」で、${destination}${narrow.ja} への HTTPS (TCP 443) のアウトバウンドを許可するグループを追加します`,
        ),
      });
      continue;
    }
    steps.push({
      key: `sg-egress:${sg}:${destination}`,
      text: t(
        `EC2 → Security Groups → select ${sg} → Outbound rules → Edit outbound rules → Add rule: Type HTTPS, Destination ${destination}${narrow.en} → Save rules`,
        `「EC2」→「セキュリティグループ」→ ${sg} を選択 →「アウトバウンドルール」→「アウトバウンドルールを編集」→「ルールを追加」→ タイプ「HTTPS」、送信先に ${destination}${narrow.ja} を指定 →「ルールを保存」`,
      ),
    });
    commands.push(
      aws(region, 'ec2', 'authorize-security-group-egress', '--group-id', sg, '--ip-permissions', shq(`IpProtocol=tcp,FromPort=443,ToPort=443,${v.open.permission}`)),
    );
  }
  return { steps, commands };
}
