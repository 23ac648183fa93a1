import type {
  HandlerExecutionContext,
  InitializeHandler,
  InitializeHandlerArguments,
  InitializeMiddleware,
  MetadataBearer,
} from '@smithy/types';
import { isAllowed, operationName } from './allowlist.js';
import { codeOf } from './errors.js';

/** Thrown by the guard for an operation that is not on the allowlist: a bug in ssm-doctor, never an AWS answer. */
export class RefusedOperation extends Error {
  override name = 'RefusedOperation';
  constructor(readonly operation: string) {
    super(`ssm-doctor refused to call ${operation}: it is not on the read-only allowlist`);
  }
}

export interface CallRecord {
  operation: string;
  start: number;
  end: number;
  /** `ok`, or the error code. */
  outcome: string;
}

export interface CallStats {
  calls: number;
  rounds: number;
  byOperation: Record<string, number>;
}

/** Every call the clients made, with its times, so the stats are measured rather than declared. */
export class Recorder {
  readonly records: CallRecord[] = [];
  /** Calls let through so far, answered or not: with the records, how far the reads known so far have got. */
  started = 0;

  add(record: CallRecord): void {
    this.records.push(record);
  }

  stats(): CallStats {
    const byOperation: Record<string, number> = {};
    for (const r of this.records) byOperation[r.operation] = (byOperation[r.operation] ?? 0) + 1;
    return { calls: this.records.length, rounds: longestChain(this.records), byOperation };
  }
}

/** The length of the longest chain of calls in which each one started after the previous one ended. */
export function longestChain(records: readonly Pick<CallRecord, 'start' | 'end'>[]): number {
  const sorted = [...records].sort((a, b) => a.start - b.start);
  const chain: number[] = [];
  let longest = 0;
  sorted.forEach((r, i) => {
    let before = 0;
    sorted.slice(0, i).forEach((earlier, j) => {
      const length = chain[j] ?? 0;
      if (earlier.end <= r.start && length > before) before = length;
    });
    chain.push(before + 1);
    longest = Math.max(longest, before + 1);
  });
  return longest;
}

export const GUARD_NAME = 'ssmDoctorReadOnlyGuard';

/**
 * Middleware for every client: refuses an operation that is not on the allowlist before it is
 * serialized, signed or sent, and records each call it lets through.
 */
export function guardMiddleware<I extends object, O extends MetadataBearer>(recorder: Recorder): InitializeMiddleware<I, O> {
  return (next: InitializeHandler<I, O>, context: HandlerExecutionContext) => async (args: InitializeHandlerArguments<I>) => {
    const operation = operationName(context.clientName ?? '', context.commandName ?? '');
    if (!isAllowed(operation)) throw new RefusedOperation(operation);
    const start = performance.now();
    recorder.started++;
    try {
      const result = await next(args);
      recorder.add({ operation, start, end: performance.now(), outcome: 'ok' });
      return result;
    } catch (e) {
      recorder.add({ operation, start, end: performance.now(), outcome: codeOf(e) });
      throw e;
    }
  };
}

// `high` in the first step: nothing of a refused call runs, not even endpoint or credential resolution.
export const GUARD_OPTIONS = { step: 'initialize', priority: 'high', name: GUARD_NAME } as const;
