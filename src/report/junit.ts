import type { CheckReport, InstanceReport, Report } from './schema.js';

/**
 * `--output junit`: one test suite per instance, one test case per check (classname = instance id,
 * name = check id), for the test report views of GitLab, Jenkins and the GitHub Actions reporters.
 *
 * - fail → `<failure>`, with the message and the whole fix (steps and commands) in its body;
 * - unknown → `<error>`: the check could not be evaluated, which is not a verdict on the instance;
 * - skip → `<skipped>` with the reason;
 * - warn → a passing test case whose `<system-out>` carries the warning and its fix, and a
 *   `ssm-doctor.status` property of `warn`. JUnit has no warning state: GitLab and Jenkins show
 *   any `<failure>` as a failed test (a red report) although the exit code says WARNING (1), and
 *   whether a warning blocks the pipeline is the exit code's decision, not the report's.
 */
export interface JunitTiming {
  /** When the run started (the Ant schema's `timestamp`, ISO 8601 without a zone, in UTC). */
  startedAt: Date;
  /** How long it took, in seconds (`time`). */
  seconds: number;
}

export function renderJunit(report: Report, timing: JunitTiming = { startedAt: new Date(), seconds: 0 }): string {
  const checks = report.instances.flatMap((i) => i.checks);
  // Nothing diagnosed is not an empty pass: a CI view shows why (no instance selected, an account not read).
  const problems = [
    ...(report.instances.length ? [] : [{ name: 'selection', message: 'no instance selected: nothing was diagnosed (exit 3)' }]),
    ...(report.unread ?? []).map((u) => ({
      name: `unread ${[u.account, u.profile, u.region].filter(Boolean).join(' ')}`,
      message: `could not be read: ${u.reason}`,
    })),
  ];
  const time = timing.seconds.toFixed(3);
  const timestamp = timing.startedAt.toISOString().slice(0, 19);
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({
      name: report.tool.name,
      tests: checks.length + problems.length,
      failures: count(checks, 'fail'),
      errors: count(checks, 'unknown') + problems.length,
      skipped: count(checks, 'skip'),
      time,
    })}>`,
    ...(problems.length
      ? [
          `  <testsuite${attrs({ name: report.tool.name, tests: problems.length, failures: 0, errors: problems.length, skipped: 0, time, timestamp })}>`,
          ...problems.flatMap((p) => [
            `    <testcase${attrs({ classname: report.tool.name, name: p.name })}>`,
            `      <error${attrs({ message: p.message, type: 'unknown' })}>${text(p.message)}</error>`,
            '    </testcase>',
          ]),
          '  </testsuite>',
        ]
      : []),
    ...report.instances.flatMap((i) => suite(report, i, time, timestamp)),
    '</testsuites>',
  ];
  return out.join('\n') + '\n';
}

function suite(report: Report, instance: InstanceReport, time: string, timestamp: string): string[] {
  const properties: [string, string][] = [
    ['ssm-doctor.version', report.tool.version],
    ['ssm-doctor.region', report.region],
    ['ssm-doctor.status', instance.status],
  ];
  return [
    `  <testsuite${attrs({
      name: instance.instanceId,
      tests: instance.checks.length,
      failures: count(instance.checks, 'fail'),
      errors: count(instance.checks, 'unknown'),
      skipped: count(instance.checks, 'skip'),
      time,
      timestamp,
    })}>`,
    '    <properties>',
    ...properties.map(([name, value]) => `      <property${attrs({ name, value })}/>`),
    '    </properties>',
    ...instance.checks.flatMap((c) => testCase(instance.instanceId, c)).map((l) => `    ${l}`),
    '  </testsuite>',
  ];
}

function testCase(classname: string, c: CheckReport): string[] {
  const open = `<testcase${attrs({ classname, name: c.id })}>`;
  switch (c.status) {
    case 'pass':
      return [`<testcase${attrs({ classname, name: c.id })}/>`];
    case 'fail':
      return [open, `  <failure${attrs({ message: c.message, type: c.severity })}>${text(details(c))}</failure>`, '</testcase>'];
    case 'unknown':
      return [open, `  <error${attrs({ message: c.message, type: 'unknown' })}>${text(c.message)}</error>`, '</testcase>'];
    case 'skip':
      return [open, `  <skipped${attrs({ message: c.message })}/>`, '</testcase>'];
    case 'warn':
      return [
        open,
        '  <properties>',
        `    <property${attrs({ name: 'ssm-doctor.status', value: 'warn' })}/>`,
        '  </properties>',
        `  <system-out>${text(`WARNING: ${details(c)}`)}</system-out>`,
        '</testcase>',
      ];
  }
}

const count = (checks: readonly CheckReport[], status: CheckReport['status']) => checks.filter((c) => c.status === status).length;

/** The message, then the fix as the table prints it: numbered steps, then the commands. */
function details(c: CheckReport): string {
  const lines = [`${c.title}: ${c.message}`];
  if (c.fix?.steps.length) lines.push('', ...c.fix.steps.map((s, i) => `${i + 1}. ${s}`));
  if (c.fix?.commands.length) lines.push('', ...c.fix.commands);
  return lines.join('\n');
}

/**
 * Characters XML 1.0 cannot carry at all, not even as a character reference; and those a CI page
 * or terminal showing the report would act on (DEL, C1 controls, bidi formatting).
 */
const NOT_XML =
  /[^\t\n\r\u0020-\u007e\u00a0-\u061b\u061d-\u200d\u2010-\u2029\u202f-\u2065\u206a-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;

function text(s: string): string {
  return s.replace(NOT_XML, '\ufffd').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** An attribute value keeps its tabs and line breaks only as character references (parsers normalise them to spaces). */
function attr(s: string): string {
  return text(s).replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}

function attrs(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([k, v]) => ` ${k}="${attr(String(v))}"`)
    .join('');
}
