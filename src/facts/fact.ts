/**
 * A fact AWS told us: the known side of `Fact<T>` in ./schema.ts. Apart from the schema so that a
 * diagnosis from AWS does not load zod, which only a facts file needs (to validate it).
 */
export const known = <T>(value: T): { known: true; value: T } => ({ known: true, value });
