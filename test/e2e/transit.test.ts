import * as EC2 from '@aws-sdk/client-ec2';
import { parseReport } from './helpers/cli';
import { AZ, HUB_CIDR, REGION, SERVICES, serviceName } from './helpers/scenarios';
import { useE2E } from './helpers/suite';

// A spoke VPC whose private hosted zones steer the Systems Manager names to endpoints in a hub VPC,
// reached through a transit gateway (moto has transit gateways, their attachments, route tables,
// associations and propagations). The tool follows the route from the spoke to the hub and back.

const e2e = useE2E();

function ec2Client() {
  return new EC2.EC2Client({ region: REGION, endpoint: e2e.moto.url, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
}

/** The hub VPC: the three endpoints (private DNS off) in one subnet, attached to the transit gateway, routing the spoke back through it. */
async function hubWorld() {
  const w = await e2e.scenarios.build({ sharedEndpointZones: true, transitGateway: true, agent: false });
  const ec2 = ec2Client();
  try {
    const tgw = w.tgwId!;
    const hub = (await ec2.send(new EC2.CreateVpcCommand({ CidrBlock: HUB_CIDR }))).Vpc!.VpcId!;
    const subnet = (await ec2.send(new EC2.CreateSubnetCommand({ VpcId: hub, CidrBlock: '10.100.1.0/24', AvailabilityZone: AZ.a }))).Subnet!
      .SubnetId!;
    const sg = (await ec2.send(new EC2.CreateSecurityGroupCommand({ VpcId: hub, GroupName: 'shared-endpoints', Description: 'hub' })))
      .GroupId!;
    // Only the hub's own range: the spoke is not admitted yet.
    await ec2.send(
      new EC2.AuthorizeSecurityGroupIngressCommand({
        GroupId: sg,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: HUB_CIDR }] }],
      }),
    );
    for (const svc of SERVICES) {
      await ec2.send(
        new EC2.CreateVpcEndpointCommand({
          VpcId: hub,
          ServiceName: serviceName(svc),
          VpcEndpointType: 'Interface',
          SubnetIds: [subnet],
          SecurityGroupIds: [sg],
          PrivateDnsEnabled: false,
        }),
      );
    }
    await ec2.send(new EC2.CreateTransitGatewayVpcAttachmentCommand({ TransitGatewayId: tgw, VpcId: hub, SubnetIds: [subnet] }));
    // Both attachments are associated with the default route table; each propagates its routes into it.
    const attachments = await ec2.send(
      new EC2.DescribeTransitGatewayAttachmentsCommand({ Filters: [{ Name: 'transit-gateway-id', Values: [tgw] }] }),
    );
    for (const a of attachments.TransitGatewayAttachments!) {
      await ec2.send(
        new EC2.EnableTransitGatewayRouteTablePropagationCommand({
          TransitGatewayRouteTableId: a.Association!.TransitGatewayRouteTableId!,
          TransitGatewayAttachmentId: a.TransitGatewayAttachmentId!,
        }),
      );
    }
    const tables = await ec2.send(new EC2.DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [hub] }] }));
    const hubRt = tables.RouteTables![0]!.RouteTableId!;
    await ec2.send(new EC2.CreateRouteCommand({ RouteTableId: hubRt, DestinationCidrBlock: '10.0.0.0/16', TransitGatewayId: tgw }));
    return { w, tgw, hub, subnet, sg, hubRt };
  } finally {
    ec2.destroy();
  }
}

const tgwCheck = (r: Awaited<ReturnType<typeof e2e.run>>) =>
  parseReport(r).instances[0]!.checks.find((c) => c.id === 'transit-gateway-path')!;

describe('transit-gateway-path against moto', () => {
  it('follows the spoke to the hub: a hub security group without the spoke fails with its rule; once admitted it passes; without the way back it fails with the route', async () => {
    const { w, tgw, hub, sg, hubRt } = await hubWorld();
    const id = w.instance.instanceId;

    const closed = await e2e.run([id, '-o', 'json']);
    expect(tgwCheck(closed)).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(tgwCheck(closed).message).toContain(`security groups ${sg} do not admit ${w.instance.privateIp} on TCP 443`);
    expect(tgwCheck(closed).fix?.commands).toEqual([
      `aws ec2 authorize-security-group-ingress --group-id ${sg} --protocol tcp --port 443 --cidr 10.0.0.0/16 --region ${REGION}`,
    ]);
    expect(closed.code).toBe(2);

    const ec2 = ec2Client();
    try {
      await ec2.send(
        new EC2.AuthorizeSecurityGroupIngressCommand({
          GroupId: sg,
          IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '10.0.0.0/16' }] }],
        }),
      );
      const open = await e2e.run([id, '-o', 'json']);
      expect(tgwCheck(open).status).toBe('pass');
      expect(tgwCheck(open).message).toContain(`through ${tgw}`);
      expect(tgwCheck(open).message).toContain(`hub ${hub}`);

      await ec2.send(new EC2.DeleteRouteCommand({ RouteTableId: hubRt, DestinationCidrBlock: '10.0.0.0/16' }));
      const oneWay = await e2e.run([id, '-o', 'json']);
      expect(tgwCheck(oneWay).status).toBe('fail');
      expect(tgwCheck(oneWay).message).toContain(`${hubRt} of hub subnet`);
      expect(tgwCheck(oneWay).fix?.commands).toEqual([
        `aws ec2 create-route --route-table-id ${hubRt} --destination-cidr-block 10.0.0.0/16 --transit-gateway-id ${tgw} --region ${REGION}`,
      ]);
    } finally {
      ec2.destroy();
    }
  });

  it('reads the transit gateway only when a route names one, and only reads', async () => {
    const { w } = await hubWorld();
    await e2e.run([w.instance.instanceId, '-o', 'json']);
    const names = new Set(e2e.stub.requests.map((r) => r.name));
    for (const op of [
      'ec2:DescribeTransitGatewayVpcAttachments',
      'ec2:DescribeTransitGatewayAttachments',
      'ec2:GetTransitGatewayRouteTablePropagations',
    ]) {
      expect(names).toContain(op);
    }
    expect([...names].filter((n) => !/^[a-z0-9-]+:(Describe|Get|List|Simulate)/.test(n))).toEqual([]);
  });
});
