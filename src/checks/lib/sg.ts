/** Security group rule matching: which sources the inbound rules admit on a TCP port, and where the outbound rules let it out. */
import ipaddr from 'ipaddr.js';
import type { Facts, SecurityGroup, SgRule, Unknown } from '../../facts/schema.js';
import { blockOf, parseCidr, type Block } from './cidr.js';
import { notCollected, type Network } from './network.js';
import { need } from '../types.js';

/** Whether the rule's protocol and port range let TCP `port` through ("-1" is every protocol and port). */
export function coversTcpPort(rule: SgRule, port: number): boolean {
  const protocol = rule.protocol.toLowerCase();
  if (protocol === '-1' || protocol === 'all') return true;
  if (protocol !== 'tcp' && protocol !== '6') return false;
  const from = rule.fromPort ?? 0;
  const to = rule.toPort ?? 65535;
  return from <= port && port <= to;
}

function parseAddress(address: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(address)) return ipaddr.IPv4.parse(address);
  if (ipaddr.IPv6.isValid(address)) {
    const v6 = ipaddr.IPv6.parse(address);
    return v6.isIPv4MappedAddress() ? v6.toIPv4Address() : v6;
  }
  return undefined;
}

/** Whether an IPv4 or IPv6 CIDR holds the address; false for malformed input or mixed families. */
export function cidrContains(cidr: string, address: string): boolean {
  const addr = parseAddress(address);
  if (!addr) return false;
  const range = parseCidr(cidr);
  return !!range && range[0].kind() === addr.kind() && addr.match(range);
}

export type Source = { kind: 'group' | 'cidr' | 'prefixList'; id: string };

export interface Client {
  /** Security groups of the client's network interface. */
  groupIds: readonly string[];
  addresses: readonly string[];
}

export interface Ingress {
  /** The first source that admits the client, if any. */
  admittedBy?: Source;
  /** Every source the group admits on the port, for messages. */
  sources: Source[];
  /** Prefix lists admitted on the port whose entries are not known: whether they hold the client cannot be told. */
  prefixLists: string[];
  /** Why each of those is not known (the failed read, or not collected), in the same order. */
  unresolved: Unknown[];
}

// A cross-account reference reads "123456789012/sg-…".
const bareGroupId = (id: string) => id.slice(id.lastIndexOf('/') + 1);

/**
 * What the security group lets in on TCP `port`, and whether the client is among it. A prefix list
 * admits the client when its collected entries (`ec2:GetManagedPrefixListEntries`, customer- and
 * AWS-managed alike) hold one of the client's addresses.
 */
export function ingressOn(sg: SecurityGroup, port: number, client: Client, prefixLists?: Facts['prefixLists']): Ingress {
  const sources: Source[] = [];
  const add = (s: Source) => {
    if (!sources.some((x) => x.kind === s.kind && x.id === s.id)) sources.push(s);
  };
  for (const rule of sg.ingress) {
    if (!coversTcpPort(rule, port)) continue;
    rule.groupIds.forEach((id) => add({ kind: 'group', id: bareGroupId(id) }));
    [...rule.cidrs, ...rule.ipv6Cidrs].forEach((id) => add({ kind: 'cidr', id }));
    rule.prefixListIds.forEach((id) => add({ kind: 'prefixList', id }));
  }
  const holds = (cidrs: readonly string[]) => client.addresses.some((a) => cidrs.some((c) => cidrContains(c, a)));
  const entries = (id: string): readonly string[] => {
    const fact = prefixLists?.[id];
    return fact?.known ? fact.value : [];
  };
  const admittedBy = sources.find(
    (s) =>
      (s.kind === 'group' && client.groupIds.includes(s.id)) ||
      (s.kind === 'cidr' && holds([s.id])) ||
      (s.kind === 'prefixList' && holds(entries(s.id))),
  );
  const unknownLists = sources.filter((s) => s.kind === 'prefixList' && prefixLists?.[s.id]?.known !== true);
  return {
    admittedBy,
    sources,
    prefixLists: unknownLists.map((s) => s.id),
    unresolved: unknownLists.map((s) => {
      const fact = prefixLists?.[s.id];
      return fact && !fact.known
        ? fact
        : notCollected(
            'ec2:GetManagedPrefixListEntries',
            `the entries of prefix list ${s.id} (in an inbound rule of ${sg.groupId}) were not collected`,
          ).unknown;
    }),
  };
}

/** The egress rules of a set of groups on TCP `port`, and what they allow, resolved as far as the facts go. */
export interface Egress {
  groupIds: Set<string>;
  blocks: Block[];
  /** Prefix lists whose entries are not in the facts. */
  unresolved: Unknown[];
  /** "sg-…, 10.0.0.0/16, pl-…" for messages. */
  destinations: string[];
}

/** What the groups let out on TCP `port`; prefix lists are resolved from their collected entries. */
export function egressOn(groups: readonly SecurityGroup[], port: number, prefixLists: Facts['prefixLists']): Egress {
  const egress: Egress = { groupIds: new Set(), blocks: [], unresolved: [], destinations: [] };
  const destinations = new Set<string>();
  const addBlock = (cidr: string) => {
    const b = blockOf(cidr);
    if (b) egress.blocks.push(b);
  };
  for (const sg of groups) {
    for (const rule of sg.egress.filter((r) => coversTcpPort(r, port))) {
      for (const g of rule.groupIds.map(bareGroupId)) {
        egress.groupIds.add(g);
        destinations.add(g);
      }
      for (const c of [...rule.cidrs, ...rule.ipv6Cidrs]) {
        destinations.add(c);
        addBlock(c);
      }
      for (const pl of rule.prefixListIds) {
        destinations.add(pl);
        const fact = prefixLists?.[pl];
        if (fact?.known) fact.value.forEach(addBlock);
        else
          egress.unresolved.push(
            fact ??
              notCollected(
                'ec2:GetManagedPrefixListEntries',
                `the entries of prefix list ${pl} (in an outbound rule of ${sg.groupId}) were not collected`,
              ).unknown,
          );
      }
    }
  }
  egress.destinations = [...destinations];
  return egress;
}

/** The VPC's security groups and the instance's primary-ENI ones among them; unknown when one of those was not collected. */
export function instanceGroups(net: Network): { groups: SecurityGroup[]; own: SecurityGroup[] } {
  const { instance } = net;
  const groups = need(net.vpc.securityGroups, 'ec2:DescribeSecurityGroups');
  const own = instance.primaryEniGroupIds.flatMap((g) => groups.find((x) => x.groupId === g) ?? []);
  const absent = instance.primaryEniGroupIds.filter((g) => !own.some((x) => x.groupId === g));
  if (absent.length)
    throw notCollected(
      'ec2:DescribeSecurityGroups',
      `${absent.join(', ')} of ${instance.instanceId} is not among the collected security groups`,
    );
  return { groups, own };
}
