/** The one element of `xs`, asserting there is exactly one. */
export function only<T>(xs: readonly T[]): T {
  expect(xs).toHaveLength(1);
  return xs[0]!;
}

/** `xs[i]`, throwing when there is no such element (for tests that index into results they did not build). */
export function at<T>(xs: readonly T[], i: number): T {
  const x = xs[i];
  if (x === undefined) throw new Error(`no element ${i} (length ${xs.length})`);
  return x;
}

/** The first element of `xs`, throwing when it is empty. */
export const first = <T>(xs: readonly T[]): T => at(xs, 0);
