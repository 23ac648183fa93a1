import { checkCases } from '../helpers/check-tester';
import { IDS, denied, factsWith, vpcOf } from '../helpers/facts';
import { known, type Facts, type ResolverRule } from '../../src/facts/schema';

const corporate = (f: Facts, servers = ['10.0.0.53', '10.0.1.53']) =>
  void (vpcOf(f).dhcp = known({ dhcpOptionsId: 'dopt-0123456789abcdef0', domainNameServers: servers }));
const notConnected = (f: Facts) => void (f.connections = { [IDS.instance]: known('notconnected') });
const FORWARD_ALL = {
  ruleId: 'rslvr-rr-0123456789abcdef0',
  domainName: 'amazonaws.com.',
  ruleType: 'FORWARD' as const,
  name: 'to-onprem',
  targetIps: ['10.10.0.2', '10.10.0.3'],
};
const rules = (f: Facts, list: ResolverRule[]) => void (vpcOf(f).resolverRules = known(list));

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
  {
    name: 'a FORWARD rule for amazonaws.com, agent not connected: warns, naming the rule, its targets and the names, with a System rule per name to paste',
    facts: factsWith((f) => {
      rules(f, [FORWARD_ALL]);
      notConnected(f);
    }),
    status: 'warn',
    message: new RegExp(
      `${IDS.vpc} is associated with the Route 53 Resolver rule rslvr-rr-0123456789abcdef0 \\(amazonaws\\.com, FORWARD to 10\\.10\\.0\\.2, 10\\.10\\.0\\.3\\): ssm\\.${IDS.region}\\.amazonaws\\.com, ssmmessages`,
    ),
    verify: (r) => {
      expect(r.fix!.steps[0]?.text.en).toMatch(/Rule type System/);
      expect(r.fix!.commands).toEqual([
        `RULE_ID=$(aws route53resolver create-resolver-rule --creator-request-id ssm-doctor-${IDS.vpc}-ssm --rule-type SYSTEM --domain-name ssm.${IDS.region}.amazonaws.com --name ssm-doctor-ssm --query ResolverRule.Id --output text --region ${IDS.region})`,
        `aws route53resolver associate-resolver-rule --resolver-rule-id "$RULE_ID" --vpc-id ${IDS.vpc} --region ${IDS.region}`,
        expect.stringContaining('--domain-name ssmmessages.'),
        expect.stringContaining('associate-resolver-rule'),
        expect.stringContaining('--domain-name ec2messages.'),
        expect.stringContaining('associate-resolver-rule'),
      ]);
    },
  },
  {
    name: 'a more specific System rule wins over the FORWARD rule: only the names it does not cover are named',
    facts: factsWith((f) => {
      rules(f, [
        FORWARD_ALL,
        { ruleId: 'rslvr-rr-0aaaaaaaaaaaaaaa1', domainName: `ssm.${IDS.region}.amazonaws.com`, ruleType: 'SYSTEM', targetIps: [] },
      ]);
      notConnected(f);
    }),
    status: 'warn',
    message: new RegExp(`\\): ssmmessages\\.${IDS.region}\\.amazonaws\\.com, ec2messages\\.${IDS.region}\\.amazonaws\\.com are sent`),
  },
  {
    name: 'a FORWARD rule for another domain (the company’s) does not touch the endpoint names: passes',
    facts: factsWith((f) => {
      rules(f, [{ ...FORWARD_ALL, domainName: 'corp.example.com' }]);
      notConnected(f);
    }),
    status: 'pass',
  },
  {
    name: 'a FORWARD rule for the region’s zone, with the agent Online and connected: the servers send the names back, so it passes',
    facts: factsWith((f) => rules(f, [{ ...FORWARD_ALL, domainName: `${IDS.region}.amazonaws.com` }])),
    status: 'pass',
    message: /Route 53 Resolver rules rslvr-rr-0123456789abcdef0\), and the agent of i-0123456789abcdef0 is connected/,
  },
  {
    name: 'company DNS servers and a FORWARD rule: both are named, each with its fix',
    facts: factsWith((f) => {
      corporate(f);
      rules(f, [FORWARD_ALL]);
      notConnected(f);
    }),
    status: 'warn',
    message: /not the Amazon-provided DNS: .*\. vpc-\w+ is associated with the Route 53 Resolver rule/,
    verify: (r) =>
      expect(r.fix!.steps.map((s) => s.key)).toEqual([`dns-forward:${IDS.vpc}`, `dns-system-rule:${IDS.vpc}:rslvr-rr-0123456789abcdef0`]),
  },
  {
    name: 'Resolver rules not readable and the agent not connected: unknown, naming the call',
    facts: factsWith((f) => {
      vpcOf(f).resolverRules = denied('route53resolver:ListResolverRules');
      notConnected(f);
    }),
    status: 'unknown',
    message: /route53resolver:ListResolverRules was denied/,
  },
  {
    name: 'Resolver rules not readable but the agent connected: the names resolve, so it passes',
    facts: factsWith((f) => void (vpcOf(f).resolverRules = denied('route53resolver:ListResolverRules'))),
    status: 'pass',
  },
]);
