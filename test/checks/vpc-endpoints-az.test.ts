import { checkCases } from '../helpers/check-tester';
import { IDS, denied, factsWith, vpcOf } from '../helpers/facts';
import { known, type Endpoint, type Fact, type Facts } from '../../src/facts/schema';

const value = <T>(fact: Fact<T>): T => {
  if (!fact.known) throw new Error('fact is unknown');
  return fact.value;
};
const endpoint = (f: Facts, svc: keyof typeof IDS.vpce): Endpoint => value(vpcOf(f).endpoints).find((e) => e.endpointId === IDS.vpce[svc])!;
const modify = (vpce: string) =>
  new RegExp(`^aws ec2 modify-vpc-endpoint --vpc-endpoint-id ${vpce} --add-subnet-ids ${IDS.subnet} --region ${IDS.region}$`);

checkCases('vpc-endpoints-az', [
  {
    name: "endpoints with a subnet in the instance's AZ pass",
    facts: factsWith(() => {}),
    status: 'pass',
    message: new RegExp(`${IDS.vpce.ssm}, ${IDS.vpce.ssmmessages}, ${IDS.vpce.ec2messages} each have a subnet in ${IDS.az}`),
  },
  {
    name: 'an endpoint only in another AZ warns, with modify-vpc-endpoint for the instance subnet',
    facts: factsWith((f) => void (endpoint(f, 'ssm').subnetIds = [IDS.otherSubnet])),
    status: 'warn',
    message: new RegExp(
      `${IDS.vpce.ssm} \\(ssm\\) is only in ${IDS.otherAz} \\(${IDS.otherSubnet}\\), not in ${IDS.az} where ${IDS.instance} runs: it works across AZs, but at extra data-transfer cost`,
    ),
    messageJa: /データ転送料金/,
    commands: [modify(IDS.vpce.ssm)],
    verify: (r) => {
      expect(r.fix!.steps).toHaveLength(1);
      expect(r.fix!.steps[0]?.text.ja).toContain('「アクション」→「サブネットを管理」');
    },
  },
  {
    name: 'each endpoint outside the AZ gets its own command',
    facts: factsWith((f) =>
      (['ssm', 'ssmmessages', 'ec2messages'] as const).forEach((s) => (endpoint(f, s).subnetIds = [IDS.otherSubnet])),
    ),
    status: 'warn',
    commands: [modify(IDS.vpce.ssm), modify(IDS.vpce.ssmmessages), modify(IDS.vpce.ec2messages)],
  },
  {
    name: "another subnet in the instance's AZ is enough (AZs are compared, not subnets)",
    facts: factsWith((f) => void (endpoint(f, 'ssm').subnetIds = [IDS.publicSubnet, IDS.otherSubnet])),
    status: 'pass',
  },
  {
    name: 'an endpoint that failed is not looked at',
    facts: factsWith((f) => {
      endpoint(f, 'ssm').state = 'failed';
      endpoint(f, 'ssm').subnetIds = [IDS.otherSubnet];
    }),
    status: 'pass',
    message: new RegExp(`^${IDS.vpce.ssmmessages}, ${IDS.vpce.ec2messages} each`),
  },
  {
    name: 'skip when the VPC has no Systems Manager endpoint',
    facts: factsWith((f) => void (vpcOf(f).endpoints = known([]))),
    status: 'skip',
    message: new RegExp(`${IDS.vpc} has no Systems Manager interface endpoint`),
  },
  {
    name: 'denied DescribeSubnets is unknown and names the call',
    facts: factsWith((f) => void (vpcOf(f).subnets = denied('ec2:DescribeSubnets'))),
    status: 'unknown',
    message: /ec2:DescribeSubnets was denied/,
  },
  {
    name: 'denied DescribeVpcEndpoints is unknown',
    facts: factsWith((f) => void (vpcOf(f).endpoints = denied('ec2:DescribeVpcEndpoints'))),
    status: 'unknown',
    message: /ec2:DescribeVpcEndpoints was denied/,
  },
  {
    name: 'an endpoint subnet whose AZ was not collected is unknown, not a guess',
    facts: factsWith((f) => void (endpoint(f, 'ssm').subnetIds = ['subnet-0unknown000000001'])),
    status: 'unknown',
    message: /subnet-0unknown000000001/,
  },
]);
