import * as IAM from '@aws-sdk/client-iam';

/**
 * A small stand-in for iam:SimulatePrincipalPolicy, which moto lacks: it reads the principal's
 * policies from moto and evaluates them the way IAM does for the cases the scenarios build.
 * - Statements: Effect, Action/NotAction, Resource/NotResource with `*` and `?` wildcards; a Deny wins.
 * - A statement with a Condition never applies; its keys are reported as MissingContextValues
 *   (what IAM does when the request context lacks them), unless the caller passed them as ContextEntries.
 * - The permissions boundary (GetRole/GetUser PermissionsBoundary) caps what identity policies allow.
 * - Group policies, resource policies and SCPs are not modelled: a test adds an SCP deny with an override.
 * - The ARN must be the principal's own, path included: an assumed-role ARN turned into
 *   `role/<name>` loses the path, and IAM does not find that role.
 */

export type Decision = 'allowed' | 'explicitDeny' | 'implicitDeny';

export interface MatchedStatement {
  sourcePolicyId: string;
  /** IAM's PolicySourceType: user | group | role | aws-managed | user-managed | resource | none. */
  sourcePolicyType: string;
}

export interface EvalResult {
  action: string;
  resource: string;
  decision: Decision;
  matched: MatchedStatement[];
  missingContextValues: string[];
  /** Present only when set: IAM leaves OrganizationsDecisionDetail out for an account outside an organization. */
  allowedByOrganizations?: boolean;
  /** Present only when the principal has a permissions boundary. */
  allowedByPermissionsBoundary?: boolean;
}

/** A test's own answer for some (action, resource) pairs of one principal: fields replace the evaluated ones. */
export type SimOverride = (action: string, resource: string) => Partial<Omit<EvalResult, 'action' | 'resource'>> | undefined;

export class SimulationError extends Error {
  constructor(
    readonly code: 'NoSuchEntity' | 'InvalidInput',
    message: string,
  ) {
    super(message);
  }
}

interface Statement {
  Effect?: string;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

interface SourcePolicy {
  id: string;
  type: string;
  statements: Statement[];
}

/** Evaluates `actions × resources` for the role or user `principalArn` from what moto holds. */
export async function simulate(
  iam: IAM.IAMClient,
  principalArn: string,
  actions: string[],
  resources: string[],
  contextKeys: string[] = [],
): Promise<EvalResult[]> {
  const principal = /^arn:[\w-]+:iam::\d{12}:(role|user)\/(?:[^/]+\/)*([^/]+)$/.exec(principalArn);
  if (!principal) throw new SimulationError('InvalidInput', `Invalid ARN: ${principalArn} is not the ARN of an IAM user or role.`);
  const [, kind = '', name = ''] = principal;
  const { arn, policies, boundary } = kind === 'role' ? await rolePolicies(iam, name) : await userPolicies(iam, name);
  if (arn !== principalArn) throw new SimulationError('NoSuchEntity', `The ${kind} with ARN ${principalArn} cannot be found.`);

  const provided = new Set(contextKeys.map((k) => k.toLowerCase()));
  const results: EvalResult[] = [];
  for (const resource of resources.length ? resources : ['*']) {
    for (const action of actions) {
      const identity = evaluate(policies, action, resource, provided);
      const result: EvalResult = { action, resource, ...identity };
      if (boundary) {
        const capped = evaluate([boundary], action, resource, provided);
        result.allowedByPermissionsBoundary = capped.decision === 'allowed';
        if (identity.decision === 'allowed' && capped.decision !== 'allowed') result.decision = capped.decision;
        result.missingContextValues = [...new Set([...result.missingContextValues, ...capped.missingContextValues])];
      }
      results.push(result);
    }
  }
  return results;
}

function evaluate(
  policies: SourcePolicy[],
  action: string,
  resource: string,
  provided: Set<string>,
): Pick<EvalResult, 'decision' | 'matched' | 'missingContextValues'> {
  const allows: MatchedStatement[] = [];
  const denies: MatchedStatement[] = [];
  const missing = new Set<string>();
  for (const p of policies) {
    for (const s of p.statements) {
      if (!appliesTo(s, action, resource)) continue;
      if (s.Condition) {
        for (const operator of Object.values(s.Condition)) {
          for (const key of Object.keys(operator)) if (!provided.has(key.toLowerCase())) missing.add(key);
        }
        continue;
      }
      (s.Effect === 'Deny' ? denies : allows).push({ sourcePolicyId: p.id, sourcePolicyType: p.type });
    }
  }
  if (denies.length) return { decision: 'explicitDeny', matched: denies, missingContextValues: [] };
  if (allows.length) return { decision: 'allowed', matched: allows, missingContextValues: [] };
  return { decision: 'implicitDeny', matched: [], missingContextValues: [...missing] };
}

function appliesTo(s: Statement, action: string, resource: string): boolean {
  const actionOk =
    s.Action !== undefined ? anyMatch(s.Action, action, true) : s.NotAction !== undefined && !anyMatch(s.NotAction, action, true);
  const resourceOk =
    s.Resource !== undefined
      ? anyMatch(s.Resource, resource, false)
      : s.NotResource !== undefined && !anyMatch(s.NotResource, resource, false);
  return actionOk && resourceOk;
}

function anyMatch(patterns: string | string[], value: string, ignoreCase: boolean): boolean {
  return (Array.isArray(patterns) ? patterns : [patterns]).some((p) => glob(p, ignoreCase).test(value));
}

function glob(pattern: string, ignoreCase: boolean): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, ignoreCase ? 'i' : '');
}

function statementsOf(document: string | undefined): Statement[] {
  if (!document) return [];
  // Real IAM URL-encodes documents; moto does for inline ones and not for managed versions.
  const text = document.trimStart().startsWith('{') ? document : decodeURIComponent(document);
  const parsed = JSON.parse(text) as { Statement?: Statement | Statement[] };
  return parsed.Statement === undefined ? [] : Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement];
}

async function managedPolicy(iam: IAM.IAMClient, arn: string): Promise<SourcePolicy> {
  const policy = (await iam.send(new IAM.GetPolicyCommand({ PolicyArn: arn }))).Policy!;
  const version = await iam.send(new IAM.GetPolicyVersionCommand({ PolicyArn: arn, VersionId: policy.DefaultVersionId }));
  return {
    id: policy.PolicyName!,
    type: /^arn:[\w-]+:iam::aws:policy\//.test(arn) ? 'aws-managed' : 'user-managed',
    statements: statementsOf(version.PolicyVersion?.Document),
  };
}

interface Principal {
  arn: string;
  policies: SourcePolicy[];
  boundary?: SourcePolicy;
}

async function rolePolicies(iam: IAM.IAMClient, roleName: string): Promise<Principal> {
  let role: IAM.Role;
  try {
    role = (await iam.send(new IAM.GetRoleCommand({ RoleName: roleName }))).Role!;
  } catch (e) {
    if ((e as Error).name === 'NoSuchEntity' || (e as Error).name === 'NoSuchEntityException') {
      throw new SimulationError('NoSuchEntity', `The role with name ${roleName} cannot be found.`);
    }
    throw e;
  }
  const attached = (await iam.send(new IAM.ListAttachedRolePoliciesCommand({ RoleName: roleName }))).AttachedPolicies ?? [];
  const inline = (await iam.send(new IAM.ListRolePoliciesCommand({ RoleName: roleName }))).PolicyNames ?? [];
  const policies = await Promise.all([
    ...attached.map((p) => managedPolicy(iam, p.PolicyArn!)),
    ...inline.map(async (policyName) => {
      const doc = (await iam.send(new IAM.GetRolePolicyCommand({ RoleName: roleName, PolicyName: policyName }))).PolicyDocument;
      return { id: policyName, type: 'role', statements: statementsOf(doc) };
    }),
  ]);
  const boundaryArn = role.PermissionsBoundary?.PermissionsBoundaryArn;
  return { arn: role.Arn!, policies, boundary: boundaryArn ? await managedPolicy(iam, boundaryArn) : undefined };
}

async function userPolicies(iam: IAM.IAMClient, userName: string): Promise<Principal> {
  let user: IAM.User;
  try {
    user = (await iam.send(new IAM.GetUserCommand({ UserName: userName }))).User!;
  } catch (e) {
    if ((e as Error).name === 'NoSuchEntity' || (e as Error).name === 'NoSuchEntityException') {
      throw new SimulationError('NoSuchEntity', `The user with name ${userName} cannot be found.`);
    }
    throw e;
  }
  const attached = (await iam.send(new IAM.ListAttachedUserPoliciesCommand({ UserName: userName }))).AttachedPolicies ?? [];
  const inline = (await iam.send(new IAM.ListUserPoliciesCommand({ UserName: userName }))).PolicyNames ?? [];
  const policies = await Promise.all([
    ...attached.map((p) => managedPolicy(iam, p.PolicyArn!)),
    ...inline.map(async (policyName) => {
      const doc = (await iam.send(new IAM.GetUserPolicyCommand({ UserName: userName, PolicyName: policyName }))).PolicyDocument;
      return { id: policyName, type: 'user', statements: statementsOf(doc) };
    }),
  ]);
  const boundaryArn = user.PermissionsBoundary?.PermissionsBoundaryArn;
  return { arn: user.Arn!, policies, boundary: boundaryArn ? await managedPolicy(iam, boundaryArn) : undefined };
}

/** The IAM query-protocol XML of a SimulatePrincipalPolicy answer (one page). */
export function simulationXml(results: EvalResult[], requestId: string, marker?: string): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const member = (r: EvalResult) =>
    [
      '<member>',
      `<EvalActionName>${esc(r.action)}</EvalActionName>`,
      `<EvalResourceName>${esc(r.resource)}</EvalResourceName>`,
      `<EvalDecision>${r.decision}</EvalDecision>`,
      '<MatchedStatements>',
      ...r.matched.map(
        (m) =>
          `<member><SourcePolicyId>${esc(m.sourcePolicyId)}</SourcePolicyId><SourcePolicyType>${m.sourcePolicyType}</SourcePolicyType>` +
          '<StartPosition><Line>1</Line><Column>1</Column></StartPosition><EndPosition><Line>1</Line><Column>1</Column></EndPosition></member>',
      ),
      '</MatchedStatements>',
      '<MissingContextValues>',
      ...r.missingContextValues.map((k) => `<member>${esc(k)}</member>`),
      '</MissingContextValues>',
      r.allowedByOrganizations === undefined
        ? ''
        : `<OrganizationsDecisionDetail><AllowedByOrganizations>${r.allowedByOrganizations}</AllowedByOrganizations></OrganizationsDecisionDetail>`,
      r.allowedByPermissionsBoundary === undefined
        ? ''
        : `<PermissionsBoundaryDecisionDetail><AllowedByPermissionsBoundary>${r.allowedByPermissionsBoundary}</AllowedByPermissionsBoundary></PermissionsBoundaryDecisionDetail>`,
      '<EvalDecisionDetails/>',
      '</member>',
    ].join('');
  return [
    '<SimulatePrincipalPolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">',
    '<SimulatePrincipalPolicyResult>',
    `<IsTruncated>${marker !== undefined}</IsTruncated>`,
    marker !== undefined ? `<Marker>${marker}</Marker>` : '',
    '<EvaluationResults>',
    ...results.map(member),
    '</EvaluationResults>',
    '</SimulatePrincipalPolicyResult>',
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>`,
    '</SimulatePrincipalPolicyResponse>',
  ].join('\n');
}
