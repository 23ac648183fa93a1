import type { AwsCredentialIdentity } from '@smithy/types';
import type { Fact, Facts } from '../facts/schema.js';
import { buildClients, type Clients } from './sdk/clients.js';
import { Deadline, DeadlineExceeded, formatDuration } from './sdk/deadline.js';
import { CollectError } from './sdk/errors.js';
import { gather } from './gather.js';
import { connectionStatuses } from './ssm/settings.js';
import { statsOf, type RunStats } from './sdk/stats.js';
import type { Targets } from './ec2/targets.js';
import { followTransitGateways, type TransitRead } from './ec2/transit.js';

export { CollectError } from './sdk/errors.js';
export type { CallStats } from './sdk/guard.js';
export type { RunStats } from './sdk/stats.js';
export { sequenceStats, sumStats } from './sdk/stats.js';
export { isFleet, type Ec2Filter, type Targets } from './ec2/targets.js';
export { accountScopes, inPool, type AccountScope, type UnreadScope } from './org/scopes.js';

/** The default of --timeout: a slow but working account answers well within it. */
export const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * After the deadline every AWS call fails at once, so the facts follow within moments; this is
 * only the bound for a read that somehow ignores the deadline, so that the run still ends.
 */
const GRACE_MS = 5_000;

export interface ReaderOptions {
  region?: string;
  profile?: string;
  /** The whole run's deadline; calls not done by then become Unknown with code DeadlineExceeded. */
  timeoutMs?: number;
  /**
   * Called now and then while the reads run, with the calls answered so far and the calls started so
   * far (answered or in flight): the total known so far, since what is read next depends on the answers.
   */
  onProgress?: (calls: number, started: number) => void;
  /** Several profiles or accounts read side by side (see ClientOptions). */
  sideBySide?: boolean;
  /** An assumed role's credentials (organisation mode). */
  credentials?: AwsCredentialIdentity;
}

/** One region's reads: the facts first, then the follow-up reads that depend on the checks' verdicts. */
export interface Reader {
  readonly region: string;
  /** Everything the checks need for these targets. */
  facts(targets: Targets): Promise<Facts>;
  /** ssm:GetConnectionStatus for these instances, one call each. */
  connections(instanceIds: readonly string[]): Promise<Record<string, Fact<string>>>;
  /** As the owner of these transit gateways: their attachments, propagations and hub VPCs, the VPCs in `spokes` being read already. */
  transit(tgwIds: string[], spokes: ReadonlySet<string>): Promise<TransitRead>;
  /** The calls made so far, and their rounds. */
  stats(): RunStats;
}

/** A reader over clients that already exist (tests hand in mocked ones). */
export function readerOf(c: Clients, now?: () => Date, env?: NodeJS.ProcessEnv): Reader {
  return {
    region: c.region,
    facts: (targets) => gather(c, targets, now, env),
    connections: (ids) => connectionStatuses(c, [...ids]),
    transit: (tgwIds, spokes) => followTransitGateways(c, tgwIds, spokes),
    stats: () => statsOf(c.recorder),
  };
}

/**
 * Opens the clients of one region (read-only operations only), hands `use` a reader over them, and
 * closes them when it is done; every read made through it shares one deadline (--timeout).
 */
export async function withReader<T>(opts: ReaderOptions, use: (reader: Reader) => Promise<T>): Promise<T> {
  const deadline = new Deadline(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  try {
    const clients = await deadline.race(
      buildClients({ region: opts.region, profile: opts.profile, deadline, sideBySide: opts.sideBySide, credentials: opts.credentials }),
      GRACE_MS,
    );
    const progress = opts.onProgress;
    const ticker = progress ? setInterval(() => progress(clients.recorder.records.length, clients.recorder.started), 200) : undefined;
    ticker?.unref();
    try {
      const inner = readerOf(clients);
      return await use({
        region: inner.region,
        facts: (targets) => deadline.race(inner.facts(targets), GRACE_MS),
        connections: (ids) => deadline.race(inner.connections(ids), GRACE_MS),
        transit: (tgwIds, spokes) => deadline.race(inner.transit(tgwIds, spokes), GRACE_MS),
        stats: inner.stats,
      });
    } finally {
      clearInterval(ticker);
      clients.destroy();
    }
  } catch (e) {
    if (e instanceof DeadlineExceeded) {
      throw new CollectError(
        `AWS did not answer within the --timeout of ${formatDuration(deadline.ms)}: check the network or proxy and AWS_ENDPOINT_URL, or raise --timeout`,
      );
    }
    throw e;
  } finally {
    deadline.dispose();
  }
}
