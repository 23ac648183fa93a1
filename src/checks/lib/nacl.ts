/**
 * Network ACL evaluation as AWS does it: the entries of one direction in rule-number order, the first entry that
 * matches a packet decides, IPv4 and IPv6 entries apply only to their own family, and what no entry matches is denied.
 * Flows are sets of packets (a range of remote addresses × a range of TCP destination ports), so a verdict can be
 * partial: that is how a NACL breaks some of an endpoint's addresses or some ephemeral ports and not others.
 */
import type { NaclEntry, NetworkAcl } from '../../facts/schema.js';
import { blockOf, cidrsOf, intersect, subtract, type Block } from './cidr.js';

/** The rule number of the catch-all `*` entry, which always denies. */
export const CATCH_ALL = 32767;

/** The catch-all entries: 32767 for IPv4, 32768 for IPv6 (both shown as `*` in the console). */
export const isCatchAll = (ruleNumber: number) => ruleNumber >= CATCH_ALL;

export interface PortRange {
  from: number;
  to: number;
}

/** TCP traffic that must cross the ACL in one direction. */
export interface Flow {
  egress: boolean;
  /** The remote side: the destination of outbound packets, the source of inbound ones. */
  peers: Block[];
  /** TCP destination ports of the packets. */
  ports: PortRange;
}

/** A part of a flow and the entry that decided it; `entry` is undefined for what no entry matched. */
export interface Decided {
  peers: Block[];
  ports: PortRange;
  ruleNumber: number;
  entry?: NaclEntry;
}

export interface Outcome {
  /** `allow`: every packet passes; `partial`: some do; `deny`: none does. */
  verdict: 'allow' | 'partial' | 'deny';
  allowed: Decided[];
  denied: Decided[];
}

interface Box {
  peer: Block;
  from: number;
  to: number;
}

const ALL_PORTS: PortRange = { from: 0, to: 65535 };

/** The TCP ports an entry matches, or undefined when it does not match TCP at all. */
export function tcpPorts(entry: NaclEntry): PortRange | undefined {
  const p = entry.protocol.toLowerCase();
  if (p === '-1' || p === 'all') return ALL_PORTS;
  if (p !== '6' && p !== 'tcp') return undefined;
  return { from: entry.fromPort ?? 0, to: entry.toPort ?? 65535 };
}

/** The entries of one direction in evaluation order. */
export function orderedEntries(acl: Pick<NetworkAcl, 'entries'>, egress: boolean): NaclEntry[] {
  return acl.entries.filter((e) => e.egress === egress).sort((a, b) => a.ruleNumber - b.ruleNumber);
}

function cut(box: Box, peer: Block, ports: PortRange): { inside: Box[]; outside: Box[] } {
  const [mid] = intersect([box.peer], [peer]);
  const from = Math.max(box.from, ports.from);
  const to = Math.min(box.to, ports.to);
  if (!mid || from > to) return { inside: [], outside: [box] };
  const outside: Box[] = subtract([box.peer], [peer]).map((p) => ({ peer: p, from: box.from, to: box.to }));
  if (box.from < from) outside.push({ peer: mid, from: box.from, to: from - 1 });
  if (to < box.to) outside.push({ peer: mid, from: to + 1, to: box.to });
  return { inside: [{ peer: mid, from, to }], outside };
}

function decided(boxes: Box[], ruleNumber: number, entry?: NaclEntry): Decided[] {
  // Group by port range so a message can say "TCP 1024-65535 from 10.0.2.0/24".
  const byPorts = new Map<string, Decided>();
  for (const b of boxes) {
    const key = `${b.from}-${b.to}`;
    const d = byPorts.get(key) ?? { peers: [], ports: { from: b.from, to: b.to }, ruleNumber, ...(entry ? { entry } : {}) };
    d.peers.push(b.peer);
    byPorts.set(key, d);
  }
  return [...byPorts.values()];
}

/** What the ACL does with every packet of the flow. */
export function evaluateFlow(acl: Pick<NetworkAcl, 'entries'>, flow: Flow): Outcome {
  let rest: Box[] = flow.peers.map((peer) => ({ peer, from: flow.ports.from, to: flow.ports.to }));
  const allowed: Decided[] = [];
  const denied: Decided[] = [];
  for (const entry of orderedEntries(acl, flow.egress)) {
    if (!rest.length) break;
    const ports = tcpPorts(entry);
    const cidr = entry.cidr ?? entry.ipv6Cidr;
    const peer = cidr ? blockOf(cidr) : undefined;
    if (!ports || !peer) continue;
    const hit: Box[] = [];
    const next: Box[] = [];
    for (const box of rest) {
      const { inside, outside } = cut(box, peer, ports);
      hit.push(...inside);
      next.push(...outside);
    }
    rest = next;
    if (!hit.length) continue;
    (entry.action.toLowerCase() === 'allow' ? allowed : denied).push(...decided(hit, entry.ruleNumber, entry));
  }
  if (rest.length) denied.push(...decided(rest, CATCH_ALL));
  const verdict = !denied.length ? 'allow' : !allowed.length ? 'deny' : 'partial';
  return { verdict, allowed, denied };
}

/** "10.0.2.0/24" or "10.0.2.0/25, 10.0.2.128/26" for the peers of a decided part. */
export const peersText = (peers: readonly Block[]) => cidrsOf(peers).join(', ');

export const portsText = ({ from, to }: PortRange) => (from === to ? `${from}` : `${from}-${to}`);

/**
 * A rule number for a new allow entry that takes effect before `before`, the first entry that denies: unused in that
 * direction and a multiple of 10 where one is free. Just below a real deny entry; after the last entry when only the
 * catch-all denies. Undefined when every number below `before` is taken.
 */
export function freeRuleNumber(
  acl: Pick<NetworkAcl, 'entries'>,
  egress: boolean,
  before: number,
  taken: ReadonlySet<number> = new Set(),
): number | undefined {
  const used = new Set([...orderedEntries(acl, egress).map((e) => e.ruleNumber), ...taken]);
  const limit = Math.min(before, CATCH_ALL);
  if (limit === CATCH_ALL) {
    const last = Math.max(0, ...[...used].filter((n) => n < CATCH_ALL));
    for (let n = last + 10 - (last % 10); n < CATCH_ALL; n += 10) if (!used.has(n)) return n;
  }
  const below = limit - 1;
  for (let n = below - (below % 10); n >= 10; n -= 10) if (!used.has(n)) return n;
  for (let n = below; n >= 1; n--) if (!used.has(n)) return n;
  return undefined;
}
