import type { Facts } from '../facts/schema.js';
import { buildClients } from './clients.js';
import { gather } from './gather.js';
import type { CallStats } from './guard.js';

export { CollectError } from './errors.js';
export type { CallStats } from './guard.js';

export interface CollectOptions {
  instanceIds: string[];
  region?: string;
  profile?: string;
}

export interface CollectResult {
  facts: Facts;
  stats: CallStats;
}

/** Reads AWS (read-only operations only) and returns the facts for these instances, with the cost of reading them. */
export async function collect(opts: CollectOptions): Promise<CollectResult> {
  const clients = await buildClients({ region: opts.region, profile: opts.profile });
  try {
    const facts = await gather(clients, opts.instanceIds);
    return { facts, stats: clients.recorder.stats() };
  } finally {
    clients.destroy();
  }
}
