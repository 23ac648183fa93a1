import { checkCases } from '../helpers/check-tester';
import { IDS, V6, denied, factsWith, instanceOf, ipv6Only, vpcOf, natRoute } from '../helpers/facts';
import { known, type Endpoint, type Fact, type Facts, type NaclEntry, type NetworkAcl } from '../../src/facts/schema';

const value = <T>(fact: Fact<T>): T => {
  if (!fact.known) throw new Error('fact is unknown');
  return fact.value;
};
const endpoints = (f: Facts): Endpoint[] => value(vpcOf(f).endpoints);
const acls = (f: Facts): NetworkAcl[] => value(vpcOf(f).networkAcls!);
const entry = (ruleNumber: number, egress: boolean, action: 'allow' | 'deny', cidr: string, ports?: [number, number]): NaclEntry => ({
  ruleNumber,
  egress,
  protocol: ports ? '6' : '-1',
  action,
  ...(cidr.includes(':') ? { ipv6Cidr: cidr } : { cidr }),
  ...(ports ? { fromPort: ports[0], toPort: ports[1] } : {}),
});
const star = [entry(32767, false, 'deny', '0.0.0.0/0'), entry(32767, true, 'deny', '0.0.0.0/0')];
/** Gives `subnetId` an ACL of its own with these entries (plus the * rules). */
const ownAcl = (f: Facts, networkAclId: string, subnetId: string, ...entries: NaclEntry[]) => {
  for (const a of acls(f)) a.subnetIds = a.subnetIds.filter((s) => s !== subnetId);
  acls(f).push({ networkAclId, isDefault: false, subnetIds: [subnetId], entries: [...entries, ...star] });
};
/** The endpoints move to the other subnet, so traffic crosses a subnet boundary. */
const elsewhere = (f: Facts) => endpoints(f).forEach((e) => (e.subnetIds = [IDS.otherSubnet]));
const natPath = (f: Facts) => {
  vpcOf(f).endpoints = known([]);
  natRoute(f);
};
const centralised = (f: Facts) => {
  vpcOf(f).endpoints = known([]);
  vpcOf(f).hostedZones = known([{ name: 'amazonaws.com.', hostedZoneId: 'Z0AWS' }]);
  value(vpcOf(f).routeTables)
    .find((rt) => rt.routeTableId === IDS.privateRt)!
    .routes.push({ destination: '10.100.0.0/16', target: 'tgw-0hub000000000001', state: 'active' });
};
const allowAll = [entry(100, false, 'allow', '0.0.0.0/0'), entry(100, true, 'allow', '0.0.0.0/0')];
const instAcl = 'acl-0inst00000000001';
const vpceAcl = 'acl-0vpce00000000001';
const natAcl = 'acl-0nat000000000001';
const region = `--region ${IDS.region}$`;
const create = (acl: string, n: number, ports: string, dir: 'ingress' | 'egress', cidr: string) =>
  new RegExp(
    `^aws ec2 create-network-acl-entry --network-acl-id ${acl} --rule-number ${n} --protocol tcp --port-range ${ports} --${dir} --${cidr.includes(':') ? 'ipv6-' : ''}cidr-block ${cidr.replace(/\./g, '\\.')} --rule-action allow ${region}`,
  );
const ids = `${IDS.vpce.ssm}, ${IDS.vpce.ssmmessages}, ${IDS.vpce.ec2messages} \\(ssm, ssmmessages, ec2messages\\)`;

checkCases('network-acl', [
  {
    name: "endpoints in the instance's own subnet: ACLs do not apply, and are not even read",
    facts: factsWith((f) => void (vpcOf(f).networkAcls = denied('ec2:DescribeNetworkAcls', 'UnauthorizedOperation'))),
    status: 'pass',
    message: new RegExp(`^${ids} are in ${IDS.subnet}, the instance's own subnet: network ACLs apply only when traffic leaves a subnet$`),
  },
  {
    name: 'endpoints in another subnet under the default ACL pass',
    facts: factsWith(elsewhere),
    status: 'pass',
    message: new RegExp(
      `${ids}: ${IDS.nacl} \\(${IDS.subnet}\\), ${IDS.nacl} \\(${IDS.otherSubnet}\\) allow TCP 443 from 10\\.0\\.1\\.12 to ${IDS.otherSubnet} and the replies to Linux's ephemeral ports 32768-60999`,
    ),
  },
  {
    name: "a deny above the allow on the instance's inbound return ports fails, naming the rule, and the fix goes just below it",
    facts: factsWith((f) => {
      elsewhere(f);
      ownAcl(f, instAcl, IDS.subnet, entry(90, false, 'deny', '10.0.2.0/24', [1024, 65535]), ...allowAll);
    }),
    status: 'fail',
    message: new RegExp(
      `${instAcl} \\(${IDS.subnet}\\): rule 90 denies inbound TCP 32768-60999 from 10\\.0\\.2\\.0/24 \\(replies to Linux's ephemeral ports 32768-60999\\)`,
    ),
    messageJa: /ルール 90 が 10\.0\.2\.0\/24 からのインバウンド TCP 32768-60999/,
    commands: [create(instAcl, 80, 'From=1024,To=65535', 'ingress', '10.0.2.0/24')],
    verify: (r) => {
      expect(r.fix?.steps[0]?.text.en).toBe(
        `VPC → Network ACLs → select ${instAcl} → Inbound rules → Edit inbound rules → Add new rule: Rule number 80, Type Custom TCP, Port range 1024-65535, Source 10.0.2.0/24, Allow → Save changes`,
      );
      expect(r.fix?.steps[0]?.text.ja).toContain(
        '「VPC」→「ネットワーク ACL」→ acl-0inst00000000001 を選択 →「インバウンドルール」→「インバウンドルールを編集」',
      );
    },
  },
  {
    name: "the endpoint subnet's ACL without an outbound rule for the replies fails: only the * rule matches",
    facts: factsWith((f) => {
      elsewhere(f);
      ownAcl(
        f,
        vpceAcl,
        IDS.otherSubnet,
        entry(100, false, 'allow', '10.0.0.0/16', [443, 443]),
        entry(100, true, 'allow', '10.0.0.0/16', [443, 443]),
      );
    }),
    status: 'fail',
    message: new RegExp(
      `${vpceAcl} \\(${IDS.otherSubnet}\\): no rule allows outbound TCP 32768-60999 to 10\\.0\\.1\\.12 \\(replies to Linux's ephemeral ports 32768-60999\\), so the final \\* rule denies it`,
    ),
    // Admits the instance's whole subnet, after the last rule: only the * rule denies.
    commands: [create(vpceAcl, 110, 'From=1024,To=65535', 'egress', '10.0.1.0/24')],
  },
  {
    name: "the endpoint subnet's ACL refusing HTTPS from the instance fails with an inbound rule",
    facts: factsWith((f) => {
      elsewhere(f);
      ownAcl(f, vpceAcl, IDS.otherSubnet, entry(100, false, 'allow', '10.0.2.0/24'), entry(100, true, 'allow', '0.0.0.0/0'));
    }),
    status: 'fail',
    message: /no rule allows inbound TCP 443 from 10\.0\.1\.12 \(the agent's HTTPS requests\)/,
    commands: [create(vpceAcl, 110, 'From=443,To=443', 'ingress', '10.0.1.0/24')],
  },
  {
    name: 'return ports opened only up to 49151 leave part of the Linux range closed: warn',
    facts: factsWith((f) => {
      elsewhere(f);
      ownAcl(f, instAcl, IDS.subnet, entry(100, false, 'allow', '0.0.0.0/0', [1024, 49151]), entry(100, true, 'allow', '0.0.0.0/0'));
    }),
    status: 'warn',
    message:
      /blocks part of inbound TCP 32768-60999 from 10\.0\.2\.0\/24 .*: no rule allows TCP 49152-60999 from 10\.0\.2\.0\/24 \(the final \* rule denies it\); connections that fall on the blocked/,
    commands: [create(instAcl, 110, 'From=1024,To=65535', 'ingress', '10.0.2.0/24')],
  },
  {
    name: 'the same ACL blocks a Windows instance completely: its ports are 49152-65535',
    facts: factsWith((f) => {
      elsewhere(f);
      instanceOf(f).platform = 'windows';
      ownAcl(f, instAcl, IDS.subnet, entry(100, false, 'allow', '0.0.0.0/0', [1024, 49151]), entry(100, true, 'allow', '0.0.0.0/0'));
    }),
    status: 'fail',
    message: /no rule allows inbound TCP 49152-65535 from 10\.0\.2\.0\/24 \(replies to Windows' dynamic ports 49152-65535\)/,
  },
  {
    name: 'IPv6 rules do not let IPv4 traffic through',
    facts: factsWith((f) => {
      elsewhere(f);
      ownAcl(f, instAcl, IDS.subnet, entry(100, false, 'allow', '::/0'), entry(100, true, 'allow', '::/0'));
    }),
    status: 'fail',
    commands: [
      create(instAcl, 110, 'From=443,To=443', 'egress', '10.0.2.0/24'),
      create(instAcl, 110, 'From=1024,To=65535', 'ingress', '10.0.2.0/24'),
    ],
  },
  {
    name: 'endpoints in two subnets, one of them closed: warn, DNS hands out both addresses',
    facts: factsWith((f) => {
      endpoints(f).forEach((e) => (e.subnetIds = [IDS.subnet, IDS.otherSubnet]));
      ownAcl(f, vpceAcl, IDS.otherSubnet);
    }),
    status: 'warn',
    message: /DNS hands out every subnet's address, so some connections fail/,
  },
  {
    name: "over a NAT gateway: the instance subnet's ACL must let 443 out to the internet",
    facts: factsWith((f) => {
      natPath(f);
      ownAcl(f, instAcl, IDS.subnet, entry(100, false, 'allow', '0.0.0.0/0'), entry(100, true, 'allow', '10.0.0.0/16'));
    }),
    status: 'fail',
    message: new RegExp(
      `^ssm, ssmmessages, ec2messages over the internet path: ${instAcl} \\(${IDS.subnet}\\): no rule allows outbound TCP 443 to the internet`,
    ),
    commands: [create(instAcl, 110, 'From=443,To=443', 'egress', '0.0.0.0/0')],
  },
  {
    name: "over a NAT gateway: the NAT subnet's ACL must take back the replies on 1024-65535",
    facts: factsWith((f) => {
      natPath(f);
      ownAcl(f, natAcl, IDS.publicSubnet, entry(100, false, 'allow', '10.0.0.0/16'), entry(100, true, 'allow', '0.0.0.0/0'));
    }),
    status: 'fail',
    message: new RegExp(
      `${natAcl} \\(${IDS.publicSubnet}\\): no rule allows inbound TCP 1024-65535 from the internet \\(replies to the NAT gateway's ports 1024-65535\\)`,
    ),
    commands: [create(natAcl, 110, 'From=1024,To=65535', 'ingress', '0.0.0.0/0')],
  },
  {
    name: "over a NAT gateway: the NAT subnet's ACL must admit the instance's 443 in",
    facts: factsWith((f) => {
      natPath(f);
      ownAcl(f, natAcl, IDS.publicSubnet, entry(100, false, 'allow', '192.168.0.0/16'), entry(100, true, 'allow', '0.0.0.0/0'));
    }),
    status: 'fail',
    message: new RegExp(`${natAcl} \\(${IDS.publicSubnet}\\): no rule allows inbound TCP 443 from 10\\.0\\.1\\.12`),
    commands: [
      create(natAcl, 110, 'From=443,To=443', 'ingress', '10.0.1.0/24'),
      create(natAcl, 120, 'From=1024,To=65535', 'ingress', '0.0.0.0/0'),
    ],
  },
  {
    name: "over a NAT gateway: the NAT subnet's ACL must let 443 on to the internet and the replies back to the instance",
    facts: factsWith((f) => {
      natPath(f);
      ownAcl(f, natAcl, IDS.publicSubnet, entry(100, false, 'allow', '0.0.0.0/0'), entry(100, true, 'allow', '10.0.0.0/16', [1024, 65535]));
    }),
    status: 'fail',
    message: new RegExp(`${natAcl} \\(${IDS.publicSubnet}\\): no rule allows outbound TCP 443 to the internet`),
  },
  {
    name: "over a NAT gateway whose subnet's ACL was not collected: unknown, naming the call",
    facts: factsWith((f) => {
      natPath(f);
      for (const a of acls(f)) a.subnetIds = a.subnetIds.filter((s) => s !== IDS.publicSubnet);
    }),
    status: 'unknown',
    message: new RegExp(`ec2:DescribeNetworkAcls .*${IDS.publicSubnet}`),
  },
  {
    name: 'over a NAT gateway with the default ACL everywhere: pass',
    facts: factsWith(natPath),
    status: 'pass',
    message: new RegExp(`over the internet path: ${IDS.nacl} \\(${IDS.subnet}\\), ${IDS.nacl} \\(${IDS.publicSubnet}\\) allow TCP 443 out`),
  },
  {
    name: 'a block list that denies some public addresses warns and is not overridden',
    facts: factsWith((f) => {
      natPath(f);
      ownAcl(f, instAcl, IDS.subnet, entry(50, true, 'deny', '198.51.100.0/24'), ...allowAll);
    }),
    status: 'warn',
    message:
      /blocks part of outbound TCP 443 to the internet .*rule 50 denies TCP 443 to 198\.51\.100\.0\/24.*check that they are not among the denied ones/,
    commands: [],
    verify: (r) => expect(r.fix!.steps.map((s) => s.key)).toEqual([`nacl-review:${instAcl}:egress:50`]),
  },
  {
    name: 'a closed subnet for a separate ec2messages endpoint only warns for an agent that no longer needs it',
    facts: factsWith((f) => {
      endpoints(f).find((e) => e.endpointId === IDS.vpce.ec2messages)!.subnetIds = [IDS.otherSubnet];
      ownAcl(f, vpceAcl, IDS.otherSubnet);
    }),
    status: 'warn',
    message: /\(ec2messages\): .*sessions work without ec2messages/,
  },
  {
    name: 'centralised endpoints: the ACL must let 443 out to the range routed toward the hub',
    facts: factsWith((f) => {
      centralised(f);
      ownAcl(f, instAcl, IDS.subnet, entry(100, false, 'allow', '0.0.0.0/0'), entry(100, true, 'allow', '10.0.0.0/16'));
    }),
    status: 'fail',
    message:
      /^ssm, ssmmessages, ec2messages through centralised endpoints in another VPC: acl-0inst00000000001 \(subnet-0aaa1111bbbb2222c\): no rule allows outbound TCP 443 to 10\.100\.0\.0\/16 \(toward the shared endpoints\)/,
    commands: [create(instAcl, 110, 'From=443,To=443', 'egress', '10.100.0.0/16')],
  },
  {
    name: 'centralised endpoints under the default ACL pass',
    facts: factsWith(centralised),
    status: 'pass',
    message: /through centralised endpoints in another VPC: acl-0default00000001 \(subnet-0aaa1111bbbb2222c\) allow TCP 443 out/,
  },
  {
    name: 'no path at all is left to network-route',
    facts: factsWith((f) => void (vpcOf(f).endpoints = known([]))),
    status: 'skip',
    message: /see network-route/,
  },
  {
    name: "IPv6-only instance: the default ACL's ::/0 entries let its IPv6 traffic to the dual-stack endpoints through",
    facts: factsWith(ipv6Only),
    status: 'pass',
    message: new RegExp(`allow TCP 443 from ${V6.instance} to ${IDS.otherSubnet} and the replies`),
  },
  {
    name: 'IPv6-only instance: an ACL with IPv4 entries only drops its traffic; the fix adds IPv6 entries with --ipv6-cidr-block',
    facts: factsWith((f) => {
      ipv6Only(f);
      ownAcl(f, instAcl, IDS.subnet, ...allowAll);
    }),
    status: 'fail',
    message: new RegExp(
      `${instAcl} \\(${IDS.subnet}\\): no rule allows outbound TCP 443 to ${V6.otherSubnet} \\(the agent's HTTPS requests\\), so the final \\* rule denies it.*${IDS.instance} has only IPv6 addresses`,
    ),
    messageJa: /IPv6 の ACL エントリ \(Ipv6CidrBlock\) だけです/,
    commands: [
      create(instAcl, 110, 'From=443,To=443', 'egress', V6.otherSubnet),
      create(instAcl, 110, 'From=1024,To=65535', 'ingress', V6.otherSubnet),
    ],
  },
  {
    name: "IPv6-only instance: the IPv6 catch-all (rule 32768) reads as the final * rule, and the endpoint subnet's ACL must admit the instance's IPv6 subnet",
    facts: factsWith((f) => {
      ipv6Only(f);
      ownAcl(f, vpceAcl, IDS.otherSubnet, ...allowAll, entry(32768, false, 'deny', '::/0'), entry(32768, true, 'deny', '::/0'));
    }),
    status: 'fail',
    message: new RegExp(`${vpceAcl} \\(${IDS.otherSubnet}\\): no rule allows inbound TCP 443 from ${V6.instance} .*final \\* rule`),
    commands: [
      create(vpceAcl, 110, 'From=443,To=443', 'ingress', V6.subnet),
      create(vpceAcl, 110, 'From=1024,To=65535', 'egress', V6.subnet),
    ],
  },
  {
    name: 'IPv6-only instance: an IPv6 deny above the allow is named by its number',
    facts: factsWith((f) => {
      ipv6Only(f);
      ownAcl(
        f,
        instAcl,
        IDS.subnet,
        entry(90, true, 'deny', '::/0', [443, 443]),
        entry(100, true, 'allow', '::/0'),
        entry(100, false, 'allow', '::/0'),
      );
    }),
    status: 'fail',
    message: /rule 90 denies outbound TCP 443 to 2600:1f18:1:101::\/64/,
  },
  {
    name: 'IPv6-only instance over NAT64: its IPv6 traffic out and the NAT subnet pass under IPv6 and IPv4 entries',
    facts: factsWith((f) => {
      ipv6Only(f);
      natPath(f);
    }),
    status: 'pass',
    message: /over the internet path/,
  },
  {
    name: 'IPv6-only instance over NAT64 with IPv4 entries only: the fix opens ::/0',
    facts: factsWith((f) => {
      ipv6Only(f);
      natPath(f);
      ownAcl(f, instAcl, IDS.subnet, ...allowAll);
    }),
    status: 'fail',
    commands: [create(instAcl, 110, 'From=443,To=443', 'egress', '::/0'), create(instAcl, 110, 'From=1024,To=65535', 'ingress', '::/0')],
  },
  {
    name: 'IPv6-only instance whose IPv6 address is not in the facts (an older facts file) is unknown',
    facts: factsWith((f) => {
      ipv6Only(f);
      delete instanceOf(f).ipv6Addresses;
    }),
    status: 'unknown',
    message: /has no IPv6 address in the facts/,
  },
  {
    name: 'a dual-stack instance keeps the IPv4 verdict: IPv4 entries are enough',
    facts: factsWith((f) => {
      elsewhere(f);
      instanceOf(f).ipv6Addresses = [V6.instance];
      value(vpcOf(f).subnets).forEach((x) => (x.ipv6Cidrs = [V6.subnet]));
      ownAcl(f, instAcl, IDS.subnet, ...allowAll);
    }),
    status: 'pass',
    message: /from 10\.0\.1\.12 to/,
  },
  {
    name: 'denied DescribeNetworkAcls is unknown when traffic crosses a subnet boundary',
    facts: factsWith((f) => {
      elsewhere(f);
      vpcOf(f).networkAcls = denied('ec2:DescribeNetworkAcls', 'UnauthorizedOperation');
    }),
    status: 'unknown',
    message: /ec2:DescribeNetworkAcls was denied \(UnauthorizedOperation\)/,
  },
  {
    name: 'ACLs missing from an old facts file are unknown, not assumed open',
    facts: factsWith((f) => {
      elsewhere(f);
      delete vpcOf(f).networkAcls;
    }),
    status: 'unknown',
    message: /ec2:DescribeNetworkAcls was not read: these facts come from an older version/,
  },
  {
    name: 'a subnet that no collected ACL lists is unknown',
    facts: factsWith((f) => {
      elsewhere(f);
      acls(f)[0]!.subnetIds = [IDS.subnet];
    }),
    status: 'unknown',
    message: new RegExp(`no collected network ACL is associated with ${IDS.otherSubnet}`),
  },
]);
