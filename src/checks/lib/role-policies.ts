/** The policy documents of a role as the facts hold them, and the AWS managed policies the tool knows without fetching. */
import { EC2MESSAGES_ACTIONS, REQUIRED_ACTIONS } from '../../aws/agent.js';
import { KNOWN_POLICIES, knownPolicyName } from '../../aws/policies.js';
import type { Facts } from '../../facts/schema.js';
import { FactUnknown, need } from '../types.js';
import { PolicyError, parsePolicy, type PolicySource, type Statement } from './policy.js';

/** What the agent needs for a session (the core of AmazonSSMManagedInstanceCore). */
export const REQUIRED = REQUIRED_ACTIONS;
/** The legacy Run Command channel: needed by agents before 3.3.40.0 and on Windows Server 2012 and earlier. */
export const EC2MESSAGES = EC2MESSAGES_ACTIONS;

export { KNOWN_POLICIES, knownPolicyName };

export interface Source extends PolicySource {
  statements: Statement[];
}

export interface RoleView {
  roleName: string;
  sources: Source[];
  /** Attached policies whose documents were not collected and are not built in. */
  unread: string[];
  attachedNames: string[];
}

/** Every policy document of the role that the facts hold; a document that could not be read ends the check as unknown. */
export function roleView(facts: Facts, roleName: string): RoleView {
  const role = facts.roles[roleName];
  const attached = need(role?.attachedPolicies, 'iam:ListAttachedRolePolicies');
  const inline = need(role!.inlinePolicies, 'iam:ListRolePolicies');
  const sources: Source[] = [];
  const unread: string[] = [];
  const parse = (name: string, kind: 'inline' | 'managed', document: unknown, arn?: string): Source => {
    try {
      return { name, kind, document, statements: parsePolicy(document), ...(arn ? { arn } : {}) };
    } catch (e) {
      if (!(e instanceof PolicyError)) throw e;
      throw new FactUnknown({
        known: false,
        call: kind === 'inline' ? 'iam:GetRolePolicy' : 'iam:GetPolicyVersion',
        code: 'MalformedPolicyDocument',
        message: `${name}: ${e.message}`,
      });
    }
  };
  for (const p of inline) sources.push(parse(p.policyName, 'inline', p.document));
  for (const p of attached) {
    const fetched = role!.managedPolicyDocuments[p.policyArn];
    const known = knownPolicyName(p.policyArn);
    if (fetched !== undefined) {
      sources.push(parse(p.policyName, 'managed', need(fetched, 'iam:GetPolicyVersion'), p.policyArn));
    } else if (known) {
      sources.push({ name: known, kind: 'managed', arn: p.policyArn, document: null, statements: KNOWN_POLICIES[known]!.statements });
    } else {
      unread.push(p.policyName);
    }
  }
  return { roleName, sources, unread, attachedNames: attached.map((p) => p.policyName) };
}
