/** The Systems Manager services a session needs, the names of their endpoints, and the session document. */

export const SSM_SERVICES = ['ssm', 'ssmmessages', 'ec2messages'] as const;
export type SsmService = (typeof SSM_SERVICES)[number];
/** What a session cannot do without; ec2messages is the legacy Run Command channel. */
export const SESSION_SERVICES: readonly SsmService[] = ['ssm', 'ssmmessages'];

/** The document Session Manager keeps its preferences in (Session Manager → Preferences). */
export const SESSION_DOCUMENT = 'SSM-SessionManagerRunShell';

/** The Default Host Management Configuration setting: the role agents use when the instance has none. */
export const DHMC_SETTING_ID = '/ssm/managed-instance/default-ec2-instance-management-role';

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const byRegion = new Map<string, RegExp>();

function serviceRegExp(region: string): RegExp {
  let re = byRegion.get(region);
  if (!re) byRegion.set(region, (re = new RegExp(`^(cn\\.)?com\\.amazonaws\\.${escapeRe(region)}\\.(ssm|ssmmessages|ec2messages)$`)));
  return re;
}

/** The Systems Manager service an endpoint service name is for; never a prefix match (ssm-contacts, ssm-incidents exist). */
export function serviceOf(serviceName: string, region: string): SsmService | undefined {
  return serviceRegExp(region).exec(serviceName)?.[2] as SsmService | undefined;
}

/** `com.amazonaws.<region>.<service>` (China's endpoints may carry a `cn.` prefix). */
export const serviceName = (region: string, service: string, prefix = '') => `${prefix}com.amazonaws.${region}.${service}`;

/** The name the agent resolves for a service. */
export const serviceHost = (region: string, service: string) =>
  `${service}.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`;

/** Service principal names that mean `service` in this region's partition. */
export const servicePrincipals = (service: string, region: string): string[] =>
  region.startsWith('cn-') ? [service, `${service}.cn`] : [service];
