import type { Io } from './diagnose.js';
import type { OverallStatus, Report } from './report/schema.js';
import { terminalLine } from './redact.js';
import { TOOL_NAME } from './version.js';

/** The first pause of --wait, doubling up to the longest: a fix (an agent re-registering) usually shows within a minute or two. */
export const WAIT_FIRST_MS = 10_000;
export const WAIT_MAX_MS = 60_000;

/** `i-0abc (ap-northeast-1) agent-registered: fail → pass`, for each check whose status differs, and instances that came or went. */
export function changes(before: Report, after: Report): string[] {
  const key = (i: { instanceId: string; region?: string }) => `${i.instanceId} (${i.region ?? after.region})`;
  const old = new Map(before.instances.map((i) => [key(i), i]));
  const lines: string[] = [];
  for (const inst of after.instances) {
    const prev = old.get(key(inst));
    old.delete(key(inst));
    if (!prev) {
      lines.push(`${key(inst)}: new, ${inst.status}`);
      continue;
    }
    const was = new Map(prev.checks.map((c) => [c.id, c.status]));
    for (const c of inst.checks) {
      const w = was.get(c.id);
      if (w !== c.status) lines.push(`${key(inst)} ${c.id}: ${w ?? 'absent'} → ${c.status}`);
    }
  }
  for (const k of old.keys()) lines.push(`${k}: no longer selected`);
  return lines;
}

const words = (ms: number) =>
  ms >= 60_000 ? `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s` : `${Math.round(ms / 1000)}s`;
const SHOUT: Record<OverallStatus, string> = { ok: 'OK', warning: 'WARNING', critical: 'CRITICAL', unknown: 'UNKNOWN' };

/**
 * Why waiting is pointless, when every problem left is a read that was denied (the tool's role
 * lacks a permission: no deploy fixes that by itself); otherwise undefined. Problems are the
 * checks that decide statuses: the caller's count only when the report says so.
 */
export function beyondWaiting(report: Report): string | undefined {
  const problems = report.instances.flatMap((i) =>
    i.checks.filter((c) => (report.callerCounts || c.subject !== 'caller') && ['fail', 'warn', 'unknown'].includes(c.status)),
  );
  if (!problems.length || !problems.every((c) => c.status === 'unknown' && c.cause === 'denied')) return undefined;
  const ids = [...new Set(problems.map((c) => c.id))];
  return `${ids.join(', ')} could not be read (access denied); grant the read-only policy (ssm-doctor --iam-policy) and run again`;
}

/**
 * --wait: diagnoses again, pausing 10 s and doubling to 60 s, until the run is OK or `waitMs` has
 * passed; writes to stderr what changed between runs and returns the last report. Every run reads
 * everything again: each fact a check uses (a role, an endpoint, a rule, the agent's registration)
 * is one a fix changes within minutes, and --all or --filter then also pick up instances launched
 * meanwhile.
 */
export async function waitUntilOk(waitMs: number, once: () => Promise<Report>, io: Io): Promise<Report> {
  const end = io.now() + waitMs;
  let report = await once();
  let pause = WAIT_FIRST_MS;
  for (let run = 2; report.status !== 'ok'; run++) {
    const stuck = beyondWaiting(report);
    if (stuck) {
      io.err.write(`${TOOL_NAME}: ${SHOUT[report.status]}, and waiting cannot change it: ${stuck}\n`);
      break;
    }
    const left = end - io.now();
    if (left <= 0) {
      io.err.write(`${TOOL_NAME}: still ${SHOUT[report.status]} after waiting ${words(waitMs)}\n`);
      break;
    }
    const wait = Math.min(pause, left);
    io.err.write(`${TOOL_NAME}: ${SHOUT[report.status]}; diagnosing again in ${words(wait)} (${words(left)} left)\n`);
    await io.sleep(wait);
    const next = await once();
    const changed = changes(report, next);
    io.err.write(
      changed.length
        ? changed.map((l) => `${TOOL_NAME}: run ${run} changed: ${terminalLine(l)}\n`).join('')
        : `${TOOL_NAME}: run ${run}: nothing changed\n`,
    );
    report = next;
    pause = Math.min(pause * 2, WAIT_MAX_MS);
  }
  if (report.status === 'ok') io.err.write(`${TOOL_NAME}: OK\n`);
  return report;
}
