import { checkCases, resultOf } from '../helpers/check-tester';
import { IDS, denied, factsWith, instanceOf, vpcOf } from '../helpers/facts';
import { known, type Fact, type Facts, type RouteTable } from '../../src/facts/schema';

const value = <T>(fact: Fact<T>): T => {
  if (!fact.known) throw new Error('fact is unknown');
  return fact.value;
};
const table = (f: Facts, id: string): RouteTable => value(vpcOf(f).routeTables).find((rt) => rt.routeTableId === id)!;
const noEndpoints = (f: Facts) => void (vpcOf(f).endpoints = known([]));
const defaultRoute = (f: Facts, target: string, state = 'active') =>
  table(f, IDS.privateRt).routes.push({ destination: '0.0.0.0/0', target, state });
const nat = (f: Facts, state = 'available', connectivityType = 'public') =>
  void (vpcOf(f).natGateways = known([{ natGatewayId: IDS.nat, state, connectivityType, subnetId: IDS.publicSubnet }]));
const ping = (f: Facts, pingStatus: string) => {
  const m = value(f.managedInstances);
  m[IDS.instance] = { ...m[IDS.instance], pingStatus };
};

const region = `--region ${IDS.region}$`;
const endpointPlan = [
  new RegExp(
    `^SG_ID=\\$\\(aws ec2 create-security-group --group-name ssm-endpoints-${IDS.vpc} --description '[^']+' --vpc-id ${IDS.vpc} --query GroupId --output text --region ${IDS.region}\\)$`,
  ),
  new RegExp(
    `^aws ec2 authorize-security-group-ingress --group-id "\\$SG_ID" --protocol tcp --port 443 --source-group ${IDS.instanceSg} ${region}`,
  ),
  ...['ssm', 'ssmmessages', 'ec2messages'].map(
    (svc) =>
      new RegExp(
        `^aws ec2 create-vpc-endpoint --vpc-id ${IDS.vpc} --vpc-endpoint-type Interface --service-name com\\.amazonaws\\.${IDS.region}\\.${svc} --subnet-ids ${IDS.subnet} --security-group-ids "\\$SG_ID" --private-dns-enabled ${region}`,
      ),
  ),
];

checkCases('network-route', [
  {
    name: 'the three endpoints in the VPC pass, naming them and the route table',
    facts: factsWith(() => {}),
    status: 'pass',
    message: new RegExp(`${IDS.vpce.ssm}, ${IDS.vpce.ssmmessages} in ${IDS.vpc}.*${IDS.privateRt} \\(associated with ${IDS.subnet}\\)`),
  },
  {
    name: "the guide's starting point (private subnet, no NAT, no endpoints) fails with the endpoint plan and the NAT alternative",
    facts: factsWith(noEndpoints),
    status: 'fail',
    message: new RegExp(`${IDS.privateRt} \\(associated with ${IDS.subnet}\\): no 0\\.0\\.0\\.0/0 route.*NAT gateway`),
    messageJa: /0\.0\.0\.0\/0 のルートなし.*NAT ゲートウェイ/,
    commands: endpointPlan,
    verify: (r) => {
      expect(r.fix!.steps.map((s) => s.key)).toEqual([
        'endpoint-sg-create',
        'endpoint-create:ssm',
        'endpoint-create:ssmmessages',
        'endpoint-create:ec2messages',
        'endpoint-settle',
      ]);
      expect(r.fix?.steps[1]?.text.ja).toContain('「VPC」→「エンドポイント」→「エンドポイントを作成」');
      expect(r.fix?.steps[1]?.text.en).toContain(`only ${IDS.subnet} (${IDS.az})`);
    },
  },
  {
    name: 'no endpoints but 0.0.0.0/0 to an available public NAT gateway passes',
    facts: factsWith((f) => {
      noEndpoints(f);
      defaultRoute(f, IDS.nat);
      nat(f);
    }),
    status: 'pass',
    message: new RegExp(`ssm, ssmmessages over route table ${IDS.privateRt}.*0\\.0\\.0\\.0/0 → ${IDS.nat} \\(available, public\\)`),
  },
  {
    name: 'a public NAT gateway placed in a subnet with no route to the internet gateway fails, naming that subnet and its table',
    facts: factsWith((f) => {
      noEndpoints(f);
      defaultRoute(f, IDS.nat);
      nat(f);
      // The NAT gateway was created in the private subnet: its table routes nowhere outside the VPC.
      value(vpcOf(f).natGateways)[0]!.subnetId = IDS.otherSubnet;
    }),
    status: 'fail',
    message: new RegExp(
      `${IDS.nat} \\(available, public\\), but the NAT gateway sits in ${IDS.otherSubnet}, whose route table ${IDS.privateRt} has no active route to an attached internet gateway`,
    ),
    messageJa: new RegExp(`NAT ゲートウェイは ${IDS.otherSubnet} にあり`),
    commands: endpointPlan,
  },
  {
    name: 'a private NAT gateway is no way out',
    facts: factsWith((f) => {
      noEndpoints(f);
      defaultRoute(f, IDS.nat);
      nat(f, 'available', 'private');
    }),
    status: 'fail',
    message: new RegExp(`${IDS.nat}, a private NAT gateway with no internet access`),
    commands: endpointPlan,
  },
  {
    name: 'a NAT gateway that is not available is no way out',
    facts: factsWith((f) => {
      noEndpoints(f);
      defaultRoute(f, IDS.nat);
      nat(f, 'deleted');
    }),
    status: 'fail',
    message: new RegExp(`${IDS.nat}, which is deleted`),
  },
  {
    name: 'a blackhole default route is no way out',
    facts: factsWith((f) => {
      noEndpoints(f);
      defaultRoute(f, IDS.nat, 'blackhole');
      nat(f);
    }),
    status: 'fail',
    message: new RegExp(`0\\.0\\.0\\.0/0 → ${IDS.nat} is a blackhole route`),
  },
  {
    name: 'an internet gateway route without a public IPv4 fails',
    facts: factsWith((f) => {
      noEndpoints(f);
      instanceOf(f).subnetId = IDS.publicSubnet;
    }),
    status: 'fail',
    message: new RegExp(`${IDS.publicRt}.*→ ${IDS.igw}, but ${IDS.instance} has no public IPv4 address`),
  },
  {
    name: 'an internet gateway route with a public IPv4 passes (the guide: public subnets need only the role)',
    facts: factsWith((f) => {
      noEndpoints(f);
      instanceOf(f).subnetId = IDS.publicSubnet;
      instanceOf(f).publicIp = '203.0.113.10';
    }),
    status: 'pass',
    message: new RegExp(`→ ${IDS.igw}, and ${IDS.instance} has public IPv4 203\\.0\\.113\\.10`),
  },
  {
    name: 'an internet gateway that is not attached is no way out',
    facts: factsWith((f) => {
      noEndpoints(f);
      instanceOf(f).subnetId = IDS.publicSubnet;
      instanceOf(f).publicIp = '203.0.113.10';
      vpcOf(f).internetGateways = known([{ internetGatewayId: IDS.igw, attached: false }]);
    }),
    status: 'fail',
    message: new RegExp(`${IDS.igw} is not attached to ${IDS.vpc}`),
  },
  {
    name: 'a subnet without its own association uses the main table, and the message says so',
    facts: factsWith((f) => {
      noEndpoints(f);
      table(f, IDS.privateRt).subnetIds = [IDS.otherSubnet];
      // The private table's NAT route must not count: the subnet is no longer associated with it.
      defaultRoute(f, IDS.nat);
      nat(f);
    }),
    status: 'fail',
    message: new RegExp(`${IDS.mainRt} \\(the VPC's main table: ${IDS.subnet} has no explicit association\\): no 0\\.0\\.0\\.0/0 route`),
    messageJa: /メインルートテーブル/,
  },
  {
    name: 'the main table with a NAT route passes',
    facts: factsWith((f) => {
      noEndpoints(f);
      table(f, IDS.privateRt).subnetIds = [IDS.otherSubnet];
      table(f, IDS.mainRt).routes.push({ destination: '0.0.0.0/0', target: IDS.nat, state: 'active' });
      nat(f);
    }),
    status: 'pass',
    message: new RegExp(`${IDS.mainRt} \\(the VPC's main table.*→ ${IDS.nat}`),
  },
  {
    name: 'evaluated per service: an ssm endpoint plus ssmmessages over NAT passes',
    facts: factsWith((f) => {
      vpcOf(f).endpoints = known(value(vpcOf(f).endpoints).filter((e) => e.endpointId === IDS.vpce.ssm));
      defaultRoute(f, IDS.nat);
      nat(f);
    }),
    status: 'pass',
    message: new RegExp(
      `ssm through interface endpoint ${IDS.vpce.ssm} in ${IDS.vpc}; ssmmessages over route table ${IDS.privateRt}.*${IDS.nat}`,
    ),
  },
  {
    name: 'an ssm endpoint alone fails for ssmmessages when there is no way out',
    facts: factsWith((f) => {
      vpcOf(f).endpoints = known(value(vpcOf(f).endpoints).filter((e) => e.endpointId === IDS.vpce.ssm));
    }),
    status: 'fail',
    message: new RegExp(
      `no network path for ssmmessages: ${IDS.vpc} has no available interface endpoint for com\\.amazonaws\\.${IDS.region}\\.ssmmessages`,
    ),
    // The existing endpoint's own security group is reused: no new group is created.
    commands: [
      new RegExp(`create-vpc-endpoint .*ssmmessages .*--security-group-ids ${IDS.endpointSg} --private-dns-enabled ${region}`),
      new RegExp(`create-vpc-endpoint .*ec2messages .*--security-group-ids ${IDS.endpointSg} --private-dns-enabled ${region}`),
    ],
  },
  {
    name: 'an endpoint that is not available does not count, and its state is named',
    facts: factsWith((f) => {
      value(vpcOf(f).endpoints).find((e) => e.endpointId === IDS.vpce.ssmmessages)!.state = 'pending';
    }),
    status: 'fail',
    message: new RegExp(`ssmmessages \\(${IDS.vpce.ssmmessages} is pending\\)`),
    commands: [],
    verify: (r) => expect(r.fix!.steps.map((s) => s.key)).toEqual([`endpoint-wait:${IDS.vpce.ssmmessages}`]),
  },
  {
    name: 'a look-alike service (ssm-contacts) is not an ssm endpoint',
    facts: factsWith((f) => {
      value(vpcOf(f).endpoints).find((e) => e.endpointId === IDS.vpce.ssm)!.serviceName = `com.amazonaws.${IDS.region}.ssm-contacts`;
    }),
    status: 'fail',
    message: /no network path for ssm:/,
  },
  {
    name: 'a default route to a transit gateway cannot be verified: warn, naming the target',
    facts: factsWith((f) => {
      noEndpoints(f);
      defaultRoute(f, 'tgw-0aaaa00000000001');
      ping(f, 'ConnectionLost');
    }),
    status: 'warn',
    message: /0\.0\.0\.0\/0 → tgw-0aaaa00000000001 \(a transit gateway\).*cannot be verified/,
    verify: (r) => expect(r.fix?.steps[0]?.key).toBe('egress-verify:tgw-0aaaa00000000001'),
  },
  {
    name: 'a transit gateway route passes when the agent is Online through it',
    facts: factsWith((f) => {
      noEndpoints(f);
      defaultRoute(f, 'tgw-0aaaa00000000001');
    }),
    status: 'pass',
    message: /tgw-0aaaa00000000001.*the agent is Online/,
  },
  {
    name: 'Online proves nothing about the route when ssm has its own endpoint',
    facts: factsWith((f) => {
      vpcOf(f).endpoints = known(value(vpcOf(f).endpoints).filter((e) => e.endpointId === IDS.vpce.ssm));
      defaultRoute(f, 'tgw-0aaaa00000000001');
    }),
    status: 'warn',
    message: /ssmmessages over .*tgw-0aaaa00000000001/,
  },
  {
    name: 'a more specific public route can win over 0.0.0.0/0: mixed outcomes are not verifiable',
    facts: factsWith((f) => {
      noEndpoints(f);
      defaultRoute(f, IDS.nat);
      nat(f);
      table(f, IDS.privateRt).routes.push({ destination: '52.0.0.0/8', target: IDS.nat, state: 'blackhole' });
      ping(f, 'ConnectionLost');
    }),
    status: 'warn',
    message: /0\.0\.0\.0\/0 → nat-0aaaa00000000001 \(available, public\); 52\.0\.0\.0\/8 → nat-0aaaa00000000001 is a blackhole route/,
  },
  {
    name: 'denied DescribeRouteTables is unknown when the endpoints do not settle it',
    facts: factsWith((f) => {
      noEndpoints(f);
      vpcOf(f).routeTables = denied('ec2:DescribeRouteTables', 'UnauthorizedOperation');
    }),
    status: 'unknown',
    message: /ec2:DescribeRouteTables was denied \(UnauthorizedOperation\)/,
  },
  {
    name: 'denied DescribeVpcEndpoints is unknown when there is no other way out',
    facts: factsWith((f) => void (vpcOf(f).endpoints = denied('ec2:DescribeVpcEndpoints'))),
    status: 'unknown',
    message: /ec2:DescribeVpcEndpoints was denied/,
  },
  {
    name: 'denied DescribeVpcEndpoints does not matter when a NAT gateway is the way out',
    facts: factsWith((f) => {
      vpcOf(f).endpoints = denied('ec2:DescribeVpcEndpoints');
      defaultRoute(f, IDS.nat);
      nat(f);
    }),
    status: 'pass',
    message: new RegExp(IDS.nat),
  },
  {
    name: 'denied DescribeNatGateways is unknown only when a NAT route needs it',
    facts: factsWith((f) => {
      noEndpoints(f);
      defaultRoute(f, IDS.nat);
      vpcOf(f).natGateways = denied('ec2:DescribeNatGateways');
    }),
    status: 'unknown',
    message: /ec2:DescribeNatGateways was denied/,
  },
]);

const tgw = 'tgw-0hub000000000001';
const hubRoute = (f: Facts) => table(f, IDS.privateRt).routes.push({ destination: '10.100.0.0/16', target: tgw, state: 'active' });
const zone = (name: string, hostedZoneId: string) => ({ name, hostedZoneId, owningAccount: '111122223333' });
const ssmZones = [zone(`ssm.${IDS.region}.amazonaws.com.`, 'Z0SSM'), zone(`ssmmessages.${IDS.region}.amazonaws.com.`, 'Z0MSG')];
const centralised = (f: Facts, zones = ssmZones) => {
  noEndpoints(f);
  vpcOf(f).hostedZones = known(zones);
};

describe('centralised endpoints', () =>
  checkCases('network-route', [
    {
      name: 'zones for ssm and ssmmessages and a route to the hub pass, leaving the hub side to transit-gateway-path',
      facts: factsWith((f) => {
        centralised(f);
        hubRoute(f);
      }),
      status: 'pass',
      message: new RegExp(
        `^${IDS.instance} reaches ssm, ssmmessages through centralised endpoints: Route 53 private hosted zone ssm\\.${IDS.region}\\.amazonaws\\.com\\. \\(Z0SSM, account 111122223333\\), ssmmessages\\.${IDS.region}\\.amazonaws\\.com\\. \\(Z0MSG, account 111122223333\\) associated with ${IDS.vpc} answers for .*, and route table ${IDS.privateRt} \\(associated with ${IDS.subnet}\\) routes 10\\.100\\.0\\.0/16 → ${tgw}; through a transit gateway, transit-gateway-path follows the way to the hub .* and back; past a peering connection .* cannot be verified from here$`,
      ),
      messageJa: /集約されたエンドポイント経由.*ここからは確認できません/,
    },
    {
      name: 'a parent zone (the region under amazonaws.com) steers both names',
      facts: factsWith((f) => {
        centralised(f, [zone(`${IDS.region}.amazonaws.com.`, 'Z0REGION')]);
        hubRoute(f);
      }),
      status: 'pass',
      message: /reaches ssm, ssmmessages through centralised endpoints: .*Z0REGION/,
    },
    {
      name: 'zones without any route toward another VPC warn: the addresses they return are out of reach',
      facts: factsWith((f) => {
        centralised(f);
        ping(f, 'ConnectionLost');
      }),
      status: 'warn',
      message: new RegExp(
        `but route table ${IDS.privateRt} .* has no route to a transit gateway, peering connection or Cloud WAN core network`,
      ),
      commands: [],
      verify: (r) => {
        expect(r.fix!.steps.map((s) => s.key)).toEqual([`central-route:${IDS.privateRt}`]);
        expect(r.fix?.steps[0]?.text.ja).toContain(`「VPC」→「ルートテーブル」→ ${IDS.privateRt} を選択 →「ルート」→「ルートを編集」`);
      },
    },
    {
      name: 'observed beats inferred: no hub route, but the agent is Online and connected',
      facts: factsWith((f) => centralised(f)),
      status: 'pass',
      message: /the agent is Online and connected, so something this tool cannot see/,
    },
    {
      name: 'a zone for ssm only leaves ssmmessages without a path: fail, with the zone named',
      facts: factsWith((f) => {
        centralised(f, [ssmZones[0]!]);
        hubRoute(f);
      }),
      status: 'fail',
      message: /no network path for ssmmessages: .*; ssm through centralised endpoints/,
    },
    {
      name: 'an unrelated zone changes nothing',
      facts: factsWith((f) => centralised(f, [zone('corp.example.internal.', 'Z0CORP')])),
      status: 'fail',
      message: /no network path for ssm, ssmmessages/,
    },
    {
      name: 'a route toward another VPC and no zones read: unknown, naming the call',
      facts: factsWith((f) => {
        noEndpoints(f);
        hubRoute(f);
        vpcOf(f).hostedZones = denied('route53:ListHostedZonesByVPC');
      }),
      status: 'unknown',
      message: /route53:ListHostedZonesByVPC was denied/,
    },
    {
      name: 'zones that were never collected are unknown too when a hub route makes them matter',
      facts: factsWith((f) => {
        noEndpoints(f);
        hubRoute(f);
      }),
      status: 'unknown',
      message: /route53:ListHostedZonesByVPC was not read: these facts come from an older version/,
    },
    {
      name: 'without a route toward another VPC the zones cannot matter: still a failure',
      facts: factsWith((f) => {
        noEndpoints(f);
        vpcOf(f).hostedZones = denied('route53:ListHostedZonesByVPC');
      }),
      status: 'fail',
    },
    {
      name: 'a default route to a transit gateway with zones unread warns and says the zones are not known',
      facts: factsWith((f) => {
        noEndpoints(f);
        defaultRoute(f, tgw);
        ping(f, 'ConnectionLost');
        vpcOf(f).hostedZones = denied('route53:ListHostedZonesByVPC');
      }),
      status: 'warn',
      message:
        /whether a Route 53 private hosted zone sends these names to centralised endpoints is not known \(route53:ListHostedZonesByVPC was denied/,
    },
  ]));

describe('network-route plan', () => {
  it('gives exactly the steps and commands vpc-endpoints gives, so the plan prints them once', () => {
    const f = factsWith(noEndpoints);
    const a = resultOf('network-route', f);
    const b = resultOf('vpc-endpoints', f);
    expect(a.fix).toEqual(b.fix);
  });
});
