import { known } from '../../facts/fact.js';
import type { Fact, Unknown } from '../../facts/schema.js';
import { codeOf, unknownOf } from './errors.js';
import { RefusedOperation } from './guard.js';

/** Runs one read; an AWS error becomes an Unknown naming the call. A refused operation is a bug and is rethrown. */
export async function attempt<T>(call: string, read: () => Promise<T>): Promise<Fact<T>> {
  try {
    return known(await read());
  } catch (e) {
    if (e instanceof RefusedOperation) throw e;
    return unknownOf(call, e);
  }
}

/** Follows a paginated read to its end (stopping if the service repeats a token). */
export async function pages<O, T>(
  send: (token?: string) => Promise<O>,
  items: (o: O) => T[] | undefined,
  next: (o: O) => string | undefined,
): Promise<T[]> {
  const out: T[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  do {
    const o = await send(token);
    out.push(...(items(o) ?? []));
    token = next(o) || undefined;
    if (token !== undefined && seen.has(token)) break;
    if (token !== undefined) seen.add(token);
  } while (token !== undefined);
  return out;
}

export function chunks<T>(xs: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}

export const unique = <T>(xs: Iterable<T | undefined | null>): T[] => [
  ...new Set([...xs].filter((x): x is T => x !== undefined && x !== null)),
];
export const failureOf = <T>(f: Fact<T>): Unknown | undefined => (f.known ? undefined : f);

/** Real IAM's code is NoSuchEntity; the SDK's class for it is named NoSuchEntityException. */
export const isNoSuchEntity = (e: unknown): boolean => ['NoSuchEntity', 'NoSuchEntityException'].includes(codeOf(e));

/** An answer that lacks the field the read is for. */
export function incomplete(what: string): Error {
  return Object.assign(new Error(`the answer has no ${what}`), { name: 'IncompleteResponse' });
}

/** Drops keys whose value is undefined, so facts files carry only what AWS said. */
export function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** Each key with the value at its index: what `Promise.all` over a list of keys gives back, as a record. */
export function zipRecord<T>(keys: readonly string[], values: readonly T[]): Record<string, T> {
  const out: Record<string, T> = {};
  keys.forEach((k, i) => {
    out[k] = values[i] as T;
  });
  return out;
}
