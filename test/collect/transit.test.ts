import 'aws-sdk-client-mock-jest';
import {
  DescribeTransitGatewayAttachmentsCommand,
  DescribeTransitGatewayVpcAttachmentsCommand,
  DescribeTransitGatewaysCommand,
  DescribeVpcEndpointsCommand,
  DescribeSubnetsCommand,
  DescribeRouteTablesCommand,
  GetTransitGatewayRouteTablePropagationsCommand,
} from '@aws-sdk/client-ec2';
import { transitGatewaysOf } from '../../src/collect/ec2/transit';
import { gather } from '../../src/collect/gather';
import { ListHostedZonesByVPCCommand } from '@aws-sdk/client-route-53';
import { known, transitGatewaysSchema, type Facts } from '../../src/facts/schema';
import { IDS, healthyVpc } from '../helpers/facts';
import { answerHealthy, awsError, mockedAws, type MockedAws } from './helpers/aws';

const TGW = 'tgw-0aaaa00000000001';
const HUB = 'vpc-0hub0000000000001';
const OTHER = 'vpc-0other00000000001';

/** The instance's VPC, its private route table sending 10.100.0.0/16 to the transit gateway. */
function spokeVpcs(): Facts['vpcs'] {
  const vpc = healthyVpc();
  if (vpc.routeTables.known) vpc.routeTables.value[1]!.routes.push({ destination: '10.100.0.0/16', target: TGW, state: 'active' });
  return { [IDS.vpc]: vpc };
}

function answerAttachments(m: MockedAws) {
  const att = (id: string, vpc: string, rtb: string) => ({ id, vpc, rtb });
  const all = [
    att('tgw-attach-0spoke000000001', IDS.vpc, 'tgw-rtb-0spoke00000000001'),
    att('tgw-attach-0hub00000000001', HUB, 'tgw-rtb-0hub0000000000001'),
    att('tgw-attach-0other00000001', OTHER, 'tgw-rtb-0spoke00000000001'),
  ];
  m.ec2.on(DescribeTransitGatewayVpcAttachmentsCommand).resolves({
    TransitGatewayVpcAttachments: all.map((a) => ({
      TransitGatewayAttachmentId: a.id,
      TransitGatewayId: TGW,
      VpcId: a.vpc,
      State: 'available',
      SubnetIds: [IDS.subnet],
    })),
  });
  m.ec2.on(DescribeTransitGatewayAttachmentsCommand).resolves({
    TransitGatewayAttachments: all.map((a) => ({
      TransitGatewayAttachmentId: a.id,
      TransitGatewayId: TGW,
      TransitGatewayOwnerId: IDS.account,
      ResourceType: 'vpc',
      ResourceId: a.vpc,
      State: 'available',
      Association: { TransitGatewayRouteTableId: a.rtb, State: 'associated' },
    })),
  });
  m.ec2.on(GetTransitGatewayRouteTablePropagationsCommand).callsFake((input: { TransitGatewayRouteTableId: string }) => ({
    TransitGatewayRouteTablePropagations: [
      {
        TransitGatewayAttachmentId: `from-${input.TransitGatewayRouteTableId}`.replace('from-tgw-rtb', 'tgw-attach'),
        ResourceId: HUB,
        ResourceType: 'vpc',
        State: 'enabled',
      },
    ],
  }));
  // The hub holds an ssm endpoint; the other attached VPC only an S3 gateway endpoint.
  m.ec2.on(DescribeVpcEndpointsCommand).resolves({
    VpcEndpoints: [
      {
        VpcEndpointId: 'vpce-0hubssm00000000001',
        VpcId: HUB,
        ServiceName: `com.amazonaws.${IDS.region}.ssm`,
        VpcEndpointType: 'Interface',
        State: 'Available',
      },
      {
        VpcEndpointId: 'vpce-0s3000000000001',
        VpcId: OTHER,
        ServiceName: `com.amazonaws.${IDS.region}.s3`,
        VpcEndpointType: 'Gateway',
        State: 'Available',
      },
    ],
  });
}

describe('transit gateways (ec2:DescribeTransitGateway*Attachments, GetTransitGatewayRouteTablePropagations)', () => {
  let m: MockedAws;
  beforeEach(async () => {
    m = await mockedAws();
  });
  afterEach(() => m.clients.destroy());

  it('no route names a transit gateway: not a call', async () => {
    expect(await transitGatewaysOf(m.clients, { [IDS.vpc]: healthyVpc() })).toBeUndefined();
    expect(m.ec2.calls()).toHaveLength(0);
  });

  it('follows the route: attachments with their route tables, both sides’ propagations, and the attached VPC with Systems Manager endpoints read in full as the hub', async () => {
    answerAttachments(m);
    const got = (await transitGatewaysOf(m.clients, spokeVpcs()))!;
    expect(transitGatewaysSchema.parse(got.transitGateways)).toEqual(got.transitGateways);
    const atts = got.transitGateways.attachments[TGW]!;
    expect(atts.known && atts.value.map((a) => [a.vpcId, a.routeTableId, a.associationState])).toEqual([
      [IDS.vpc, 'tgw-rtb-0spoke00000000001', 'associated'],
      [HUB, 'tgw-rtb-0hub0000000000001', 'associated'],
      [OTHER, 'tgw-rtb-0spoke00000000001', 'associated'],
    ]);
    expect(got.transitGateways.hubVpcs).toEqual(known([HUB]));
    expect(Object.keys(got.transitGateways.propagations).sort()).toEqual(['tgw-rtb-0hub0000000000001', 'tgw-rtb-0spoke00000000001']);
    expect(Object.keys(got.hubs.vpcs)).toEqual([HUB]);
    // The hub is read without what only an instance's own VPC needs.
    expect(got.hubs.vpcs[HUB]!.dhcp).toBeUndefined();
    expect(got.hubs.vpcs[HUB]!.hostedZones).toBeUndefined();
    expect(m.ec2).toHaveReceivedCommandWith(DescribeSubnetsCommand, { Filters: [{ Name: 'vpc-id', Values: [HUB] }] });
    expect(m.ec2).toHaveReceivedCommandWith(DescribeTransitGatewayVpcAttachmentsCommand, {
      Filters: [{ Name: 'transit-gateway-id', Values: [TGW] }],
    });
  });

  it('attachments denied: unknown naming the call, and nothing further is read', async () => {
    m.ec2.on(DescribeTransitGatewayVpcAttachmentsCommand).rejects(awsError('ec2', 'UnauthorizedOperation'));
    m.ec2.on(DescribeTransitGatewayAttachmentsCommand).resolves({ TransitGatewayAttachments: [] });
    const got = (await transitGatewaysOf(m.clients, spokeVpcs()))!;
    expect(got.transitGateways.attachments[TGW]).toMatchObject({ known: false, call: 'ec2:DescribeTransitGatewayVpcAttachments' });
    expect(m.ec2).not.toHaveReceivedCommand(GetTransitGatewayRouteTablePropagationsCommand);
    expect(m.ec2).not.toHaveReceivedCommand(DescribeVpcEndpointsCommand);
  });
});

describe('the transit gateways themselves (ec2:DescribeTransitGateways)', () => {
  let m: MockedAws;
  beforeEach(async () => {
    m = await mockedAws();
  });
  afterEach(() => m.clients.destroy());

  it("keeps each gateway's owner and its own security group referencing option, beside the attachments", async () => {
    answerAttachments(m);
    m.ec2.on(DescribeTransitGatewaysCommand).resolves({
      TransitGateways: [{ TransitGatewayId: TGW, OwnerId: '210987654321', Options: { SecurityGroupReferencingSupport: 'enable' } }],
    });
    const got = (await transitGatewaysOf(m.clients, spokeVpcs()))!;
    expect(got.transitGateways.gateways).toEqual({ [TGW]: known({ ownerId: '210987654321', securityGroupReferencing: 'enable' }) });
    expect(m.ec2).toHaveReceivedCommandWith(DescribeTransitGatewaysCommand, { TransitGatewayIds: [TGW] });
  });

  it('a gateway the answer leaves out is unknown, naming the call', async () => {
    answerAttachments(m);
    m.ec2.on(DescribeTransitGatewaysCommand).resolves({ TransitGateways: [] });
    const got = (await transitGatewaysOf(m.clients, spokeVpcs()))!;
    expect(got.transitGateways.gateways?.[TGW]).toMatchObject({ known: false, call: 'ec2:DescribeTransitGateways', code: 'NotCollected' });
  });
});

describe('transit gateways in a gather: followed from the route tables, not after the whole VPC read', () => {
  it('asks for the attachments before the hosted zones that the VPC read goes on to need have come back', async () => {
    const m = await mockedAws();
    answerHealthy(m);
    answerAttachments(m);
    // The instance's VPC has no Systems Manager endpoint of its own (the answer above holds only the
    // hub's and another VPC's), so the VPC read goes on to its hosted zones; they take a while.
    m.route53
      .on(ListHostedZonesByVPCCommand)
      .callsFake(() => new Promise((resolve) => setTimeout(() => resolve({ HostedZoneSummaries: [], MaxItems: 100 }), 30)));
    const routes = (await m.clients.ec2.send(new DescribeRouteTablesCommand({}))).RouteTables!;
    m.ec2.on(DescribeRouteTablesCommand).resolves({
      RouteTables: routes.map((t) =>
        t.RouteTableId === IDS.privateRt
          ? { ...t, Routes: [...(t.Routes ?? []), { DestinationCidrBlock: '10.100.0.0/16', TransitGatewayId: TGW, State: 'active' }] }
          : t,
      ),
    });
    const facts = await gather(m.clients, [IDS.instance], () => new Date(0), { PATH: '' });
    const records = m.clients.recorder.records;
    const one = (op: string) => records.find((r) => r.operation === op)!;
    expect(one('ec2:DescribeTransitGatewayVpcAttachments').start).toBeLessThan(one('route53:ListHostedZonesByVPC').end);
    expect(facts.transitGateways?.hubVpcs).toEqual(known([HUB]));
    expect(facts.vpcs[IDS.vpc]?.hostedZones).toEqual(known([]));
    m.clients.destroy();
  });
});
