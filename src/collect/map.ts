import { lastSegment } from '../aws/arn.js';
import { SESSION_DOCUMENT } from '../aws/services.js';
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
import type { EvaluationResult } from '@aws-sdk/client-iam';
import type { HostedZoneSummary } from '@aws-sdk/client-route-53';
import type { InstanceInformation } from '@aws-sdk/client-ssm';
import type {
  Endpoint,
  HostedZone,
  Instance,
  InternetGateway,
  ManagedInstance,
  NatGateway,
  NetworkAcl,
  RouteTable,
  SecurityGroup,
  SessionPreferences,
  SgRule,
  SimulationResult,
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
    tags: raw.Tags ? Object.fromEntries(raw.Tags.filter((t) => t.Key !== undefined).map((t) => [t.Key!, t.Value ?? ''])) : undefined,
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
    routeTableIds: raw.VpcEndpointType?.toLowerCase() === 'gateway' ? ids(raw.RouteTableIds) : undefined,
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

/**
 * One result per action and resource. IAM may put the per-resource verdicts of an action in
 * ResourceSpecificResults; those are spread out, each keeping the action's organizations verdict.
 */
export function mapSimulation(raw: EvaluationResult): SimulationResult[] {
  const statements = (xs: EvaluationResult['MatchedStatements']) =>
    (xs ?? []).map((m) => compact({ sourcePolicyId: m.SourcePolicyId, sourcePolicyType: m.SourcePolicyType }));
  const action = raw.EvalActionName ?? '';
  const allowedByOrganizations = raw.OrganizationsDecisionDetail?.AllowedByOrganizations;
  const perResource = raw.ResourceSpecificResults ?? [];
  if (perResource.length === 0) {
    return [
      compact({
        action,
        resource: raw.EvalResourceName,
        decision: raw.EvalDecision ?? 'implicitDeny',
        matchedStatements: statements(raw.MatchedStatements),
        allowedByOrganizations,
        allowedByPermissionsBoundary: raw.PermissionsBoundaryDecisionDetail?.AllowedByPermissionsBoundary,
        missingContextValues: raw.MissingContextValues ?? [],
      }),
    ];
  }
  return perResource.map((r) =>
    compact({
      action,
      resource: r.EvalResourceName,
      decision: r.EvalResourceDecision ?? 'implicitDeny',
      matchedStatements: statements(r.MatchedStatements),
      allowedByOrganizations,
      allowedByPermissionsBoundary: (r.PermissionsBoundaryDecisionDetail ?? raw.PermissionsBoundaryDecisionDetail)?.AllowedByPermissionsBoundary,
      missingContextValues: r.MissingContextValues ?? [],
    }),
  );
}


export class SessionDocumentError extends Error {
  override name = 'MalformedDocument';
}

/** The Session Manager preferences from the document's JSON content; the console stores booleans as true or "true". */
export function parseSessionPreferences(content: string | undefined): SessionPreferences {
  let doc: unknown;
  try {
    doc = JSON.parse(content ?? '');
  } catch {
    throw new SessionDocumentError(`${SESSION_DOCUMENT} is not JSON`);
  }
  const inputs = (doc as { inputs?: unknown } | null)?.inputs;
  const get = (key: string): unknown => (typeof inputs === 'object' && inputs !== null ? (inputs as Record<string, unknown>)[key] : undefined);
  const text = (key: string): string | undefined => {
    const v = get(key);
    return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
  };
  const flag = (key: string): boolean | undefined => {
    const v = get(key);
    if (typeof v === 'boolean') return v;
    if (typeof v === 'string' && /^(true|false)$/i.test(v.trim())) return v.trim().toLowerCase() === 'true';
    return undefined;
  };
  return compact({
    documentName: SESSION_DOCUMENT,
    kmsKeyId: text('kmsKeyId'),
    s3BucketName: text('s3BucketName'),
    s3KeyPrefix: text('s3KeyPrefix'),
    s3EncryptionEnabled: flag('s3EncryptionEnabled'),
    cloudWatchLogGroupName: text('cloudWatchLogGroupName'),
    cloudWatchEncryptionEnabled: flag('cloudWatchEncryptionEnabled'),
    cloudWatchStreamingEnabled: flag('cloudWatchStreamingEnabled'),
    runAsEnabled: flag('runAsEnabled'),
    runAsDefaultUser: text('runAsDefaultUser'),
  });
}

/** amazon-ssm-agent, snap.amazon-ssm-agent, ssm-agent-worker, AmazonSSMAgent (Windows). */
const AGENT_LINE = /ssm-agent|AmazonSSMAgent/i;
export const CONSOLE_LINES = 20;
export const CONSOLE_LINE_LENGTH = 300;

/** The console output's lines about the SSM agent: the last 20, without terminal escapes, each at most 300 characters. */
export function agentLines(base64: string | undefined): { hasOutput: boolean; agentLines: string[] } {
  const text = base64 ? Buffer.from(base64, 'base64').toString('utf8') : '';
  if (text.trim() === '') return { hasOutput: false, agentLines: [] };
  const lines = text
    .split(/\r?\n|\r/)
    .map((l) => l.replace(/\x1b\[[0-?]*[ -/]*[@-~]/g, '').replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '').trim())
    .filter((l) => AGENT_LINE.test(l));
  return {
    hasOutput: true,
    agentLines: lines.slice(-CONSOLE_LINES).map((l) => (l.length > CONSOLE_LINE_LENGTH ? `${l.slice(0, CONSOLE_LINE_LENGTH - 3)}...` : l)),
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

