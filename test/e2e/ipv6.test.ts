import * as EC2 from '@aws-sdk/client-ec2';
import ipaddr from 'ipaddr.js';
import { parseReport } from './helpers/cli';
import { REGION } from './helpers/scenarios';
import { useE2E } from './helpers/suite';

// An instance in an IPv6-only subnet (moto has Ipv6Native subnets; its endpoints have no IP address
// type, so they read as IPv4-only): it cannot reach IPv4-only endpoints; a ::/0 route to an
// egress-only gateway is a way only if the agent is told to use the dual-stack endpoints.

const e2e = useE2E();

/** The /64 at `index` of a VPC's /56. */
function slash64(vpcBlock: string, index: number): string {
  const bytes = ipaddr.IPv6.parseCIDR(vpcBlock)[0].toByteArray();
  bytes[7] = index;
  return `${ipaddr.fromByteArray(bytes).toString()}/64`;
}

/**
 * `dualStack`: the endpoints' subnet gets an IPv6 block too (moto's endpoints keep no IP address type, so their
 * addresses are judged by their subnets' blocks), the endpoints get a group that admits HTTPS from the VPC's IPv4
 * range only, and the instance a group that lets TCP 443 out to 0.0.0.0/0 only: IPv4 allowances an IPv6-only
 * instance cannot use. moto's default ACL has IPv4 entries only.
 */
async function ipv6OnlyWorld(dualStack = false) {
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
          Ipv6CidrBlock: slash64(block, 0),
          AvailabilityZone: `${REGION}a`,
        }),
      )
    ).Subnet!.SubnetId!;
    const publicSubnet = (
      await ec2.send(new EC2.CreateSubnetCommand({ VpcId: vpc.VpcId!, CidrBlock: '10.60.9.0/24', AvailabilityZone: `${REGION}a` }))
    ).Subnet!.SubnetId!;
    const rtb = (await ec2.send(new EC2.CreateRouteTableCommand({ VpcId: vpc.VpcId! }))).RouteTable!.RouteTableId!;
    await ec2.send(new EC2.AssociateRouteTableCommand({ RouteTableId: rtb, SubnetId: subnetId }));
    const dual = dualStack ? await dualStackSecurity(ec2, vpc.VpcId!, publicSubnet, slash64(block, 1)) : undefined;
    const endpoints: string[] = [];
    for (const s of ['ssm', 'ssmmessages', 'ec2messages']) {
      const e = await ec2.send(
        new EC2.CreateVpcEndpointCommand({
          VpcId: vpc.VpcId!,
          ServiceName: `com.amazonaws.${REGION}.${s}`,
          VpcEndpointType: 'Interface',
          SubnetIds: [publicSubnet],
          PrivateDnsEnabled: true,
          ...(dual ? { SecurityGroupIds: [dual.endpointSg] } : {}),
        }),
      );
      endpoints.push(e.VpcEndpoint!.VpcEndpointId!);
    }
    const images = await ec2.send(
      new EC2.DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['amzn-ami-hvm-*'] }] }),
    );
    const ImageId = images.Images!.find((i) => !i.Platform)!.ImageId!;
    const run = await ec2.send(
      new EC2.RunInstancesCommand({
        ImageId,
        InstanceType: 't3.micro',
        MinCount: 1,
        MaxCount: 1,
        SubnetId: subnetId,
        ...(dual ? { SecurityGroupIds: [dual.instanceSg] } : {}),
      }),
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
    const acl = (await ec2.send(new EC2.DescribeNetworkAclsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc.VpcId!] }] })))
      .NetworkAcls![0]!.NetworkAclId!;
    return {
      instanceId: run.Instances![0]!.InstanceId!,
      subnetId,
      subnetBlock: slash64(block, 0),
      endpointBlock: slash64(block, 1),
      publicSubnet,
      acl,
      ...dual,
      endpoints,
      egressOnly,
    };
  } finally {
    ec2.destroy();
  }
}

async function dualStackSecurity(ec2: EC2.EC2Client, VpcId: string, subnet: string, Ipv6CidrBlock: string) {
  await ec2.send(new EC2.AssociateSubnetCidrBlockCommand({ SubnetId: subnet, Ipv6CidrBlock }));
  const group = async (name: string) =>
    (await ec2.send(new EC2.CreateSecurityGroupCommand({ GroupName: name, Description: name, VpcId }))).GroupId!;
  const endpointSg = await group('ssm-endpoints');
  const instanceSg = await group('ipv6-instance');
  const https = { IpProtocol: 'tcp', FromPort: 443, ToPort: 443 };
  await ec2.send(
    new EC2.AuthorizeSecurityGroupIngressCommand({
      GroupId: endpointSg,
      IpPermissions: [{ ...https, IpRanges: [{ CidrIp: '10.60.0.0/16' }] }],
    }),
  );
  const own = (await ec2.send(new EC2.DescribeSecurityGroupsCommand({ GroupIds: [instanceSg] }))).SecurityGroups![0]!;
  if (own.IpPermissionsEgress?.length)
    await ec2.send(new EC2.RevokeSecurityGroupEgressCommand({ GroupId: instanceSg, IpPermissions: own.IpPermissionsEgress }));
  await ec2.send(
    new EC2.AuthorizeSecurityGroupEgressCommand({
      GroupId: instanceSg,
      IpPermissions: [{ ...https, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    }),
  );
  return { endpointSg, instanceSg };
}

function ec2Client() {
  return new EC2.EC2Client({ region: REGION, endpoint: e2e.moto.url, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
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
    // The endpoints have no IPv6 address: the egress and ACL checks leave that to ipv6-only-path rather than pass an IPv4 rule.
    for (const id of ['instance-sg-egress', 'network-acl']) {
      const c = parseReport(r).instances[0]!.checks.find((x) => x.id === id)!;
      expect(c).toMatchObject({
        status: 'pass',
        message: expect.stringContaining('no IPv6 address (IP address type ipv4, or no IPv6 CIDR on its subnets)'),
      });
    }

    const eigw = await w.egressOnly();
    const after = parseReport(await e2e.run([w.instanceId, '-o', 'json'])).instances[0]!.checks.find((c) => c.id === 'ipv6-only-path')!;
    expect(after).toMatchObject({
      status: 'warn',
      message: expect.stringContaining(`routes ::/0 to ${eigw}: the agent can reach the public dual-stack endpoints`),
    });
    expect(after.fix?.steps[0]).toContain('UseDualStackEndpoint');
  });
});

describe('the IPv6 side of the security groups and network ACLs against moto', () => {
  it('an IPv6-only instance with dual-stack endpoints: IPv4-only allowances fail each check with the IPv6 fix, and the IPv6 rules then pass', async () => {
    const w = await ipv6OnlyWorld(true);
    const checks = async () => {
      const report = parseReport(await e2e.run([w.instanceId, '-o', 'json']));
      const of = (id: string) => report.instances[0]!.checks.find((c) => c.id === id)!;
      return { egress: of('instance-sg-egress'), ingress: of('endpoint-sg-https'), acl: of('network-acl') };
    };
    const before = await checks();
    expect(before.egress).toMatchObject({ status: 'fail' });
    expect(before.egress.message).toContain(
      `${w.instanceSg} allows TCP 443 only to 0.0.0.0/0, not to ${w.endpointSg} or ${w.endpointBlock}`,
    );
    expect(before.egress.message).toContain(`${w.instanceId} has only IPv6 addresses (${w.subnetId} is IPv6-only)`);
    expect(before.egress.fix?.commands).toEqual([
      `aws ec2 authorize-security-group-egress --group-id ${w.instanceSg} --ip-permissions 'IpProtocol=tcp,FromPort=443,ToPort=443,UserIdGroupPairs=[{GroupId=${w.endpointSg}}]' --region ${REGION}`,
    ]);
    expect(before.ingress).toMatchObject({ status: 'fail' });
    expect(before.ingress.message).toMatch(
      new RegExp(`${w.endpointSg} allows TCP 443 only from 10\\.60\\.0\\.0/16, not from [0-9a-f:]+ or ${w.instanceSg}`),
    );
    expect(before.acl).toMatchObject({ status: 'fail' });
    expect(before.acl.message).toContain(`no rule allows outbound TCP 443 to ${w.endpointBlock}`);
    expect(before.acl.fix?.commands).toContain(
      `aws ec2 create-network-acl-entry --network-acl-id ${w.acl} --rule-number 110 --protocol tcp --port-range From=443,To=443 --egress --ipv6-cidr-block ${w.endpointBlock} --rule-action allow --region ${REGION}`,
    );

    const ec2 = ec2Client();
    try {
      const https = { IpProtocol: 'tcp', FromPort: 443, ToPort: 443 };
      await ec2.send(
        new EC2.AuthorizeSecurityGroupEgressCommand({
          GroupId: w.instanceSg,
          IpPermissions: [{ ...https, Ipv6Ranges: [{ CidrIpv6: '::/0' }] }],
        }),
      );
      await ec2.send(
        new EC2.AuthorizeSecurityGroupIngressCommand({
          GroupId: w.endpointSg,
          IpPermissions: [{ ...https, Ipv6Ranges: [{ CidrIpv6: w.subnetBlock }] }],
        }),
      );
      for (const Egress of [true, false])
        await ec2.send(
          new EC2.CreateNetworkAclEntryCommand({
            NetworkAclId: w.acl,
            RuleNumber: 101,
            Protocol: '-1',
            RuleAction: 'allow',
            Egress,
            Ipv6CidrBlock: '::/0',
          }),
        );
    } finally {
      ec2.destroy();
    }
    const after = await checks();
    expect(after.egress).toMatchObject({
      status: 'pass',
      message: expect.stringContaining(`allows TCP 443 to ::/0, which holds ${w.endpointBlock}`),
    });
    expect(after.ingress).toMatchObject({ status: 'pass', message: expect.stringContaining(`allows TCP 443 from ${w.subnetBlock}`) });
    expect(after.acl).toMatchObject({ status: 'pass' });
  });
});
