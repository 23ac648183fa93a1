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
