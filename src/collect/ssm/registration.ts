/** Which instances Systems Manager lists as managed nodes, with their ping status and agent. */
import {
  DescribeInstanceInformationCommand,
  DescribeInstancePropertiesCommand,
  type InstanceInformation,
  type InstanceProperty,
} from '@aws-sdk/client-ssm';
import { known } from '../../facts/fact.js';
import type { Fact, ManagedInstance } from '../../facts/schema.js';
import { ID_PREFIXES, listWide, type Widen } from '../ec2/targets.js';
import type { Clients } from '../sdk/clients.js';
import { codeOf } from '../sdk/errors.js';
import { RefusedOperation } from '../sdk/guard.js';
import { attempt, chunks, pages } from '../sdk/read.js';
import { mapManagedInstance } from './map.js';

/** DescribeInstanceInformation: at most 50 results per page, so at most 50 ids per filter. */
const SSM_BATCH = 50;

const listInformation = (c: Clients, filter?: string[]) =>
  pages(
    (NextToken) =>
      c.ssm.send(
        new DescribeInstanceInformationCommand({
          ...(filter ? { Filters: [{ Key: 'InstanceIds', Values: filter }] } : {}),
          MaxResults: SSM_BATCH,
          NextToken,
        }),
      ),
    (o) => o.InstanceInformationList,
    (o) => o.NextToken,
  );

/** A node SSM lists, by EC2 instance id; nodes that are not EC2 instances (mi-…) are left out. */
function byInstance(
  infos: readonly (InstanceInformation | InstanceProperty)[],
  wanted?: ReadonlySet<string>,
): Record<string, ManagedInstance> {
  const out: Record<string, ManagedInstance> = {};
  for (const i of infos) {
    const id = i.InstanceId;
    if (!id || !id.startsWith('i-') || (wanted && !wanted.has(id))) continue;
    out[id] = mapManagedInstance(i as InstanceInformation);
  }
  return out;
}

/** Registration of a few ids: DescribeInstanceInformation filtered by id, 50 per call. */
export async function registrationOf(c: Clients, ids: string[]): Promise<Fact<Record<string, ManagedInstance>>> {
  if (ids.length === 0) return known({});
  return attempt('ssm:DescribeInstanceInformation', async () => {
    let infos: InstanceInformation[];
    try {
      infos = (await Promise.all(chunks(ids, SSM_BATCH).map((batch) => listInformation(c, batch)))).flat();
    } catch (e) {
      // SSM rejects the whole filter when one id is not a node it knows: list every node and pick ours.
      if (codeOf(e) !== 'InvalidInstanceId') throw e;
      infos = await listInformation(c);
    }
    return byInstance(infos, new Set(ids));
  });
}

/** Errors after which DescribeInstanceProperties is given up for DescribeInstanceInformation (older policies, emulators, partitions without it). */
const NO_PROPERTIES =
  /AccessDenied|UnknownOperation|InvalidAction|NotImplemented|UnsupportedOperation|ValidationException|UnrecognizedClient|HTTP40[04]/;

/**
 * Registration of every node in the region, for a fleet: ssm:DescribeInstanceProperties pages of
 * 1,000 (split by id prefix side by side when there are more), else DescribeInstanceInformation
 * pages of 50. The report names DescribeInstanceInformation either way when both fail. `widen`
 * sends the parts beside the instances' (see Widen).
 */
export async function registrationOfRegion(c: Clients, widen: Widen = {}): Promise<Fact<Record<string, ManagedInstance>>> {
  const send = (FiltersWithOperator?: { Key: string; Operator: 'BeginWith'; Values: string[] }[]) => (NextToken?: string) =>
    c.ssm.send(
      new DescribeInstancePropertiesCommand({ ...(FiltersWithOperator ? { FiltersWithOperator } : {}), MaxResults: 1000, NextToken }),
    );
  try {
    const props = await listWide(
      send(),
      ID_PREFIXES.map((p) => send([{ Key: 'InstanceIds', Operator: 'BeginWith', Values: [p] }])),
      (o) => o.InstanceProperties,
      (o) => o.NextToken,
      (p) => p.InstanceId,
      widen,
    );
    return known(byInstance(props));
  } catch (e) {
    if (e instanceof RefusedOperation) throw e;
    if (!NO_PROPERTIES.test(codeOf(e))) return attempt('ssm:DescribeInstanceProperties', () => Promise.reject(e));
  }
  return attempt('ssm:DescribeInstanceInformation', async () => byInstance(await listInformation(c)));
}
