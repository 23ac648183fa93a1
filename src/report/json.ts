import type { Lang } from '../lang.js';
import { instanceReports, reportHead, type Diagnosis } from './build.js';
import type { OverallStatus, Report } from './schema.js';

export function renderJson(report: Report): string {
  return JSON.stringify(report, null, 2) + '\n';
}

/** Where the streamed report goes: resolves when the chunk may be followed by the next one. */
export type Write = (chunk: string) => Promise<void>;

/** What JSON.stringify({ instances: [x] }, null, 2) puts around x. */
const ITEM_OPEN = '{\n  "instances": [\n';
const ITEM_CLOSE = '\n  ]\n}';

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
    // Stringified inside the array it is written into, so at its depth in the document: one string
    // per instance, not a second one re-indented (the write of 10,000 instances held the peak RSS).
    const text = JSON.stringify({ instances: [instance] }, null, 2);
    pending += (first ? '' : ',\n') + text.slice(ITEM_OPEN.length, text.length - ITEM_CLOSE.length);
    first = false;
    if (pending.length >= CHUNK_CHARS) {
      await write(pending);
      pending = '';
    }
  }
  await write(pending + '\n  ]\n}\n');
  return head.status;
}
