import type {
  Instance as Ec2Instance,
  InternetGateway as Ec2InternetGateway,
  IpPermission,
  NatGateway as Ec2NatGateway,
  NetworkAcl as Ec2NetworkAcl,
  RouteTable as Ec2RouteTable,
  SecurityGroup as Ec2SecurityGroup,
  Subnet as Ec2Subnet,
  VpcEndpoint,
} from '@aws-sdk/client-ec2';
import type { HostedZoneSummary } from '@aws-sdk/client-route-53';
import { lastSegment } from '../../aws/arn.js';
import type {
  Endpoint,
  HostedZone,
  Instance,
  InternetGateway,
  NatGateway,
  NetworkAcl,
  RouteTable,
  SecurityGroup,
  SgRule,
  Subnet,
} from '../../facts/schema.js';
import { compact } from '../sdk/read.js';

/** EC2 (and Route 53 hosted zone) answers as the facts hold them: the fields the checks read, nothing more. */
const ids = (xs: (string | undefined)[] | undefined): string[] => (xs ?? []).filter((x): x is string => !!x);

const isIpv4 = (address: string | undefined) => !!address && /^\d{1,3}(\.\d{1,3}){3}$/.test(address);
const GONE_CIDR = new Set(['disassociating', 'disassociated', 'failing', 'failed']);

export function mapInstance(raw: Ec2Instance, ownerId: string | undefined): Instance {
  const primary = raw.NetworkInterfaces?.find((n) => n.Attachment?.DeviceIndex === 0);
  // Some emulators put an IPv6-only instance's IPv6 address in PrivateIpAddress, where AWS puts only IPv4.
  const v6Private = raw.PrivateIpAddress && !isIpv4(raw.PrivateIpAddress) ? [raw.PrivateIpAddress] : [];
  const ipv6 = [...new Set([...ids((primary?.Ipv6Addresses ?? []).map((a) => a.Ipv6Address)), ...ids([raw.Ipv6Address]), ...v6Private])];
  const groups = primary?.Groups ?? raw.SecurityGroups ?? [];
  const state = raw.State?.Name ?? 'unknown';
  const gone = state === 'terminated';
  const m = raw.MetadataOptions;
  return compact({
    instanceId: raw.InstanceId ?? '',
    state,
    accountId: ownerId,
    vpcId: gone ? undefined : raw.VpcId,
    subnetId: gone ? undefined : raw.SubnetId,
    availabilityZone: raw.Placement?.AvailabilityZone,
    privateIp: isIpv4(raw.PrivateIpAddress) ? raw.PrivateIpAddress : undefined,
    publicIp: raw.PublicIpAddress ?? primary?.Association?.PublicIp,
    ipv6Addresses: ipv6,
    primaryEniGroupIds: ids(groups.map((g) => g.GroupId)),
    instanceProfileArn: raw.IamInstanceProfile?.Arn ?? null,
    platform: raw.Platform,
    platformDetails: raw.PlatformDetails,
    imageId: raw.ImageId,
    tags: raw.Tags ? Object.fromEntries(raw.Tags.filter((t) => t.Key !== undefined).map((t) => [t.Key!, t.Value ?? ''])) : undefined,
    metadata: m ? compact({ httpEndpoint: m.HttpEndpoint, httpTokens: m.HttpTokens, hopLimit: m.HttpPutResponseHopLimit }) : undefined,
  });
}

export function mapSubnet(raw: Ec2Subnet): Subnet {
  return compact({
    subnetId: raw.SubnetId ?? '',
    availabilityZone: raw.AvailabilityZone ?? '',
    cidr: raw.CidrBlock,
    ipv6Cidrs: ids(
      (raw.Ipv6CidrBlockAssociationSet ?? [])
        .filter((a) => !GONE_CIDR.has(a.Ipv6CidrBlockState?.State ?? 'associated'))
        .map((a) => a.Ipv6CidrBlock),
    ),
    ipv6Native: raw.Ipv6Native === true ? true : undefined,
    enableDns64: raw.EnableDns64 === true ? true : undefined,
  });
}

const ROUTE_TARGETS = [
  'GatewayId',
  'NatGatewayId',
  'TransitGatewayId',
  'NetworkInterfaceId',
  'InstanceId',
  'VpcPeeringConnectionId',
  'EgressOnlyInternetGatewayId',
  'CarrierGatewayId',
  'CoreNetworkArn',
  'LocalGatewayId',
  'OdbNetworkArn',
] as const;

const GONE_ASSOCIATION = new Set(['disassociating', 'disassociated', 'failed']);

export function mapRouteTable(raw: Ec2RouteTable): RouteTable {
  const live = (raw.Associations ?? []).filter((a) => !GONE_ASSOCIATION.has(a.AssociationState?.State ?? 'associated'));
  return {
    routeTableId: raw.RouteTableId ?? '',
    main: live.some((a) => a.Main === true),
    subnetIds: ids(live.map((a) => a.SubnetId)),
    routes: (raw.Routes ?? []).map((r) => ({
      destination: r.DestinationCidrBlock ?? r.DestinationIpv6CidrBlock ?? r.DestinationPrefixListId ?? '',
      target: ROUTE_TARGETS.map((k) => r[k]).find((v): v is string => !!v) ?? '',
      state: r.State ?? 'unknown',
    })),
  };
}

const IP_TYPES = new Set(['ipv4', 'dualstack', 'ipv6']);
const DNS_TYPES = new Set(['ipv4', 'dualstack', 'ipv6', 'service-defined', 'not-specified']);

export function mapEndpoint(raw: VpcEndpoint): Endpoint {
  // The API answers "available" and "pendingAcceptance"; the SDK's enum spells them "Available" and "PendingAcceptance".
  const state = raw.State ? raw.State.charAt(0).toLowerCase() + raw.State.slice(1) : 'unknown';
  return compact({
    endpointId: raw.VpcEndpointId ?? '',
    serviceName: raw.ServiceName ?? '',
    type: raw.VpcEndpointType ?? '',
    state,
    subnetIds: ids(raw.SubnetIds),
    groupIds: ids((raw.Groups ?? []).map((g) => g.GroupId)),
    privateDnsEnabled: raw.PrivateDnsEnabled === true,
    policy: raw.PolicyDocument,
    routeTableIds: raw.VpcEndpointType?.toLowerCase() === 'gateway' ? ids(raw.RouteTableIds) : undefined,
    ipAddressType: IP_TYPES.has(raw.IpAddressType ?? '') ? (raw.IpAddressType as Endpoint['ipAddressType']) : undefined,
    dnsRecordIpType: DNS_TYPES.has(raw.DnsOptions?.DnsRecordIpType ?? '')
      ? (raw.DnsOptions?.DnsRecordIpType as Endpoint['dnsRecordIpType'])
      : undefined,
  });
}

export function mapNatGateway(raw: Ec2NatGateway): NatGateway {
  return compact({
    natGatewayId: raw.NatGatewayId ?? '',
    state: raw.State ?? 'unknown',
    connectivityType: raw.ConnectivityType ?? 'public',
    subnetId: raw.SubnetId,
  });
}

/** `attached` only for an attachment to this VPC that is `available` (moto says `attached`). */
export function mapInternetGateway(raw: Ec2InternetGateway, vpcId: string): InternetGateway {
  const state = (raw.Attachments ?? []).find((a) => a.VpcId === vpcId)?.State as string | undefined;
  return { internetGatewayId: raw.InternetGatewayId ?? '', attached: state === 'available' || state === 'attached' };
}

function mapRule(p: IpPermission): SgRule {
  return compact({
    protocol: p.IpProtocol ?? '-1',
    fromPort: p.FromPort,
    toPort: p.ToPort,
    cidrs: ids((p.IpRanges ?? []).map((r) => r.CidrIp)),
    ipv6Cidrs: ids((p.Ipv6Ranges ?? []).map((r) => r.CidrIpv6)),
    groupIds: ids((p.UserIdGroupPairs ?? []).map((g) => g.GroupId)),
    prefixListIds: ids((p.PrefixListIds ?? []).map((x) => x.PrefixListId)),
  });
}

export function mapSecurityGroup(raw: Ec2SecurityGroup): SecurityGroup {
  return {
    groupId: raw.GroupId ?? '',
    groupName: raw.GroupName ?? '',
    ingress: (raw.IpPermissions ?? []).map(mapRule),
    egress: (raw.IpPermissionsEgress ?? []).map(mapRule),
  };
}

export function mapNetworkAcl(raw: Ec2NetworkAcl): NetworkAcl {
  return {
    networkAclId: raw.NetworkAclId ?? '',
    isDefault: raw.IsDefault === true,
    subnetIds: ids((raw.Associations ?? []).map((a) => a.SubnetId)),
    entries: (raw.Entries ?? []).map((e) =>
      compact({
        ruleNumber: e.RuleNumber ?? 0,
        egress: e.Egress === true,
        protocol: e.Protocol ?? '-1',
        action: e.RuleAction ?? 'deny',
        cidr: e.CidrBlock,
        ipv6Cidr: e.Ipv6CidrBlock,
        fromPort: e.PortRange?.From,
        toPort: e.PortRange?.To,
      }),
    ),
  };
}

export function mapHostedZone(raw: HostedZoneSummary): HostedZone {
  return compact({
    name: raw.Name ?? '',
    hostedZoneId: lastSegment(raw.HostedZoneId ?? ''),
    owningAccount: raw.Owner?.OwningAccount,
    owningService: raw.Owner?.OwningService,
  });
}
