import { checkCases } from '../helpers/check-tester';
import { IDS, denied, factsWith, instanceOf, vpcOf } from '../helpers/facts';
import {
  HUB,
  HUB_ACL,
  HUB_ATT,
  HUB_RT,
  HUB_RTB,
  HUB_SG,
  HUB_SUBNET,
  SPOKE_ATT,
  SPOKE_RTB,
  TGW,
  attachment,
  central,
} from '../helpers/transit';
import { known, type Facts, type TgwAttachment } from '../../src/facts/schema';

const ID = 'transit-gateway-path';
const tg = (f: Facts) => f.transitGateways!;
const spokeAtt = (f: Facts) => (tg(f).attachments[TGW] as { value: TgwAttachment[] }).value[0]!;
const hub = (f: Facts) => f.vpcs[HUB]!;
const notConnected = (f: Facts) => void (f.connections = { [IDS.instance]: known('notconnected') });
/** No hub at all: 0.0.0.0/0 to the transit gateway (centralised egress). */
const egress = (f: Facts) => {
  central(f);
  vpcOf(f).hostedZones = known([]);
  const rt = vpcOf(f).routeTables;
  if (rt.known)
    rt.value.find((t) => t.routeTableId === IDS.privateRt)!.routes.push({ destination: '0.0.0.0/0', target: TGW, state: 'active' });
};
const region = `--region ${IDS.region}$`;
const OTHER_TGW = 'tgw-0bbbb00000000001';
/** The hub endpoints' group admits the hub's own range only, not the spoke. */
const hubAdmitsOwnRange = (f: Facts) => {
  const sgs = hub(f).securityGroups;
  if (sgs.known) sgs.value[0]!.ingress[0]!.cidrs = ['10.1.0.0/16'];
};
/** The hub endpoints' group admits the instance's security group by reference, referencing on for both attachments. */
const byGroup = (f: Facts) => {
  const sgs = hub(f).securityGroups;
  if (sgs.known) sgs.value[0]!.ingress[0] = { ...sgs.value[0]!.ingress[0]!, cidrs: [], groupIds: [IDS.instanceSg] };
  const atts = tg(f).attachments[TGW];
  if (atts?.known) atts.value.forEach((a) => (a.securityGroupReferencing = 'enable'));
};

checkCases(ID, [
  {
    name: 'interface endpoints in the VPC: no transit gateway on the way, skip',
    facts: factsWith(() => undefined),
    status: 'skip',
    message: /reaches ssm, ssmmessages without a transit gateway/,
  },
  {
    name: 'hub reached and answering: passes naming the attachment, both route tables, the hub and its endpoints',
    facts: factsWith(central),
    status: 'pass',
    message: new RegExp(
      `through ${TGW}: attachment ${SPOKE_ATT} serves its Availability Zone, ${SPOKE_RTB} learns the routes of hub ${HUB} \\(${HUB_ATT}\\) and ${HUB_RTB} those of ${SPOKE_ATT}; the hub endpoints vpce-0hubssm000000000, vpce-0hubssmmessages0 admit`,
    ),
  },
  {
    name: 'facts saved before transit gateways were read: skip, saying so',
    facts: factsWith((f) => {
      central(f);
      delete f.transitGateways;
    }),
    status: 'skip',
    message: /transit gateways were not read/,
  },
  {
    name: 'the VPC is not attached to the transit gateway its route names: fail',
    facts: factsWith((f) => {
      central(f);
      tg(f).attachments[TGW] = known([attachment({ attachmentId: HUB_ATT, vpcId: HUB, subnetIds: [HUB_SUBNET], routeTableId: HUB_RTB })]);
    }),
    status: 'fail',
    message: new RegExp(`routes to ${TGW}, but ${IDS.vpc} has no attachment to it`),
  },
  {
    name: "the attachment has no subnet in the instance's Availability Zone: fail, adding the instance's subnet",
    facts: factsWith((f) => {
      central(f);
      instanceOf(f).availabilityZone = IDS.otherAz;
      instanceOf(f).subnetId = IDS.otherSubnet;
    }),
    status: 'fail',
    message: new RegExp(`attachment ${SPOKE_ATT} has no subnet in ${IDS.otherAz}, where ${IDS.instance} runs`),
    commands: [
      new RegExp(
        `^aws ec2 modify-transit-gateway-vpc-attachment --transit-gateway-attachment-id ${SPOKE_ATT} --add-subnet-ids ${IDS.otherSubnet} ${region}`,
      ),
    ],
  },
  {
    name: 'the attachment awaits acceptance by the owner of a shared transit gateway: fail with the accept command',
    facts: factsWith((f) => {
      central(f);
      spokeAtt(f).state = 'pendingAcceptance';
      spokeAtt(f).transitGatewayOwnerId = '210987654321';
    }),
    status: 'fail',
    message: /is pendingAcceptance, not available/,
    commands: [new RegExp(`^aws ec2 accept-transit-gateway-vpc-attachment --transit-gateway-attachment-id ${SPOKE_ATT} ${region}`)],
    verify: (r) => expect(r.fix!.steps[0]!.text.en).toMatch(/account 210987654321/),
  },
  {
    name: 'the attachment is associated with no transit gateway route table: fail',
    facts: factsWith((f) => {
      central(f);
      delete spokeAtt(f).routeTableId;
      delete spokeAtt(f).associationState;
    }),
    status: 'fail',
    message: new RegExp(`attachment ${SPOKE_ATT} \\(${IDS.vpc}\\) is associated with no route table of ${TGW}`),
  },
  {
    name: "the spoke's transit gateway route table does not learn the hub by propagation: warn (a static route may), with the propagation command",
    facts: factsWith((f) => {
      central(f);
      notConnected(f);
      tg(f).propagations[SPOKE_RTB] = known([]);
    }),
    status: 'warn',
    message: new RegExp(
      `${SPOKE_RTB} does not learn the routes of ${HUB_ATT} \\(${HUB}\\) by propagation.*only ec2:SearchTransitGatewayRoutes`,
    ),
    commands: [
      new RegExp(
        `^aws ec2 enable-transit-gateway-route-table-propagation --transit-gateway-route-table-id ${SPOKE_RTB} --transit-gateway-attachment-id ${HUB_ATT} ${region}`,
      ),
    ],
  },
  {
    name: 'the same, but the agent is Online and connected: pass, the traffic gets through',
    facts: factsWith((f) => {
      central(f);
      tg(f).propagations[HUB_RTB] = known([{ attachmentId: SPOKE_ATT, state: 'disabled' }]);
    }),
    status: 'pass',
    message: /way back may be missing.*Online and connected/,
  },
  {
    name: 'the hub endpoint subnet routes the replies elsewhere: fail, with the route to add in the hub',
    facts: factsWith((f) => {
      central(f);
      const rt = hub(f).routeTables;
      if (rt.known) rt.value[0]!.routes.pop();
    }),
    status: 'fail',
    message: new RegExp(`${HUB_RT} of hub subnet ${HUB_SUBNET} sends replies to ${IDS.privateIp} to no route, not back to ${TGW}`),
    commands: [
      new RegExp(
        `^aws ec2 create-route --route-table-id ${HUB_RT} --destination-cidr-block 10.0.1.0/24 --transit-gateway-id ${TGW} ${region}`,
      ),
    ],
  },
  {
    name: "the spoke's route covers another range than the hub endpoint subnet: fail, with the spoke route to add",
    facts: factsWith((f) => {
      central(f);
      const rt = vpcOf(f).routeTables;
      if (rt.known) rt.value.find((t) => t.routeTableId === IDS.privateRt)!.routes.at(-1)!.destination = '10.2.0.0/16';
    }),
    status: 'fail',
    message: new RegExp(
      `${IDS.privateRt} of ${IDS.instance} sends 10.1.1.0/24 \\(subnet ${HUB_SUBNET} of the hub endpoints\\) to no route, not to ${TGW}`,
    ),
    commands: [
      new RegExp(
        `^aws ec2 create-route --route-table-id ${IDS.privateRt} --destination-cidr-block 10.1.1.0/24 --transit-gateway-id ${TGW} ${region}`,
      ),
    ],
  },
  {
    name: "the hub endpoints' security group admits only the hub's own range: fail once (three endpoints, one group), naming the CIDR to admit",
    facts: factsWith((f) => {
      central(f);
      hubAdmitsOwnRange(f);
    }),
    status: 'fail',
    message: new RegExp(`hub endpoint vpce-0hubssm000000000's security groups ${HUB_SG} do not admit ${IDS.privateIp} on TCP 443`),
    commands: [
      new RegExp(`^aws ec2 authorize-security-group-ingress --group-id ${HUB_SG} --protocol tcp --port 443 --cidr 10.0.1.0/24 ${region}`),
    ],
  },
  {
    name: "the hub endpoints admit the instance's security group by reference, referencing on for both attachments: pass",
    facts: factsWith((f) => {
      central(f);
      byGroup(f);
      tg(f).gateways = { [TGW]: known({ ownerId: IDS.account, securityGroupReferencing: 'enable' }) };
    }),
    status: 'pass',
  },
  {
    name: "the same with the transit gateway's own referencing off (its default): fail, the group rule does not reach across",
    facts: factsWith((f) => {
      central(f);
      byGroup(f);
      tg(f).gateways = { [TGW]: known({ ownerId: IDS.account, securityGroupReferencing: 'disable' }) };
    }),
    status: 'fail',
    message: /do not admit 10\.0\.1\.12 on TCP 443/,
  },
  {
    name: "the same with the transit gateway's options not read: unknown naming ec2:DescribeTransitGateways",
    facts: factsWith((f) => {
      central(f);
      byGroup(f);
      tg(f).gateways = { [TGW]: denied('ec2:DescribeTransitGateways') };
    }),
    status: 'unknown',
    message: /ec2:DescribeTransitGateways/,
  },
  {
    name: 'a deleted attachment listed beside the current one is ignored: pass',
    facts: factsWith((f) => {
      central(f);
      const atts = tg(f).attachments[TGW];
      if (atts?.known) atts.value.unshift(attachment({ attachmentId: 'tgw-attach-0old0000000000001', state: 'deleted', subnetIds: [] }));
    }),
    status: 'pass',
  },
  {
    name: 'an attachment being modified still carries traffic: pass',
    facts: factsWith((f) => {
      central(f);
      spokeAtt(f).state = 'modifying';
    }),
    status: 'pass',
  },
  {
    name: 'a participant of a shared VPC sees none of its attachments: unknown naming the VPC owner, not a fail',
    facts: factsWith((f) => {
      central(f);
      vpcOf(f).ownerId = '210987654321';
      tg(f).attachments[TGW] = known([attachment({ attachmentId: HUB_ATT, vpcId: HUB, subnetIds: [HUB_SUBNET], routeTableId: HUB_RTB })]);
    }),
    status: 'unknown',
    message: /is shared by account 210987654321, which holds its transit gateway attachments/,
  },
  {
    name: 'two transit gateways: the one the hub endpoints are routed through is followed, not the first route',
    facts: factsWith((f) => {
      central(f);
      const rt = vpcOf(f).routeTables;
      if (rt.known)
        rt.value
          .find((t) => t.routeTableId === IDS.privateRt)!
          .routes.unshift({ destination: '0.0.0.0/0', target: OTHER_TGW, state: 'active' });
      tg(f).attachments[OTHER_TGW] = known([
        attachment({ attachmentId: 'tgw-attach-0egress0000000001', transitGatewayId: OTHER_TGW, routeTableId: 'tgw-rtb-0egress000000001' }),
      ]);
    }),
    status: 'pass',
    message: new RegExp(`through ${TGW}:`),
  },
  {
    name: "the hub endpoints' addresses are routed through a peering connection: skip, that path is network-route's",
    facts: factsWith((f) => {
      central(f);
      const rt = vpcOf(f).routeTables;
      if (rt.known)
        rt.value
          .find((t) => t.routeTableId === IDS.privateRt)!
          .routes.push({ destination: '10.1.1.0/24', target: 'pcx-0aaaa00000000001', state: 'active' });
    }),
    status: 'skip',
    message: /through pcx-0aaaa00000000001, not a transit gateway/,
  },
  {
    name: 'hub endpoints in an Availability Zone the hub attachment does not serve: fail',
    facts: factsWith((f) => {
      central(f);
      const subnets = hub(f).subnets;
      if (subnets.known) subnets.value.push({ subnetId: 'subnet-0hubatt00000000001', availabilityZone: IDS.otherAz, cidr: '10.1.9.0/28' });
      const atts = tg(f).attachments[TGW];
      if (atts?.known) atts.value[1]!.subnetIds = ['subnet-0hubatt00000000001'];
      const acls = hub(f).networkAcls;
      if (acls?.known) acls.value[0]!.subnetIds.push('subnet-0hubatt00000000001');
    }),
    status: 'fail',
    message: new RegExp(`hub attachment ${HUB_ATT} has no subnet in ${IDS.az}, where hub endpoint subnet ${HUB_SUBNET} is`),
  },
  {
    name: "the hub endpoint subnet is the attachment's own: its ACL is not asked about what the transit gateway delivers, pass",
    facts: factsWith((f) => {
      central(f);
      const acls = hub(f).networkAcls;
      if (acls?.known)
        acls.value[0]!.entries = acls.value[0]!.entries.map((e) =>
          e.egress ? e : { ...e, cidr: e.action === 'allow' ? '10.1.0.0/16' : e.cidr },
        );
    }),
    status: 'pass',
  },
  {
    name: "the spoke already routes the hub subnet's exact range to another transit gateway: the fix replaces that route",
    facts: factsWith((f) => {
      central(f);
      const rt = vpcOf(f).routeTables;
      if (rt.known)
        rt.value
          .find((t) => t.routeTableId === IDS.privateRt)!
          .routes.push({ destination: '10.1.1.0/24', target: OTHER_TGW, state: 'active' });
    }),
    status: 'fail',
    commands: [
      new RegExp(
        `^aws ec2 replace-route --route-table-id ${IDS.privateRt} --destination-cidr-block 10.1.1.0/24 --transit-gateway-id ${TGW} ${region}`,
      ),
    ],
  },
  {
    name: "a hub endpoint's security group was not read: unknown, not a fail",
    facts: factsWith((f) => {
      central(f);
      const eps = hub(f).endpoints;
      if (eps.known) eps.value[0]!.groupIds.push('sg-0unread00000000001');
      hubAdmitsOwnRange(f);
    }),
    status: 'unknown',
    message: /were not all read/,
  },
  {
    name: "the spoke VPC's CIDR is known: the hub's route and rule admit the whole VPC, one for all its subnets",
    facts: factsWith((f) => {
      central(f);
      vpcOf(f).cidrs = ['10.0.0.0/16'];
      hubAdmitsOwnRange(f);
    }),
    status: 'fail',
    commands: [new RegExp(`--cidr 10\\.0\\.0\\.0/16 ${region}`)],
  },
  {
    name: 'the same reference with referencing off on the hub attachment: fail, the rule does not reach across',
    facts: factsWith((f) => {
      central(f);
      byGroup(f);
      const atts = tg(f).attachments[TGW];
      if (atts?.known) atts.value[1]!.securityGroupReferencing = 'disable';
    }),
    status: 'fail',
    message: /do not admit 10\.0\.1\.12 on TCP 443/,
    verify: (r) => expect(r.fix!.steps[0]!.text.en).toMatch(/only with security group referencing on/),
  },
  {
    name: "the hub subnet's network ACL denies the replies: fail naming the ACL",
    facts: factsWith((f) => {
      central(f);
      const acls = hub(f).networkAcls;
      if (acls?.known) acls.value[0]!.entries = acls.value[0]!.entries.filter((e) => !(e.egress && e.action === 'allow'));
    }),
    status: 'fail',
    message: new RegExp(`network ACL ${HUB_ACL} of hub subnet ${HUB_SUBNET} does not let through replies out to ${IDS.privateIp}`),
  },
  {
    name: 'an IPv6-only instance behind the transit gateway: warn, its IPv6 side of the hub is not judged',
    facts: factsWith((f) => {
      central(f);
      notConnected(f);
      delete instanceOf(f).privateIp;
      instanceOf(f).ipv6Addresses = ['2600:1f18::12'];
    }),
    status: 'warn',
    message: /is IPv6-only: the way through tgw-0aaaa00000000001 to hub vpc-0hub0000000000001 and back is judged for IPv4 only/,
  },
  {
    name: 'no attached VPC holds endpoints for the steered names: warn, the hub is beyond what can be followed',
    facts: factsWith((f) => {
      central(f);
      notConnected(f);
      hub(f).endpoints = known([]);
    }),
    status: 'warn',
    message: new RegExp(`none of the VPCs attached to ${TGW} \\(${HUB}\\) has available interface endpoints for ssm, ssmmessages`),
  },
  {
    name: 'a transit gateway of another account: unknown, naming the account whose view is needed',
    facts: factsWith((f) => {
      central(f);
      tg(f).attachments[TGW] = known([attachment({ transitGatewayOwnerId: '210987654321' })]);
    }),
    status: 'unknown',
    message: /tgw-0aaaa00000000001 belongs to account 210987654321/,
  },
  {
    name: 'a shared transit gateway whose association the spoke account cannot see: unknown, naming the owner account, not a fail',
    facts: factsWith((f) => {
      central(f);
      spokeAtt(f).transitGatewayOwnerId = '210987654321';
      delete spokeAtt(f).routeTableId;
      delete spokeAtt(f).associationState;
    }),
    status: 'unknown',
    message: /association of tgw-attach-0spoke000000001 is seen only from the account that owns tgw-0aaaa00000000001, 210987654321/,
  },
  {
    name: "the gateway's view shows another account's VPC attached and no hub among those read: unknown naming that account",
    facts: factsWith((f) => {
      central(f);
      hub(f).endpoints = known([]);
      tg(f).attachments[TGW] = known([
        attachment({}),
        attachment({
          attachmentId: HUB_ATT,
          vpcId: 'vpc-0shared0000000001',
          vpcOwnerId: '444455556666',
          subnetIds: [],
          routeTableId: HUB_RTB,
        }),
      ]);
    }),
    status: 'unknown',
    message: /VPCs of accounts 444455556666 are attached too/,
  },
  {
    name: 'the attachments could not be read: unknown naming the call',
    facts: factsWith((f) => {
      central(f);
      tg(f).attachments[TGW] = denied('ec2:DescribeTransitGatewayVpcAttachments');
    }),
    status: 'unknown',
    message: /ec2:DescribeTransitGatewayVpcAttachments/,
  },
  {
    name: "the hub's propagations could not be read: unknown naming the call",
    facts: factsWith((f) => {
      central(f);
      tg(f).propagations[HUB_RTB] = denied('ec2:GetTransitGatewayRouteTablePropagations');
    }),
    status: 'unknown',
    message: /ec2:GetTransitGatewayRouteTablePropagations/,
  },
  {
    name: 'centralised egress (0.0.0.0/0 to the transit gateway): the attachment is checked, the static route beyond it is not readable, skip',
    facts: factsWith(egress),
    status: 'skip',
    message: new RegExp(`attachment ${SPOKE_ATT} to ${TGW} is available.*only ec2:SearchTransitGatewayRoutes shows`),
  },
  {
    name: 'centralised egress from an Availability Zone the attachment does not serve: fail',
    facts: factsWith((f) => {
      egress(f);
      spokeAtt(f).subnetIds = [IDS.otherSubnet];
    }),
    status: 'fail',
    message: new RegExp(`has no subnet in ${IDS.az}`),
  },
]);
