import type {
  Instance as Ec2Instance,
  InternetGateway as Ec2InternetGateway,
  IpPermission,
  NatGateway as Ec2NatGateway,
  RouteTable as Ec2RouteTable,
  SecurityGroup as Ec2SecurityGroup,
  Subnet as Ec2Subnet,
  VpcEndpoint,
} from '@aws-sdk/client-ec2';
import type { InstanceInformation } from '@aws-sdk/client-ssm';
import type {
  Endpoint,
  Instance,
  InternetGateway,
  ManagedInstance,
  NatGateway,
  RouteTable,
  SecurityGroup,
  SgRule,
  Subnet,
} from '../facts/schema.js';

/** Drops keys whose value is undefined, so facts files carry only what AWS said. */
export function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

const ids = (xs: (string | undefined)[] | undefined): string[] => (xs ?? []).filter((x): x is string => !!x);

export function mapInstance(raw: Ec2Instance, ownerId: string | undefined): Instance {
  const primary = raw.NetworkInterfaces?.find((n) => n.Attachment?.DeviceIndex === 0);
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
    privateIp: raw.PrivateIpAddress,
    publicIp: raw.PublicIpAddress ?? primary?.Association?.PublicIp,
    primaryEniGroupIds: ids(groups.map((g) => g.GroupId)),
    instanceProfileArn: raw.IamInstanceProfile?.Arn ?? null,
    platform: raw.Platform,
    platformDetails: raw.PlatformDetails,
    imageId: raw.ImageId,
    metadata: m ? compact({ httpEndpoint: m.HttpEndpoint, httpTokens: m.HttpTokens, hopLimit: m.HttpPutResponseHopLimit }) : undefined,
  });
}

export function mapSubnet(raw: Ec2Subnet): Subnet {
  return compact({ subnetId: raw.SubnetId ?? '', availabilityZone: raw.AvailabilityZone ?? '', cidr: raw.CidrBlock });
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

export function mapManagedInstance(raw: InstanceInformation): ManagedInstance {
  return compact({
    pingStatus: raw.PingStatus ?? 'unknown',
    lastPingDateTime: isoOf(raw.LastPingDateTime),
    agentVersion: raw.AgentVersion,
    platformType: raw.PlatformType,
    platformName: raw.PlatformName,
    platformVersion: raw.PlatformVersion,
    iamRole: raw.IamRole,
  });
}

function isoOf(d: Date | string | undefined): string | undefined {
  if (d === undefined) return undefined;
  const date = d instanceof Date ? d : new Date(d);
  return Number.isNaN(date.getTime()) ? String(d) : date.toISOString();
}

export class PolicyDocumentError extends Error {
  override name = 'MalformedPolicyDocument';
}

/** IAM returns policy documents URL-encoded (moto does not): plain JSON first, else decoded. */
export function parsePolicyDocument(text: string | undefined): unknown {
  if (text === undefined || text === '') throw new PolicyDocumentError('the policy document is empty');
  try {
    return JSON.parse(text);
  } catch {
    try {
      return JSON.parse(decodeURIComponent(text));
    } catch {
      throw new PolicyDocumentError('the policy document is neither JSON nor URL-encoded JSON');
    }
  }
}

/** `arn:aws:iam::123456789012:instance-profile/path/Name` → `Name` (GetInstanceProfile takes the name only). */
export function lastSegment(arnOrPath: string): string {
  return arnOrPath.slice(arnOrPath.lastIndexOf('/') + 1);
}
