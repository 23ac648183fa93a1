import { SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { AGENT_ACTIONS } from '../../aws/agent.js';
import type { SessionPreferences, SimulationResult } from '../../facts/schema.js';
import type { Clients } from '../sdk/clients.js';
import { instanceArn, kmsKeyArn, type ArnScope } from '../../aws/arn.js';
import { SESSION_DOCUMENT } from '../../aws/services.js';
import { mapSimulation } from './map.js';
import { pages, unique } from '../sdk/read.js';

/** One action on one resource; no resource means `*`. */
export interface SimPair {
  action: string;
  resource?: string;
}


export const LOGS_ACTIONS = ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogGroups', 'logs:DescribeLogStreams'] as const;

export const sessionDocumentArn = (s: ArnScope) => `arn:${s.partition}:ssm:${s.region}:${s.account}:document/${SESSION_DOCUMENT}`;

/**
 * The role's actions: the agent's on `*` (the ssmmessages actions have no resource type), and
 * what the session preferences make the agent do, each on the resource it touches: the log
 * object under the S3 prefix, the bucket, the log group, the key.
 */
export function rolePairs(prefs: SessionPreferences | null, s: ArnScope): SimPair[] {
  const pairs: SimPair[] = AGENT_ACTIONS.map((action) => ({ action }));
  if (!prefs) return pairs;
  if (prefs.kmsKeyId) pairs.push({ action: 'kms:Decrypt', resource: kmsKeyArn(prefs.kmsKeyId, s) });
  if (prefs.s3BucketName) {
    const prefix = (prefs.s3KeyPrefix ?? '').replace(/^\/+|\/+$/g, '');
    const bucket = `arn:${s.partition}:s3:::${prefs.s3BucketName}`;
    pairs.push({ action: 's3:PutObject', resource: `${bucket}/${prefix ? `${prefix}/` : ''}*` });
    pairs.push({ action: 's3:GetEncryptionConfiguration', resource: bucket });
  }
  if (prefs.cloudWatchLogGroupName) {
    // The form policies use for a group and its streams; it also matches `log-group:*` and `*`.
    const group = `arn:${s.partition}:logs:${s.region}:${s.account}:log-group:${prefs.cloudWatchLogGroupName}:*`;
    for (const action of LOGS_ACTIONS) pairs.push({ action, resource: group });
  }
  return pairs;
}

/** The caller's actions: ssm:StartSession on each instance and on the session document, kms:GenerateDataKey on the key. */
export function callerPairs(instanceIds: readonly string[], prefs: SessionPreferences | null, s: ArnScope): SimPair[] {
  const pairs: SimPair[] = [...instanceIds.map((id) => instanceArn(id, s)), sessionDocumentArn(s)].map((resource) => ({
    action: 'ssm:StartSession',
    resource,
  }));
  if (prefs?.kmsKeyId) pairs.push({ action: 'kms:GenerateDataKey', resource: kmsKeyArn(prefs.kmsKeyId, s) });
  return pairs;
}

const key = (action: string, resource: string | undefined) => `${action.toLowerCase()}\n${resource ?? '*'}`;

/**
 * iam:SimulatePrincipalPolicy for these pairs in one call (paginated). IAM simulates every action on
 * every resource named; only the pairs asked for are kept, so no action is judged on a resource it
 * never touches. ResourceArns is left out (IAM's default `*`) when every pair is on `*`.
 */
export async function simulate(c: Clients, policySourceArn: string, pairs: readonly SimPair[]): Promise<SimulationResult[]> {
  const ActionNames = unique(pairs.map((p) => p.action));
  const resources = unique(pairs.map((p) => p.resource ?? '*'));
  const ResourceArns = resources.length === 1 && resources[0] === '*' ? undefined : resources;
  const results = await pages(
    (Marker) => c.iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: policySourceArn, ActionNames, ResourceArns, MaxItems: 1000, Marker })),
    (o) => (o.EvaluationResults ?? []).flatMap(mapSimulation),
    (o) => (o.IsTruncated ? o.Marker : undefined),
  );
  const wanted = new Set(pairs.map((p) => key(p.action, p.resource)));
  const asked = new Set(resources);
  // A result on a resource that was not asked about (IAM spelling it differently) is kept rather than hidden.
  return results.filter((r) => !asked.has(r.resource ?? '*') || wanted.has(key(r.action, r.resource)));
}
