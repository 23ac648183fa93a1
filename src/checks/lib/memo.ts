/**
 * Remembers a pure function of one string. A fleet's checks ask the same small questions (this
 * CIDR, this wildcard, this endpoint policy) once per instance; answering each once per run keeps
 * a 10,000-instance evaluation linear in the structure, not in the fleet. The cache is dropped
 * when it reaches `max` entries, so no input can grow it without bound. Callers must not mutate
 * what they get back: it is shared.
 */
export function memoize<T>(fn: (key: string) => T, max = 10_000): (key: string) => T {
  const cache = new Map<string, T>();
  return (key: string) => {
    if (cache.has(key)) return cache.get(key) as T;
    const value = fn(key);
    if (cache.size >= max) cache.clear();
    cache.set(key, value);
    return value;
  };
}

/**
 * Answers the instances of one evaluation run share (a VPC's Systems Manager endpoints, a route
 * table's public routing, the caller's simulation split by instance): made by the engine for each
 * run, handed to every check in its context, and dropped with the run. Within one run the facts do
 * not change, so an id names one answer; nothing outlives the run, so --wait's next run starts
 * afresh.
 */
export class RunMemo {
  private readonly slots = new Map<string, Map<string, unknown>>();

  /** The answer for `key` in `slot`, made once per run. */
  get<T>(slot: string, key: string, make: () => T): T {
    let answers = this.slots.get(slot);
    if (!answers) this.slots.set(slot, (answers = new Map()));
    if (answers.has(key)) return answers.get(key) as T;
    const value = make();
    answers.set(key, value);
    return value;
  }
}
