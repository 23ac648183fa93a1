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

export const known = <T>(value: T): Fact<T> => ({ known: true, value });

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

export const vpcSchema = z.object({
  dnsSupport: factOf(z.boolean()),
  dnsHostnames: factOf(z.boolean()),
  subnets: factOf(z.array(subnetSchema)),
  routeTables: factOf(z.array(routeTableSchema)),
  endpoints: factOf(z.array(endpointSchema)),
  natGateways: factOf(z.array(natGatewaySchema)),
  internetGateways: factOf(z.array(internetGatewaySchema)),
  securityGroups: factOf(z.array(securityGroupSchema)),
});
export type Vpc = z.infer<typeof vpcSchema>;

export const policyDocumentSchema = z.unknown().describe('parsed IAM policy document (already URL-decoded)');

export const instanceProfileSchema = z.object({
  name: z.string(),
  arn: z.string(),
  roles: z.array(z.object({ roleName: z.string(), arn: z.string() })),
});
export type InstanceProfile = z.infer<typeof instanceProfileSchema>;

export const roleSchema = z.object({
  attachedPolicies: factOf(z.array(z.object({ policyName: z.string(), policyArn: z.string() }))),
  inlinePolicies: factOf(z.array(z.object({ policyName: z.string(), document: policyDocumentSchema }))),
  managedPolicyDocuments: z
    .record(z.string(), factOf(policyDocumentSchema))
    .describe('documents of the attached customer-managed policies, by ARN'),
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

const statusSchema = z.enum(['pass', 'fail', 'warn', 'skip', 'unknown']);

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
    dhmc: factOf(z.object({ roleName: z.string().nullable() })).describe(
      'Default Host Management Configuration (ssm:GetServiceSetting)',
    ),
    managedInstances: factOf(z.record(z.string(), managedInstanceSchema)).describe(
      'ssm:DescribeInstanceInformation by instance id; an id that is absent is not registered',
    ),
    expect: z
      .record(z.string(), z.record(z.string(), statusSchema))
      .optional()
      .describe('expected check statuses per instance (test fixtures); ignored by a diagnosis'),
  })
  .strict();
export type Facts = z.infer<typeof factsSchema>;
