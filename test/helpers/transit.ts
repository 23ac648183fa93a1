/** A spoke (the test facts' VPC, without endpoints) reaching centralised endpoints in a hub VPC through a transit gateway. */
import { known, type Facts, type TgwAttachment } from '../../src/facts/schema';
import { IDS, healthyVpc, vpcOf } from './facts';

export const TGW = 'tgw-0aaaa00000000001';
export const SPOKE_ATT = 'tgw-attach-0spoke000000001';
export const HUB_ATT = 'tgw-attach-0hub00000000001';
export const SPOKE_RTB = 'tgw-rtb-0spoke00000000001';
export const HUB_RTB = 'tgw-rtb-0hub0000000000001';
export const HUB = 'vpc-0hub0000000000001';
export const HUB_SUBNET = 'subnet-0hub000000000001';
export const HUB_RT = 'rtb-0hub000000000001';
export const HUB_SG = 'sg-0hubvpce000000001';
export const HUB_ACL = 'acl-0hub000000000001';

export const attachment = (over: Partial<TgwAttachment>): TgwAttachment => ({
  attachmentId: SPOKE_ATT,
  transitGatewayId: TGW,
  transitGatewayOwnerId: IDS.account,
  vpcId: IDS.vpc,
  state: 'available',
  subnetIds: [IDS.subnet],
  routeTableId: SPOKE_RTB,
  associationState: 'associated',
  ...over,
});

/** The hub: the three endpoints (private DNS off) in one subnet, admitting the spoke's /16, routing it back to the transit gateway. */
export function hubVpc() {
  const hub = healthyVpc();
  hub.subnets = known([{ subnetId: HUB_SUBNET, availabilityZone: IDS.az, cidr: '10.1.1.0/24' }]);
  hub.routeTables = known([
    {
      routeTableId: HUB_RT,
      main: true,
      subnetIds: [],
      routes: [
        { destination: '10.1.0.0/16', target: 'local', state: 'active' },
        { destination: '10.0.0.0/16', target: TGW, state: 'active' },
      ],
    },
  ]);
  hub.endpoints = known(
    (['ssm', 'ssmmessages', 'ec2messages'] as const).map((svc) => ({
      endpointId: `vpce-0hub${svc}`.slice(0, 21).padEnd(21, '0'),
      serviceName: `com.amazonaws.${IDS.region}.${svc}`,
      type: 'Interface',
      state: 'available',
      subnetIds: [HUB_SUBNET],
      groupIds: [HUB_SG],
      privateDnsEnabled: false,
    })),
  );
  hub.securityGroups = known([
    {
      groupId: HUB_SG,
      groupName: 'shared-endpoints',
      ingress: [{ protocol: 'tcp', fromPort: 443, toPort: 443, cidrs: ['10.0.0.0/16'], ipv6Cidrs: [], groupIds: [], prefixListIds: [] }],
      egress: [],
    },
  ]);
  const acl = hub.networkAcls!.known ? hub.networkAcls!.value[0]! : undefined;
  hub.networkAcls = known([{ ...acl!, networkAclId: HUB_ACL, subnetIds: [HUB_SUBNET] }]);
  return hub;
}

/** The spoke without endpoints of its own: private hosted zones steer the names to the hub, reached through the transit gateway. */
export const central = (f: Facts) => {
  const spoke = vpcOf(f);
  spoke.endpoints = known([]);
  spoke.hostedZones = known(
    ['ssm', 'ssmmessages', 'ec2messages'].map((svc, i) => ({
      name: `${svc}.${IDS.region}.amazonaws.com.`,
      hostedZoneId: `Z0HUB${i}ZONE000000001`,
    })),
  );
  const rt = spoke.routeTables.known ? spoke.routeTables.value.find((t) => t.routeTableId === IDS.privateRt)! : undefined;
  rt!.routes.push({ destination: '10.1.0.0/16', target: TGW, state: 'active' });
  f.vpcs[HUB] = hubVpc();
  f.transitGateways = {
    attachments: {
      [TGW]: known([attachment({}), attachment({ attachmentId: HUB_ATT, vpcId: HUB, subnetIds: [HUB_SUBNET], routeTableId: HUB_RTB })]),
    },
    propagations: {
      [SPOKE_RTB]: known([{ attachmentId: HUB_ATT, resourceId: HUB, resourceType: 'vpc', state: 'enabled' }]),
      [HUB_RTB]: known([{ attachmentId: SPOKE_ATT, resourceId: IDS.vpc, resourceType: 'vpc', state: 'enabled' }]),
    },
    hubVpcs: known([HUB]),
  };
};
