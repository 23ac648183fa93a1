import { checkCases } from '../helpers/check-tester';
import { IDS, denied, factsWith, vpcOf, natRoute } from '../helpers/facts';
import { known, type Endpoint, type Fact, type Facts } from '../../src/facts/schema';

const value = <T>(fact: Fact<T>): T => {
  if (!fact.known) throw new Error('fact is unknown');
  return fact.value;
};
const endpoint = (f: Facts, svc: keyof typeof IDS.vpce): Endpoint => value(vpcOf(f).endpoints).find((e) => e.endpointId === IDS.vpce[svc])!;
const defaultRoute = (f: Facts, target: string) =>
  value(vpcOf(f).routeTables)
    .find((rt) => rt.routeTableId === IDS.privateRt)!
    .routes.push({ destination: '0.0.0.0/0', target, state: 'active' });
const withNat = natRoute;

const tail = `--region ${IDS.region}$`;
const supportCmd = new RegExp(`^aws ec2 modify-vpc-attribute --vpc-id ${IDS.vpc} --enable-dns-support '\\{"Value":true\\}' ${tail}`);
const hostnamesCmd = new RegExp(`^aws ec2 modify-vpc-attribute --vpc-id ${IDS.vpc} --enable-dns-hostnames '\\{"Value":true\\}' ${tail}`);
const endpointCmd = (vpce: string) => new RegExp(`^aws ec2 modify-vpc-endpoint --vpc-endpoint-id ${vpce} --private-dns-enabled ${tail}`);

checkCases('endpoint-private-dns', [
  {
    name: 'private DNS on and both VPC attributes on pass',
    facts: factsWith(() => {}),
    status: 'pass',
    message: new RegExp(
      `${IDS.vpce.ssm}, ${IDS.vpce.ssmmessages}, ${IDS.vpce.ec2messages} have private DNS on, and ${IDS.vpc} has DNS resolution and DNS hostnames on`,
    ),
  },
  {
    name: 'private DNS off with no other way out fails',
    facts: factsWith((f) => void (endpoint(f, 'ssm').privateDnsEnabled = false)),
    status: 'fail',
    message: new RegExp(
      `${IDS.vpce.ssm} \\(ssm\\) has private DNS off: ssm\\.${IDS.region}\\.amazonaws\\.com resolves to public addresses.*no other way out: route table ${IDS.privateRt}`,
    ),
    commands: [endpointCmd(IDS.vpce.ssm)],
    verify: (r) => expect(r.fix!.steps[0]?.text.ja).toContain('「プライベート DNS 名を管理」→「このエンドポイントで有効にする」'),
  },
  {
    name: 'private DNS off with a NAT way out only warns: the endpoint is unused and still billed',
    facts: factsWith((f) => {
      endpoint(f, 'ssmmessages').privateDnsEnabled = false;
      withNat(f);
    }),
    status: 'warn',
    message: new RegExp(`${IDS.vpce.ssmmessages} \\(ssmmessages\\) has private DNS off.*still gets out over .*${IDS.nat}.*unused`),
    commands: [endpointCmd(IDS.vpce.ssmmessages)],
  },
  {
    name: 'enableDnsSupport off fails even with a NAT way out (the Amazon DNS server is off)',
    facts: factsWith((f) => {
      vpcOf(f).dnsSupport = known(false);
      withNat(f);
    }),
    status: 'fail',
    message: new RegExp(`${IDS.vpc} has DNS resolution \\(enableDnsSupport\\) off`),
    commands: [supportCmd],
    verify: (r) => expect(r.fix!.steps[0]?.text.ja).toContain('「VPC の設定を編集」→「DNS 解決を有効化」と「DNS ホスト名を有効化」'),
  },
  {
    name: 'enableDnsHostnames off with no way out fails',
    facts: factsWith((f) => void (vpcOf(f).dnsHostnames = known(false))),
    status: 'fail',
    message: new RegExp(`${IDS.vpc} has DNS hostnames \\(enableDnsHostnames\\) off`),
    commands: [hostnamesCmd],
  },
  {
    name: 'enableDnsHostnames off with a NAT way out warns',
    facts: factsWith((f) => {
      vpcOf(f).dnsHostnames = known(false);
      withNat(f);
    }),
    status: 'warn',
  },
  {
    name: 'fixes come in order: DNS support, DNS hostnames (separate calls), then the endpoints',
    facts: factsWith((f) => {
      vpcOf(f).dnsSupport = known(false);
      vpcOf(f).dnsHostnames = known(false);
      endpoint(f, 'ssm').privateDnsEnabled = false;
      endpoint(f, 'ec2messages').privateDnsEnabled = false;
    }),
    status: 'fail',
    commands: [supportCmd, hostnamesCmd, endpointCmd(IDS.vpce.ssm), endpointCmd(IDS.vpce.ec2messages)],
    verify: (r) =>
      expect(r.fix!.steps.map((s) => s.key)).toEqual([
        'vpc-dns-settings',
        `endpoint-private-dns:${IDS.vpce.ssm}`,
        `endpoint-private-dns:${IDS.vpce.ec2messages}`,
      ]),
  },
  {
    name: 'a transit gateway way out cannot be verified: warn',
    facts: factsWith((f) => {
      endpoint(f, 'ssm').privateDnsEnabled = false;
      defaultRoute(f, 'tgw-0aaaa00000000001');
    }),
    status: 'warn',
    message: /cannot be verified from here.*tgw-0aaaa00000000001/,
  },
  {
    name: 'skip when the VPC has no Systems Manager endpoint',
    facts: factsWith((f) => void (vpcOf(f).endpoints = known([]))),
    status: 'skip',
  },
  {
    name: 'a deleted endpoint is not looked at',
    facts: factsWith((f) => {
      endpoint(f, 'ssm').state = 'deleted';
      endpoint(f, 'ssm').privateDnsEnabled = false;
    }),
    status: 'pass',
  },
  {
    name: 'denied DescribeVpcAttribute is unknown and names the call',
    facts: factsWith((f) => void (vpcOf(f).dnsSupport = denied('ec2:DescribeVpcAttribute', 'UnauthorizedOperation'))),
    status: 'unknown',
    message: /ec2:DescribeVpcAttribute was denied \(UnauthorizedOperation\)/,
  },
  {
    name: 'denied DescribeRouteTables is unknown when the verdict depends on the way out',
    facts: factsWith((f) => {
      endpoint(f, 'ssm').privateDnsEnabled = false;
      vpcOf(f).routeTables = denied('ec2:DescribeRouteTables');
    }),
    status: 'unknown',
    message: /ec2:DescribeRouteTables was denied/,
  },
]);
