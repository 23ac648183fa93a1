/**
 * `--output csv`: RFC 4180, one row per instance and check, for spreadsheets and ops reports.
 * Every cell that starts with = + - @ (or a tab or carriage return) is prefixed with ' so a
 * spreadsheet shows it as text instead of running it as a formula (CSV injection).
 */
import { terminalSafe } from '../redact.js';
import type { Report } from './schema.js';

/** The columns, in order; docs/output.md documents each. */
export const CSV_COLUMNS = [
  'account',
  'region',
  'instance_id',
  'name',
  'instance_status',
  'check_id',
  'severity',
  'check_status',
  'message',
  'fix_steps',
  'fix_commands',
] as const;

/** A cell that a spreadsheet cannot take for a formula, quoted when it must be (RFC 4180: comma, quote, line break). */
export function csvCell(value: string): string {
  // Control and bidi characters from the account go, as in the table; line breaks stay, quoted.
  const clean = terminalSafe(value.replace(/\r\n?/g, '\n'));
  const safe = /^[=+\-@]/.test(clean) || /^[\t\r]/.test(value) ? `'${clean}` : clean;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The header and a row per instance and check, in report order; lines end with CRLF, as RFC 4180 has it. */
export function renderCsv(report: Report): string {
  const rows: string[][] = [[...CSV_COLUMNS]];
  for (const inst of report.instances) {
    for (const c of inst.checks) {
      rows.push([
        inst.account ?? '',
        inst.region ?? report.region,
        inst.instanceId,
        inst.name ?? '',
        inst.status,
        c.id,
        c.severity,
        c.status,
        c.message,
        (c.fix?.steps ?? []).map((s, i) => `${i + 1}. ${s}`).join('\n'),
        (c.fix?.commands ?? []).join('\n'),
      ]);
    }
  }
  return rows.map((r) => r.map(csvCell).join(',') + '\r\n').join('');
}
