import { RunMemo } from '../../src/checks/lib/memo';
import { FactUnknown } from '../../src/checks/types';
import {
  confirmedByPing,
  effectiveRouteTable,
  hubRoutes,
  internetPath,
  isAvailable,
  isLive,
  networkOf,
  publicRouting,
  routeFor,
  serviceOf,
  servicePaths,
  ssmEndpoints,
  steeringZones,
  zonesText,
  type Network,
} from '../../src/checks/lib/path';
import { idSet, openPaths, targetsOf, type ServicePath } from '../../src/checks/lib/service-paths';
import { IDS, denied, factsWith, healthyFacts, instanceOf, vpcOf } from '../helpers/facts';
import { known, type Endpoint, type Facts, type Route, type RouteTable } from '../../src/facts/schema';

const r = (destination: string, target: string, state = 'active'): Route => ({ destination, target, state });
const local = r('10.0.0.0/16', 'local');

/** The instance's network with its subnet's route table replaced by `routes`. */
function netWith(routes: Route[], patch: (f: Facts) => void = () => {}): Network {
  const f = factsWith((x) => {
    vpcOf(x).routeTables = known([
      { routeTableId: IDS.mainRt, main: true, subnetIds: [], routes: [local] },
      { routeTableId: IDS.privateRt, main: false, subnetIds: [IDS.subnet], routes },
      { routeTableId: IDS.publicRt, main: false, subnetIds: [IDS.publicSubnet], routes: [local, r('0.0.0.0/0', IDS.igw)] },
    ]);
    vpcOf(x).natGateways = known([{ natGatewayId: IDS.nat, state: 'available', connectivityType: 'public', subnetId: IDS.publicSubnet }]);
    patch(x);
  });
  return networkOf({ facts: f, instance: instanceOf(f), memo: new RunMemo() });
}

describe('serviceOf', () => {
  it.each([
    ['com.amazonaws.ap-northeast-1.ssm', 'ssm'],
    ['com.amazonaws.ap-northeast-1.ssmmessages', 'ssmmessages'],
    ['com.amazonaws.ap-northeast-1.ec2messages', 'ec2messages'],
    ['cn.com.amazonaws.ap-northeast-1.ssm', 'ssm'],
  ])('%s is %s', (name, svc) => expect(serviceOf(name, 'ap-northeast-1')).toBe(svc));

  it.each([
    'com.amazonaws.ap-northeast-1.ssm-contacts',
    'com.amazonaws.ap-northeast-1.ssm-incidents',
    'com.amazonaws.ap-northeast-1.ssm-sap',
    'com.amazonaws.us-east-1.ssm',
    'com.amazonaws.ap-northeast-1.ssm.extra',
    'com.amazonaws.ap-northeast-1Xssm',
    'com.amazonaws.ap-northeast-1.ec2',
  ])('%s is not a Systems Manager endpoint service', (name) => expect(serviceOf(name, 'ap-northeast-1')).toBeUndefined());

  it('escapes the region (a dot in the pattern matches only a dot)', () => {
    expect(serviceOf('comXamazonaws.ap-northeast-1.ssm', 'ap-northeast-1')).toBeUndefined();
  });
});

describe('ssmEndpoints and states', () => {
  const ep = (serviceName: string, type = 'Interface', state = 'available'): Endpoint => ({
    endpointId: `vpce-${serviceName.split('.').pop()}`,
    serviceName,
    type,
    state,
    subnetIds: [],
    groupIds: [],
    privateDnsEnabled: true,
  });
  it('keeps interface endpoints of the three services, in service order', () => {
    const found = ssmEndpoints(
      [
        ep('com.amazonaws.ap-northeast-1.ec2messages'),
        ep('com.amazonaws.ap-northeast-1.s3', 'Gateway'),
        ep('com.amazonaws.ap-northeast-1.ssm', 'Gateway'),
        ep('com.amazonaws.ap-northeast-1.ssmmessages', 'interface'),
        ep('com.amazonaws.ap-northeast-1.ssm'),
      ],
      'ap-northeast-1',
    );
    expect(found.map((e) => [e.service, e.endpoint.type])).toEqual([
      ['ssm', 'Interface'],
      ['ssmmessages', 'interface'],
      ['ec2messages', 'Interface'],
    ]);
  });
  it('compares states case-insensitively; pending is live, failed and deleted are not', () => {
    const s = (state: string) => ep('com.amazonaws.ap-northeast-1.ssm', 'Interface', state);
    expect([isAvailable(s('Available')), isAvailable(s('available')), isAvailable(s('pending'))]).toEqual([true, true, false]);
    expect(['available', 'pending', 'pendingAcceptance', 'failed', 'Deleted', 'rejected'].map((x) => isLive(s(x)))).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
  });
});

describe('effectiveRouteTable', () => {
  const tables: RouteTable[] = [
    { routeTableId: 'rtb-main', main: true, subnetIds: [], routes: [] },
    { routeTableId: 'rtb-own', main: false, subnetIds: ['subnet-a'], routes: [] },
  ];
  it('is the table explicitly associated with the subnet', () => {
    expect(effectiveRouteTable(tables, 'subnet-a')).toEqual({ table: tables[1], implicit: false });
  });
  it("falls back to the VPC's main table (implicit association, no subnet id in the API)", () => {
    expect(effectiveRouteTable(tables, 'subnet-b')).toEqual({ table: tables[0], implicit: true });
  });
  it('is undefined when there is neither', () => {
    expect(effectiveRouteTable([tables[1]!], 'subnet-b')).toBeUndefined();
  });
  it('internetPath says when the main table is used', () => {
    const net = netWith([], (f) => {
      value(f).find((rt) => rt.routeTableId === IDS.privateRt)!.subnetIds = [];
      value(f)
        .find((rt) => rt.routeTableId === IDS.mainRt)!
        .routes.push(r('0.0.0.0/0', IDS.nat));
    });
    const p = internetPath(net);
    expect(p.table.implicit).toBe(true);
    expect(p.kind).toBe('ok');
    expect(p.text.en).toBe(
      `route table ${IDS.mainRt} (the VPC's main table: ${IDS.subnet} has no explicit association): 0.0.0.0/0 → ${IDS.nat} (available, public)`,
    );
  });
});

function value(f: Facts): RouteTable[] {
  const fact = vpcOf(f).routeTables;
  if (!fact.known) throw new Error('unknown');
  return fact.value;
}

describe('routeFor (longest prefix match)', () => {
  const routes = [
    local,
    r('0.0.0.0/0', 'igw-1'),
    r('52.0.0.0/8', 'tgw-1'),
    r('52.95.0.0/16', 'nat-1'),
    r('pl-0abc', 'vpce-s3'),
    r('::/0', 'eigw-1'),
    r('2001:db8::/32', 'pcx-1'),
  ];
  it.each([
    ['52.95.1.1', 'nat-1'],
    ['52.1.1.1', 'tgw-1'],
    ['8.8.8.8', 'igw-1'],
    ['10.0.1.5', 'local'],
    ['2001:db8::1', 'pcx-1'],
    ['2600:1f18::1', 'eigw-1'],
  ])('%s goes to %s', (addr, target) => expect(routeFor(routes, addr)?.target).toBe(target));
  it('matches nothing without a covering route or for a malformed address', () => {
    expect(routeFor([local], '8.8.8.8')).toBeUndefined();
    expect(routeFor(routes, 'not-an-ip')).toBeUndefined();
  });
});

describe('publicRouting', () => {
  const targets = (routes: Route[]) => publicRouting(routes).routes.map((x) => `${x.destination}>${x.target}`);
  it('a table with only the local route leaves public addresses unrouted', () => {
    expect(publicRouting([local])).toEqual({ routes: [], unrouted: true });
  });
  it('the default route carries public traffic; routes to private ranges do not', () => {
    expect(targets([local, r('0.0.0.0/0', 'nat-1'), r('192.168.0.0/16', 'pcx-1'), r('172.16.0.0/12', 'vgw-1')])).toEqual([
      '0.0.0.0/0>nat-1',
    ]);
    expect(publicRouting([local, r('0.0.0.0/0', 'nat-1')]).unrouted).toBe(false);
  });
  it('a more specific public route wins for its addresses, beside the default route', () => {
    expect(targets([local, r('0.0.0.0/0', 'nat-1'), r('52.0.0.0/8', 'tgw-1')])).toEqual(['0.0.0.0/0>nat-1', '52.0.0.0/8>tgw-1']);
  });
  it('a default route fully shadowed by more specific routes carries nothing', () => {
    expect(targets([local, r('0.0.0.0/0', 'nat-1', 'blackhole'), r('0.0.0.0/1', 'nat-2'), r('128.0.0.0/1', 'nat-2')])).toEqual([
      '0.0.0.0/1>nat-2',
      '128.0.0.0/1>nat-2',
    ]);
  });
  it('only part of the public space routed leaves the rest unrouted', () => {
    expect(publicRouting([local, r('52.0.0.0/8', 'nat-1')])).toMatchObject({ unrouted: true });
  });
  it('IPv6 and prefix-list routes are not used for the IPv4 path', () => {
    expect(publicRouting([local, r('::/0', 'igw-1'), r('pl-0abc', 'vpce-1')])).toEqual({ routes: [], unrouted: true });
  });
});

describe('internetPath', () => {
  it('no default route: none', () => {
    const p = internetPath(netWith([local]));
    expect(p.kind).toBe('none');
    expect(p.text.en).toBe(`route table ${IDS.privateRt} (associated with ${IDS.subnet}): no 0.0.0.0/0 route`);
    expect(p.text.ja).toBe(`ルートテーブル ${IDS.privateRt} (${IDS.subnet} に関連付け): 0.0.0.0/0 のルートなし`);
  });
  it('an available public NAT gateway: ok', () => {
    expect(internetPath(netWith([local, r('0.0.0.0/0', IDS.nat)])).kind).toBe('ok');
  });
  describe("the NAT gateway's own subnet", () => {
    const natTable = (routes: Route[]) => (f: Facts) => {
      const tables = vpcOf(f).routeTables;
      if (tables.known) tables.value.find((t) => t.routeTableId === IDS.publicRt)!.routes = routes;
    };
    it.each<[string, Route[], string, RegExp]>([
      [
        'no route onward (a NAT gateway placed in a private subnet)',
        [local],
        'none',
        new RegExp(
          `NAT gateway sits in ${IDS.publicSubnet}, whose route table ${IDS.publicRt} has no active route to an attached internet gateway \\(no 0\\.0\\.0\\.0/0 route\\)`,
        ),
      ],
      [
        'a blackhole onward',
        [local, r('0.0.0.0/0', IDS.igw, 'blackhole')],
        'none',
        new RegExp(`0\\.0\\.0\\.0/0 → ${IDS.igw} \\(blackhole\\)`),
      ],
      [
        'a detached internet gateway',
        [local, r('0.0.0.0/0', 'igw-0detached0000001')],
        'none',
        /no active route to an attached internet gateway/,
      ],
      [
        'a firewall endpoint onward',
        [local, r('0.0.0.0/0', 'vpce-0firewall000001')],
        'unverifiable',
        /goes on over its route table .* \(0\.0\.0\.0\/0 → vpce-0firewall000001\), which cannot be verified/,
      ],
    ])('%s', (_, routes, kind, text) => {
      const p = internetPath(netWith([local, r('0.0.0.0/0', IDS.nat)], natTable(routes)));
      expect(p.kind).toBe(kind);
      expect(p.text.en).toMatch(text);
      expect(p.text.ja).toContain(IDS.publicSubnet);
    });
    it('a NAT gateway whose subnet is not known is unverifiable, never a pass', () => {
      const p = internetPath(
        netWith(
          [local, r('0.0.0.0/0', IDS.nat)],
          (f) => void (vpcOf(f).natGateways = known([{ natGatewayId: IDS.nat, state: 'available', connectivityType: 'public' }])),
        ),
      );
      expect(p.kind).toBe('unverifiable');
      expect(p.text.en).toMatch(/which subnet the NAT gateway sits in is not known/);
    });
    it('the main table serves a NAT subnet with no table of its own', () => {
      const p = internetPath(
        netWith([local, r('0.0.0.0/0', IDS.nat)], (f) => {
          const tables = vpcOf(f).routeTables;
          if (tables.known) tables.value.find((t) => t.routeTableId === IDS.publicRt)!.subnetIds = [];
        }),
      );
      expect(p.kind).toBe('none');
      expect(p.text.en).toMatch(new RegExp(`route table ${IDS.mainRt} \\(the VPC's main table\\)`));
    });
  });
  it('a blackhole route: none, and says so', () => {
    const p = internetPath(netWith([local, r('0.0.0.0/0', IDS.nat, 'blackhole')]));
    expect(p.kind).toBe('none');
    expect(p.hops[0]?.text.en).toBe(`0.0.0.0/0 → ${IDS.nat} is a blackhole route (its target no longer exists)`);
  });
  it('a private NAT gateway: none, and says so', () => {
    const p = internetPath(
      netWith(
        [local, r('0.0.0.0/0', IDS.nat)],
        (f) => void (vpcOf(f).natGateways = known([{ natGatewayId: IDS.nat, state: 'available', connectivityType: 'private' }])),
      ),
    );
    expect(p.kind).toBe('none');
    expect(p.hops[0]?.text.en).toMatch(/private NAT gateway with no internet access/);
  });
  it('a NAT gateway that is pending: none', () => {
    const p = internetPath(
      netWith(
        [local, r('0.0.0.0/0', IDS.nat)],
        (f) => void (vpcOf(f).natGateways = known([{ natGatewayId: IDS.nat, state: 'pending', connectivityType: 'public' }])),
      ),
    );
    expect(p.kind).toBe('none');
    expect(p.hops[0]?.text.en).toMatch(/which is pending/);
  });
  it('a NAT gateway the facts do not know: unverifiable, not a guess', () => {
    expect(internetPath(netWith([local, r('0.0.0.0/0', 'nat-0gone')])).kind).toBe('unverifiable');
  });
  it('an internet gateway needs the instance to have a public IPv4', () => {
    expect(internetPath(netWith([local, r('0.0.0.0/0', IDS.igw)])).kind).toBe('none');
    expect(internetPath(netWith([local, r('0.0.0.0/0', IDS.igw)], (f) => void (instanceOf(f).publicIp = '198.51.100.7'))).kind).toBe('ok');
  });
  it('an internet gateway that is not attached to the VPC: none', () => {
    const net = netWith([local, r('0.0.0.0/0', 'igw-0other')], (f) => void (instanceOf(f).publicIp = '198.51.100.7'));
    expect(internetPath(net).kind).toBe('none');
  });
  it.each(['tgw-0a', 'vgw-0a', 'pcx-0a', 'eni-0a', 'i-0a', 'vpce-0a'])('a default route to %s is unverifiable', (target) => {
    const p = internetPath(netWith([local, r('0.0.0.0/0', target)]));
    expect(p.kind).toBe('unverifiable');
    expect(p.hops[0]?.text.en).toMatch(/cannot be verified from here/);
  });
  it('a working default route beside a more specific blackhole is unverifiable (which wins depends on the address)', () => {
    const p = internetPath(netWith([local, r('0.0.0.0/0', IDS.nat), r('52.0.0.0/8', 'tgw-0a', 'blackhole')]));
    expect(p.kind).toBe('unverifiable');
    expect(p.hops.map((h) => h.kind)).toEqual(['ok', 'none']);
  });
  it('a blackhole default route shadowed by working more specific routes is ok', () => {
    expect(
      internetPath(netWith([local, r('0.0.0.0/0', 'igw-0gone', 'blackhole'), r('0.0.0.0/1', IDS.nat), r('128.0.0.0/1', IDS.nat)])).kind,
    ).toBe('ok');
  });
  it('throws FactUnknown naming the call when route tables could not be read', () => {
    const f = factsWith((x) => void (vpcOf(x).routeTables = denied('ec2:DescribeRouteTables')));
    const net = networkOf({ facts: f, instance: instanceOf(f), memo: new RunMemo() });
    expect(() => internetPath(net)).toThrow(FactUnknown);
    expect(() => internetPath(net)).toThrow(/ec2:DescribeRouteTables/);
  });
  it('throws FactUnknown when neither an own nor a main table was collected', () => {
    const net = netWith([], (f) => void (vpcOf(f).routeTables = known([])));
    expect(() => internetPath(net)).toThrow(FactUnknown);
  });
  it('does not read NAT gateways unless a NAT route needs them', () => {
    const net = netWith([local], (f) => void (vpcOf(f).natGateways = denied('ec2:DescribeNatGateways')));
    expect(internetPath(net).kind).toBe('none');
  });
});

describe('confirmedByPing', () => {
  const f = healthyFacts();
  const ctx = { facts: f, instanceId: IDS.instance };
  const tgw = internetPath(netWith([local, r('0.0.0.0/0', 'tgw-0a')]));
  it('an Online agent vouches for the one unverifiable route ssm takes', () => {
    expect(confirmedByPing(ctx, tgw, false)).toBe(true);
  });
  it('not when ssm has an endpoint of its own', () => {
    expect(confirmedByPing(ctx, tgw, true)).toBe(false);
  });
  it('not when the agent is not Online or not known', () => {
    const lost = factsWith((x) => {
      if (x.managedInstances.known) x.managedInstances.value[IDS.instance]!.pingStatus = 'ConnectionLost';
    });
    expect(confirmedByPing({ facts: lost, instanceId: IDS.instance }, tgw, false)).toBe(false);
    const unknownPing = factsWith((x) => void (x.managedInstances = denied('ssm:DescribeInstanceInformation')));
    expect(confirmedByPing({ facts: unknownPing, instanceId: IDS.instance }, tgw, false)).toBe(false);
  });
  it('not when several routes compete', () => {
    const mixed = internetPath(netWith([local, r('0.0.0.0/0', 'tgw-0a'), r('52.0.0.0/8', IDS.nat)]));
    expect(confirmedByPing(ctx, mixed, false)).toBe(false);
  });
});

describe('steeringZones: private hosted zones that answer for a service name', () => {
  const z = (name: string) => ({ name, hostedZoneId: `Z-${name}` });
  it.each([
    ['ssm.ap-northeast-1.amazonaws.com.', 'ssm', true],
    ['ssmmessages.ap-northeast-1.amazonaws.com.', 'ssmmessages', true],
    ['SSM.ap-northeast-1.amazonaws.com', 'ssm', true],
    ['ap-northeast-1.amazonaws.com.', 'ssm', true],
    ['amazonaws.com.', 'ec2messages', true],
    ['com.', 'ssm', false],
    ['ssm.ap-northeast-1.amazonaws.com.', 'ssmmessages', false],
    ['ssm.us-east-1.amazonaws.com.', 'ssm', false],
    ['ssm-contacts.ap-northeast-1.amazonaws.com.', 'ssm', false],
    ['corp.example.internal.', 'ssm', false],
  ] as const)('%s answers for %s: %s', (name, service, expected) => {
    expect(steeringZones([z(name)], 'ap-northeast-1', service).length > 0).toBe(expected);
  });
  it('China regions end in amazonaws.com.cn', () => {
    expect(steeringZones([z('ssm.cn-north-1.amazonaws.com.cn.')], 'cn-north-1', 'ssm')).toHaveLength(1);
    expect(steeringZones([z('amazonaws.com.cn.')], 'cn-north-1', 'ssm')).toHaveLength(1);
    expect(steeringZones([z('com.cn.')], 'cn-north-1', 'ssm')).toHaveLength(0);
  });
  it('names each zone once, with its owner', () => {
    const zone = { name: 'ssm.ap-northeast-1.amazonaws.com.', hostedZoneId: 'Z0SSM', owningAccount: '111122223333' };
    expect(zonesText([zone, zone]).en).toBe('ssm.ap-northeast-1.amazonaws.com. (Z0SSM, account 111122223333)');
  });
});

describe('hubRoutes', () => {
  it('keeps active routes to a transit gateway, a peering connection or a core network', () => {
    const routes = [
      local,
      r('10.100.0.0/16', 'tgw-0a'),
      r('10.101.0.0/16', 'pcx-0a'),
      r('10.102.0.0/16', 'arn:aws:networkmanager::123456789012:core-network/core-network-0a'),
      r('10.103.0.0/16', 'tgw-0b', 'blackhole'),
      r('0.0.0.0/0', IDS.igw),
      r('0.0.0.0/0', IDS.nat),
    ];
    expect(hubRoutes({ routeTableId: 'rtb-x', main: false, subnetIds: [], routes }).map((x) => x.target)).toEqual([
      'tgw-0a',
      'pcx-0a',
      'arn:aws:networkmanager::123456789012:core-network/core-network-0a',
    ]);
  });
});

describe('servicePaths: per service, a local endpoint, else a hosted zone, else the routes', () => {
  it('mixes the three ways', () => {
    const net = netWith([local, r('0.0.0.0/0', IDS.nat)], (f) => {
      vpcOf(f).endpoints = known((vpcOf(f).endpoints as { value: Endpoint[] }).value.filter((e) => e.endpointId === IDS.vpce.ssm));
      vpcOf(f).hostedZones = known([{ name: `ssmmessages.${IDS.region}.amazonaws.com.`, hostedZoneId: 'Z0MSG' }]);
    });
    expect(servicePaths(net).map((p) => [p.service, p.via])).toEqual([
      ['ssm', 'endpoint'],
      ['ssmmessages', 'central'],
      ['ec2messages', 'internet'],
    ]);
  });
  it('zones that could not be read count as absent here', () => {
    const net = netWith([local], (f) => {
      vpcOf(f).endpoints = known([]);
      vpcOf(f).hostedZones = denied('route53:ListHostedZonesByVPC');
    });
    expect(servicePaths(net).map((p) => p.via)).toEqual(['internet', 'internet', 'internet']);
  });
});

describe('targetsOf: the places the agent must reach, grouped for the filters on the way', () => {
  const endpoint = (id: string, subnetIds: string[], groupIds: string[]): Endpoint => ({
    endpointId: id,
    serviceName: `com.amazonaws.${IDS.region}.ssm`,
    type: 'Interface',
    state: 'available',
    subnetIds,
    groupIds,
    privateDnsEnabled: true,
  });
  const paths = (endpoints: Endpoint[][]): ServicePath[] =>
    endpoints.map((es, i) => ({ service: (['ssm', 'ssmmessages', 'ec2messages'] as const)[i]!, via: 'endpoint', endpoints: es }));

  it('endpoints with the same key share a target and list each service once', () => {
    const a = endpoint('vpce-a', ['subnet-1', 'subnet-2'], ['sg-1']);
    const b = endpoint('vpce-b', ['subnet-2', 'subnet-1'], ['sg-2']);
    const c = endpoint('vpce-c', ['subnet-3'], ['sg-1']);
    const bySubnets = targetsOf(paths([[a], [b], [c]]), (e) => idSet(e.subnetIds));
    expect(bySubnets.map((t) => [t.services, t.via === 'endpoint' ? t.endpoints.map((e) => e.endpointId) : []])).toEqual([
      [
        ['ssm', 'ssmmessages'],
        ['vpce-a', 'vpce-b'],
      ],
      [['ec2messages'], ['vpce-c']],
    ]);
    const byGroups = targetsOf(paths([[a], [b], [c]]), (e) => idSet(e.groupIds));
    expect(byGroups.map((t) => t.services)).toEqual([['ssm', 'ec2messages'], ['ssmmessages']]);
  });

  it('the internet and the centralised services are one target each, and a path with no way out is left out', () => {
    const net = netWith([local, r('0.0.0.0/0', IDS.nat)], (f) => {
      vpcOf(f).endpoints = known([]);
      vpcOf(f).hostedZones = known([{ name: `ssm.${IDS.region}.amazonaws.com.`, hostedZoneId: 'Z0SSM' }]);
    });
    expect(targetsOf(openPaths(net), () => '').map((t) => [t.via, t.services])).toEqual([
      ['central', ['ssm']],
      ['internet', ['ssmmessages', 'ec2messages']],
    ]);
    const closed = netWith([local], (f) => {
      vpcOf(f).endpoints = known([]);
    });
    expect(openPaths(closed)).toEqual([]);
  });
});
