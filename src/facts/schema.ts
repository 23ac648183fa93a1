import { z } from 'zod';
import * as ids from '../aws/ids.js';

/**
 * The facts a diagnosis needs, as slim domain shapes. Everything AWS could not tell us is an
 * Unknown that names the call and the error, so a check can say why it could not decide.
 */
export const unknownSchema = z.object({
  known: z.literal(false),
  call: z.string().describe('service:Operation that failed, e.g. iam:GetInstanceProfile'),
  code: z.string().describe('AWS error code, e.g. AccessDenied'),
  message: z.string(),
});
export type Unknown = z.infer<typeof unknownSchema>;

export function factOf<T extends z.ZodType>(value: T) {
  return z.discriminatedUnion('known', [z.object({ known: z.literal(true), value }), unknownSchema]);
}
export type Fact<T> = { known: true; value: T } | Unknown;

export { known } from './fact.js';

/** A string in one of the formats of src/aws/ids.ts; the error names the format, and the path names the field. */
const shaped = (re: RegExp, what: string) => z.string().regex(re, `not ${what}`);
const vpcId = shaped(ids.VPC_ID, 'a VPC id (vpc-…)');
const subnetId = shaped(ids.SUBNET_ID, 'a subnet id (subnet-…)');
const sgId = shaped(ids.SECURITY_GROUP_ID, 'a security group id (sg-…)');
const rtbId = shaped(ids.ROUTE_TABLE_ID, 'a route table id (rtb-…)');
const arn = shaped(ids.ARN, 'an ARN');
const iamName = shaped(ids.IAM_NAME, 'an IAM name');
const cidr = shaped(ids.CIDR, 'a CIDR block');
const accountId = shaped(ids.ACCOUNT_ID, 'an account id (12 digits)');
const instanceId = shaped(ids.INSTANCE_ID, 'an instance id (i- and 8 or 17 hex digits)');
const managedNodeId = shaped(/^(i|mi)-([0-9a-f]{8}|[0-9a-f]{17})$/, 'a managed node id (i-… or mi-…)');
const zone = shaped(/^[a-z0-9-]{4,32}$/, 'an Availability Zone');
const ip = shaped(/^[0-9a-fA-F.:]{2,45}$/, 'an IP address');
/** What a route may point at: `local`, an EC2 id (igw-, nat-, tgw-, pcx-, eni-, i-, vpce-, …), or an ARN (a core network). */
const routeTarget = shaped(new RegExp(`^local$|${ids.ANY_RESOURCE_ID.source}|^arn:[\\w+=,.@/:-]{1,1600}$`), 'a route target');
const routeDestination = shaped(
  /^(\d{1,3}(\.\d{1,3}){3}\/\d{1,2}|[0-9a-fA-F:]{2,39}\/\d{1,3}|pl-[0-9a-z]{1,32})$/,
  'a CIDR block or prefix list id',
);

export const instanceSchema = z.object({
  instanceId,
  state: z.string().describe('pending | running | shutting-down | terminated | stopping | stopped'),
  accountId: accountId.optional(),
  vpcId: vpcId.optional(),
  subnetId: subnetId.optional(),
  availabilityZone: zone.optional(),
  privateIp: ip.optional().describe('the primary private IPv4 address; absent for an instance in an IPv6-only subnet'),
  publicIp: ip.optional(),
  ipv6Addresses: z
    .array(ip)
    .optional()
    .describe('IPv6 addresses of the network interface at device index 0 (absent in facts files written before they were read)'),
  primaryEniGroupIds: z.array(sgId).describe('security groups of the network interface at device index 0'),
  instanceProfileArn: arn.nullable(),
  platform: z.string().optional().describe('"windows" for Windows, absent otherwise'),
  platformDetails: z.string().optional(),
  imageId: shaped(ids.resourceId('ami'), 'an AMI id (ami-…)').optional(),
  tags: z.record(z.string(), z.string()).optional(),
  metadata: z
    .object({
      httpEndpoint: z.string().optional(),
      httpTokens: z.string().optional(),
      hopLimit: z.number().optional(),
    })
    .optional(),
});
export type Instance = z.infer<typeof instanceSchema>;

export const subnetSchema = z.object({
  subnetId,
  availabilityZone: zone,
  cidr: cidr.optional(),
  ipv6Cidrs: z
    .array(cidr)
    .optional()
    .describe('the IPv6 CIDR blocks associated with the subnet (absent in facts files written before they were read)'),
  ipv6Native: z.boolean().optional().describe('an IPv6-only subnet: its instances have no IPv4 address'),
  enableDns64: z.boolean().optional().describe('DNS64: IPv4-only names get 64:ff9b::/96 addresses, for a NAT gateway to translate'),
});
export type Subnet = z.infer<typeof subnetSchema>;

export const routeSchema = z.object({
  destination: routeDestination.describe('IPv4/IPv6 CIDR or prefix list id'),
  target: routeTarget.describe('local, igw-…, nat-…, tgw-…, vgw-…, eni-…, pcx-…, vpce-…, i-…'),
  state: z.string().describe('active | blackhole'),
});
export type Route = z.infer<typeof routeSchema>;

export const routeTableSchema = z.object({
  routeTableId: rtbId,
  main: z.boolean(),
  subnetIds: z.array(subnetId),
  routes: z.array(routeSchema),
});
export type RouteTable = z.infer<typeof routeTableSchema>;

export const endpointSchema = z.object({
  endpointId: shaped(ids.ENDPOINT_ID, 'a VPC endpoint id (vpce-…)'),
  serviceName: shaped(ids.SERVICE_NAME, 'an endpoint service name'),
  type: z.string().describe('Interface | Gateway | …'),
  state: z.string(),
  subnetIds: z.array(subnetId),
  groupIds: z.array(sgId),
  privateDnsEnabled: z.boolean(),
  policy: z.string().optional().describe('endpoint policy document (JSON text)'),
  routeTableIds: z.array(rtbId).optional().describe('route tables of a Gateway endpoint'),
  ipAddressType: z.enum(['ipv4', 'dualstack', 'ipv6']).optional().describe('the addresses the endpoint has in its subnets'),
  dnsRecordIpType: z
    .enum(['ipv4', 'dualstack', 'ipv6', 'service-defined', 'not-specified'])
    .optional()
    .describe('the records its private DNS names get: A, A and AAAA, or AAAA'),
});
export type Endpoint = z.infer<typeof endpointSchema>;

export const natGatewaySchema = z.object({
  natGatewayId: shaped(ids.NAT_GATEWAY_ID, 'a NAT gateway id (nat-…)'),
  state: z.string(),
  connectivityType: z.string().describe('public | private'),
  subnetId: subnetId.optional(),
});
export type NatGateway = z.infer<typeof natGatewaySchema>;

export const internetGatewaySchema = z.object({
  internetGatewayId: shaped(ids.INTERNET_GATEWAY_ID, 'an internet gateway id (igw-…)'),
  attached: z.boolean().describe('attached to this VPC and in state available'),
});
export type InternetGateway = z.infer<typeof internetGatewaySchema>;

export const sgRuleSchema = z.object({
  protocol: z.string().describe('"-1" for all, else tcp/udp/icmp or a protocol number'),
  fromPort: z.number().optional(),
  toPort: z.number().optional(),
  cidrs: z.array(cidr),
  ipv6Cidrs: z.array(cidr),
  groupIds: z.array(sgId),
  prefixListIds: z.array(shaped(ids.PREFIX_LIST_ID, 'a prefix list id (pl-…)')),
});
export type SgRule = z.infer<typeof sgRuleSchema>;

export const securityGroupSchema = z.object({
  groupId: sgId,
  groupName: z.string(),
  ingress: z.array(sgRuleSchema),
  egress: z.array(sgRuleSchema),
});
export type SecurityGroup = z.infer<typeof securityGroupSchema>;

export const naclEntrySchema = z.object({
  ruleNumber: z.number(),
  egress: z.boolean(),
  protocol: z.string().describe('"-1" for all, "6" for TCP, …'),
  action: z.string().describe('allow | deny'),
  cidr: cidr.optional(),
  ipv6Cidr: cidr.optional(),
  fromPort: z.number().optional(),
  toPort: z.number().optional(),
});
export type NaclEntry = z.infer<typeof naclEntrySchema>;

export const networkAclSchema = z.object({
  networkAclId: shaped(ids.NETWORK_ACL_ID, 'a network ACL id (acl-…)'),
  isDefault: z.boolean(),
  subnetIds: z.array(subnetId),
  entries: z.array(naclEntrySchema),
});
export type NetworkAcl = z.infer<typeof networkAclSchema>;

export const hostedZoneSchema = z.object({
  name: shaped(/^[\w*.-]{1,255}$/, 'a DNS name').describe('zone name with the trailing dot, e.g. ssm.ap-northeast-1.amazonaws.com.'),
  hostedZoneId: shaped(ids.HOSTED_ZONE_ID, 'a hosted zone id'),
  owningAccount: accountId.optional(),
  owningService: z.string().optional(),
});
export type HostedZone = z.infer<typeof hostedZoneSchema>;

export const dhcpSchema = z.object({
  dhcpOptionsId: shaped(ids.resourceId('dopt'), 'a DHCP options set id (dopt-…)')
    .optional()
    .describe('absent when the VPC has no DHCP options set (it then uses the Amazon-provided DNS)'),
  domainNameServers: z
    .array(shaped(/^(AmazonProvidedDNS|[0-9a-fA-F.:]{2,45})$/, 'a DNS server (an IP address or AmazonProvidedDNS)'))
    .describe("the set's domain-name-servers; empty means the Amazon-provided DNS"),
});
export type Dhcp = z.infer<typeof dhcpSchema>;

export const resolverRuleSchema = z.object({
  ruleId: shaped(ids.RESOLVER_RULE_ID, 'a Resolver rule id (rslvr-rr-…)'),
  domainName: shaped(ids.DNS_NAME, 'a DNS name').describe('the names the rule applies to (this name and every name under it)'),
  ruleType: z.enum(['FORWARD', 'SYSTEM', 'RECURSIVE']).describe('FORWARD sends the queries to targetIps; SYSTEM answers them in the VPC'),
  name: z.string().max(256).optional(),
  targetIps: z.array(shaped(/^[0-9a-fA-F.:]{2,45}$/, 'an IP address')).describe('where a FORWARD rule sends the queries'),
});
export type ResolverRule = z.infer<typeof resolverRuleSchema>;

export const vpcSchema = z.object({
  ownerId: accountId.optional().describe('DescribeVpcs OwnerId: the account that owns the VPC (another one for a shared VPC)'),
  cidrs: z.array(cidr).optional().describe("DescribeVpcs: the VPC's associated IPv4 CIDR blocks"),
  dnsSupport: factOf(z.boolean()),
  dnsHostnames: factOf(z.boolean()),
  subnets: factOf(z.array(subnetSchema)),
  routeTables: factOf(z.array(routeTableSchema)),
  endpoints: factOf(z.array(endpointSchema)),
  natGateways: factOf(z.array(natGatewaySchema)),
  internetGateways: factOf(z.array(internetGatewaySchema)),
  securityGroups: factOf(z.array(securityGroupSchema)),
  networkAcls: factOf(z.array(networkAclSchema)).optional().describe('ec2:DescribeNetworkAcls'),
  dhcp: factOf(dhcpSchema).optional().describe('ec2:DescribeVpcs and ec2:DescribeDhcpOptions: the DNS servers the instances are given'),
  resolverRules: factOf(z.array(resolverRuleSchema))
    .optional()
    .describe('route53resolver:ListResolverRuleAssociations and ListResolverRules: the Resolver rules associated with the VPC'),
  hostedZones: factOf(z.array(hostedZoneSchema))
    .optional()
    .describe('route53:ListHostedZonesByVPC; read when the VPC has no local Systems Manager endpoint'),
});
export type Vpc = z.infer<typeof vpcSchema>;

export const bpaOptionsSchema = z.object({
  mode: z.string().describe('InternetGatewayBlockMode: off | block-bidirectional | block-ingress'),
  state: z.string().optional().describe('default-state | update-in-progress | update-complete'),
  exclusionsAllowed: z.string().optional().describe("allowed | not-allowed (an organisation's declarative policy)"),
  managedBy: z.string().optional().describe('account | declarative-policy'),
  unavailable: z
    .string()
    .optional()
    .describe('the error code when the region or partition does not offer VPC Block Public Access (the mode is then off)'),
});
export type BpaOptions = z.infer<typeof bpaOptionsSchema>;

export const bpaExclusionSchema = z.object({
  exclusionId: shaped(ids.resourceId('vpcbpa-exclude'), 'a VPC BPA exclusion id (vpcbpa-exclude-…)'),
  resourceId: shaped(ids.resourceId('vpc', 'subnet'), 'a VPC or subnet id').describe('the VPC or subnet its ResourceArn names'),
  mode: z.string().describe('InternetGatewayExclusionMode: allow-bidirectional | allow-egress'),
  state: z.string().describe('create-complete | update-complete | create-in-progress | disable-complete | …'),
});
export type BpaExclusion = z.infer<typeof bpaExclusionSchema>;

export const blockPublicAccessSchema = z.object({
  options: factOf(bpaOptionsSchema).describe('ec2:DescribeVpcBlockPublicAccessOptions'),
  exclusions: factOf(z.array(bpaExclusionSchema)).describe('ec2:DescribeVpcBlockPublicAccessExclusions'),
});
export type BlockPublicAccess = z.infer<typeof blockPublicAccessSchema>;

const tgwId = shaped(ids.resourceId('tgw'), 'a transit gateway id (tgw-…)');
const tgwAttachmentId = shaped(ids.resourceId('tgw-attach'), 'a transit gateway attachment id (tgw-attach-…)');
const tgwRouteTableId = shaped(ids.resourceId('tgw-rtb'), 'a transit gateway route table id (tgw-rtb-…)');

export const tgwAttachmentSchema = z.object({
  attachmentId: tgwAttachmentId,
  transitGatewayId: tgwId,
  transitGatewayOwnerId: accountId.optional(),
  vpcId,
  vpcOwnerId: accountId.optional(),
  state: z.string().describe('available | pendingAcceptance | pending | modifying | deleting | deleted | failed | rejected | …'),
  subnetIds: z.array(subnetId).describe('one subnet per Availability Zone the attachment serves'),
  routeTableId: tgwRouteTableId.optional().describe('the transit gateway route table the attachment is associated with'),
  associationState: z.string().optional().describe('associating | associated | disassociating | disassociated'),
  securityGroupReferencing: z
    .enum(['enable', 'disable'])
    .optional()
    .describe("Options.SecurityGroupReferencingSupport: whether the other side's security group rules may name this VPC's groups"),
});
export type TgwAttachment = z.infer<typeof tgwAttachmentSchema>;

export const tgwPropagationSchema = z.object({
  attachmentId: tgwAttachmentId,
  resourceId: shaped(ids.ANY_RESOURCE_ID, 'a resource id').optional().describe('the VPC (or VPN, peering…) behind the attachment'),
  resourceType: z.string().optional().describe('vpc | vpn | direct-connect-gateway | peering | connect | …'),
  state: z.string().describe('enabling | enabled | disabling | disabled'),
});
export type TgwPropagation = z.infer<typeof tgwPropagationSchema>;

export const transitGatewaysSchema = z.object({
  attachments: z
    .record(tgwId, factOf(z.array(tgwAttachmentSchema)))
    .describe(
      'ec2:DescribeTransitGatewayVpcAttachments and DescribeTransitGatewayAttachments: the VPC attachments of each transit gateway a route names',
    ),
  propagations: z
    .record(tgwRouteTableId, factOf(z.array(tgwPropagationSchema)))
    .describe('ec2:GetTransitGatewayRouteTablePropagations: the attachments whose routes each route table learns'),
  gateways: z
    .record(
      tgwId,
      factOf(
        z.object({
          ownerId: accountId.optional(),
          securityGroupReferencing: z
            .enum(['enable', 'disable'])
            .optional()
            .describe('Options.SecurityGroupReferencingSupport of the transit gateway'),
        }),
      ),
    )
    .optional()
    .describe('ec2:DescribeTransitGateways: each transit gateway a route names'),
  hubVpcs: factOf(z.array(vpcId)).describe(
    'ec2:DescribeVpcEndpoints over the other attached VPCs: those with Systems Manager interface endpoints (read in full into vpcs)',
  ),
});
export type TransitGateways = z.infer<typeof transitGatewaysSchema>;

export const policyDocumentSchema = z.unknown().describe('parsed IAM policy document (already URL-decoded)');

export const instanceProfileSchema = z.object({
  name: iamName,
  arn,
  roles: z.array(z.object({ roleName: iamName, arn })),
});
export type InstanceProfile = z.infer<typeof instanceProfileSchema>;

export const simulationResultSchema = z.object({
  action: z.string(),
  resource: z.string().optional(),
  decision: z.string().describe('allowed | explicitDeny | implicitDeny'),
  matchedStatements: z.array(z.object({ sourcePolicyId: z.string().optional(), sourcePolicyType: z.string().optional() })),
  allowedByOrganizations: z.boolean().optional().describe('false: an SCP denies'),
  allowedByPermissionsBoundary: z.boolean().optional().describe('false: the permissions boundary denies'),
  missingContextValues: z.array(z.string()),
});
export type SimulationResult = z.infer<typeof simulationResultSchema>;

export const roleSchema = z.object({
  attachedPolicies: factOf(z.array(z.object({ policyName: iamName, policyArn: arn }))),
  inlinePolicies: factOf(z.array(z.object({ policyName: iamName, document: policyDocumentSchema }))),
  managedPolicyDocuments: z
    .record(arn, factOf(policyDocumentSchema))
    .describe('documents of the attached customer-managed policies, by ARN'),
  role: factOf(
    z.object({
      arn,
      trustPolicy: policyDocumentSchema,
      permissionsBoundaryArn: arn.optional(),
    }),
  )
    .optional()
    .describe('iam:GetRole'),
  permissionsBoundary: factOf(policyDocumentSchema)
    .optional()
    .describe("the permissions boundary's document, read with the role's policies (absent for a built-in AWS managed policy)"),
  simulation: factOf(z.array(simulationResultSchema))
    .optional()
    .describe("iam:SimulatePrincipalPolicy on the role for the agent's actions"),
});
export type Role = z.infer<typeof roleSchema>;

export const managedInstanceSchema = z.object({
  pingStatus: z.string().describe('Online | ConnectionLost | Inactive'),
  lastPingDateTime: z.string().optional(),
  agentVersion: z.string().optional(),
  platformType: z.string().optional(),
  platformName: z.string().optional(),
  platformVersion: z.string().optional(),
  iamRole: z.string().optional(),
});
export type ManagedInstance = z.infer<typeof managedInstanceSchema>;

export const sessionPreferencesSchema = z.object({
  documentName: shaped(ids.DOCUMENT_NAME, 'a document name'),
  kmsKeyId: shaped(ids.KMS_KEY, 'a KMS key id, alias or ARN').optional(),
  s3BucketName: shaped(ids.BUCKET, 'an S3 bucket name').optional(),
  s3KeyPrefix: z.string().optional(),
  s3EncryptionEnabled: z.boolean().optional(),
  cloudWatchLogGroupName: shaped(ids.LOG_GROUP, 'a log group name').optional(),
  cloudWatchEncryptionEnabled: z.boolean().optional(),
  cloudWatchStreamingEnabled: z.boolean().optional(),
  runAsEnabled: z.boolean().optional(),
  runAsDefaultUser: z.string().optional(),
});
export type SessionPreferences = z.infer<typeof sessionPreferencesSchema>;

export const kmsKeySchema = z.object({
  keyId: shaped(/^[\w-]{1,128}$/, 'a KMS key id').describe('KeyId: the key the preferences name, an alias resolved'),
  arn: arn.describe('Arn of the key'),
  keyState: z
    .string()
    .describe('Enabled | Disabled | PendingDeletion | PendingImport | PendingReplicaDeletion | Unavailable | Creating | Updating'),
  keyManager: z.string().describe('CUSTOMER | AWS'),
  keySpec: z.string().optional().describe('SYMMETRIC_DEFAULT for a key Session Manager can use'),
  deletionDate: z.string().optional().describe('ISO 8601; set while PendingDeletion'),
});
export type KmsKey = z.infer<typeof kmsKeySchema>;

export const sessionKeySchema = z.object({
  kmsKeyId: shaped(ids.KMS_KEY, 'a KMS key id, alias or ARN').describe("the preferences' kmsKeyId this was read for"),
  key: factOf(kmsKeySchema.nullable()).describe('kms:DescribeKey; null when the key (or alias) does not exist'),
  policy: factOf(policyDocumentSchema).describe('kms:GetKeyPolicy (the policy named default), parsed'),
});
export type SessionKey = z.infer<typeof sessionKeySchema>;

export const callerSchema = z.object({
  arn: arn.describe('sts:GetCallerIdentity Arn (for a role session: the assumed-role ARN)'),
  accountId,
  principalArn: arn.optional().describe('the IAM user or role ARN that policies attach to'),
});
export type Caller = z.infer<typeof callerSchema>;

export const factsSchema = z
  .object({
    factsVersion: z.literal(1),
    tool: z.object({ name: z.string(), version: z.string() }).optional(),
    collectedAt: z.string().optional().describe('ISO 8601 time of collection'),
    region: shaped(ids.REGION, 'a region (e.g. ap-northeast-1)'),
    instances: z
      .record(instanceId, factOf(instanceSchema.nullable()))
      .describe('by instance id; null when the id does not exist in the region'),
    vpcs: z.record(vpcId, vpcSchema),
    instanceProfiles: z
      .record(arn, factOf(instanceProfileSchema.nullable()))
      .describe('by instance profile ARN; null when the profile does not exist'),
    roles: z.record(iamName, roleSchema).describe('by role name'),
    dhmc: factOf(z.object({ roleName: shaped(/^[\w+=,.@/-]{1,512}$/, 'a role name').nullable() })).describe(
      'Default Host Management Configuration (ssm:GetServiceSetting)',
    ),
    managedInstances: factOf(z.record(managedNodeId, managedInstanceSchema)).describe(
      'ssm:DescribeInstanceInformation by instance id; an id that is absent is not registered',
    ),
    prefixLists: z
      .record(shaped(ids.PREFIX_LIST_ID, 'a prefix list id (pl-…)'), factOf(z.array(cidr)))
      .optional()
      .describe('ec2:GetManagedPrefixListEntries: CIDRs by prefix list id'),
    blockPublicAccess: blockPublicAccessSchema
      .optional()
      .describe("VPC Block Public Access: the region's mode and its exclusions; read when an instance has a VPC"),
    transitGateways: transitGatewaysSchema
      .optional()
      .describe("the transit gateways the instances' route tables name, followed to the hub VPCs; read only when a route names one"),
    connections: z
      .record(instanceId, factOf(z.string()))
      .optional()
      .describe('ssm:GetConnectionStatus by instance id: connected | notconnected'),
    consoleOutput: z
      .record(instanceId, factOf(z.object({ hasOutput: z.boolean(), agentLines: z.array(z.string()) })))
      .optional()
      .describe('ec2:GetConsoleOutput of unregistered instances: the lines about the SSM agent'),
    sessionPreferences: factOf(sessionPreferencesSchema.nullable())
      .optional()
      .describe('ssm:GetDocument SSM-SessionManagerRunShell; null when preferences were never saved'),
    sessionKey: sessionKeySchema.optional().describe('the KMS key the Session Manager preferences name, read only when they name one'),
    caller: factOf(callerSchema).optional().describe('sts:GetCallerIdentity: who runs the tool'),
    callerSimulation: factOf(z.array(simulationResultSchema))
      .optional()
      .describe('iam:SimulatePrincipalPolicy for the caller: ssm:StartSession and kms:GenerateDataKey'),
    client: z
      .object({ sessionManagerPlugin: z.object({ found: z.boolean(), path: z.string().optional() }) })
      .optional()
      .describe('the machine the tool ran on: is session-manager-plugin on PATH'),
  })
  .strict();
export type Facts = z.infer<typeof factsSchema>;
