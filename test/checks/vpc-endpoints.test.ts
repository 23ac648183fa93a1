import { checkCases } from '../helpers/check-tester';
import { IDS, denied, factsWith, vpcOf, natRoute } from '../helpers/facts';
import { known, type Endpoint, type Fact, type Facts, type ManagedInstance } from '../../src/facts/schema';

const value = <T>(fact: Fact<T>): T => {
  if (!fact.known) throw new Error('fact is unknown');
  return fact.value;
};
const endpoints = (f: Facts) => value(vpcOf(f).endpoints);
const endpoint = (f: Facts, svc: keyof typeof IDS.vpce): Endpoint => endpoints(f).find((e) => e.endpointId === IDS.vpce[svc])!;
const drop = (f: Facts, ...svcs: (keyof typeof IDS.vpce)[]) =>
  void (vpcOf(f).endpoints = known(endpoints(f).filter((e) => !svcs.some((s) => e.endpointId === IDS.vpce[s]))));
const agent = (f: Facts, patch: Partial<ManagedInstance>) => {
  const m = value(f.managedInstances);
  m[IDS.instance] = { ...m[IDS.instance]!, ...patch };
};
const withNat = natRoute;

const region = `--region ${IDS.region}$`;
const create = (svc: string, sg: string) =>
  new RegExp(
    `^aws ec2 create-vpc-endpoint --vpc-id ${IDS.vpc} --vpc-endpoint-type Interface --service-name com\\.amazonaws\\.${IDS.region}\\.${svc} --subnet-ids ${IDS.subnet} --security-group-ids ${sg} --private-dns-enabled ${region}`,
  );
const newSg = '"\\$SG_ID"';

checkCases('vpc-endpoints', [
  {
    name: 'all three available endpoints pass',
    facts: factsWith(() => {}),
    status: 'pass',
    message: new RegExp(
      `${IDS.vpce.ssm} \\(ssm\\), ${IDS.vpce.ssmmessages} \\(ssmmessages\\), ${IDS.vpce.ec2messages} \\(ec2messages\\) are available in ${IDS.vpc}`,
    ),
  },
  {
    name: 'no endpoints and no way out fails with the guide step 4: a security group, then the three endpoints',
    facts: factsWith((f) => drop(f, 'ssm', 'ssmmessages', 'ec2messages')),
    status: 'fail',
    message: new RegExp(
      `${IDS.vpc} has no available interface endpoint for com\\.amazonaws\\.${IDS.region}\\.ssm, .*ssmmessages, .*ec2messages, and ${IDS.instance} has no other way out: route table ${IDS.privateRt}`,
    ),
    commands: [
      new RegExp(
        `^SG_ID=\\$\\(aws ec2 create-security-group --group-name ssm-endpoints-${IDS.vpc} .*--vpc-id ${IDS.vpc} --query GroupId --output text --region ${IDS.region}\\)$`,
      ),
      new RegExp(
        `^aws ec2 authorize-security-group-ingress --group-id "\\$SG_ID" --protocol tcp --port 443 --source-group ${IDS.instanceSg} ${region}`,
      ),
      create('ssm', newSg),
      create('ssmmessages', newSg),
      create('ec2messages', newSg),
    ],
    verify: (r) => {
      const [sg, ...rest] = r.fix!.steps;
      expect(sg?.key).toBe('endpoint-sg-create');
      expect(sg?.text.ja).toContain('「VPC」→「セキュリティグループ」→「セキュリティグループを作成」');
      expect(sg?.text.en).toContain(`Type HTTPS (TCP 443), Source ${IDS.instanceSg}`);
      expect(rest.map((s) => s.key)).toEqual([
        'endpoint-create:ssm',
        'endpoint-create:ssmmessages',
        'endpoint-create:ec2messages',
        'endpoint-settle',
      ]);
      expect(rest[0]?.text.en).toMatch(/every Availability Zone you select is billed/);
      expect(rest[3]?.text.ja).toMatch(/時間をおいて/);
    },
  },
  {
    name: 'a missing ssmmessages fails, and the security group already on the other endpoints is reused',
    facts: factsWith((f) => drop(f, 'ssmmessages')),
    status: 'fail',
    message: new RegExp(`no available interface endpoint for com\\.amazonaws\\.${IDS.region}\\.ssmmessages, and`),
    commands: [create('ssmmessages', IDS.endpointSg)],
    verify: (r) =>
      expect(r.fix!.steps.map((s) => s.key)).toEqual([
        `endpoint-sg-reuse:${IDS.endpointSg}`,
        'endpoint-create:ssmmessages',
        'endpoint-settle',
      ]),
  },
  {
    name: 'the default group on the existing endpoints is not reused: a new group is created',
    facts: factsWith((f) => {
      drop(f, 'ssmmessages');
      endpoints(f).forEach((e) => (e.groupIds = [IDS.defaultSg]));
    }),
    status: 'fail',
    commands: [/create-security-group/, /authorize-security-group-ingress/, create('ssmmessages', newSg)],
  },
  {
    name: 'a missing ec2messages alone only warns for agent 3.3.40.0 or later on Linux',
    facts: factsWith((f) => drop(f, 'ec2messages')),
    status: 'warn',
    message: /ec2messages: sessions work without it, because agent 3\.3\.1802\.0 on Amazon Linux 2023 uses ssmmessages instead/,
    commands: [create('ec2messages', IDS.endpointSg)],
  },
  {
    name: 'the version is compared field by field: 3.3.40.0 itself is enough',
    facts: factsWith((f) => {
      drop(f, 'ec2messages');
      agent(f, { agentVersion: '3.3.40.0' });
    }),
    status: 'warn',
  },
  {
    name: 'a missing ec2messages fails for an agent older than 3.3.40.0',
    facts: factsWith((f) => {
      drop(f, 'ec2messages');
      agent(f, { agentVersion: '3.3.9.0' });
    }),
    status: 'fail',
    message: /agent 3\.3\.9\.0 is older than 3\.3\.40\.0/,
  },
  {
    name: 'a missing ec2messages fails on Windows Server 2012 R2 whatever the agent version',
    facts: factsWith((f) => {
      drop(f, 'ec2messages');
      agent(f, { platformType: 'Windows', platformName: 'Microsoft Windows Server 2012 R2 Standard', platformVersion: '6.3.9600' });
    }),
    status: 'fail',
    message: /Windows Server 2012 R2/,
  },
  {
    name: 'a missing ec2messages fails when the agent is not registered (version unknown)',
    facts: factsWith((f) => {
      drop(f, 'ec2messages');
      f.managedInstances = known({});
    }),
    status: 'fail',
    message: /agent version is not known/,
  },
  {
    name: 'skip when a NAT gateway is the way out; existing endpoints are left to the other checks',
    facts: factsWith((f) => {
      drop(f, 'ssm', 'ssmmessages', 'ec2messages');
      withNat(f);
    }),
    status: 'skip',
    message: new RegExp(`over route table ${IDS.privateRt}.*${IDS.nat}.*still checked by the other checks`),
  },
  {
    name: 'an endpoint in state failed counts as missing: delete it, then create it again',
    facts: factsWith((f) => void (endpoint(f, 'ssm').state = 'failed')),
    status: 'fail',
    message: new RegExp(`com\\.amazonaws\\.${IDS.region}\\.ssm \\(${IDS.vpce.ssm} is failed\\)`),
    commands: [new RegExp(`^aws ec2 delete-vpc-endpoints --vpc-endpoint-ids ${IDS.vpce.ssm} ${region}`), create('ssm', IDS.endpointSg)],
  },
  {
    name: 'a pending endpoint counts as missing, and the fix is to wait',
    facts: factsWith((f) => void (endpoint(f, 'ssmmessages').state = 'pendingAcceptance')),
    status: 'fail',
    message: new RegExp(`${IDS.vpce.ssmmessages} is pendingAcceptance`),
    commands: [],
  },
  {
    name: 'the state is compared case-insensitively (the API enum says Available)',
    facts: factsWith((f) => endpoints(f).forEach((e) => (e.state = 'Available'))),
    status: 'pass',
  },
  {
    name: 'look-alike services do not count: ssm-incidents is not ssm, a Gateway endpoint is not an interface endpoint',
    facts: factsWith((f) => {
      endpoint(f, 'ssm').serviceName = `com.amazonaws.${IDS.region}.ssm-incidents`;
      endpoint(f, 'ssmmessages').type = 'Gateway';
    }),
    status: 'fail',
    message: /\.ssm, com\.amazonaws\.ap-northeast-1\.ssmmessages, and/,
  },
  {
    name: "an endpoint for another region's service does not count",
    facts: factsWith((f) => void (endpoint(f, 'ssm').serviceName = 'com.amazonaws.us-east-1.ssm')),
    status: 'fail',
  },
  {
    name: 'a transit gateway way out cannot be verified: warn with the plan',
    facts: factsWith((f) => {
      drop(f, 'ssm', 'ssmmessages', 'ec2messages');
      value(vpcOf(f).routeTables)
        .find((rt) => rt.routeTableId === IDS.privateRt)!
        .routes.push({ destination: '0.0.0.0/0', target: 'tgw-0aaaa00000000001', state: 'active' });
      agent(f, { pingStatus: 'ConnectionLost' });
    }),
    status: 'warn',
    message: /cannot be verified from here .*tgw-0aaaa00000000001/,
    commands: [/create-security-group/, /authorize/, create('ssm', newSg), create('ssmmessages', newSg), create('ec2messages', newSg)],
  },
  {
    name: 'denied DescribeVpcEndpoints is unknown and names the call',
    facts: factsWith((f) => void (vpcOf(f).endpoints = denied('ec2:DescribeVpcEndpoints', 'UnauthorizedOperation'))),
    status: 'unknown',
    message: /ec2:DescribeVpcEndpoints was denied \(UnauthorizedOperation\)/,
  },
  {
    name: 'denied DescribeRouteTables is unknown when endpoints are missing',
    facts: factsWith((f) => {
      drop(f, 'ssm');
      vpcOf(f).routeTables = denied('ec2:DescribeRouteTables');
    }),
    status: 'unknown',
    message: /ec2:DescribeRouteTables was denied/,
  },
]);

const zone = (name: string, hostedZoneId: string) => ({ name, hostedZoneId, owningAccount: '111122223333' });
const hubRoute = (f: Facts) =>
  value(vpcOf(f).routeTables)
    .find((rt) => rt.routeTableId === IDS.privateRt)!
    .routes.push({ destination: '10.100.0.0/16', target: 'tgw-0hub000000000001', state: 'active' });

describe('centralised endpoints', () =>
  checkCases('vpc-endpoints', [
    {
      name: 'zones for every missing service: skip, the endpoints live in another VPC',
      facts: factsWith((f) => {
        drop(f, 'ssm', 'ssmmessages', 'ec2messages');
        vpcOf(f).hostedZones = known([zone(`${IDS.region}.amazonaws.com.`, 'Z0REGION')]);
      }),
      status: 'skip',
      message: new RegExp(
        `^the endpoints for ssm, ssmmessages, ec2messages are centralised in another VPC: Route 53 private hosted zone ${IDS.region}\\.amazonaws\\.com\\. \\(Z0REGION, account 111122223333\\) associated with ${IDS.vpc}`,
      ),
    },
    {
      name: 'zones for ssm and ssmmessages only: the missing ec2messages is judged as usual, and the zones are named',
      facts: factsWith((f) => {
        drop(f, 'ssm', 'ssmmessages', 'ec2messages');
        vpcOf(f).hostedZones = known([
          zone(`ssm.${IDS.region}.amazonaws.com.`, 'Z0SSM'),
          zone(`ssmmessages.${IDS.region}.amazonaws.com.`, 'Z0MSG'),
        ]);
      }),
      status: 'warn',
      message:
        /no available interface endpoint for com\.amazonaws\.ap-northeast-1\.ec2messages \(ssm, ssmmessages through centralised endpoints: .*Z0SSM.*\): sessions work without it/,
      commands: [/create-security-group/, /authorize-security-group-ingress/, create('ec2messages', newSg)],
    },
    {
      name: 'a route toward another VPC with the zones unread is unknown',
      facts: factsWith((f) => {
        drop(f, 'ssm', 'ssmmessages', 'ec2messages');
        hubRoute(f);
        vpcOf(f).hostedZones = denied('route53:ListHostedZonesByVPC');
      }),
      status: 'unknown',
      message: /route53:ListHostedZonesByVPC was denied/,
    },
    {
      name: 'a route toward another VPC and no steering zone: fail as before',
      facts: factsWith((f) => {
        drop(f, 'ssm', 'ssmmessages', 'ec2messages');
        hubRoute(f);
        vpcOf(f).hostedZones = known([]);
      }),
      status: 'fail',
    },
  ]));
