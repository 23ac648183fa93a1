import type { EvaluationResult } from '@aws-sdk/client-iam';
import type { SimulationResult } from '../../facts/schema.js';
import { compact } from '../sdk/read.js';

/** IAM answers as the facts hold them. */
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
      allowedByPermissionsBoundary: (r.PermissionsBoundaryDecisionDetail ?? raw.PermissionsBoundaryDecisionDetail)
        ?.AllowedByPermissionsBoundary,
      missingContextValues: r.MissingContextValues ?? [],
    }),
  );
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
