import { checkCases } from '../helpers/check-tester';
import { IDS, denied, factsWith, vpcOf } from '../helpers/facts';
import { known, type Facts } from '../../src/facts/schema';

const corporate = (f: Facts, servers = ['10.0.0.53', '10.0.1.53']) =>
  void (vpcOf(f).dhcp = known({ dhcpOptionsId: 'dopt-0123456789abcdef0', domainNameServers: servers }));
const notConnected = (f: Facts) => void (f.connections = { [IDS.instance]: known('notconnected') });

checkCases('vpc-dns-servers', [
  {
    name: 'no DHCP options set: the Amazon-provided DNS passes',
    facts: factsWith((f) => void (vpcOf(f).dhcp = known({ domainNameServers: [] }))),
    status: 'pass',
    message: new RegExp(`${IDS.vpc} gives its instances the Amazon-provided DNS \\(no DHCP options set\\)`),
  },
  {
    name: 'a set that names AmazonProvidedDNS passes',
    facts: factsWith((f) => corporate(f, ['AmazonProvidedDNS'])),
    status: 'pass',
    message: /Amazon-provided DNS \(dopt-0123456789abcdef0\)/,
  },
  {
    name: 'company DNS servers, agent not connected: warns, naming the servers, the names and the way to forward',
    facts: factsWith((f) => {
      corporate(f);
      notConnected(f);
    }),
    status: 'warn',
    message: new RegExp(
      `DNS servers 10\\.0\\.0\\.53, 10\\.0\\.1\\.53, not the Amazon-provided DNS: ssm\\.${IDS.region}\\.amazonaws\\.com, ssmmessages\\.${IDS.region}\\.amazonaws\\.com, ec2messages\\.${IDS.region}\\.amazonaws\\.com reach the endpoints only if`,
    ),
    verify: (r) => {
      expect(r.fix!.steps[0]?.text.en).toMatch(
        /forward .* \(or the zone ap-northeast-1\.amazonaws\.com\) to the Route 53 Resolver of vpc-/,
      );
      expect(r.fix!.steps[0]?.text.ja).toContain('「DHCP オプションセット」');
    },
  },
  {
    name: 'company DNS first and AmazonProvidedDNS second still warns (servers are asked in order)',
    facts: factsWith((f) => {
      corporate(f, ['10.0.0.53', 'AmazonProvidedDNS']);
      notConnected(f);
    }),
    status: 'warn',
    message: /10\.0\.0\.53, AmazonProvidedDNS/,
  },
  {
    name: 'company DNS servers with the agent Online and connected: they forward, so it passes',
    facts: factsWith((f) => corporate(f)),
    status: 'pass',
    message: /and the agent of i-0123456789abcdef0 is connected: they resolve the endpoint names/,
  },
  {
    name: 'no endpoint with private DNS: nothing must resolve inside the VPC (skip)',
    facts: factsWith((f) => {
      corporate(f);
      vpcOf(f).endpoints = known([]);
    }),
    status: 'skip',
  },
  {
    name: 'DHCP options not readable: unknown, naming the call',
    facts: factsWith((f) => void (vpcOf(f).dhcp = denied('ec2:DescribeDhcpOptions'))),
    status: 'unknown',
    message: /ec2:DescribeDhcpOptions was denied/,
  },
  {
    name: 'facts saved before the DHCP options were read: skip, saying so (not UNKNOWN for every old file)',
    facts: factsWith((f) => void delete vpcOf(f).dhcp),
    status: 'skip',
    message: /the DNS servers of vpc-\w+ were not read \(facts saved by an earlier version of ssm-doctor\)/,
  },
]);
