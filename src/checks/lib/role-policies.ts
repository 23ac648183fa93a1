/** The policy documents of a role as the facts hold them: its own, the AWS managed ones known by name, and its permissions boundary. */
import { KNOWN_POLICIES, knownPolicyName } from '../../aws/policies.js';
import { lastSegment } from '../../aws/arn.js';
import type { Facts, Unknown } from '../../facts/schema.js';
import { FactUnknown, NOT_COLLECTED, need } from '../types.js';
import { PolicyError, parsePolicy, type PolicySource, type Statement } from './policy.js';

export interface Source extends PolicySource {
  statements: Statement[];
}

export interface RoleView {
  roleName: string;
  sources: Source[];
  /** Attached policies whose documents were not collected and are not built in. */
  unread: string[];
  attachedNames: string[];
  /** The permissions boundary's ARN, when the role has one. */
  boundaryArn?: string;
  /** Its document, when it could be read (its statements are referred to as source `sources.length`). */
  boundary?: Source;
  /** Why the boundary cannot be evaluated: GetRole failed, or its document was not read. */
  boundaryUnknown?: Unknown;
}

/** The source a statement reference points to: one of the identity policies, or the boundary after them. */
export function sourceOf(view: RoleView, source: number): Source | undefined {
  return view.sources[source] ?? (source === view.sources.length ? view.boundary : undefined);
}

function parse(name: string, kind: Source['kind'], call: string, document: unknown, arn?: string): Source {
  try {
    return { name, kind, document, statements: parsePolicy(document), ...(arn ? { arn } : {}) };
  } catch (e) {
    if (!(e instanceof PolicyError)) throw e;
    throw new FactUnknown({ known: false, call, code: 'MalformedPolicyDocument', message: `${name}: ${e.message}` });
  }
}

/** The role's permissions boundary, as far as the facts tell: none, its document, or why it is not known. */
function boundaryOf(facts: Facts, roleName: string): Pick<RoleView, 'boundaryArn' | 'boundary' | 'boundaryUnknown'> {
  const role = facts.roles[roleName];
  // Facts from before iam:GetRole was read say nothing of a boundary.
  if (!role?.role) return {};
  if (!role.role.known) return { boundaryUnknown: role.role };
  const arn = role.role.value.permissionsBoundaryArn;
  if (!arn) return {};
  const name = lastSegment(arn);
  const doc = role.permissionsBoundary;
  if (doc?.known) {
    try {
      return { boundaryArn: arn, boundary: parse(name, 'boundary', 'iam:GetPolicyVersion', doc.value, arn) };
    } catch (e) {
      if (!(e instanceof FactUnknown)) throw e;
      return { boundaryArn: arn, boundaryUnknown: e.unknown };
    }
  }
  if (doc) return { boundaryArn: arn, boundaryUnknown: doc };
  const known = knownPolicyName(arn);
  if (known)
    return {
      boundaryArn: arn,
      boundary: { name: known, kind: 'boundary', arn, document: null, statements: KNOWN_POLICIES[known]!.statements },
    };
  return {
    boundaryArn: arn,
    boundaryUnknown: {
      known: false,
      call: 'iam:GetPolicyVersion',
      code: 'NotCollected',
      message: `the permissions boundary ${arn} was not read`,
    },
  };
}

/** Every policy document of the role that the facts hold; a document that could not be read ends the check as unknown. */
export function roleView(facts: Facts, roleName: string): RoleView {
  const role = facts.roles[roleName];
  const attached = need(role?.attachedPolicies, 'iam:ListAttachedRolePolicies');
  if (!role) throw new FactUnknown({ known: false, call: 'iam:ListAttachedRolePolicies', code: 'NotCollected', message: NOT_COLLECTED });
  const inline = need(role.inlinePolicies, 'iam:ListRolePolicies');
  const sources: Source[] = [];
  const unread: string[] = [];
  for (const p of inline) sources.push(parse(p.policyName, 'inline', 'iam:GetRolePolicy', p.document));
  for (const p of attached) {
    const fetched = role.managedPolicyDocuments[p.policyArn];
    const known = knownPolicyName(p.policyArn);
    if (fetched !== undefined) {
      sources.push(parse(p.policyName, 'managed', 'iam:GetPolicyVersion', need(fetched, 'iam:GetPolicyVersion'), p.policyArn));
    } else if (known) {
      sources.push({ name: known, kind: 'managed', arn: p.policyArn, document: null, statements: KNOWN_POLICIES[known]!.statements });
    } else {
      unread.push(p.policyName);
    }
  }
  return { roleName, sources, unread, attachedNames: attached.map((p) => p.policyName), ...boundaryOf(facts, roleName) };
}
