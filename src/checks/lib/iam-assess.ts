/** A role's permissions for the agent's actions, from the one IAM decision model, and the DHMC role the agent falls back to. */
import { EC2MESSAGES_ACTIONS, REQUIRED_ACTIONS } from '../../aws/agent.js';
import { CORE_POLICY, DHMC_POLICY } from '../../aws/policies.js';
import type { Facts, Instance } from '../../facts/schema.js';
import type { Text } from '../../lang.js';
import { FactUnknown } from '../types.js';
import { decide, type Decision, type Permission } from './iam-decision.js';
import { instanceArn, lastSegment, type CredentialRole } from './iam-role.js';
import type { RoleView } from './role-policies.js';

const UII = 'ssm:UpdateInstanceInformation';
const BLOCKING: readonly Decision[] = ['explicit', 'scp', 'boundary', 'implicit'];

/** The permissions that definitely do not hold. */
export const blocking = (ps: readonly Permission[]) => ps.filter((p) => BLOCKING.includes(p.decision));

/** One role's permissions for the agent's actions, from the one IAM decision model. */
export interface Assessment {
  cred: CredentialRole;
  /** The policy the fix attaches. */
  policy: string;
  core: Permission[];
  /** ec2messages; undefined when neither simulated nor readable from the documents. */
  ec2?: Permission[];
  view?: RoleView;
  /** Set when the documents decided some core action: why the simulator did not. */
  why?: Text;
}

export function assess(facts: Facts, cred: CredentialRole, region: string, instance: Instance): Assessment {
  const principal = { role: cred.roleName };
  // The agent's own call names its instance; '' when its ARN is not known.
  const resource = instanceArn(region, instance) ?? '';
  const core = decide(
    facts,
    principal,
    REQUIRED_ACTIONS.map((action) => (action === UII ? { action, resource } : { action })),
    { region },
  );
  let ec2: Permission[] | undefined;
  try {
    ec2 = decide(
      facts,
      principal,
      EC2MESSAGES_ACTIONS.map((action) => ({ action })),
      { region },
    ).permissions;
  } catch (e) {
    if (!(e instanceof FactUnknown)) throw e;
  }
  const policy = cred.source === 'dhmc' ? DHMC_POLICY : CORE_POLICY;
  return {
    cred,
    policy,
    core: core.permissions,
    ...(ec2 ? { ec2 } : {}),
    ...(core.view ? { view: core.view } : {}),
    ...(core.simulatorMissing ? { why: core.simulatorMissing } : {}),
  };
}

/** The agent validates the profile role with ssm:UpdateInstanceInformation; when that is denied it falls back to a working DHMC role. */
export function dhmcFallback(
  facts: Facts,
  cred: CredentialRole,
  primary: Assessment,
  region: string,
  instance: Instance,
): Assessment | undefined {
  if (cred.source !== 'profile' || !blocking(primary.core).some((p) => p.action === UII) || !facts.dhmc.known || !facts.dhmc.value.roleName)
    return undefined;
  try {
    const fallback = assess(facts, { source: 'dhmc', roleName: lastSegment(facts.dhmc.value.roleName) }, region, instance);
    return blocking(fallback.core).length === 0 ? fallback : undefined;
  } catch (e) {
    if (!(e instanceof FactUnknown)) throw e;
    return undefined;
  }
}
