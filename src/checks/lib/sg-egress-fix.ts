/** What the instance's outbound rules need to let TCP 443 out, per destination, as console steps and commands. */
import type { SecurityGroup, Unknown } from '../../facts/schema.js';
import type { Family } from './cidr.js';
import type { Egress } from './sg.js';
import { NO_TEXT, defineMessages, type Text } from '../../lang.js';
import type { Fix, FixStep } from '../types.js';
import { aws } from './cli.js';
import { consolePath, label } from './glossary.js';
import type { Network } from './network.js';
import type { Target } from './service-paths.js';

const toOutbound = consolePath('outboundRules', 'editOutbound', 'addRule');
const toChangeGroups = consolePath('actions', 'security', 'changeSecurityGroups');

const M = defineMessages({
  narrow: { en: " (or only the shared-services VPC's CIDR)", ja: ' (共有サービス VPC の CIDR だけでもかまいません)' },
  stepAttach: {
    en: `${consolePath('ec2', 'instances').en} → select {id} → ${toChangeGroups.en}: add a group that allows outbound HTTPS (TCP 443) to {dest}{narrow}`,
    ja: `${consolePath('ec2', 'instances').ja}→ {id} を選択 →${toChangeGroups.ja}で、{dest}{narrow} への HTTPS (TCP 443) のアウトバウンドを許可するグループを追加します`,
  },
  stepEgress: {
    en: `${consolePath('ec2', 'securityGroups').en} → select {sg} → ${toOutbound.en}: Type HTTPS, Destination {dest}{narrow} → ${label('saveRules').en}`,
    ja: `${consolePath('ec2', 'securityGroups').ja}→ {sg} を選択 →${toOutbound.ja}→ タイプ「HTTPS」、送信先に {dest}{narrow} を指定 →${label('saveRules').ja}`,
  },
});

export type Reach = 'ok' | 'partial' | 'blocked';

export interface Verdict {
  target: Target;
  reach: Reach | 'unknown';
  text: Text;
  unknown?: Unknown;
  /** The --ip-permissions destination that opens what is missing, and how the console names it. */
  open?: { permission: string; destination: string };
}

/** The --ip-permissions ranges for CIDRs of one family: IpRanges for IPv4, Ipv6Ranges for IPv6. */
export function rangesPermission(cidrs: readonly string[]): string {
  return cidrs.some((c) => c.includes(':'))
    ? `Ipv6Ranges=[${cidrs.map((c) => `{CidrIpv6=${c}}`).join(',')}]`
    : `IpRanges=[${cidrs.map((c) => `{CidrIp=${c}}`).join(',')}]`;
}

/** One rule per destination a bad verdict needs opened, on the instance's first group (or a step to attach one). */
export function fixOf(net: Network, bad: readonly Verdict[]): Fix {
  const { instance } = net;
  const [sg] = instance.primaryEniGroupIds;
  const steps: FixStep[] = [];
  const commands: string[] = [];
  const seen = new Set<string>();
  for (const { open, target } of bad) {
    if (!open || seen.has(open.permission)) continue;
    seen.add(open.permission);
    const dest = open.destination;
    const narrow = target.via === 'central' && (dest === '0.0.0.0/0' || dest === '::/0') ? M('narrow') : NO_TEXT;
    if (!sg) {
      steps.push({ key: `sg-egress-attach:${instance.instanceId}`, text: M('stepAttach', { id: instance.instanceId, dest, narrow }) });
      continue;
    }
    steps.push({ key: `sg-egress:${sg}:${dest}`, text: M('stepEgress', { sg, dest, narrow }) });
    const permissions = `IpProtocol=tcp,FromPort=443,ToPort=443,${open.permission}`;
    commands.push(aws(net.region, 'ec2', 'authorize-security-group-egress', '--group-id', sg, '--ip-permissions', permissions));
  }
  return { steps, commands };
}

/** The instance's groups and what they let out on TCP 443, as the verdicts word it. */
export interface Judge {
  net: Network;
  /** The family of the agent's connections: IPv6 for an IPv6-only instance, else IPv4. */
  family: Family;
  egress: Egress;
  groups: readonly SecurityGroup[];
  sgs: Text;
  many: boolean;
}

/** Unknown when a prefix list the groups name could not be read: whether they let TCP 443 out there cannot be told. */
export function unresolved(j: Judge, target: Target, what: string): Verdict | undefined {
  const [first] = j.egress.unresolved;
  if (!first) return undefined;
  const allows = j.many ? 'allow' : 'allows';
  return {
    target,
    reach: 'unknown',
    text: NO_TEXT,
    unknown: { ...first, message: `${first.message}: whether ${j.sgs.en} ${allows} TCP 443 to ${what} cannot be told` },
  };
}
