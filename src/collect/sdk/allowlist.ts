/**
 * The only AWS operations ssm-doctor may call. Every one only reads; the guard middleware refuses
 * anything else before it is signed or sent, and a test keeps this list and the imports in step.
 */
export const ALLOWED_OPERATIONS = [
  'ec2:DescribeInstances',
  'ec2:DescribeSubnets',
  'ec2:DescribeRouteTables',
  'ec2:DescribeVpcEndpoints',
  'ec2:DescribeNatGateways',
  'ec2:DescribeInternetGateways',
  'ec2:DescribeSecurityGroups',
  'ec2:DescribeVpcAttribute',
  'ec2:DescribeVpcs',
  'ec2:DescribeDhcpOptions',
  'ec2:DescribeNetworkAcls',
  'ec2:DescribeVpcBlockPublicAccessOptions',
  'ec2:DescribeVpcBlockPublicAccessExclusions',
  'ec2:GetManagedPrefixListEntries',
  'ec2:DescribeTransitGateways',
  'ec2:DescribeTransitGatewayVpcAttachments',
  'ec2:DescribeTransitGatewayAttachments',
  'ec2:GetTransitGatewayRouteTablePropagations',
  'ec2:GetConsoleOutput',
  'iam:GetInstanceProfile',
  'iam:GetRole',
  'iam:SimulatePrincipalPolicy',
  'iam:ListAttachedRolePolicies',
  'iam:ListRolePolicies',
  'iam:GetRolePolicy',
  'iam:GetPolicy',
  'iam:GetPolicyVersion',
  'iam:GetAccountAuthorizationDetails',
  'ssm:DescribeInstanceInformation',
  'ssm:DescribeInstanceProperties',
  'ssm:GetServiceSetting',
  'ssm:GetConnectionStatus',
  'ssm:GetDocument',
  'sts:GetCallerIdentity',
  'route53:ListHostedZonesByVPC',
  'kms:DescribeKey',
  'kms:GetKeyPolicy',
  'route53resolver:ListResolverRuleAssociations',
  'route53resolver:ListResolverRules',
  'organizations:ListAccounts',
] as const;

/**
 * The one operation that is not a read: organisation mode (--org-role) assumes a read-only role in
 * each account. sts:AssumeRole changes nothing in any account; it issues temporary credentials
 * (CloudTrail records it). Only src/collect/org/ calls it, and only when --org-role is given.
 */
export const CREDENTIAL_OPERATIONS = ['sts:AssumeRole'] as const;

/**
 * The least-privilege IAM policy for running ssm-doctor, generated from the list above. The fleet
 * sweep (iam:GetAccountAuthorizationDetails reads every role and policy document of the account)
 * is a statement of its own, left out with `iamSweep: false` (--iam-policy --no-iam-sweep).
 */
export function leastPrivilegePolicy(opts: { iamSweep?: boolean } = {}): object {
  const own = new Set([...ORGANISATION_ONLY, ...SWEEP]);
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'SsmDoctorReadOnly',
        Effect: 'Allow',
        Action: ALLOWED_OPERATIONS.filter((op) => !own.has(op)).sort(),
        Resource: '*',
      },
      // Optional: one call for a fleet's IAM instead of a few per role; --no-iam-sweep runs without it.
      ...(opts.iamSweep === false ? [] : [{ Sid: 'SsmDoctorFleetIamSweep', Effect: 'Allow', Action: [...SWEEP], Resource: '*' }]),
      // For --org-role only, in the management (or delegated administrator) account's profile.
      { Sid: 'SsmDoctorOrganisationMode', Effect: 'Allow', Action: [...ORGANISATION_ONLY, ...CREDENTIAL_OPERATIONS].sort(), Resource: '*' },
    ],
  };
}

const ORGANISATION_ONLY: ReadonlySet<string> = new Set(['organizations:ListAccounts']);
const SWEEP: ReadonlySet<string> = new Set(['iam:GetAccountAuthorizationDetails']);

export type AllowedOperation = (typeof ALLOWED_OPERATIONS)[number];

const ALLOWED: ReadonlySet<string> = new Set([...ALLOWED_OPERATIONS, ...CREDENTIAL_OPERATIONS]);

export function isAllowed(operation: string): boolean {
  return ALLOWED.has(operation);
}

/** `EC2Client` + `DescribeInstancesCommand` → `ec2:DescribeInstances`, the name IAM and the allowlist use. */
export function operationName(clientName: string, commandName: string): string {
  return `${clientName.replace(/Client$/, '').toLowerCase()}:${commandName.replace(/Command$/, '')}`;
}
