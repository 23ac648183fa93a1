import { longestChain, type CallStats, type Recorder } from './guard.js';

/** ssm:GetConnectionStatus takes one instance per call, so it is counted apart from the budget of calls and rounds. */
export const APART = 'ssm:GetConnectionStatus';

export interface RunStats extends CallStats {
  /** `calls` without ssm:GetConnectionStatus: the figure the call budget is about. */
  budgetCalls: number;
  /** `rounds` without ssm:GetConnectionStatus. */
  budgetRounds: number;
  connectionStatusCalls: number;
}

/** Every call and round of one region's reads (`calls`, `rounds`, `byOperation`), and the same with GetConnectionStatus apart. */
export function statsOf(recorder: Recorder): RunStats {
  const all = recorder.stats();
  const budgeted = recorder.records.filter((r) => r.operation !== APART);
  return { ...all, budgetCalls: budgeted.length, budgetRounds: longestChain(budgeted), connectionStatusCalls: all.calls - budgeted.length };
}

/** Several regions read side by side: calls add up, rounds are the longest region's. */
export function sumStats(all: readonly RunStats[]): RunStats {
  if (all.length === 1 && all[0]) return all[0];
  const byOperation: Record<string, number> = {};
  for (const s of all) for (const [op, n] of Object.entries(s.byOperation)) byOperation[op] = (byOperation[op] ?? 0) + n;
  const sum = (k: 'calls' | 'budgetCalls' | 'connectionStatusCalls') => all.reduce((n, s) => n + s[k], 0);
  const max = (k: 'rounds' | 'budgetRounds') => Math.max(0, ...all.map((s) => s[k]));
  return {
    calls: sum('calls'),
    rounds: max('rounds'),
    byOperation,
    budgetCalls: sum('budgetCalls'),
    budgetRounds: max('budgetRounds'),
    connectionStatusCalls: sum('connectionStatusCalls'),
  };
}

/** Reads made once `first` had ended (a transit gateway owner's view, after every account's own read): calls and rounds add up. */
export function sequenceStats(first: RunStats, then: RunStats): RunStats {
  const both = sumStats([first, then]);
  return { ...both, rounds: first.rounds + then.rounds, budgetRounds: first.budgetRounds + then.budgetRounds };
}
