import type { Fact } from './schema.js';

/**
 * A fact AWS told us. Apart from the schema so that a diagnosis from AWS does not load zod, which
 * only a facts file needs (to validate it).
 */
export const known = <T>(value: T): Fact<T> => ({ known: true, value });
