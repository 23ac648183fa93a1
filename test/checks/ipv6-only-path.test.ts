import { checkCases } from '../helpers/check-tester';
import { IDS, denied, factsWith, vpcOf } from '../helpers/facts';
import { known, type Facts, type Route } from '../../src/facts/schema';

/** The instance's subnet made IPv6-only (and DNS64 on or off). */
function ipv6Only(f: Facts, dns64 = false): void {
  const vpc = vpcOf(f);
  if (!vpc.subnets.known) return;
  vpc.subnets = known(
    vpc.subnets.value.map((s) => (s.subnetId === IDS.subnet ? { ...s, ipv6Native: true, ...(dns64 ? { enableDns64: true } : {}) } : s)),
  );
}

function endpointsAs(
  f: Facts,
  ipAddressType: 'ipv4' | 'dualstack' | 'ipv6',
  dnsRecordIpType: 'ipv4' | 'dualstack' | 'ipv6' | 'service-defined',
) {
  const vpc = vpcOf(f);
  if (vpc.endpoints.known) vpc.endpoints = known(vpc.endpoints.value.map((e) => ({ ...e, ipAddressType, dnsRecordIpType })));
}

function privateRoute(f: Facts, route: Route): void {
  const vpc = vpcOf(f);
  if (vpc.routeTables.known)
    vpc.routeTables = known(
      vpc.routeTables.value.map((t) => (t.routeTableId === IDS.privateRt ? { ...t, routes: [...t.routes, route] } : t)),
    );
}

const notConnected = (f: Facts) => void (f.connections = { [IDS.instance]: known('notconnected') });

checkCases('ipv6-only-path', [
  {
    name: 'a subnet with IPv4 addresses: skip (the IPv4 checks decide)',
    facts: factsWith(() => undefined),
    status: 'skip',
    message: new RegExp(`${IDS.subnet} is not IPv6-only`),
  },
  {
    name: 'IPv6-only with dual-stack endpoints that publish AAAA records: pass',
    facts: factsWith((f) => {
      ipv6Only(f);
      endpointsAs(f, 'dualstack', 'dualstack');
      notConnected(f);
    }),
    status: 'pass',
    message: /is IPv6-only, and the endpoints vpce-.* answer over IPv6/,
  },
  {
    name: 'IPv6-only with IPv4-only endpoints, no DNS64 and no ::/0: fails, with modify-vpc-endpoint per endpoint',
    facts: factsWith((f) => {
      ipv6Only(f);
      endpointsAs(f, 'ipv4', 'ipv4');
      notConnected(f);
    }),
    status: 'fail',
    message: new RegExp(
      `${IDS.subnet} is IPv6-only, so ${IDS.instance} has no IPv4 address, and it has no IPv6 way to Systems Manager: the endpoints vpce-`,
    ),
    verify: (r) => {
      expect(r.fix!.commands).toHaveLength(3);
      expect(r.fix!.commands[0]).toMatch(
        /^aws ec2 modify-vpc-endpoint --vpc-endpoint-id vpce-\w+ --ip-address-type dualstack --dns-options DnsRecordIpType=dualstack --region ap-northeast-1$/,
      );
    },
  },
  {
    name: 'endpoints dual-stack but their DNS names still only A records: fails (the names do not resolve over IPv6)',
    facts: factsWith((f) => {
      ipv6Only(f);
      endpointsAs(f, 'dualstack', 'ipv4');
      notConnected(f);
    }),
    status: 'fail',
  },
  {
    name: 'IPv6-only, IPv4 endpoints, but DNS64 and 64:ff9b::/96 to a NAT gateway: pass (NAT64)',
    facts: factsWith((f) => {
      ipv6Only(f, true);
      endpointsAs(f, 'ipv4', 'ipv4');
      privateRoute(f, { destination: '64:ff9b::/96', target: 'nat-0123456789abcdef0', state: 'active' });
      notConnected(f);
    }),
    status: 'pass',
    message: /uses DNS64 with a 64:ff9b::\/96 route to nat-0123456789abcdef0/,
  },
  {
    name: 'a 64:ff9b::/96 route without DNS64 on the subnet is no way out: still fails',
    facts: factsWith((f) => {
      ipv6Only(f);
      endpointsAs(f, 'ipv4', 'ipv4');
      privateRoute(f, { destination: '64:ff9b::/96', target: 'nat-0123456789abcdef0', state: 'active' });
      notConnected(f);
    }),
    status: 'fail',
  },
  {
    name: 'IPv6-only with ::/0 to an egress-only gateway: warns that the agent must be told to use the dual-stack endpoints',
    facts: factsWith((f) => {
      ipv6Only(f);
      vpcOf(f).endpoints = known([]);
      privateRoute(f, { destination: '::/0', target: 'eigw-0123456789abcdef0', state: 'active' });
      notConnected(f);
    }),
    status: 'warn',
    message: /routes ::\/0 to eigw-0123456789abcdef0: .*ssm\.ap-northeast-1\.api\.aws.*UseDualStackEndpoint/,
  },
  {
    name: 'no path seen, but the agent is connected: pass, saying something unseen is in use',
    facts: factsWith((f) => {
      ipv6Only(f);
      endpointsAs(f, 'ipv4', 'ipv4');
    }),
    status: 'pass',
    message: /but the agent of i-0123456789abcdef0 is connected/,
  },
  {
    name: 'no endpoints and no route: fails, with the step to create dual-stack endpoints',
    facts: factsWith((f) => {
      ipv6Only(f);
      vpcOf(f).endpoints = known([]);
      notConnected(f);
    }),
    status: 'fail',
    message: /no Systems Manager interface endpoint, no DNS64/,
    verify: (r) => expect(r.fix!.steps[0]?.key).toBe(`endpoints-dualstack:${IDS.vpc}`),
  },
  {
    name: 'subnets not readable: unknown, naming the call',
    facts: factsWith((f) => void (vpcOf(f).subnets = denied('ec2:DescribeSubnets'))),
    status: 'unknown',
    message: /ec2:DescribeSubnets was denied/,
  },
]);
