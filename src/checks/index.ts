import { agentRegistered } from './agent-registered.js';
import { endpointPrivateDns } from './endpoint-private-dns.js';
import { endpointSgHttps } from './endpoint-sg-https.js';
import { iamCorePolicy } from './iam-core-policy.js';
import { iamInstanceProfile } from './iam-instance-profile.js';
import { instanceState } from './instance-state.js';
import { networkRoute } from './network-route.js';
import type { Check } from './types.js';
import { vpcEndpoints } from './vpc-endpoints.js';
import { vpcEndpointsAz } from './vpc-endpoints-az.js';

/** Every check, in report order: the order of the guide (instance, IAM, network, endpoints, agent). */
export const CHECKS: readonly Check[] = [
  instanceState,
  iamInstanceProfile,
  iamCorePolicy,
  networkRoute,
  vpcEndpoints,
  vpcEndpointsAz,
  endpointPrivateDns,
  endpointSgHttps,
  agentRegistered,
];
