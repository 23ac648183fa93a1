import type { Lang } from '../lang.js';
import { instanceReports, reportHead, type Diagnosis } from './build.js';
import type { OverallStatus, Report } from './schema.js';

export function renderJson(report: Report): string {
  return JSON.stringify(report, null, 2) + '\n';
}

/** Where the streamed report goes: resolves when the chunk may be followed by the next one. */
export type Write = (chunk: string) => Promise<void>;

/** Text gathered before it is written: few writes, and little held. */
const CHUNK_CHARS = 1 << 16;

/**
 * The same bytes as `renderJson(buildReport(d, lang))`, written instance by instance so that a
 * fleet's report text is never held whole (10,000 instances make 70 MB of JSON): the head (status,
 * summary) comes first from the evaluations' statuses, then each instance as it is rendered.
 */
export async function writeJson(d: Diagnosis, lang: Lang, write: Write): Promise<OverallStatus> {
  const head = reportHead(d, lang);
  if (d.evaluations.length === 0) {
    await write(renderJson({ ...head, instances: [] }));
    return head.status;
  }
  const open = JSON.stringify({ ...head, instances: [] }, null, 2);
  let pending = open.slice(0, open.lastIndexOf('[]')) + '[\n';
  let first = true;
  for (const instance of instanceReports(d, lang)) {
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
