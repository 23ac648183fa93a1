/** The Systems Manager interface endpoints of a VPC (ssm, ssmmessages, ec2messages) and their states. */
import type { Endpoint } from '../../facts/schema.js';
import { defineMessages, type Text } from '../../lang.js';
import { SSM_SERVICES, serviceName, serviceOf, type SsmService } from '../../aws/services.js';
import { listOf, type Network } from './network.js';
import { need } from '../types.js';

const M = defineMessages({
  endpointState: { en: '{id} is {state}', ja: '{id} は {state}' },
  serviceStates: { en: '{service} ({states})', ja: '{service} ({states})' },
});

export interface SsmEndpoint {
  service: SsmService;
  endpoint: Endpoint;
}

/** The interface endpoints for ssm, ssmmessages and ec2messages among a VPC's endpoints, in that service order. */
export function ssmEndpoints(endpoints: readonly Endpoint[], region: string): readonly SsmEndpoint[] {
  const found: SsmEndpoint[] = [];
  for (const endpoint of endpoints) {
    const service = serviceOf(endpoint.serviceName, region);
    if (service && endpoint.type.toLowerCase() === 'interface') found.push({ service, endpoint });
  }
  return found.sort((a, b) => SSM_SERVICES.indexOf(a.service) - SSM_SERVICES.indexOf(b.service));
}

/** The instance's VPC's Systems Manager endpoints, worked out once per run for all the VPC's instances. */
export function vpcSsmEndpoints(net: Network): readonly SsmEndpoint[] {
  return net.memo.get('ssm-endpoints', net.vpcId, () => ssmEndpoints(need(net.vpc.endpoints, 'ec2:DescribeVpcEndpoints'), net.region));
}

// The API's enum says "Available", the filter and the CLI say "available".
export const isAvailable = (e: Endpoint) => e.state.toLowerCase() === 'available';

const GONE = new Set(['deleting', 'deleted', 'failed', 'rejected', 'expired']);
/** Available or on its way there (pending): an endpoint whose settings decide where traffic goes. */
export const isLive = (e: Endpoint) => !GONE.has(e.state.toLowerCase());

/** The live Systems Manager endpoints of the instance's VPC (the endpoints checks 3–5 look at). */
export function liveSsmEndpoints(net: Network): SsmEndpoint[] {
  return vpcSsmEndpoints(net).filter((e) => isLive(e.endpoint));
}

/** "com.amazonaws.r.ssm (vpce-… is pending)" for each service that has no available endpoint. */
export function missingText(all: readonly SsmEndpoint[], services: readonly SsmService[], region: string): Text {
  const parts = services.map((s) => {
    const name = all.find((e) => e.service === s)?.endpoint.serviceName ?? serviceName(region, s);
    const others = all.filter((e) => e.service === s && !isAvailable(e.endpoint)).map((e) => e.endpoint);
    if (!others.length) return { en: name, ja: name };
    const states = others.map((e) => M('endpointState', { id: e.endpointId, state: e.state }));
    return M('serviceStates', { service: name, states: listOf(states) });
  });
  return listOf(parts);
}
