import type { Facts } from '../facts/schema.js';
import { buildClients } from './clients.js';
import { Deadline, DeadlineExceeded, formatDuration } from './deadline.js';
import { CollectError } from './errors.js';
import { gather } from './gather.js';
import { statsOf, type RunStats } from './stats.js';
import type { Ec2Filter } from './targets.js';

export { CollectError } from './errors.js';
export type { CallStats } from './guard.js';
export type { RunStats } from './stats.js';
export { sumStats } from './stats.js';

/** The default of --timeout: a slow but working account answers well within it. */
export const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * After the deadline every AWS call fails at once, so the facts follow within moments; this is
 * only the bound for a read that somehow ignores the deadline, so that the run still ends.
 */
const GRACE_MS = 5_000;

export interface CollectOptions {
  instanceIds: string[];
  region?: string;
  profile?: string;
  /** The whole run's deadline; calls not done by then become Unknown with code DeadlineExceeded. */
  timeoutMs?: number;
  /** Every instance in the region that is not terminated (--all). */
  all?: boolean;
  /** EC2 filters (--filter): the instances that match them all. */
  filters?: Ec2Filter[];
  /** Called now and then while the reads run, with the number of calls answered so far (progress on a terminal). */
  onProgress?: (calls: number) => void;
}

export interface CollectResult {
  facts: Facts;
  stats: RunStats;
}

/** Reads AWS (read-only operations only) and returns the facts for these instances, with the cost of reading them. */
export async function collect(opts: CollectOptions): Promise<CollectResult> {
  const deadline = new Deadline(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  try {
    const clients = await deadline.race(buildClients({ region: opts.region, profile: opts.profile, deadline }), GRACE_MS);
    try {
      const progress = opts.onProgress;
      const ticker = progress ? setInterval(() => progress(clients.recorder.records.length), 200) : undefined;
      ticker?.unref();
      try {
        const facts = await deadline.race(gather(clients, { ids: opts.instanceIds, all: opts.all, filters: opts.filters }), GRACE_MS);
        return { facts, stats: statsOf(clients.recorder) };
      } finally {
        clearInterval(ticker);
      }
    } finally {
      clients.destroy();
    }
  } catch (e) {
    if (e instanceof DeadlineExceeded) {
      throw new CollectError(`AWS did not answer within the --timeout of ${formatDuration(deadline.ms)}: check the network or proxy and AWS_ENDPOINT_URL, or raise --timeout`);
    }
    throw e;
  } finally {
    deadline.dispose();
  }
}
