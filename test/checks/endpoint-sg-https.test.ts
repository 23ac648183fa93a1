import { checkCases } from '../helpers/check-tester';
import { IDS, V6, denied, factsWith, instanceOf, ipv6Only, vpcOf, natRoute } from '../helpers/facts';
import { known, type Endpoint, type Fact, type Facts, type SecurityGroup, type SgRule } from '../../src/facts/schema';

const value = <T>(fact: Fact<T>): T => {
  if (!fact.known) throw new Error('fact is unknown');
  return fact.value;
};
const endpoint = (f: Facts, svc: keyof typeof IDS.vpce): Endpoint => value(vpcOf(f).endpoints).find((e) => e.endpointId === IDS.vpce[svc])!;
const group = (f: Facts, id: string): SecurityGroup => value(vpcOf(f).securityGroups).find((g) => g.groupId === id)!;
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
const endpointIngress = (f: Facts, ...rules: SgRule[]) => void (group(f, IDS.endpointSg).ingress = rules);
const authorize = (sg: string) =>
  new RegExp(
    `^aws ec2 authorize-security-group-ingress --group-id ${sg} --protocol tcp --port 443 --source-group ${IDS.instanceSg} --region ${IDS.region}$`,
  );
const otherSg = 'sg-0other00000000001';

checkCases('endpoint-sg-https', [
  {
    name: "an endpoint group that admits 443 from the instance's group passes",
    facts: factsWith(() => {}),
    status: 'pass',
    message: new RegExp(
      `${IDS.endpointSg} on ${IDS.vpce.ssm}, ${IDS.vpce.ssmmessages}, ${IDS.vpce.ec2messages} allows TCP 443 from ${IDS.instanceSg}`,
    ),
  },
  {
    name: 'a CIDR that does not hold the private IP fails, naming both',
    facts: factsWith((f) => endpointIngress(f, rule({ cidrs: ['10.1.0.0/24'] }))),
    status: 'fail',
    message: new RegExp(`${IDS.endpointSg} allows TCP 443 only from 10\\.1\\.0\\.0/24, not from 10\\.0\\.1\\.12 or ${IDS.instanceSg}`),
    commands: [authorize(IDS.endpointSg)],
    verify: (r) => {
      expect(r.fix!.steps).toHaveLength(1);
      expect(r.fix!.steps[0]?.text.ja).toContain('「インバウンドルールを編集」→「ルールを追加」→ タイプ「HTTPS」');
    },
  },
  {
    name: 'a CIDR that holds the private IP passes',
    facts: factsWith((f) => endpointIngress(f, rule({ cidrs: ['10.0.0.0/16'] }))),
    status: 'pass',
    message: /from 10\.0\.0\.0\/16/,
  },
  {
    name: 'protocol -1 from the instance group passes',
    facts: factsWith((f) =>
      endpointIngress(f, rule({ protocol: '-1', fromPort: undefined, toPort: undefined, groupIds: [IDS.instanceSg] })),
    ),
    status: 'pass',
  },
  {
    name: 'protocol 6 over a port range that contains 443 passes',
    facts: factsWith((f) => endpointIngress(f, rule({ protocol: '6', fromPort: 0, toPort: 65535, cidrs: ['0.0.0.0/0'] }))),
    status: 'pass',
  },
  {
    name: 'a port range without 443 or another protocol fails: no inbound rule for TCP 443',
    facts: factsWith((f) =>
      endpointIngress(
        f,
        rule({ fromPort: 80, toPort: 442, groupIds: [IDS.instanceSg] }),
        rule({ protocol: 'udp', groupIds: [IDS.instanceSg] }),
      ),
    ),
    status: 'fail',
    message: new RegExp(`${IDS.endpointSg} has no inbound rule for TCP 443`),
    commands: [authorize(IDS.endpointSg)],
  },
  {
    name: 'an IPv6-only rule does not admit the IPv4 instance',
    facts: factsWith((f) => endpointIngress(f, rule({ ipv6Cidrs: ['::/0'] }))),
    status: 'fail',
    message: /only from ::\/0/,
  },
  {
    name: 'the default-group trap: an endpoint created without a group uses the default one, which admits only its members',
    facts: factsWith((f) => void (endpoint(f, 'ssm').groupIds = [])),
    status: 'fail',
    message: new RegExp(
      `^${IDS.vpce.ssm}: ${IDS.defaultSg} \\(the VPC's default group, used because the endpoint has no group of its own\\) allows TCP 443 only from ${IDS.defaultSg}`,
    ),
    commands: [authorize(IDS.defaultSg)],
  },
  {
    name: 'the default group does admit an instance that is a member of it',
    facts: factsWith((f) => {
      endpoint(f, 'ssm').groupIds = [];
      instanceOf(f).primaryEniGroupIds = [IDS.defaultSg];
      endpointIngress(f, rule({ groupIds: [IDS.defaultSg] }));
    }),
    status: 'pass',
  },
  {
    name: 'one of several groups on the endpoint is enough',
    facts: factsWith((f) => {
      endpointIngress(f);
      value(vpcOf(f).securityGroups).push({
        groupId: otherSg,
        groupName: 'other',
        ingress: [rule({ cidrs: ['10.0.1.12/32'] })],
        egress: [],
      });
      value(vpcOf(f).endpoints).forEach((e) => (e.groupIds = [IDS.endpointSg, otherSg]));
    }),
    status: 'pass',
    message: new RegExp(`${otherSg} on .* allows TCP 443 from 10\\.0\\.1\\.12/32`),
  },
  {
    name: 'endpoints with different closed groups get one command per group',
    facts: factsWith((f) => {
      endpointIngress(f);
      value(vpcOf(f).securityGroups).push({ groupId: otherSg, groupName: 'other', ingress: [], egress: [] });
      endpoint(f, 'ec2messages').groupIds = [otherSg];
    }),
    status: 'fail',
    message: new RegExp(
      `${IDS.vpce.ssm}, ${IDS.vpce.ssmmessages}: ${IDS.endpointSg} has no inbound rule.*${IDS.vpce.ec2messages}: ${otherSg} has no inbound rule`,
    ),
    commands: [authorize(IDS.endpointSg), authorize(otherSg)],
  },
  {
    name: 'a prefix-list rule cannot be resolved from the facts: unknown, naming the call that would settle it',
    facts: factsWith((f) => endpointIngress(f, rule({ prefixListIds: ['pl-0corp000000000001'] }))),
    status: 'unknown',
    message: new RegExp(`ec2:GetManagedPrefixListEntries .*pl-0corp000000000001 \\(${IDS.endpointSg}\\).*10\\.0\\.1\\.12`),
  },
  {
    name: 'a prefix list whose collected entries hold the private IP passes (ec2:GetManagedPrefixListEntries)',
    facts: factsWith((f) => {
      endpointIngress(f, rule({ prefixListIds: ['pl-0corp000000000001'] }));
      f.prefixLists = { 'pl-0corp000000000001': known(['192.168.0.0/16', '10.0.1.0/24']) };
    }),
    status: 'pass',
    message: new RegExp(`${IDS.endpointSg} on .* allows TCP 443 from pl-0corp000000000001`),
  },
  {
    name: 'a prefix list whose entries do not hold the private IP fails, naming the list, with the fix',
    facts: factsWith((f) => {
      endpointIngress(f, rule({ prefixListIds: ['pl-0corp000000000001'] }));
      f.prefixLists = { 'pl-0corp000000000001': known(['192.168.0.0/16']) };
    }),
    status: 'fail',
    message: new RegExp(`${IDS.endpointSg} allows TCP 443 only from pl-0corp000000000001, not from 10\\.0\\.1\\.12`),
    commands: [authorize(IDS.endpointSg)],
  },
  {
    name: 'an empty prefix list admits nobody: fail',
    facts: factsWith((f) => {
      endpointIngress(f, rule({ prefixListIds: ['pl-0corp000000000001'] }));
      f.prefixLists = { 'pl-0corp000000000001': known([]) };
    }),
    status: 'fail',
  },
  {
    name: 'a denied read of the entries is unknown, naming the call and the error',
    facts: factsWith((f) => {
      endpointIngress(f, rule({ prefixListIds: ['pl-0corp000000000001'] }));
      f.prefixLists = { 'pl-0corp000000000001': denied('ec2:GetManagedPrefixListEntries', 'UnauthorizedOperation') };
    }),
    status: 'unknown',
    message: /ec2:GetManagedPrefixListEntries was denied \(UnauthorizedOperation\)/,
  },
  {
    name: 'a prefix list does not hide a definite failure of another endpoint',
    facts: factsWith((f) => {
      endpointIngress(f, rule({ prefixListIds: ['pl-0corp000000000001'] }));
      value(vpcOf(f).securityGroups).push({ groupId: otherSg, groupName: 'other', ingress: [], egress: [] });
      endpoint(f, 'ec2messages').groupIds = [otherSg];
    }),
    status: 'fail',
    message: /sg-0other00000000001 has no inbound rule for TCP 443; not checked: .*pl-0corp000000000001/,
    commands: [authorize(otherSg)],
  },
  {
    name: 'an endpoint group missing from the collected groups is unknown',
    facts: factsWith(
      (f) => void (vpcOf(f).securityGroups = known(value(vpcOf(f).securityGroups).filter((g) => g.groupId !== IDS.endpointSg))),
    ),
    status: 'unknown',
    message: new RegExp(`ec2:DescribeSecurityGroups .*${IDS.endpointSg}.*not among the collected security groups`),
  },
  {
    name: 'denied DescribeSecurityGroups is unknown and names the call',
    facts: factsWith((f) => void (vpcOf(f).securityGroups = denied('ec2:DescribeSecurityGroups', 'UnauthorizedOperation'))),
    status: 'unknown',
    message: /ec2:DescribeSecurityGroups was denied \(UnauthorizedOperation\)/,
  },
  {
    name: 'IPv6-only instance: the group reference admits it over IPv6 too',
    facts: factsWith(ipv6Only),
    status: 'pass',
    message: new RegExp(`allows TCP 443 from ${IDS.instanceSg}$`),
  },
  {
    name: "IPv6-only instance: a rule for the subnet's IPv6 block admits its address",
    facts: factsWith((f) => {
      ipv6Only(f);
      endpointIngress(f, rule({ ipv6Cidrs: [V6.subnet] }));
    }),
    status: 'pass',
    message: /from 2600:1f18:1:100::\/64$/,
  },
  {
    name: 'IPv6-only instance: an IPv4 rule for the VPC does not admit it, naming its IPv6 address',
    facts: factsWith((f) => {
      ipv6Only(f);
      endpointIngress(f, rule({ cidrs: ['10.0.0.0/16'] }));
    }),
    status: 'fail',
    message: new RegExp(`only from 10\\.0\\.0\\.0/16, not from ${V6.instance} or ${IDS.instanceSg}`),
    commands: [authorize(IDS.endpointSg)],
  },
  {
    name: 'IPv6-only instance without a group of its own: the fix admits its IPv6 address with Ipv6Ranges',
    facts: factsWith((f) => {
      ipv6Only(f);
      instanceOf(f).primaryEniGroupIds = [];
      endpointIngress(f, rule({ cidrs: ['10.0.0.0/16'] }));
    }),
    status: 'fail',
    commands: [
      new RegExp(
        `^aws ec2 authorize-security-group-ingress --group-id ${IDS.endpointSg} --ip-permissions 'IpProtocol=tcp,FromPort=443,ToPort=443,Ipv6Ranges=\\[\\{CidrIpv6=${V6.instance}/128\\}\\]' --region ${IDS.region}$`,
      ),
    ],
  },
  {
    name: 'IPv6-only instance: a prefix list whose IPv6 entries hold its address admits it',
    facts: factsWith((f) => {
      ipv6Only(f);
      endpointIngress(f, rule({ prefixListIds: ['pl-0corp000000000001'] }));
      f.prefixLists = { 'pl-0corp000000000001': known(['10.0.0.0/8', V6.vpc]) };
    }),
    status: 'pass',
    message: /from pl-0corp000000000001$/,
  },
  {
    name: 'IPv6-only instance whose IPv6 address is not in the facts (an older facts file): unknown rather than a failure',
    facts: factsWith((f) => {
      ipv6Only(f);
      delete instanceOf(f).ipv6Addresses;
      endpointIngress(f, rule({ ipv6Cidrs: [V6.subnet] }));
    }),
    status: 'unknown',
    message: /ec2:DescribeInstances .*IPv6-only, and its IPv6 address is not in the facts/,
  },
  {
    name: 'a dual-stack instance keeps the IPv4 verdict: an IPv4 rule admits it, no IPv6 rule is required',
    facts: factsWith((f) => {
      instanceOf(f).ipv6Addresses = [V6.instance];
      value(vpcOf(f).subnets).forEach((x) => (x.ipv6Cidrs = [V6.subnet]));
      endpointIngress(f, rule({ cidrs: ['10.0.0.0/16'] }));
    }),
    status: 'pass',
    message: /from 10\.0\.0\.0\/16$/,
  },
  {
    name: 'skip when the VPC has no Systems Manager endpoint',
    facts: factsWith((f) => void (vpcOf(f).endpoints = known([]))),
    status: 'skip',
  },
  {
    name: 'existing endpoints are checked even when a NAT gateway is the way out',
    facts: factsWith((f) => {
      natRoute(f);
      endpointIngress(f);
    }),
    status: 'fail',
    commands: [authorize(IDS.endpointSg)],
  },
]);
