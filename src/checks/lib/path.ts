/**
 * How the instance's traffic reaches Systems Manager, as one import for the checks that read it: the instance's network,
 * its VPC's endpoints, its subnet's routes, the way out to the internet and the hosted zones that steer the names.
 */
export { SESSION_SERVICES, SSM_SERVICES, serviceHost, serviceName, serviceOf, type SsmService } from '../../aws/services.js';
export { steeringZones, zonesText } from './hosted-zones.js';
export { confirmedByPing, internetPath, unverifiedTargets, type Hop, type InternetPath, type PathKind } from './internet-path.js';
export { networkOf, type Network } from './network.js';
export {
  describeTable,
  effectiveRouteTable,
  hubDestinations,
  hubRoutes,
  publicRouting,
  routeFor,
  subnetRouteTable,
  type EffectiveTable,
  type PublicRouting,
} from './routes.js';
export { servicePaths, type ServicePath } from './service-paths.js';
export { isAvailable, isLive, liveSsmEndpoints, missingText, ssmEndpoints, vpcSsmEndpoints, type SsmEndpoint } from './ssm-endpoints.js';
