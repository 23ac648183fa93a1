import { instanceReports, KEEP_EVALUATIONS, outlines, reportHead, type Part } from '../engine.js';
import type { Lang } from '../lang.js';
import type { InstanceReport, OverallStatus, Report } from './schema.js';

export function renderJson(report: Report): string {
  return JSON.stringify(report, null, 2) + '\n';
}

/** Where the streamed report goes: resolves when the chunk may be followed by the next one. */
export type Write = (chunk: string) => Promise<void>;

/** Text gathered before it is written: few writes, and little held. */
const CHUNK_CHARS = 1 << 16;

/**
 * The same bytes as `renderJson(buildFleetReport(parts, lang))`, written instance by instance so
 * that a fleet's report is never held whole (10,000 instances make 70 MB of JSON). The head
 * (status, summary) comes first and needs every instance's status: a fleet of up to
 * KEEP_EVALUATIONS instances is built once and held until written; for a larger one the head counts
 * the outlines (statuses only) and each instance is evaluated again as it is written.
 */
export async function writeJson(parts: readonly Part[], lang: Lang, write: Write, hold = KEEP_EVALUATIONS): Promise<OverallStatus> {
  const count = parts.reduce((n, p) => n + p.instanceIds.length, 0);
  let held: InstanceReport[] | undefined;
  let head: Omit<Report, 'instances'>;
  if (count <= hold) {
    held = [...instanceReports(parts, lang)];
    head = reportHead(parts, held);
  } else {
    // Only the outlines are counted (kept from the pass that picked the suspects, or evaluated anew), none held.
    head = reportHead(parts, outlines(parts));
  }
  if (count === 0) {
    await write(renderJson({ ...head, instances: [] }));
    return head.status;
  }
  const open = JSON.stringify({ ...head, instances: [] }, null, 2);
  let pending = open.slice(0, open.lastIndexOf('[]')) + '[\n';
  let first = true;
  for (const instance of held ? letGo(held) : instanceReports(parts, lang)) {
    // JSON.stringify escapes every line break inside a string, so each \n here starts a line of the document.
    pending += (first ? '    ' : ',\n    ') + JSON.stringify(instance, null, 2).replaceAll('\n', '\n    ');
    first = false;
    if (pending.length >= CHUNK_CHARS) {
      await write(pending);
      pending = '';
    }
  }
  await write(pending + '\n  ]\n}\n');
  return head.status;
}

/** The items in order, each dropped from the array as it is handed out. */
function* letGo<T>(items: (T | undefined)[]): Generator<T> {
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as T;
    items[i] = undefined;
    yield item;
  }
}
