import type { Evaluation } from '../../src/checks/types';
import { diagnoseFacts } from '../../src/diagnose';
import type { Diagnosis } from '../../src/report/build';
import { known, type Facts } from '../../src/facts/schema';
import { IDS, denied, healthyFacts } from './facts';

export const BROKEN_VPC = 'vpc-0b0b0b0b0b0b0b0b0';
export const OTHER_REGION = 'us-east-1';

/** An instance id of the test fleet: a region digit, then its number. */
export const fleetId = (region: number, n: number) => `i-0${region}${String(n).padStart(15, '0')}`;

/**
 * One region of a fleet over the healthy test facts: `broken` instances in a VPC with no
 * Systems Manager endpoint (and no other way out), the others healthy, each with a Name tag.
 */
function regionFacts(region: string, digit: number, healthy: number, broken: number, unknown = 0): Facts {
  const f = healthyFacts();
  const base = f.instances[IDS.instance]!;
  const managed = f.managedInstances.known ? f.managedInstances.value[IDS.instance]! : undefined;
  f.region = region;
  f.instances = {};
  const agents: Record<string, NonNullable<typeof managed>> = {};
  f.connections = {};
  const vpc = f.vpcs[IDS.vpc]!;
  if (vpc.endpoints.known)
    vpc.endpoints = known(vpc.endpoints.value.map((e) => ({ ...e, serviceName: e.serviceName.replace(IDS.region, region) })));
  f.vpcs[BROKEN_VPC] = { ...vpc, endpoints: known([]) };
  const simulated = f.callerSimulation?.known ? f.callerSimulation.value : [];
  const callerSimulation: typeof simulated = [];
  f.callerSimulation = known(callerSimulation);
  for (let n = 0; n < healthy + broken + unknown; n++) {
    const id = fleetId(digit, n);
    const isBroken = n >= healthy && n < healthy + broken;
    const isUnknown = n >= healthy + broken;
    f.instances[id] = isUnknown
      ? denied('ec2:DescribeInstances')
      : known({
          ...(base.known ? base.value! : ({} as never)),
          instanceId: id,
          vpcId: isBroken ? BROKEN_VPC : IDS.vpc,
          tags: { Name: isBroken ? `batch-${n}` : `web-${n}` },
        });
    callerSimulation.push(...simulated.map((s) => ({ ...s, resource: s.resource?.replace(IDS.instance, id).replace(IDS.region, region) })));
    if (!isBroken && !isUnknown && managed) agents[id] = managed;
    if (!isBroken && !isUnknown) f.connections[id] = known('connected');
  }
  f.managedInstances = known(agents);
  return f;
}

/**
 * The fleet of the issue: 30 instances over two regions, ten of them in one VPC with no
 * endpoints (CRITICAL), `unknown` instances that could not be read, the rest healthy.
 */
export function twoRegionFleet(unknown = 0): Diagnosis {
  const a = regionFacts(IDS.region, 1, 5 - unknown, 10, unknown);
  const b = regionFacts(OTHER_REGION, 2, 15, 0);
  const evaluations: Evaluation[] = [
    ...diagnoseFacts(a, Object.keys(a.instances)).evaluations,
    ...diagnoseFacts(b, Object.keys(b.instances)).evaluations,
  ];
  return { regions: [IDS.region, OTHER_REGION], evaluations };
}
