import * as EC2 from '@aws-sdk/client-ec2';
import { parseReport } from './helpers/cli';
import { REGION } from './helpers/scenarios';
import { useE2E } from './helpers/suite';

// An instance in an IPv6-only subnet (moto has Ipv6Native subnets; its endpoints have no IP address
// type, so they read as IPv4-only): it cannot reach IPv4-only endpoints; a ::/0 route to an
// egress-only gateway is a way only if the agent is told to use the dual-stack endpoints.

const e2e = useE2E();

async function ipv6OnlyWorld() {
  const ec2 = new EC2.EC2Client({
    region: REGION,
    endpoint: e2e.moto.url,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  try {
    const vpc = (await ec2.send(new EC2.CreateVpcCommand({ CidrBlock: '10.60.0.0/16', AmazonProvidedIpv6CidrBlock: true }))).Vpc!;
    const block = vpc.Ipv6CidrBlockAssociationSet![0]!.Ipv6CidrBlock!;
    const subnetId = (
      await ec2.send(
        new EC2.CreateSubnetCommand({
          VpcId: vpc.VpcId!,
          Ipv6Native: true,
          Ipv6CidrBlock: block.replace('/56', '/64'),
          AvailabilityZone: `${REGION}a`,
        }),
      )
    ).Subnet!.SubnetId!;
    const publicSubnet = (
      await ec2.send(new EC2.CreateSubnetCommand({ VpcId: vpc.VpcId!, CidrBlock: '10.60.9.0/24', AvailabilityZone: `${REGION}a` }))
    ).Subnet!.SubnetId!;
    const rtb = (await ec2.send(new EC2.CreateRouteTableCommand({ VpcId: vpc.VpcId! }))).RouteTable!.RouteTableId!;
    await ec2.send(new EC2.AssociateRouteTableCommand({ RouteTableId: rtb, SubnetId: subnetId }));
    const endpoints: string[] = [];
    for (const s of ['ssm', 'ssmmessages', 'ec2messages']) {
      const e = await ec2.send(
        new EC2.CreateVpcEndpointCommand({
          VpcId: vpc.VpcId!,
          ServiceName: `com.amazonaws.${REGION}.${s}`,
          VpcEndpointType: 'Interface',
          SubnetIds: [publicSubnet],
          PrivateDnsEnabled: true,
        }),
      );
      endpoints.push(e.VpcEndpoint!.VpcEndpointId!);
    }
    const images = await ec2.send(
      new EC2.DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['amzn-ami-hvm-*'] }] }),
    );
    const ImageId = images.Images!.find((i) => !i.Platform)!.ImageId!;
    const run = await ec2.send(
      new EC2.RunInstancesCommand({ ImageId, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, SubnetId: subnetId }),
    );
    // moto keeps no EnableDns64 on a subnet, so NAT64 is left to the check's own tests; an egress-only gateway it has.
    const egressOnly = async () => {
      const eigw = (await ec2.send(new EC2.CreateEgressOnlyInternetGatewayCommand({ VpcId: vpc.VpcId! }))).EgressOnlyInternetGateway!
        .EgressOnlyInternetGatewayId!;
      await ec2.send(
        new EC2.CreateRouteCommand({ RouteTableId: rtb, DestinationIpv6CidrBlock: '::/0', EgressOnlyInternetGatewayId: eigw }),
      );
      return eigw;
    };
    return { instanceId: run.Instances![0]!.InstanceId!, subnetId, endpoints, egressOnly };
  } finally {
    ec2.destroy();
  }
}

describe('ipv6-only-path against moto', () => {
  it('an IPv6-only subnet with IPv4-only endpoints fails with the command to make each dual-stack; a ::/0 route to an egress-only gateway then warns (the agent must be told)', async () => {
    const w = await ipv6OnlyWorld();
    const r = await e2e.run([w.instanceId, '-o', 'json']);
    const check = () => parseReport(r).instances[0]!.checks.find((c) => c.id === 'ipv6-only-path')!;
    expect(check()).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(check().message).toContain(`${w.subnetId} is IPv6-only, so ${w.instanceId} has no IPv4 address`);
    expect(check().fix?.commands).toEqual(
      w.endpoints.map(
        (id) =>
          `aws ec2 modify-vpc-endpoint --vpc-endpoint-id ${id} --ip-address-type dualstack --dns-options DnsRecordIpType=dualstack --region ${REGION}`,
      ),
    );
    expect(r.code).toBe(2);

    const eigw = await w.egressOnly();
    const after = parseReport(await e2e.run([w.instanceId, '-o', 'json'])).instances[0]!.checks.find((c) => c.id === 'ipv6-only-path')!;
    expect(after).toMatchObject({
      status: 'warn',
      message: expect.stringContaining(`routes ::/0 to ${eigw}: the agent can reach the public dual-stack endpoints`),
    });
    expect(after.fix?.steps[0]).toContain('UseDualStackEndpoint');
  });
});
