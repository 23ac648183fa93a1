import { cidrContains, coversTcpPort, ingressOn } from '../../src/checks/lib/sg';
import type { SecurityGroup, SgRule } from '../../src/facts/schema';

const rule = (r: Partial<SgRule>): SgRule => ({
  protocol: 'tcp',
  fromPort: 443,
  toPort: 443,
  cidrs: [],
  ipv6Cidrs: [],
  groupIds: [],
  prefixListIds: [],
  ...r,
});

describe('coversTcpPort', () => {
  it.each([
    ['tcp 443', rule({}), true],
    ['tcp 0-65535', rule({ fromPort: 0, toPort: 65535 }), true],
    ['tcp 400-500', rule({ fromPort: 400, toPort: 500 }), true],
    ['tcp 80-442', rule({ fromPort: 80, toPort: 442 }), false],
    ['tcp 444-500', rule({ fromPort: 444, toPort: 500 }), false],
    ['protocol 6 (tcp by number)', rule({ protocol: '6' }), true],
    ['protocol -1 (all)', rule({ protocol: '-1', fromPort: -1, toPort: -1 }), true],
    ['protocol -1 without ports', rule({ protocol: '-1', fromPort: undefined, toPort: undefined }), true],
    ['udp 443', rule({ protocol: 'udp' }), false],
    ['protocol 17 (udp by number)', rule({ protocol: '17' }), false],
    ['icmp', rule({ protocol: 'icmp', fromPort: -1, toPort: -1 }), false],
  ])('%s → %s', (_name, r, expected) => expect(coversTcpPort(r, 443)).toBe(expected));
});

describe('cidrContains', () => {
  it.each([
    ['10.0.0.0/16', '10.0.1.12', true],
    ['10.0.1.0/24', '10.0.1.12', true],
    ['10.0.1.12/32', '10.0.1.12', true],
    ['10.0.1.13/32', '10.0.1.12', false],
    ['10.1.0.0/24', '10.0.1.12', false],
    ['0.0.0.0/0', '10.0.1.12', true],
    ['10.0.0.0/8', '::ffff:10.0.1.12', true],
    ['2001:db8::/32', '2001:db8::1', true],
    ['2001:db8::/32', '2001:db9::1', false],
    ['::/0', '2600:1f18::1', true],
    ['::/0', '10.0.1.12', false],
    ['0.0.0.0/0', '2001:db8::1', false],
    ['10.0.0.0/33', '10.0.1.12', false],
    ['garbage', '10.0.1.12', false],
    ['10.0.0.0/16', 'garbage', false],
  ])('%s holds %s: %s', (cidr, addr, expected) => expect(cidrContains(cidr, addr)).toBe(expected));
});

describe('ingressOn', () => {
  const sg = (ingress: SgRule[]): SecurityGroup => ({ groupId: 'sg-e', groupName: 'e', ingress, egress: [] });
  const client = { groupIds: ['sg-i'], addresses: ['10.0.1.12'] };

  it('admits by a referenced group the client is in, also written cross-account', () => {
    expect(ingressOn(sg([rule({ groupIds: ['sg-i'] })]), 443, client).admittedBy).toEqual({ kind: 'group', id: 'sg-i' });
    expect(ingressOn(sg([rule({ groupIds: ['123456789012/sg-i'] })]), 443, client).admittedBy).toEqual({ kind: 'group', id: 'sg-i' });
  });
  it('admits by a CIDR holding the address', () => {
    expect(ingressOn(sg([rule({ cidrs: ['10.0.0.0/16'] })]), 443, client).admittedBy).toEqual({ kind: 'cidr', id: '10.0.0.0/16' });
  });
  it('lists what it admits on the port when the client is not among it, ignoring other ports', () => {
    const i = ingressOn(
      sg([rule({ cidrs: ['10.1.0.0/24'], groupIds: ['sg-x'] }), rule({ fromPort: 22, toPort: 22, groupIds: ['sg-i'] })]),
      443,
      client,
    );
    expect(i.admittedBy).toBeUndefined();
    expect(i.sources).toEqual([
      { kind: 'group', id: 'sg-x' },
      { kind: 'cidr', id: '10.1.0.0/24' },
    ]);
  });
  it('reports prefix lists without resolving them', () => {
    const i = ingressOn(sg([rule({ prefixListIds: ['pl-1'] }), rule({ protocol: '-1', prefixListIds: ['pl-1', 'pl-2'] })]), 443, client);
    expect(i.admittedBy).toBeUndefined();
    expect(i.prefixLists).toEqual(['pl-1', 'pl-2']);
  });
  it('an IPv6 rule admits an IPv6 client', () => {
    const i = ingressOn(sg([rule({ ipv6Cidrs: ['2001:db8::/32'] })]), 443, { groupIds: [], addresses: ['2001:db8::5'] });
    expect(i.admittedBy).toEqual({ kind: 'cidr', id: '2001:db8::/32' });
  });
});
