/** The AWS managed policies the tool knows by name, and the policies the fixes attach. */
import { REQUIRED_ACTIONS, EC2MESSAGES_ACTIONS } from './agent.js';

export const CORE_POLICY = 'AmazonSSMManagedInstanceCore';
export const DHMC_POLICY = 'AmazonSSMManagedEC2InstanceDefaultPolicy';

/** An Allow statement in the shape the policy evaluator reads. */
export interface KnownStatement {
  effect: 'Allow';
  actions?: string[];
  notActions?: string[];
  resources: string[];
}

export interface KnownPolicy {
  /** The statements that bear on the agent's actions and on the kms, s3 and logs actions of session preferences. */
  statements: KnownStatement[];
  /** The policy is made for Systems Manager (a pass names it). */
  ssm: boolean;
  deprecated?: boolean;
  /** Its statements above are the whole of what matters, so the collector never fetches its document. */
  builtIn: boolean;
}

const allow = (actions: string[]): KnownStatement => ({ effect: 'Allow', actions, resources: ['*'] });
const CORE_STATEMENTS = [allow([...REQUIRED_ACTIONS, ...EC2MESSAGES_ACTIONS])];

/** From the policies' current default versions; a policy not listed here grants none of the agent's actions. */
export const KNOWN_POLICIES: Record<string, KnownPolicy> = {
  AmazonSSMManagedInstanceCore: { statements: CORE_STATEMENTS, ssm: true, builtIn: true },
  AmazonSSMManagedEC2InstanceDefaultPolicy: { statements: CORE_STATEMENTS, ssm: true, builtIn: true },
  AmazonEC2RoleforSSM: {
    statements: [
      ...CORE_STATEMENTS,
      allow(['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:DescribeLogGroups', 'logs:DescribeLogStreams', 'logs:PutLogEvents']),
      allow([
        's3:GetBucketLocation',
        's3:PutObject',
        's3:GetObject',
        's3:GetEncryptionConfiguration',
        's3:AbortMultipartUpload',
        's3:ListMultipartUploadParts',
        's3:ListBucket',
        's3:ListBucketMultipartUploads',
      ]),
    ],
    ssm: true,
    deprecated: true,
    builtIn: true,
  },
  AmazonSSMFullAccess: {
    statements: [allow(['logs:*', 'ssm:*', 'ec2messages:*', ...REQUIRED_ACTIONS.slice(1)])],
    ssm: true,
    builtIn: false,
  },
  AdministratorAccess: { statements: [allow(['*'])], ssm: false, builtIn: false },
  PowerUserAccess: {
    statements: [{ effect: 'Allow', notActions: ['iam:*', 'organizations:*', 'account:*'], resources: ['*'] }],
    ssm: false,
    builtIn: false,
  },
};

/** The name of a known AWS managed policy from its ARN (any path, any partition); undefined for any other policy. */
export function knownPolicyName(arn: string): string | undefined {
  const m = /^arn:aws[a-z-]*:iam::aws:policy\/(?:[^/]+\/)*([^/]+)$/.exec(arn);
  return m?.[1] !== undefined && Object.hasOwn(KNOWN_POLICIES, m[1]) ? m[1] : undefined;
}

/** Whether the collector may skip a policy's document: the tool knows all of it that matters. */
export function isBuiltInPolicy(arn: string): boolean {
  const name = knownPolicyName(arn);
  return name !== undefined && KNOWN_POLICIES[name]!.builtIn;
}
