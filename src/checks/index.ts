import { agentRegistered } from './agent-registered.js';
import { agentVersion } from './agent-version.js';
import { blockPublicAccess } from './block-public-access.js';
import { callerStartSession } from './caller-start-session.js';
import { endpointPolicy } from './endpoint-policy.js';
import { endpointPrivateDns } from './endpoint-private-dns.js';
import { endpointSgHttps } from './endpoint-sg-https.js';
import { iamCorePolicy } from './iam-core-policy.js';
import { iamInstanceProfile } from './iam-instance-profile.js';
import { iamTrustPolicy } from './iam-trust-policy.js';
import { instanceMetadata } from './instance-metadata.js';
import { instanceSgEgress } from './instance-sg-egress.js';
import { instanceState } from './instance-state.js';
import { ipv6OnlyPath } from './ipv6-only-path.js';
import { networkAcl } from './network-acl.js';
import { networkRoute } from './network-route.js';
import { transitGatewayPath } from './transit-gateway-path.js';
import { sessionKmsKey } from './session-kms-key.js';
import { sessionPreferences } from './session-preferences.js';
import type { Check } from './types.js';
import { vpcEndpoints } from './vpc-endpoints.js';
import { vpcDnsServers } from './vpc-dns-servers.js';
import { vpcEndpointsAz } from './vpc-endpoints-az.js';

/**
 * Every check, in report order: the order of the guide (the instance, its role, the network path,
 * the endpoints, the agent), then the caller's side.
 */
export const CHECKS: readonly Check[] = [
  instanceState,
  instanceMetadata,
  iamInstanceProfile,
  iamTrustPolicy,
  iamCorePolicy,
  networkRoute,
  blockPublicAccess,
  transitGatewayPath,
  instanceSgEgress,
  networkAcl,
  vpcEndpoints,
  vpcEndpointsAz,
  endpointPrivateDns,
  vpcDnsServers,
  ipv6OnlyPath,
  endpointSgHttps,
  endpointPolicy,
  sessionPreferences,
  sessionKmsKey,
  agentRegistered,
  agentVersion,
  callerStartSession,
];
