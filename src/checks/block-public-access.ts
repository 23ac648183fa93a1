import type { BpaExclusion, BpaOptions } from '../facts/schema.js';
import { defineMessages, joinText, type Text } from '../lang.js';
import { observedConnected } from './lib/agent-evidence.js';
import { aws } from './lib/cli.js';
import { consolePath, label } from './lib/glossary.js';
import { listText } from './lib/list.js';
import { SESSION_SERVICES, networkOf, servicePaths, type InternetPath, type Network } from './lib/path.js';
import { notCollected } from './lib/network.js';
import { need, type Check, type Finding, type Fix } from './types.js';

const toExclusions = consolePath('vpc', 'settings', 'blockPublicAccess', 'exclusions', 'createExclusions');
const direction = label('allowDirection');
const M = defineMessages({
  title: {
    en: "VPC Block Public Access lets the instance's traffic out to Systems Manager",
    ja: 'VPC のパブリックアクセスのブロック (BPA) がインスタンスから Systems Manager への通信を妨げない',
  },
  endpoints: {
    en: '{id} reaches {services} through VPC endpoints, which VPC Block Public Access does not affect',
    ja: '{id} は VPC エンドポイント経由で {services} に到達します。VPC のパブリックアクセスのブロックは VPC エンドポイントに影響しません',
  },
  notRead: {
    en: 'VPC Block Public Access was not read (facts saved by an earlier version of ssm-doctor)',
    ja: 'VPC のパブリックアクセスのブロックは読み取られていません (以前のバージョンの ssm-doctor で保存したファクトです)',
  },
  unavailable: {
    en: 'VPC Block Public Access is not offered in {region} (ec2:DescribeVpcBlockPublicAccessOptions answered {code}): read as off',
    ja: '{region} では VPC のパブリックアクセスのブロックが提供されていません (ec2:DescribeVpcBlockPublicAccessOptions の応答は {code}): オフとみなします',
  },
  off: { en: 'VPC Block Public Access is off in {region}', ja: '{region} の VPC のパブリックアクセスのブロックはオフです' },
  beyond: {
    en: '{id} reaches {services} through {targets}, not through an internet or NAT gateway of {vpc}: whether VPC Block Public Access ({mode}) blocks the traffic where it reaches the internet cannot be seen from here',
    ja: '{id} は {targets} 経由で {services} に向かい、{vpc} のインターネットゲートウェイや NAT ゲートウェイは通りません。その先でインターネットに出る所を VPC のパブリックアクセスのブロック ({mode}) が遮断するかは、ここからは確認できません',
  },
  ingressNat: {
    en: 'VPC Block Public Access is block-ingress in {region}: it blocks connections from the internet, not those {id} opens through NAT gateway {nat}',
    ja: '{region} の VPC のパブリックアクセスのブロックは block-ingress です。インターネットからの接続は遮断しますが、{id} が NAT ゲートウェイ {nat} 経由で開始する接続は遮断しません',
  },
  excluded: {
    en: "VPC Block Public Access is {mode} in {region}, and {exclusions} let {id}'s traffic out through {gateways}",
    ja: '{region} の VPC のパブリックアクセスのブロックは {mode} ですが、{exclusions} により {id} の通信は {gateways} から出られます',
  },
  exclusion: { en: 'exclusion {ex} ({mode}) of {resource}', ja: '{resource} の除外 {ex} ({mode})' },
  blockedNat: {
    en: "VPC Block Public Access is {mode} in {region}: it blocks {id}'s traffic to {services} through NAT gateway {nat}, and neither the NAT gateway's subnet {subnet} nor {vpc} has an exclusion that allows egress (allow-egress or allow-bidirectional){notes}",
    ja: '{region} の VPC のパブリックアクセスのブロックは {mode} です。{id} から {services} への NAT ゲートウェイ {nat} 経由の通信は遮断されます。NAT ゲートウェイのサブネット {subnet} にも {vpc} にも、送信を許可する除外 (allow-egress または allow-bidirectional) がありません{notes}',
  },
  blockedIgw: {
    en: "VPC Block Public Access is {mode} in {region}: it blocks {id}'s traffic to {services} through internet gateway {igw} to its public IPv4 {ip}, and neither {subnet} nor {vpc} has an allow-bidirectional exclusion; only NAT gateways and egress-only internet gateways keep outbound connections working under it{notes}",
    ja: '{region} の VPC のパブリックアクセスのブロックは {mode} です。{id} から {services} へのインターネットゲートウェイ {igw} 経由 (パブリック IPv4 {ip}) の通信は遮断されます。{subnet} にも {vpc} にも allow-bidirectional の除外がありません。このモードで送信接続が使えるのは NAT ゲートウェイと Egress-Only インターネットゲートウェイ経由だけです{notes}',
  },
  observed: {
    en: '{blocked}; but the agent of {id} is Online and connected, so its traffic gets through',
    ja: '{blocked}。ただし {id} のエージェントはオンラインで接続済みのため、通信は届いています',
  },
  noteState: {
    en: '; exclusion {ex} of {resource} is {state}, not in force',
    ja: '。{resource} の除外 {ex} は {state} で、有効ではありません',
  },
  noteMode: {
    en: '; exclusion {ex} of {resource} is {mode}, which does not cover this path',
    ja: '。{resource} の除外 {ex} は {mode} で、この経路には適用されません',
  },
  noteNotAllowed: {
    en: "; exclusions are not allowed in this account (managed by {by}): an organisation's declarative policy decides",
    ja: '。このアカウントでは除外が許可されていません (管理元: {by})。組織の宣言型ポリシーが決めています',
  },
  stepExclude: {
    en: `${toExclusions.en} → {kind} {resource} ({why}), ${direction.en}: {direction} → ${label('createExclusions').en}{warning}`,
    ja: `${toExclusions.ja}→ {kind} {resource} ({why}) を選び、${direction.ja}を {direction} にして${label('createExclusions').ja}{warning}`,
  },
  subnet: { en: 'Subnet', ja: 'サブネット' },
  natSubnet: { en: "the NAT gateway's subnet", ja: 'NAT ゲートウェイのサブネット' },
  ownSubnet: { en: "the instance's subnet", ja: 'インスタンスのサブネット' },
  inbound: {
    en: ' (this also lets the internet in to the subnet, as far as its security groups and network ACLs allow; a private subnet behind a NAT gateway needs only egress)',
    ja: ' (インターネットからサブネットへの受信もセキュリティグループとネットワーク ACL の範囲で許可されます。NAT ゲートウェイの背後のプライベートサブネットなら送信だけで済みます)',
  },
  stepNotAllowed: {
    en: "Exclusions are not allowed in this account: ask your organisation's administrators to allow them for {resource} in the declarative policy for VPC Block Public Access, or use interface endpoints",
    ja: 'このアカウントでは除外が許可されていません。組織の管理者に VPC のパブリックアクセスのブロックの宣言型ポリシーで {resource} の除外を許可してもらうか、インターフェイスエンドポイントを使ってください',
  },
  stepEndpoints: {
    en: `Or leave Block Public Access as it is and give {vpc} interface endpoints for {services} (${consolePath('vpc', 'endpoints', 'createEndpoint').en}, private DNS on): their traffic never crosses an internet gateway`,
    ja: `または、パブリックアクセスのブロックはそのままにして、{vpc} に {services} のインターフェイスエンドポイントを作成します (${consolePath('vpc', 'endpoints', 'createEndpoint').ja}、プライベート DNS を有効化)。その通信はインターネットゲートウェイを通りません`,
  },
});

/** Exclusions count only once created or updated; `*-in-progress`, `*-failed` and `disable-*` ones do not apply (yet). */
const IN_FORCE = new Set(['create-complete', 'update-complete']);

/** A way out through a gateway of the VPC that Block Public Access governs, and the exclusions that would open it. */
interface Gate {
  kind: 'nat' | 'igw';
  gateway: string;
  /** The subnet whose exclusion counts: the NAT gateway's, or the instance's own. */
  subnet: string;
  /** Exclusion modes that let this gateway's traffic out under the region's mode. */
  opens: readonly string[];
  /** Out without an exclusion: a NAT gateway under block-ingress. */
  free: boolean;
}

/** The internet and NAT gateways of the path, each with the subnet whose exclusion decides it; other targets are not BPA's. */
function gatesOf(net: Network, path: InternetPath, mode: string): { gates: Gate[]; others: string[] } {
  const gates: Gate[] = [];
  const others: string[] = [];
  // Under block-ingress a NAT gateway's connections stay open; it needs an exclusion only in bidirectional mode.
  const natFree = mode === 'block-ingress';
  for (const hop of path.hops) {
    const target = hop.route?.target;
    if (!target || hop.kind === 'none') continue;
    if (target.startsWith('nat-')) {
      const nat = need(net.vpc.natGateways, 'ec2:DescribeNatGateways').find((n) => n.natGatewayId === target);
      if (!nat?.subnetId) throw notCollected('ec2:DescribeNatGateways', `the subnet of ${target} is not known`);
      gates.push({ kind: 'nat', gateway: target, subnet: nat.subnetId, opens: ['allow-bidirectional', 'allow-egress'], free: natFree });
    } else if (target.startsWith('igw-')) {
      gates.push({ kind: 'igw', gateway: target, subnet: net.subnetId, opens: ['allow-bidirectional'], free: false });
    } else others.push(target);
  }
  return { gates, others };
}

interface Verdict {
  gate: Gate;
  /** In-force exclusions that open the gate. */
  opening: BpaExclusion[];
  notes: Text[];
}

function judge(net: Network, gate: Gate, options: BpaOptions, exclusions: readonly BpaExclusion[]): Verdict {
  if (gate.free) return { gate, opening: [], notes: [] };
  const mine = exclusions.filter((e) => e.resourceId === gate.subnet || e.resourceId === net.vpcId);
  const allowed = options.exclusionsAllowed !== 'not-allowed';
  const opening = allowed ? mine.filter((e) => IN_FORCE.has(e.state) && gate.opens.includes(e.mode)) : [];
  const notes = mine
    .filter((e) => !opening.includes(e))
    .map((e) =>
      !IN_FORCE.has(e.state)
        ? M('noteState', { ex: e.exclusionId, resource: e.resourceId, state: e.state })
        : M('noteMode', { ex: e.exclusionId, resource: e.resourceId, mode: e.mode }),
    );
  if (!allowed) notes.push(M('noteNotAllowed', { by: options.managedBy ?? 'declarative-policy' }));
  return { gate, opening, notes };
}

function fixFor(net: Network, v: Verdict, options: BpaOptions, services: Text): Fix {
  const { gate } = v;
  const egress = gate.kind === 'nat';
  const steps =
    options.exclusionsAllowed === 'not-allowed'
      ? [{ key: `bpa-allow:${gate.subnet}`, text: M('stepNotAllowed', { resource: gate.subnet }) }]
      : [
          {
            key: `bpa-exclude:${gate.subnet}`,
            text: M('stepExclude', {
              kind: M('subnet'),
              resource: gate.subnet,
              why: M(egress ? 'natSubnet' : 'ownSubnet'),
              direction: label(egress ? 'egressOnly' : 'bidirectional'),
              warning: egress ? '' : M('inbound'),
            }),
          },
        ];
  steps.push({ key: `bpa-endpoints:${net.vpcId}`, text: M('stepEndpoints', { vpc: net.vpcId, services }) });
  const commands =
    options.exclusionsAllowed === 'not-allowed'
      ? []
      : [
          aws(
            net.region,
            'ec2',
            'create-vpc-block-public-access-exclusion',
            '--subnet-id',
            gate.subnet,
            '--internet-gateway-exclusion-mode',
            egress ? 'allow-egress' : 'allow-bidirectional',
          ),
        ];
  return { steps, commands };
}

/** The exclusions that open every gate that needed one. */
function openedText(net: Network, verdicts: readonly Verdict[], mode: string, id: string): Text {
  const used = [...new Set(verdicts.flatMap((v) => v.opening))];
  const exclusions = joinText(
    used.map((e) => M('exclusion', { ex: e.exclusionId, mode: e.mode, resource: e.resourceId })),
    ', ',
    '、',
  );
  const gateways = listText(verdicts.filter((v) => v.opening.length).map((v) => v.gate.gateway));
  return M('excluded', { mode, region: net.region, exclusions, id, gateways });
}

/** What BPA blocks, on which gateway, and which exclusion is missing (with the ones that exist but do not count). */
function blockedText(net: Network, v: Verdict, mode: string, services: Text): Text {
  const { gate } = v;
  const common = { mode, region: net.region, id: net.instance.instanceId, services, subnet: gate.subnet, vpc: net.vpcId };
  const notes = joinText(v.notes, '', '');
  return gate.kind === 'nat'
    ? M('blockedNat', { ...common, nat: gate.gateway, notes })
    : M('blockedIgw', { ...common, igw: gate.gateway, ip: net.instance.publicIp ?? '', notes });
}

/**
 * VPC Block Public Access (a region's setting) drops traffic through internet gateways, and with it
 * through NAT gateways, unless the VPC or the gateway's subnet is excluded: a NAT or internet path
 * that looks fine in the route tables can still never reach Systems Manager. Endpoints are not affected.
 */
export const blockPublicAccess: Check = {
  id: 'block-public-access',
  severity: 'critical',
  title: M('title'),
  messages: M.table,
  requires: ['network-route'],
  evaluate(ctx): Finding {
    const net = networkOf(ctx);
    const { region, vpcId } = net;
    const id = ctx.instanceId;
    const outward = servicePaths(net).filter((p) => SESSION_SERVICES.includes(p.service) && p.via === 'internet');
    const first = outward[0];
    if (!first || first.via !== 'internet') {
      return { status: 'pass', message: M('endpoints', { id, services: listText(SESSION_SERVICES) }) };
    }
    const services = listText(outward.map((p) => p.service));
    const bpa = ctx.facts.blockPublicAccess;
    // Facts saved by an earlier version hold no BPA: say so, rather than turn them UNKNOWN.
    if (!bpa) return { status: 'skip', message: M('notRead') };
    const options = need(bpa.options, 'ec2:DescribeVpcBlockPublicAccessOptions');
    if (options.unavailable) return { status: 'pass', message: M('unavailable', { region, code: options.unavailable }) };
    if (options.mode === 'off') return { status: 'pass', message: M('off', { region }) };
    const { gates, others } = gatesOf(net, first.path, options.mode);
    if (!gates.length) {
      return { status: 'skip', message: M('beyond', { id, services, targets: listText(others), vpc: vpcId, mode: options.mode }) };
    }
    if (gates.every((g) => g.free)) {
      return { status: 'pass', message: M('ingressNat', { region, id, nat: listText(gates.map((g) => g.gateway)) }) };
    }
    const exclusions = need(bpa.exclusions, 'ec2:DescribeVpcBlockPublicAccessExclusions');
    const verdicts = gates.map((g) => judge(net, g, options, exclusions));
    const blocked = verdicts.find((v) => !v.opening.length && !v.gate.free);
    if (!blocked) return { status: 'pass', message: openedText(net, verdicts, options.mode, id) };
    const { gate } = blocked;
    const message = blockedText(net, blocked, options.mode, services);
    // AWS's wording leaves room on an internet gateway path: proof that the agent gets out outweighs it.
    if (gate.kind === 'igw' && observedConnected(ctx.facts, ctx.instanceId))
      return { status: 'pass', message: M('observed', { blocked: message, id }) };
    return { status: 'fail', message, fix: fixFor(net, blocked, options, services) };
  },
};
