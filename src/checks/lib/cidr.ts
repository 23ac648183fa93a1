/** Address blocks as inclusive integer ranges, so rules over CIDRs can be added, subtracted and compared exactly. */
import ipaddr from 'ipaddr.js';
import { memoize } from './memo.js';

export type Family = 'ipv4' | 'ipv6';

/** An inclusive range of addresses of one family. */
export interface Block {
  family: Family;
  lo: bigint;
  hi: bigint;
}

const BITS: Record<Family, number> = { ipv4: 32, ipv6: 128 };

function toBig(bytes: number[]): bigint {
  return bytes.reduce((n, b) => (n << 8n) | BigInt(b), 0n);
}

/** The block a CIDR (or a bare address, as a /32 or /128) stands for; undefined when it is not one. */
export const blockOf = memoize((cidr: string): Block | undefined => {
  let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
  if (ipaddr.IPv4.isValidCIDRFourPartDecimal(cidr)) parsed = ipaddr.IPv4.parseCIDR(cidr);
  else if (ipaddr.IPv6.isValidCIDR(cidr)) parsed = ipaddr.IPv6.parseCIDR(cidr);
  else if (ipaddr.IPv4.isValidFourPartDecimal(cidr)) parsed = [ipaddr.IPv4.parse(cidr), 32];
  else if (ipaddr.IPv6.isValid(cidr)) parsed = [ipaddr.IPv6.parse(cidr), 128];
  else return undefined;
  const [addr, bits] = parsed;
  const family: Family = addr.kind() === 'ipv4' ? 'ipv4' : 'ipv6';
  const host = (1n << BigInt(BITS[family] - bits)) - 1n;
  const lo = toBig(addr.toByteArray()) & ~host;
  return { family, lo, hi: lo | host };
});

/** An IPv4 or IPv6 CIDR (a prefix length is required) as ipaddr.js parses it; undefined when it is not one. Shared: never changed. */
export const parseCidr = memoize((cidr: string): [ipaddr.IPv4 | ipaddr.IPv6, number] | undefined => {
  if (ipaddr.IPv4.isValidCIDRFourPartDecimal(cidr)) return ipaddr.IPv4.parseCIDR(cidr);
  if (ipaddr.IPv6.isValidCIDR(cidr)) return ipaddr.IPv6.parseCIDR(cidr);
  return undefined;
});

/** The CIDR of every address of a family: what a rule to "anywhere" names. */
export const ANYWHERE: Record<Family, string> = { ipv4: '0.0.0.0/0', ipv6: '::/0' };

export const everything = (family: Family): Block => ({ family, lo: 0n, hi: (1n << BigInt(BITS[family])) - 1n });

/** The parts of `from` that none of `holes` covers. */
export function subtract(from: readonly Block[], holes: readonly Block[]): Block[] {
  let rest = [...from];
  for (const h of holes) {
    const next: Block[] = [];
    for (const b of rest) {
      if (b.family !== h.family || h.hi < b.lo || h.lo > b.hi) {
        next.push(b);
        continue;
      }
      if (b.lo < h.lo) next.push({ family: b.family, lo: b.lo, hi: h.lo - 1n });
      if (b.hi > h.hi) next.push({ family: b.family, lo: h.hi + 1n, hi: b.hi });
    }
    rest = next;
  }
  return rest;
}

/** The parts of `a` that are also in `b`. */
export function intersect(a: readonly Block[], b: readonly Block[]): Block[] {
  const out: Block[] = [];
  for (const x of a) {
    for (const y of b) {
      if (x.family !== y.family) continue;
      const lo = x.lo > y.lo ? x.lo : y.lo;
      const hi = x.hi < y.hi ? x.hi : y.hi;
      if (lo <= hi) out.push({ family: x.family, lo, hi });
    }
  }
  return out;
}

export const isEmpty = (blocks: readonly Block[]) => blocks.length === 0;

// Never where a public AWS service endpoint lives: private, shared, loopback, link-local, multicast and reserved space.
export const NON_PUBLIC_IPV4 = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '224.0.0.0/4',
  '240.0.0.0/4',
];

/** Every public IPv4 address: where Systems Manager's public names resolve. */
export function publicIpv4(): Block[] {
  return subtract(
    [everything('ipv4')],
    NON_PUBLIC_IPV4.flatMap((c) => blockOf(c) ?? []),
  );
}

/** The CIDRs of the blocks that are not empty, each written as the smallest set of CIDRs, for messages and rules. */
export function cidrsOf(blocks: readonly Block[]): string[] {
  const out: string[] = [];
  for (const b of blocks) {
    const bits = BITS[b.family];
    let lo = b.lo;
    while (lo <= b.hi) {
      let size = 0;
      while (size < bits && (lo & ((1n << BigInt(size + 1)) - 1n)) === 0n && lo + (1n << BigInt(size + 1)) - 1n <= b.hi) size++;
      out.push(`${format(b.family, lo)}/${bits - size}`);
      lo += 1n << BigInt(size);
    }
  }
  return out;
}

function format(family: Family, n: bigint): string {
  const bytes: number[] = [];
  for (let i = 0; i < BITS[family] / 8; i++) bytes.unshift(Number((n >> BigInt(8 * i)) & 0xffn));
  return ipaddr.fromByteArray(bytes).toString();
}

/** The IPv6 addresses an IPv6-only instance reaches AWS services on: global unicast, and NAT64's well-known prefix (RFC 6052). */
export const INTERNET_IPV6 = ['2000::/3', '64:ff9b::/96'];

/** Where an IPv6-only instance's traffic to public service names goes: their AAAA records, or DNS64's synthesised addresses. */
export function internetIpv6(): Block[] {
  return INTERNET_IPV6.flatMap((c) => blockOf(c) ?? []);
}
