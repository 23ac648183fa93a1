import { blockOf, cidrsOf, publicIpv4, subtract } from '../../src/checks/lib/cidr';
import { CATCH_ALL, evaluateFlow, freeRuleNumber, tcpPorts, type Flow } from '../../src/checks/lib/nacl';
import type { NaclEntry } from '../../src/facts/schema';

const allow = (
  ruleNumber: number,
  egress: boolean,
  cidr: string,
  from?: number,
  to?: number,
  protocol = from === undefined ? '-1' : '6',
): NaclEntry => ({
  ruleNumber,
  egress,
  protocol,
  action: 'allow',
  ...(cidr.includes(':') ? { ipv6Cidr: cidr } : { cidr }),
  ...(from === undefined ? {} : { fromPort: from, toPort: to ?? from }),
});
const deny = (ruleNumber: number, egress: boolean, cidr: string, from?: number, to?: number): NaclEntry => ({
  ...allow(ruleNumber, egress, cidr, from, to),
  action: 'deny',
});
const star = (egress: boolean): NaclEntry[] => [deny(CATCH_ALL, egress, '0.0.0.0/0'), deny(CATCH_ALL, egress, '::/0')];
const acl = (...entries: NaclEntry[]) => ({ entries: [...entries, ...star(true), ...star(false)] });
const flow = (egress: boolean, cidr: string, from: number, to = from): Flow => ({ egress, peers: [blockOf(cidr)!], ports: { from, to } });

describe('cidr blocks', () => {
  it.each([
    ['10.0.1.0/24', '10.0.1.0/24'],
    ['10.0.1.12/24', '10.0.1.0/24'],
    ['10.0.1.12', '10.0.1.12/32'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['2001:db8::/56', '2001:db8::/56'],
  ])('%s is the block %s', (cidr, expected) => expect(cidrsOf([blockOf(cidr)!])).toEqual([expected]));

  it('rejects what is not a CIDR', () => expect(blockOf('pl-0abc')).toBeUndefined());

  it('subtracts exactly: a /24 minus its lower /25 is the upper /25', () => {
    expect(cidrsOf(subtract([blockOf('10.0.2.0/24')!], [blockOf('10.0.2.0/25')!]))).toEqual(['10.0.2.128/25']);
  });

  it('families never mix', () => {
    expect(subtract([blockOf('10.0.0.0/8')!], [blockOf('::/0')!])).toHaveLength(1);
  });

  it('the public IPv4 space holds 52.95.0.1 and not 10.0.1.12 or 100.64.0.1', () => {
    const pub = publicIpv4();
    const holds = (ip: string) => subtract([blockOf(ip)!], pub).length === 0;
    expect([holds('52.95.0.1'), holds('10.0.1.12'), holds('100.64.0.1'), holds('172.31.0.1')]).toEqual([true, false, false, false]);
  });
});

describe('tcpPorts', () => {
  it.each([
    ['-1 (all)', allow(100, true, '0.0.0.0/0'), { from: 0, to: 65535 }],
    ['6 with a range', allow(100, true, '0.0.0.0/0', 1024, 65535), { from: 1024, to: 65535 }],
    ['17 (udp)', allow(100, true, '0.0.0.0/0', 53, 53, '17'), undefined],
    ['1 (icmp)', allow(100, true, '0.0.0.0/0', -1, -1, '1'), undefined],
  ])('%s', (_name, entry, expected) => expect(tcpPorts(entry)).toEqual(expected));
});

describe('evaluateFlow: rule-number order, first match wins', () => {
  it.each<[string, { entries: NaclEntry[] }, Flow, string, number[]]>([
    [
      'the default ACL allows everything',
      acl(allow(100, true, '0.0.0.0/0'), allow(100, false, '0.0.0.0/0')),
      flow(true, '10.0.2.0/24', 443),
      'allow',
      [],
    ],
    ['no entry at all: the * rule denies', acl(), flow(true, '10.0.2.0/24', 443), 'deny', [CATCH_ALL]],
    [
      'entries are sorted by number, not by list order',
      { entries: [allow(200, true, '0.0.0.0/0'), deny(100, true, '10.0.2.0/24', 443), ...star(true)] },
      flow(true, '10.0.2.0/24', 443),
      'deny',
      [100],
    ],
    [
      'an allow before a deny wins',
      acl(allow(90, true, '10.0.2.0/24', 443), deny(100, true, '0.0.0.0/0')),
      flow(true, '10.0.2.0/24', 443),
      'allow',
      [],
    ],
    [
      'a deny of part of the peers is partial',
      acl(deny(90, true, '10.0.2.0/25'), allow(100, true, '0.0.0.0/0')),
      flow(true, '10.0.2.0/24', 443),
      'partial',
      [90],
    ],
    [
      'ephemeral ports denied by a narrower allow: 1024-49151 open, Linux needs up to 60999',
      acl(allow(100, false, '0.0.0.0/0', 1024, 49151)),
      flow(false, '10.0.2.0/24', 32768, 60999),
      'partial',
      [CATCH_ALL],
    ],
    [
      'Windows ports 49152-65535 fall wholly outside 1024-49151',
      acl(allow(100, false, '0.0.0.0/0', 1024, 49151)),
      flow(false, '10.0.2.0/24', 49152, 65535),
      'deny',
      [CATCH_ALL],
    ],
    ['an ingress rule does not open egress', acl(allow(100, false, '0.0.0.0/0')), flow(true, '10.0.2.0/24', 443), 'deny', [CATCH_ALL]],
    [
      'a UDP allow does not open TCP',
      acl(allow(100, true, '0.0.0.0/0', 443, 443, '17')),
      flow(true, '10.0.2.0/24', 443),
      'deny',
      [CATCH_ALL],
    ],
    ['an IPv6 allow does not open IPv4', acl(allow(100, true, '::/0')), flow(true, '10.0.2.0/24', 443), 'deny', [CATCH_ALL]],
    ['an IPv4 allow does not open IPv6', acl(allow(100, true, '0.0.0.0/0')), flow(true, '2001:db8::/64', 443), 'deny', [CATCH_ALL]],
    ['IPv6 has its own rules', acl(allow(100, true, '::/0', 443)), flow(true, '2001:db8::/64', 443), 'allow', []],
    [
      'a port range that stops short of 443 does not match',
      acl(allow(100, true, '0.0.0.0/0', 80, 442)),
      flow(true, '10.0.2.0/24', 443),
      'deny',
      [CATCH_ALL],
    ],
    [
      'two allows that together cover the peers',
      acl(allow(100, true, '10.0.2.0/25', 443), allow(110, true, '10.0.2.128/25', 443)),
      flow(true, '10.0.2.0/24', 443),
      'allow',
      [],
    ],
    [
      'a deny after an allow of the same traffic never applies',
      acl(allow(100, true, '0.0.0.0/0', 443), deny(110, true, '10.0.2.0/24', 443)),
      flow(true, '10.0.2.0/24', 443),
      'allow',
      [],
    ],
  ])('%s', (_name, a, f, verdict, deniedBy) => {
    const o = evaluateFlow(a, f);
    expect(o.verdict).toBe(verdict);
    expect([...new Set(o.denied.map((d) => d.ruleNumber))]).toEqual(deniedBy);
  });

  it('names the part each rule decides', () => {
    const o = evaluateFlow(acl(deny(90, true, '10.0.2.0/25'), allow(100, true, '0.0.0.0/0')), flow(true, '10.0.2.0/24', 443));
    expect(o.denied.map((d) => [d.ruleNumber, cidrsOf(d.peers), d.ports])).toEqual([[90, ['10.0.2.0/25'], { from: 443, to: 443 }]]);
    expect(o.allowed.map((d) => [d.ruleNumber, cidrsOf(d.peers)])).toEqual([[100, ['10.0.2.128/25']]]);
  });

  it('splits a port range at the rule that decides part of it', () => {
    const o = evaluateFlow(acl(allow(100, false, '0.0.0.0/0', 1024, 49151)), flow(false, '10.0.2.0/24', 32768, 60999));
    expect(o.allowed.map((d) => d.ports)).toEqual([{ from: 32768, to: 49151 }]);
    expect(o.denied.map((d) => d.ports)).toEqual([{ from: 49152, to: 60999 }]);
  });
});

describe('freeRuleNumber', () => {
  it.each<[string, NaclEntry[], number, number[], number | undefined]>([
    ['just below a real deny, on a multiple of 10', [deny(100, true, '0.0.0.0/0')], 100, [], 90],
    ['skips numbers in use', [allow(90, true, '10.0.0.0/8'), deny(100, true, '0.0.0.0/0')], 100, [], 80],
    ['skips numbers taken by earlier fixes', [deny(100, true, '0.0.0.0/0')], 100, [90], 80],
    ['falls back to any free number', [allow(10, true, '10.0.0.0/8'), deny(20, true, '0.0.0.0/0')], 20, [], 19],
    [
      'after the last entry when only the * rule denies',
      [allow(100, true, '10.0.0.0/8'), allow(110, true, '10.1.0.0/16')],
      CATCH_ALL,
      [],
      120,
    ],
    ['none left below rule 1', [deny(1, true, '0.0.0.0/0')], 1, [], undefined],
    ['the other direction does not count', [allow(90, false, '0.0.0.0/0'), deny(100, true, '0.0.0.0/0')], 100, [], 90],
  ])('%s', (_name, entries, before, taken, expected) => {
    expect(freeRuleNumber({ entries: [...entries, ...star(true), ...star(false)] }, true, before, new Set(taken))).toBe(expected);
  });
});
