import type { Text } from '../../lang.js';

/** Ids listed in each language's own way: `a, b` and `a、b`. */
export function listText(ids: readonly string[]): Text {
  return { en: ids.join(', '), ja: ids.join('、') };
}

/** Alternatives listed in each language's own way: `a or b` and `a、b`. */
export function orText(ids: readonly string[]): Text {
  return { en: ids.join(' or '), ja: ids.join('、') };
}
