/** How each Systems Manager service's traffic leaves the instance, and the places it must reach, grouped for the checks on the way. */
import type { Endpoint, HostedZone } from '../../facts/schema.js';
import { SSM_SERVICES, type SsmService } from '../../aws/services.js';
import { steeringZones } from './hosted-zones.js';
import { internetPath, type InternetPath } from './internet-path.js';
import type { Network } from './network.js';
import { isAvailable, vpcSsmEndpoints } from './ssm-endpoints.js';

/** How one service's traffic leaves the instance, in the order DNS decides it. */
export type ServicePath =
  | { service: SsmService; via: 'endpoint'; endpoints: Endpoint[] }
  | { service: SsmService; via: 'central'; zones: HostedZone[] }
  | { service: SsmService; via: 'internet'; path: InternetPath };

/**
 * For each Systems Manager service: an available local endpoint (private DNS sends every instance there), else a private
 * hosted zone that steers the name to centralised endpoints, else the public name over the subnet's routes. Hosted zones
 * that were not read count as absent here; network-route says when that matters.
 */
export function servicePaths(net: Network): ServicePath[] {
  const all = vpcSsmEndpoints(net);
  const zones = net.vpc.hostedZones?.known ? net.vpc.hostedZones.value : [];
  let path: InternetPath | undefined;
  return SSM_SERVICES.map((service): ServicePath => {
    const endpoints = all.filter((e) => e.service === service && isAvailable(e.endpoint)).map((e) => e.endpoint);
    if (endpoints.length) return { service, via: 'endpoint', endpoints };
    const steering = steeringZones(zones, net.region, service);
    if (steering.length) return { service, via: 'central', zones: steering };
    path ??= internetPath(net);
    return { service, via: 'internet', path };
  });
}

/** The services' paths that lead somewhere, so a filter on the way (security group, network ACL) can be checked. */
export const openPaths = (net: Network) => servicePaths(net).filter((p) => p.via !== 'internet' || p.path.kind !== 'none');

/** Where some of the agent's traffic must go: a set of endpoints, the hub of a centralised design, or the internet. */
export type Target =
  | { via: 'endpoint'; services: SsmService[]; endpoints: [Endpoint, ...Endpoint[]] }
  | { via: 'central'; services: SsmService[] }
  | { via: 'internet'; services: SsmService[]; path: InternetPath };

/** Endpoints whose `sameFilters` key is equal get one verdict; the central and the internet services are one target each. */
export function targetsOf(paths: readonly ServicePath[], sameFilters: (e: Endpoint) => string): Target[] {
  const targets: Target[] = [];
  const byKey = new Map<string, Extract<Target, { via: 'endpoint' }>>();
  const add = (target: Target, service: SsmService) => {
    if (!target.services.includes(service)) target.services.push(service);
  };
  for (const p of paths) {
    if (p.via !== 'endpoint') {
      const same = targets.find((x) => x.via === p.via);
      if (same) add(same, p.service);
      else
        targets.push(
          p.via === 'central' ? { via: 'central', services: [p.service] } : { via: 'internet', services: [p.service], path: p.path },
        );
      continue;
    }
    for (const e of p.endpoints) {
      const existing = byKey.get(sameFilters(e));
      if (existing) {
        existing.endpoints.push(e);
        add(existing, p.service);
        continue;
      }
      const target: Target = { via: 'endpoint', services: [p.service], endpoints: [e] };
      byKey.set(sameFilters(e), target);
      targets.push(target);
    }
  }
  return targets;
}

/** The same ids in any order: a key for grouping endpoints by their subnets or groups. */
export const idSet = (ids: readonly string[]) => [...ids].sort().join(',');
