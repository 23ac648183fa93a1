import { SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { AGENT_ACTIONS } from '../../aws/agent.js';
import type { SessionPreferences, SimulationResult } from '../../facts/schema.js';
import type { Clients } from '../sdk/clients.js';
import type { ArnScope } from '../../aws/arn.js';
import { preferenceNeeds, sessionDocumentArn, startSessionRequests, type PreferenceScope } from '../../aws/session-preferences.js';
import { mapSimulation } from './map.js';
import { pages, unique } from '../sdk/read.js';
import { answerLate } from '../sdk/turns.js';

/** One action on one resource; no resource means `*`. */
export interface SimPair {
  action: string;
  resource?: string;
}

/** An ARN scope whose account is empty when it is not known. */
const prefScope = (s: ArnScope): PreferenceScope => ({
  partition: s.partition,
  region: s.region,
  ...(s.account ? { account: s.account } : {}),
});

/**
 * The role's actions: the agent's on `*` (the ssmmessages actions have no resource type), and the
 * requests the session preferences make the agent send, exactly as session-preferences judges them.
 */
export function rolePairs(prefs: SessionPreferences | null, s: ArnScope): SimPair[] {
  return [...AGENT_ACTIONS.map((action) => ({ action })), ...preferenceNeeds(prefs, prefScope(s)).flatMap((n) => n.requests)];
}

/** The caller's actions: ssm:StartSession on each instance and on the session document, and what the preferences need of the caller (kms:GenerateDataKey). */
export function callerPairs(instanceIds: readonly string[], prefs: SessionPreferences | null, s: ArnScope): SimPair[] {
  const pairs: SimPair[] = [
    ...instanceIds.map((id) => startSessionRequests(id, s).instance),
    { action: 'ssm:StartSession', resource: sessionDocumentArn(s) },
  ];
  return [...pairs, ...preferenceNeeds(prefs, prefScope(s)).flatMap((n) => n.callerRequests)];
}

const key = (action: string, resource: string | undefined) => `${action.toLowerCase()}\n${resource ?? '*'}`;

/**
 * iam:SimulatePrincipalPolicy for these pairs in one call (paginated). IAM simulates every action on
 * every resource named; only the pairs asked for are kept, so no action is judged on a resource it
 * never touches. ResourceArns is left out (IAM's default `*`) when every pair is on `*`.
 */
export async function simulate(
  c: Clients,
  policySourceArn: string,
  pairs: readonly SimPair[],
  opts: { late?: boolean } = {},
): Promise<SimulationResult[]> {
  const ActionNames = unique(pairs.map((p) => p.action));
  const resources = unique(pairs.map((p) => p.resource ?? '*'));
  const ResourceArns = resources.length === 1 && resources[0] === '*' ? undefined : resources;
  const results = await pages(
    (Marker) => {
      const command = new SimulatePrincipalPolicyCommand({
        PolicySourceArn: policySourceArn,
        ActionNames,
        ResourceArns,
        MaxItems: 1000,
        Marker,
      });
      return c.iam.send(opts.late ? answerLate(command) : command);
    },
    (o) => (o.EvaluationResults ?? []).flatMap(mapSimulation),
    (o) => (o.IsTruncated ? o.Marker : undefined),
  );
  const wanted = new Set(pairs.map((p) => key(p.action, p.resource)));
  const asked = new Set(resources);
  // A result on a resource that was not asked about (IAM spelling it differently) is kept rather than hidden.
  return results.filter((r) => !asked.has(r.resource ?? '*') || wanted.has(key(r.action, r.resource)));
}
