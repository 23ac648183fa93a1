import { checkCases } from '../helpers/check-tester';
import { IDS, V6, denied, factsWith, instanceOf, ipv6Only, vpcOf, natRoute } from '../helpers/facts';
import { known, type Endpoint, type Fact, type Facts, type SecurityGroup, type SgRule } from '../../src/facts/schema';

const value = <T>(fact: Fact<T>): T => {
  if (!fact.known) throw new Error('fact is unknown');
  return fact.value;
};
const group = (f: Facts, id: string): SecurityGroup => value(vpcOf(f).securityGroups).find((g) => g.groupId === id)!;
const endpoints = (f: Facts): Endpoint[] => value(vpcOf(f).endpoints);
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
const egress = (f: Facts, ...rules: SgRule[]) => void (group(f, IDS.instanceSg).egress = rules);
const natPath = (f: Facts) => {
  vpcOf(f).endpoints = known([]);
  natRoute(f);
};
const centralised = (f: Facts) => {
  vpcOf(f).endpoints = known([]);
  vpcOf(f).hostedZones = known([{ name: `${IDS.region}.amazonaws.com.`, hostedZoneId: 'Z0REGION' }]);
  value(vpcOf(f).routeTables)
    .find((rt) => rt.routeTableId === IDS.privateRt)!
    .routes.push({ destination: '10.100.0.0/16', target: 'tgw-0hub000000000001', state: 'active' });
};
const pl = 'pl-0corp000000000001';
const region = `--region ${IDS.region}$`;
const toEndpointSg = new RegExp(
  `^aws ec2 authorize-security-group-egress --group-id ${IDS.instanceSg} --ip-permissions 'IpProtocol=tcp,FromPort=443,ToPort=443,UserIdGroupPairs=\\[\\{GroupId=${IDS.endpointSg}\\}\\]' ${region}`,
);
const toInternet = new RegExp(
  `^aws ec2 authorize-security-group-egress --group-id ${IDS.instanceSg} --ip-permissions 'IpProtocol=tcp,FromPort=443,ToPort=443,IpRanges=\\[\\{CidrIp=0\\.0\\.0\\.0/0\\}\\]' ${region}`,
);
const ids = `${IDS.vpce.ssm}, ${IDS.vpce.ssmmessages}, ${IDS.vpce.ec2messages} \\(ssm, ssmmessages, ec2messages\\)`;

checkCases('instance-sg-egress', [
  {
    name: "a new group's allow-all egress covers the endpoints' subnet",
    facts: factsWith(() => {}),
    status: 'pass',
    message: new RegExp(`^${ids}: ${IDS.instanceSg} allows TCP 443 to 0\\.0\\.0\\.0/0, which holds 10\\.0\\.1\\.0/24 \\(${IDS.subnet}\\)$`),
  },
  {
    name: "an egress rule naming the endpoints' security group passes",
    facts: factsWith((f) => egress(f, rule({ groupIds: [IDS.endpointSg] }))),
    status: 'pass',
    message: new RegExp(`${IDS.instanceSg} allows TCP 443 to ${IDS.endpointSg}$`),
  },
  {
    name: 'the VPC CIDR holds every endpoint subnet',
    facts: factsWith((f) => egress(f, rule({ cidrs: ['10.0.0.0/16'] }))),
    status: 'pass',
    message: /to 10\.0\.0\.0\/16, which holds 10\.0\.1\.0\/24/,
  },
  {
    name: 'two rules that together cover the subnet pass',
    facts: factsWith((f) => egress(f, rule({ cidrs: ['10.0.1.0/25'] }), rule({ cidrs: ['10.0.1.128/25'] }))),
    status: 'pass',
  },
  {
    name: 'no outbound rule at all fails with the rule to the endpoint group',
    facts: factsWith((f) => egress(f)),
    status: 'fail',
    message: new RegExp(`^${ids}: ${IDS.instanceSg} has no outbound rule for TCP 443$`),
    messageJa: /TCP 443 のアウトバウンドルールがありません/,
    commands: [toEndpointSg],
    verify: (r) => {
      expect(r.fix!.steps.map((s) => s.key)).toEqual([`sg-egress:${IDS.instanceSg}:${IDS.endpointSg}`]);
      expect(r.fix?.steps[0]?.text.ja).toContain(
        `「EC2」→「セキュリティグループ」→ ${IDS.instanceSg} を選択 →「アウトバウンドルール」→「アウトバウンドルールを編集」`,
      );
    },
  },
  {
    name: 'egress to another range fails, naming what it allows and where the endpoints are',
    facts: factsWith((f) => egress(f, rule({ cidrs: ['10.1.0.0/16'] }))),
    status: 'fail',
    message: new RegExp(
      `${IDS.instanceSg} allows TCP 443 only to 10\\.1\\.0\\.0/16, not to ${IDS.endpointSg} or 10\\.0\\.1\\.0/24 \\(${IDS.subnet}\\), where the endpoints are`,
    ),
    commands: [toEndpointSg],
  },
  {
    name: 'egress on port 80 only (or UDP 443) does not count',
    facts: factsWith((f) =>
      egress(f, rule({ fromPort: 80, toPort: 80, cidrs: ['0.0.0.0/0'] }), rule({ protocol: 'udp', cidrs: ['0.0.0.0/0'] })),
    ),
    status: 'fail',
    message: /has no outbound rule for TCP 443/,
  },
  {
    name: 'IPv6-only egress does not reach IPv4 endpoint addresses',
    facts: factsWith((f) => egress(f, rule({ protocol: '-1', ipv6Cidrs: ['::/0'] }))),
    status: 'fail',
    message: /only to ::\/0/,
  },
  {
    name: 'a rule covering only part of the subnet warns: the endpoint address there is not known',
    facts: factsWith((f) => egress(f, rule({ cidrs: ['10.0.1.0/25'] }))),
    status: 'warn',
    message: /only to 10\.0\.1\.0\/25, which does not cover 10\.0\.1\.0\/24/,
    commands: [toEndpointSg],
  },
  {
    name: 'endpoints in two subnets with only one covered warn: DNS hands out both addresses',
    facts: factsWith((f) => {
      endpoints(f).forEach((e) => (e.subnetIds = [IDS.subnet, IDS.otherSubnet]));
      egress(f, rule({ cidrs: ['10.0.1.0/24'] }));
    }),
    status: 'warn',
    message: new RegExp(`does not cover 10\\.0\\.2\\.0/24 \\(${IDS.otherSubnet}\\); DNS hands out`),
  },
  {
    name: 'several instance groups: the one with the rule is enough',
    facts: factsWith((f) => {
      egress(f);
      value(vpcOf(f).securityGroups).push({
        groupId: 'sg-0second0000000001',
        groupName: 'second',
        ingress: [],
        egress: [rule({ groupIds: [IDS.endpointSg] })],
      });
      instanceOf(f).primaryEniGroupIds = [IDS.instanceSg, 'sg-0second0000000001'];
    }),
    status: 'pass',
    message: new RegExp(`${IDS.instanceSg}, sg-0second0000000001 allow TCP 443 to ${IDS.endpointSg}`),
  },
  {
    name: 'an endpoint without its own group uses the default group, and egress to it passes',
    facts: factsWith((f) => {
      endpoints(f).forEach((e) => (e.groupIds = []));
      egress(f, rule({ groupIds: [IDS.defaultSg] }));
    }),
    status: 'pass',
    message: new RegExp(`to ${IDS.defaultSg}$`),
  },
  {
    name: 'a prefix list whose entries hold the subnet passes',
    facts: factsWith((f) => {
      egress(f, rule({ prefixListIds: [pl] }));
      f.prefixLists = { [pl]: known(['10.0.0.0/16']) };
    }),
    status: 'pass',
  },
  {
    name: 'a prefix list whose entries do not hold the subnet fails',
    facts: factsWith((f) => {
      egress(f, rule({ prefixListIds: [pl] }));
      f.prefixLists = { [pl]: known(['192.168.0.0/16']) };
    }),
    status: 'fail',
    message: new RegExp(`only to ${pl}`),
  },
  {
    name: 'a prefix list that was not collected is unknown, naming the call',
    facts: factsWith((f) => {
      egress(f, rule({ prefixListIds: [pl] }));
      f.prefixLists = {};
    }),
    status: 'unknown',
    message: new RegExp(
      `ec2:GetManagedPrefixListEntries failed \\(NotCollected: the entries of prefix list ${pl} \\(in an outbound rule of ${IDS.instanceSg}\\) were not collected`,
    ),
  },
  {
    name: 'a prefix list that could not be read is unknown with its error',
    facts: factsWith((f) => {
      egress(f, rule({ prefixListIds: [pl] }));
      f.prefixLists = { [pl]: denied('ec2:GetManagedPrefixListEntries', 'UnauthorizedOperation') };
    }),
    status: 'unknown',
    message: /ec2:GetManagedPrefixListEntries was denied \(UnauthorizedOperation\)/,
  },
  {
    name: 'an unresolved prefix list does not matter when another rule already covers the endpoints',
    facts: factsWith((f) => {
      egress(f, rule({ prefixListIds: [pl] }), rule({ groupIds: [IDS.endpointSg] }));
      f.prefixLists = {};
    }),
    status: 'pass',
  },
  {
    name: 'over a NAT gateway, 443 to 0.0.0.0/0 passes',
    facts: factsWith((f) => {
      natPath(f);
      egress(f, rule({ cidrs: ['0.0.0.0/0'] }));
    }),
    status: 'pass',
    message: /^ssm, ssmmessages, ec2messages over the internet path: .* every public address$/,
  },
  {
    name: 'over a NAT gateway, egress only inside the VPC fails with a rule to 0.0.0.0/0',
    facts: factsWith((f) => {
      natPath(f);
      egress(f, rule({ cidrs: ['10.0.0.0/16'] }));
    }),
    status: 'fail',
    message: /go to public Systems Manager addresses .*only to 10\.0\.0\.0\/16, no public address among them/,
    commands: [toInternet],
  },
  {
    name: 'over a NAT gateway, egress to some public ranges warns: the service addresses are not known',
    facts: factsWith((f) => {
      natPath(f);
      egress(f, rule({ cidrs: ['52.0.0.0/8'] }));
    }),
    status: 'warn',
    message: /only to 52\.0\.0\.0\/8; which public addresses the names resolve to is not known here/,
    commands: [toInternet],
  },
  {
    name: 'a closed path to a separate ec2messages endpoint only warns for an agent that no longer needs it',
    facts: factsWith((f) => {
      value(vpcOf(f).securityGroups).push({ groupId: 'sg-0legacy0000000001', groupName: 'legacy', ingress: [], egress: [] });
      const ec2m = endpoints(f).find((e) => e.endpointId === IDS.vpce.ec2messages)!;
      ec2m.groupIds = ['sg-0legacy0000000001'];
      ec2m.subnetIds = [IDS.otherSubnet];
      egress(f, rule({ groupIds: [IDS.endpointSg] }));
    }),
    status: 'warn',
    message:
      /ec2messages\): .*not to sg-0legacy0000000001 or 10\.0\.2\.0\/24.*sessions work without ec2messages, because agent 3\.3\.1802\.0/,
  },
  {
    name: 'centralised endpoints without a route toward the hub: where they are is not known, so egress inside the VPC only warns',
    facts: factsWith((f) => {
      vpcOf(f).endpoints = known([]);
      vpcOf(f).hostedZones = known([
        { name: `ssm.${IDS.region}.amazonaws.com.`, hostedZoneId: 'Z0SSM' },
        { name: `ssmmessages.${IDS.region}.amazonaws.com.`, hostedZoneId: 'Z0MSG' },
      ]);
      egress(f, rule({ cidrs: ['10.0.0.0/16'] }));
    }),
    status: 'warn',
    message:
      /ssm, ssmmessages go to centralised endpoints in another VPC, and .*only to 10\.0\.0\.0\/16: check that this holds the shared endpoints' addresses, which are not known here/,
  },
  {
    name: 'centralised endpoints over a transit gateway: egress to the routed hub range passes',
    facts: factsWith((f) => {
      centralised(f);
      egress(f, rule({ cidrs: ['10.100.0.0/16'] }));
    }),
    status: 'pass',
    message:
      /^ssm, ssmmessages, ec2messages through centralised endpoints over 10\.100\.0\.0\/16 → tgw-0hub000000000001: sg-0inst0000000000001 allows TCP 443 to 10\.100\.0\.0\/16$/,
  },
  {
    name: 'centralised endpoints over a transit gateway: egress inside the VPC only fails, and the fix opens the hub range',
    facts: factsWith((f) => {
      centralised(f);
      egress(f, rule({ cidrs: ['10.0.0.0/16'] }));
    }),
    status: 'fail',
    message:
      /only to 10\.0\.0\.0\/16, nothing of 10\.100\.0\.0\/16, where the subnet routes toward the shared endpoints \(10\.100\.0\.0\/16 → tgw-0hub000000000001\)/,
    commands: [
      new RegExp(
        `^aws ec2 authorize-security-group-egress --group-id ${IDS.instanceSg} --ip-permissions 'IpProtocol=tcp,FromPort=443,ToPort=443,IpRanges=\\[\\{CidrIp=10\\.100\\.0\\.0/16\\}\\]' ${region}`,
      ),
    ],
  },
  {
    name: "IPv6-only instance: ::/0 egress holds the endpoints' IPv6 subnet",
    facts: factsWith(ipv6Only),
    status: 'pass',
    message: new RegExp(`^${ids}: ${IDS.instanceSg} allows TCP 443 to ::/0, which holds 2600:1f18:1:101::/64 \\(${IDS.otherSubnet}\\)$`),
  },
  {
    name: "IPv6-only instance: egress to the endpoint subnet's IPv6 block passes",
    facts: factsWith((f) => {
      ipv6Only(f);
      egress(f, rule({ ipv6Cidrs: [V6.otherSubnet] }));
    }),
    status: 'pass',
  },
  {
    name: 'IPv6-only instance: an IPv4-only allowance (0.0.0.0/0) fails, saying only IPv6 rules count',
    facts: factsWith((f) => {
      ipv6Only(f);
      egress(f, rule({ protocol: '-1', cidrs: ['0.0.0.0/0'] }));
    }),
    status: 'fail',
    message: new RegExp(
      `only to 0\\.0\\.0\\.0/0, not to ${IDS.endpointSg} or 2600:1f18:1:101::/64 \\(${IDS.otherSubnet}\\), where the endpoints are; ${IDS.instance} has only IPv6 addresses \\(${IDS.subnet} is IPv6-only\\)`,
    ),
    messageJa: /IPv4 のルールは効きません/,
    commands: [toEndpointSg],
  },
  {
    name: 'IPv6-only instance without endpoint groups: the fix opens the IPv6 blocks with Ipv6Ranges',
    facts: factsWith((f) => {
      ipv6Only(f);
      egress(f, rule({ cidrs: ['0.0.0.0/0'] }));
      endpoints(f).forEach((e) => (e.groupIds = []));
      value(vpcOf(f).securityGroups).splice(2, 1);
    }),
    status: 'fail',
    commands: [
      new RegExp(
        `^aws ec2 authorize-security-group-egress --group-id ${IDS.instanceSg} --ip-permissions 'IpProtocol=tcp,FromPort=443,ToPort=443,Ipv6Ranges=\\[\\{CidrIpv6=2600:1f18:1:101::/64\\}\\]' ${region}`,
      ),
    ],
  },
  {
    name: 'IPv6-only instance: an endpoint with IP address type ipv4 has no IPv6 address to reach, which ipv6-only-path judges',
    facts: factsWith((f) => {
      ipv6Only(f);
      egress(f, rule({ cidrs: ['0.0.0.0/0'] }));
      endpoints(f).forEach((e) => (e.ipAddressType = 'ipv4'));
    }),
    status: 'pass',
    message: /no IPv6 address \(IP address type ipv4, or no IPv6 CIDR on its subnets\)/,
  },
  {
    name: "IPv6-only instance: the subnets' IPv6 blocks not in the facts (an older facts file) is unknown",
    facts: factsWith((f) => {
      ipv6Only(f);
      egress(f, rule({ ipv6Cidrs: ['2600:1f18:1:100::/56'] }));
      value(vpcOf(f).subnets).forEach((s) => delete s.ipv6Cidrs);
    }),
    status: 'unknown',
    message: new RegExp(`the IPv6 CIDR blocks of ${IDS.otherSubnet} were not collected`),
  },
  {
    name: "IPv6-only instance: a prefix list whose IPv6 entries hold the endpoints' IPv6 block passes, one with IPv4 entries only fails",
    facts: factsWith((f) => {
      ipv6Only(f);
      egress(f, rule({ prefixListIds: [pl, 'pl-0v4only000000001'] }));
      f.prefixLists = { [pl]: known([V6.vpc]), 'pl-0v4only000000001': known(['10.0.0.0/8']) };
    }),
    status: 'pass',
    message: /allows TCP 443 to 2600:1f18:1:100::\/56, which holds 2600:1f18:1:101::\/64/,
  },
  {
    name: 'IPv6-only instance: a prefix list with IPv4 entries only does not let it out',
    facts: factsWith((f) => {
      ipv6Only(f);
      egress(f, rule({ prefixListIds: [pl] }));
      f.prefixLists = { [pl]: known(['10.0.0.0/8']) };
    }),
    status: 'fail',
    message: new RegExp(`only to ${pl}`),
  },
  {
    name: 'a dual-stack instance keeps the IPv4 verdict: 0.0.0.0/0 passes without an IPv6 rule',
    facts: factsWith((f) => {
      instanceOf(f).ipv6Addresses = [V6.instance];
      value(vpcOf(f).subnets).forEach((s) => (s.ipv6Cidrs = [V6.subnet]));
      egress(f, rule({ cidrs: ['10.0.0.0/16'] }));
    }),
    status: 'pass',
    message: /to 10\.0\.0\.0\/16, which holds 10\.0\.1\.0\/24/,
  },
  {
    name: 'IPv6-only instance over NAT64: 0.0.0.0/0 does not let it out, and the fix opens ::/0 with Ipv6Ranges',
    facts: factsWith((f) => {
      ipv6Only(f);
      natPath(f);
      egress(f, rule({ cidrs: ['0.0.0.0/0'] }));
    }),
    status: 'fail',
    message: /go to public Systems Manager addresses .*only to 0\.0\.0\.0\/0, no public address among them/,
    commands: [
      new RegExp(
        `^aws ec2 authorize-security-group-egress --group-id ${IDS.instanceSg} --ip-permissions 'IpProtocol=tcp,FromPort=443,ToPort=443,Ipv6Ranges=\\[\\{CidrIpv6=::/0\\}\\]' ${region}`,
      ),
    ],
  },
  {
    name: 'IPv6-only instance over NAT64: ::/0 egress passes',
    facts: factsWith((f) => {
      ipv6Only(f);
      natPath(f);
      egress(f, rule({ ipv6Cidrs: ['::/0'] }));
    }),
    status: 'pass',
    message: /every public IPv6 address \(and 64:ff9b::\/96 for NAT64\)$/,
  },
  {
    name: "IPv6-only instance with centralised endpoints: the fix opens the hub's IPv6 range",
    facts: factsWith((f) => {
      ipv6Only(f);
      centralised(f);
      value(vpcOf(f).routeTables)
        .find((rt) => rt.routeTableId === IDS.privateRt)!
        .routes.push({ destination: '2600:1f18:ff00::/40', target: 'tgw-0hub000000000001', state: 'active' });
      egress(f, rule({ cidrs: ['10.100.0.0/16'] }));
    }),
    status: 'fail',
    message: /nothing of 2600:1f18:ff00::\/40, where the subnet routes toward the shared endpoints/,
    commands: [/Ipv6Ranges=\[\{CidrIpv6=2600:1f18:ff00::\/40\}\]/],
  },
  {
    name: 'no path at all is left to network-route',
    facts: factsWith((f) => void (vpcOf(f).endpoints = known([]))),
    status: 'skip',
    message: /see network-route/,
  },
  {
    name: 'denied DescribeSecurityGroups is unknown',
    facts: factsWith((f) => void (vpcOf(f).securityGroups = denied('ec2:DescribeSecurityGroups', 'UnauthorizedOperation'))),
    status: 'unknown',
    message: /ec2:DescribeSecurityGroups was denied/,
  },
  {
    name: "denied DescribeSubnets is unknown when the endpoints' subnets decide it",
    facts: factsWith((f) => {
      egress(f, rule({ cidrs: ['10.0.0.0/16'] }));
      vpcOf(f).subnets = denied('ec2:DescribeSubnets');
    }),
    status: 'unknown',
    message: /ec2:DescribeSubnets was denied/,
  },
]);
