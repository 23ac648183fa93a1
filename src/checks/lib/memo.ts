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
 * Remembers a pure function of an object and a string (a VPC's endpoint list and the region): the
 * facts share one list per VPC among its instances. Held weakly, so it goes with the facts.
 */
export function memoizeOn<K extends object, T>(fn: (key: K, extra: string) => T): (key: K, extra: string) => T {
  const cache = new WeakMap<K, Map<string, T>>();
  return (key: K, extra: string) => {
    let byExtra = cache.get(key);
    if (!byExtra) cache.set(key, (byExtra = new Map()));
    if (byExtra.has(extra)) return byExtra.get(extra) as T;
    const value = fn(key, extra);
    byExtra.set(extra, value);
    return value;
  };
}
