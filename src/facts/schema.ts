import { z } from 'zod';

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

const id = z.string().min(1);

export const instanceSchema = z.object({
  instanceId: id,
  state: z.string().describe('pending | running | shutting-down | terminated | stopping | stopped'),
  accountId: z.string().optional(),
  vpcId: z.string().optional(),
  subnetId: z.string().optional(),
  availabilityZone: z.string().optional(),
  privateIp: z.string().optional(),
  publicIp: z.string().optional(),
  primaryEniGroupIds: z.array(id).describe('security groups of the network interface at device index 0'),
  instanceProfileArn: z.string().nullable(),
  platform: z.string().optional().describe('"windows" for Windows, absent otherwise'),
  platformDetails: z.string().optional(),
  imageId: z.string().optional(),
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
  subnetId: id,
  availabilityZone: z.string(),
  cidr: z.string().optional(),
});
export type Subnet = z.infer<typeof subnetSchema>;

export const routeSchema = z.object({
  destination: z.string().describe('IPv4/IPv6 CIDR or prefix list id'),
  target: z.string().describe('local, igw-…, nat-…, tgw-…, vgw-…, eni-…, pcx-…, vpce-…, i-…'),
  state: z.string().describe('active | blackhole'),
});
export type Route = z.infer<typeof routeSchema>;

export const routeTableSchema = z.object({
  routeTableId: id,
  main: z.boolean(),
  subnetIds: z.array(id),
  routes: z.array(routeSchema),
});
export type RouteTable = z.infer<typeof routeTableSchema>;

export const endpointSchema = z.object({
  endpointId: id,
  serviceName: z.string(),
  type: z.string().describe('Interface | Gateway | …'),
  state: z.string(),
  subnetIds: z.array(id),
  groupIds: z.array(id),
  privateDnsEnabled: z.boolean(),
  policy: z.string().optional().describe('endpoint policy document (JSON text)'),
  routeTableIds: z.array(id).optional().describe('route tables of a Gateway endpoint'),
});
export type Endpoint = z.infer<typeof endpointSchema>;

export const natGatewaySchema = z.object({
  natGatewayId: id,
  state: z.string(),
  connectivityType: z.string().describe('public | private'),
  subnetId: z.string().optional(),
});
export type NatGateway = z.infer<typeof natGatewaySchema>;

export const internetGatewaySchema = z.object({
  internetGatewayId: id,
  attached: z.boolean().describe('attached to this VPC and in state available'),
});
export type InternetGateway = z.infer<typeof internetGatewaySchema>;

export const sgRuleSchema = z.object({
  protocol: z.string().describe('"-1" for all, else tcp/udp/icmp or a protocol number'),
  fromPort: z.number().optional(),
  toPort: z.number().optional(),
  cidrs: z.array(z.string()),
  ipv6Cidrs: z.array(z.string()),
  groupIds: z.array(z.string()),
  prefixListIds: z.array(z.string()),
});
export type SgRule = z.infer<typeof sgRuleSchema>;

export const securityGroupSchema = z.object({
  groupId: id,
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
  cidr: z.string().optional(),
  ipv6Cidr: z.string().optional(),
  fromPort: z.number().optional(),
  toPort: z.number().optional(),
});
export type NaclEntry = z.infer<typeof naclEntrySchema>;

export const networkAclSchema = z.object({
  networkAclId: id,
  isDefault: z.boolean(),
  subnetIds: z.array(id),
  entries: z.array(naclEntrySchema),
});
export type NetworkAcl = z.infer<typeof networkAclSchema>;

export const hostedZoneSchema = z.object({
  name: z.string().describe('zone name with the trailing dot, e.g. ssm.ap-northeast-1.amazonaws.com.'),
  hostedZoneId: z.string(),
  owningAccount: z.string().optional(),
  owningService: z.string().optional(),
});
export type HostedZone = z.infer<typeof hostedZoneSchema>;

export const vpcSchema = z.object({
  dnsSupport: factOf(z.boolean()),
  dnsHostnames: factOf(z.boolean()),
  subnets: factOf(z.array(subnetSchema)),
  routeTables: factOf(z.array(routeTableSchema)),
  endpoints: factOf(z.array(endpointSchema)),
  natGateways: factOf(z.array(natGatewaySchema)),
  internetGateways: factOf(z.array(internetGatewaySchema)),
  securityGroups: factOf(z.array(securityGroupSchema)),
  networkAcls: factOf(z.array(networkAclSchema)).optional().describe('ec2:DescribeNetworkAcls'),
  hostedZones: factOf(z.array(hostedZoneSchema))
    .optional()
    .describe('route53:ListHostedZonesByVPC; read when the VPC has no local Systems Manager endpoint'),
});
export type Vpc = z.infer<typeof vpcSchema>;

export const policyDocumentSchema = z.unknown().describe('parsed IAM policy document (already URL-decoded)');

export const instanceProfileSchema = z.object({
  name: z.string(),
  arn: z.string(),
  roles: z.array(z.object({ roleName: z.string(), arn: z.string() })),
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
  attachedPolicies: factOf(z.array(z.object({ policyName: z.string(), policyArn: z.string() }))),
  inlinePolicies: factOf(z.array(z.object({ policyName: z.string(), document: policyDocumentSchema }))),
  managedPolicyDocuments: z
    .record(z.string(), factOf(policyDocumentSchema))
    .describe('documents of the attached customer-managed policies, by ARN'),
  role: factOf(
    z.object({
      arn: z.string(),
      trustPolicy: policyDocumentSchema,
      permissionsBoundaryArn: z.string().optional(),
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
  documentName: z.string(),
  kmsKeyId: z.string().optional(),
  s3BucketName: z.string().optional(),
  s3KeyPrefix: z.string().optional(),
  s3EncryptionEnabled: z.boolean().optional(),
  cloudWatchLogGroupName: z.string().optional(),
  cloudWatchEncryptionEnabled: z.boolean().optional(),
  cloudWatchStreamingEnabled: z.boolean().optional(),
  runAsEnabled: z.boolean().optional(),
  runAsDefaultUser: z.string().optional(),
});
export type SessionPreferences = z.infer<typeof sessionPreferencesSchema>;

export const callerSchema = z.object({
  arn: z.string().describe('sts:GetCallerIdentity Arn (for a role session: the assumed-role ARN)'),
  accountId: z.string(),
  principalArn: z.string().optional().describe('the IAM user or role ARN that policies attach to'),
});
export type Caller = z.infer<typeof callerSchema>;

export const factsSchema = z
  .object({
    factsVersion: z.literal(1),
    tool: z.object({ name: z.string(), version: z.string() }).optional(),
    collectedAt: z.string().optional().describe('ISO 8601 time of collection'),
    region: z.string().min(1),
    instances: z
      .record(z.string(), factOf(instanceSchema.nullable()))
      .describe('by instance id; null when the id does not exist in the region'),
    vpcs: z.record(z.string(), vpcSchema),
    instanceProfiles: z
      .record(z.string(), factOf(instanceProfileSchema.nullable()))
      .describe('by instance profile ARN; null when the profile does not exist'),
    roles: z.record(z.string(), roleSchema).describe('by role name'),
    dhmc: factOf(z.object({ roleName: z.string().nullable() })).describe('Default Host Management Configuration (ssm:GetServiceSetting)'),
    managedInstances: factOf(z.record(z.string(), managedInstanceSchema)).describe(
      'ssm:DescribeInstanceInformation by instance id; an id that is absent is not registered',
    ),
    prefixLists: z
      .record(z.string(), factOf(z.array(z.string())))
      .optional()
      .describe('ec2:GetManagedPrefixListEntries: CIDRs by prefix list id'),
    connections: z
      .record(z.string(), factOf(z.string()))
      .optional()
      .describe('ssm:GetConnectionStatus by instance id: connected | notconnected'),
    consoleOutput: z
      .record(z.string(), factOf(z.object({ hasOutput: z.boolean(), agentLines: z.array(z.string()) })))
      .optional()
      .describe('ec2:GetConsoleOutput of unregistered instances: the lines about the SSM agent'),
    sessionPreferences: factOf(sessionPreferencesSchema.nullable())
      .optional()
      .describe('ssm:GetDocument SSM-SessionManagerRunShell; null when preferences were never saved'),
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
