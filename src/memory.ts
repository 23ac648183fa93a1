import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Past this many instances a run collects its garbage itself where a phase leaves most of it: the
 * parsed AWS answers once the facts are built, the checks' scratch once every instance is judged.
 * V8 otherwise lets it pile up until its own heuristics act: a 10,000-instance run peaked at 285
 * to 310 MB RSS, and at 259 to 265 MB with these two collections (bench/RESULTS.md), for no
 * measurable time. Below it, a run holds too little for a collection to matter.
 */
export const COLLECT_FROM_INSTANCES = 1_000;

let collect: (() => void) | null | undefined;

/**
 * A full garbage collection. Node offers none without --expose-gc, which a bin cannot pass
 * itself; the flag is set at run time and V8's `gc` taken from a fresh context, as Node's own
 * documentation of v8.setFlagsFromString shows for other flags. Should a Node version refuse,
 * this does nothing: memory is then as V8 alone leaves it.
 */
export function collectGarbage(): void {
  if (collect === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      const gc: unknown = runInNewContext('typeof gc === "function" ? gc : null');
      collect = typeof gc === 'function' ? (gc as () => void) : null;
    } catch {
      collect = null;
    }
  }
  collect?.();
}
