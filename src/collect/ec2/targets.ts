import { DescribeInstancesCommand, type DescribeInstancesCommandOutput } from '@aws-sdk/client-ec2';
import { known } from '../../facts/fact.js';
import type { Fact, Instance } from '../../facts/schema.js';
import type { Clients } from '../sdk/clients.js';
import { codeOf } from '../sdk/errors.js';
import { RefusedOperation } from '../sdk/guard.js';
import { mapInstance } from './map.js';
import { attempt, chunks, pages, unique, zipRecord } from '../sdk/read.js';

/** An EC2 filter as DescribeInstances takes it: `tag:Team` with `web`, `vpc-id` with two ids. */
export interface Ec2Filter {
  Name: string;
  Values: string[];
}

/** What a run diagnoses in one region: these ids, plus (with `all` or `filters`) every instance the filters match. */
export interface Targets {
  ids: string[];
  all?: boolean;
  filters?: Ec2Filter[];
  /** false (--no-iam-sweep): never iam:GetAccountAuthorizationDetails, which reads every role and policy of the account; per-role reads instead. */
  iamSweep?: boolean;
}

/** Past this many ids a run reads like a fleet: registration listed at once, IAM in one sweep, per-instance extras skipped. */
export const FLEET_IDS = 20;

export const isFleet = (t: Targets): boolean => !!t.all || (t.filters?.length ?? 0) > 0 || t.ids.length > FLEET_IDS;

/** Values per EC2 filter in one call: the documented limit is 200. */
export const FILTER_VALUES = 200;

/** The states --all and --filter take unless a filter names instance-state-name itself: all but terminated. */
export const LIVE_STATES = ['pending', 'running', 'shutting-down', 'stopping', 'stopped'];

/**
 * Instance ids are `i-` and hex; 17-digit ids all start with `0`. These prefixes split any set of
 * ids into disjoint parts of about equal size, so a large listing runs side by side instead of
 * page after page.
 */
export const ID_PREFIXES = [...'0123456789abcdef'].map((h) => `i-0${h}`).concat([...'123456789abcdef'].map((h) => `i-${h}`));

/** EC2's paging: a big listing is split by id prefix (side by side) once its first page shows it does not fit. */
const EC2_PARTITIONS: string[][] = [...ID_PREFIXES.slice(0, 16).map((p) => [`${p}*`]), ID_PREFIXES.slice(16).map((p) => `${p}*`)];

type Send<O> = (token?: string) => Promise<O>;

/**
 * When a listing goes wide. Two listings whose first pages come back together (a fleet's
 * instances and its managed nodes) send their parts together: parts sent a round apart would make
 * one more round on AWS's side, since everything after waits for the later ones.
 */
export interface Widen {
  /** Told once the first page is read, answered or failed (the parts follow, or none will); it may be told more than once. */
  wide?: () => void;
  /** Waited for before the parts are sent. */
  after?: PromiseLike<unknown>;
  /** Told when a part has been read in full (the first of them: a round has come back). */
  back?: () => void;
}

/**
 * Every item of a listing: the first page alone, or, when it has a next page, the listing again
 * split into parts that are read side by side (each paginated). Falls back to paging the first
 * listing when a split part fails.
 */
export async function listWide<O, T>(
  first: Send<O>,
  parts: Send<O>[] | undefined,
  items: (o: O) => T[] | undefined,
  next: (o: O) => string | undefined,
  keyOf: (t: T) => string | undefined,
  widen: Widen = {},
): Promise<T[]> {
  let head: O;
  try {
    head = await first();
  } catch (e) {
    widen.wide?.();
    throw e;
  }
  widen.wide?.();
  const token = next(head) || undefined;
  if (token === undefined) return items(head) ?? [];
  if (parts) {
    await widen.after;
    try {
      const got = await Promise.all(parts.map((send) => pages(send, items, next).finally(() => widen.back?.())));
      const byKey = new Map<string, T>();
      for (const t of got.flat()) byKey.set(keyOf(t) ?? String(byKey.size), t);
      return [...byKey.values()];
    } catch (e) {
      if (e instanceof RefusedOperation) throw e;
    }
  }
  const rest = await pages((t) => first(t ?? token), items, next);
  return [...(items(head) ?? []), ...rest];
}

const instancesOf = (o: DescribeInstancesCommandOutput) =>
  (o.Reservations ?? []).flatMap((r) => (r.Instances ?? []).map((i) => mapInstance(i, r.OwnerId)));

/** One filter set's instances; too many values for EC2 (FilterLimitExceeded) halves the longest filter and tries again. */
async function describeFiltered(c: Clients, filters: Ec2Filter[], widen: Widen = {}): Promise<Instance[]> {
  const send = (fs: Ec2Filter[]) => (NextToken?: string) =>
    c.ec2.send(new DescribeInstancesCommand({ Filters: fs, MaxResults: 1000, NextToken }));
  const byId = filters.some((f) => f.Name === 'instance-id');
  try {
    return await listWide(
      send(filters),
      byId ? undefined : EC2_PARTITIONS.map((values) => send([...filters, { Name: 'instance-id', Values: values }])),
      instancesOf,
      (o) => o.NextToken,
      (i) => i.instanceId,
      widen,
    );
  } catch (e) {
    const longest = [...filters].sort((a, b) => b.Values.length - a.Values.length)[0];
    if (codeOf(e) !== 'FilterLimitExceeded' || !longest || longest.Values.length < 2) throw e;
    const half = Math.ceil(longest.Values.length / 2);
    const split = [longest.Values.slice(0, half), longest.Values.slice(half)].map((Values) =>
      filters.map((f) => (f === longest ? { Name: f.Name, Values } : f)),
    );
    return (await Promise.all(split.map((fs) => describeFiltered(c, fs, widen)))).flat();
  }
}

/** Every combination of the filters with at most FILTER_VALUES values each (EC2 ANDs filters and ORs values). */
export function filterBatches(filters: readonly Ec2Filter[]): Ec2Filter[][] {
  let out: Ec2Filter[][] = [[]];
  for (const f of filters) {
    const parts = chunks(unique(f.Values), FILTER_VALUES);
    out = out.flatMap((set) => parts.map((Values) => [...set, { Name: f.Name, Values }]));
  }
  return out;
}

export interface InstancesRead {
  /** Every target: the ids asked for (null when absent) and every instance the selection matched. */
  byId: Record<string, Fact<Instance | null>>;
  /** The target ids in the report's order: the ids given, then the matches by id. */
  order: string[];
  calls: Fact<unknown>[];
}

/**
 * The instances a run diagnoses. Ids are read with the `instance-id` filter (an id that does not
 * exist is then absent, not an error for the batch), 200 per call; `--all` and `--filter` list
 * the region's instances that match, pages of 1,000, split side by side when there are more.
 * `widen.wide` is told once every listing of the selection has read its first page: see Widen.
 */
export async function readTargets(c: Clients, targets: Targets, widen: Widen = {}): Promise<InstancesRead> {
  const ids = unique(targets.ids);
  const byId: Record<string, Fact<Instance | null>> = {};
  const byIds = Promise.all(
    chunks(ids, FILTER_VALUES).map(async (batch) => {
      const got = await attempt('ec2:DescribeInstances', () => describeFiltered(c, [{ Name: 'instance-id', Values: batch }]));
      for (const id of batch) byId[id] = got.known ? known(got.value.find((i) => i.instanceId === id) ?? null) : got;
      return got;
    }),
  );
  const selecting = !!targets.all || (targets.filters?.length ?? 0) > 0;
  const filters = [...(targets.filters ?? [])];
  if (!filters.some((f) => f.Name === 'instance-state-name')) filters.push({ Name: 'instance-state-name', Values: LIVE_STATES });
  const batches = selecting ? filterBatches(filters) : [];
  let left = batches.length;
  const batchWidened = (): Widen => {
    let told = false;
    const wide = () => {
      if (told) return;
      told = true;
      if (--left === 0) widen.wide?.();
    };
    return { wide, after: widen.after, back: widen.back };
  };
  if (left === 0) widen.wide?.();
  const matching = selecting
    ? attempt('ec2:DescribeInstances', async () => (await Promise.all(batches.map((fs) => describeFiltered(c, fs, batchWidened())))).flat())
    : Promise.resolve(known<Instance[]>([]));
  const [idCalls, matched] = await Promise.all([byIds, matching]);
  const order = [...ids];
  if (matched.known) {
    const seen = new Set(ids);
    for (const i of [...matched.value].sort((a, b) => a.instanceId.localeCompare(b.instanceId))) {
      if (!i.instanceId || seen.has(i.instanceId)) continue;
      seen.add(i.instanceId);
      byId[i.instanceId] = known(i);
      order.push(i.instanceId);
    }
  }
  return {
    byId: zipRecord(
      order,
      order.map((id) => byId[id] as Fact<Instance | null>),
    ),
    order,
    calls: [...idCalls, ...(selecting ? [matched] : [])],
  };
}
