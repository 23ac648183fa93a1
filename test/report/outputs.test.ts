import { PassThrough } from 'node:stream';
import { progressLine, progressText, type Io } from '../../src/diagnose';
import { buildReport } from '../../src/report/build';
import { CSV_COLUMNS, csvCell, renderCsv } from '../../src/report/csv';
import { renderLine } from '../../src/report/line';
import { mdText, renderMarkdown } from '../../src/report/markdown';
import { reportSchema } from '../../src/report/schema';
import { BROKEN_VPC, twoRegionFleet } from '../helpers/fleet';

const fleet = (unknown = 0) => buildReport(twoRegionFleet(unknown), 'en');
const PERF = /^[^|\n]+ \| ok=\d+;;;0;\d+ warning=\d+;;;0;\d+ critical=\d+;;;0;\d+ unknown=\d+;;;0;\d+\n$/;

describe('--output line', () => {
  it('one status line with perfdata: the worst status, how many, and the counts', () => {
    const line = renderLine(fleet(2), 'en');
    expect(line).toMatch(PERF);
    expect(line).toBe(
      'SSM-DOCTOR CRITICAL - 10 of 30 instances cannot open a session (network-route on 10) | ok=18;;;0;30 warning=0;;;0;30 critical=10;;;0;30 unknown=2;;;0;30\n',
    );
  });

  it('OK, UNKNOWN with its reason, nothing selected, and Japanese', () => {
    const ok = twoRegionFleet();
    ok.evaluations = ok.evaluations.filter((e) => e.region === 'us-east-1');
    expect(renderLine(buildReport(ok, 'en'), 'en')).toMatch(/^SSM-DOCTOR OK - 15 of 15 instances can open a session \| ok=15;;;0;15 /);
    const unknown = twoRegionFleet(2);
    unknown.evaluations = unknown.evaluations.filter((e) => e.vpcId !== BROKEN_VPC);
    expect(renderLine(buildReport(unknown, 'en'), 'en')).toMatch(
      /^SSM-DOCTOR UNKNOWN - 2 of 20 instances could not be diagnosed \(i-0\d+: ec2:DescribeInstances was denied \(AccessDenied\)[^|]*\) \| /,
    );
    const none = renderLine(buildReport({ regions: ['ap-northeast-1'], evaluations: [] }, 'en'), 'en');
    expect(none).toBe('SSM-DOCTOR UNKNOWN - no instance selected | ok=0;;;0;0 warning=0;;;0;0 critical=0;;;0;0 unknown=0;;;0;0\n');
    expect(renderLine(buildReport(twoRegionFleet(), 'ja'), 'ja')).toMatch(/^SSM-DOCTOR CRITICAL - 30 台中 10 台はセッションを開けません/);
  });

  it('text from the account cannot break the line or start the perfdata', () => {
    const report = fleet(2);
    const first = report.instances.find((i) => i.status === 'unknown')!;
    first.checks = first.checks.map((c) => ({ ...c, message: 'a | b\nc\u001b[2J' }));
    report.instances = report.instances.filter((i) => i.status !== 'critical');
    report.status = 'unknown';
    const line = renderLine(report, 'en');
    expect(line).toMatch(PERF);
    expect(line).toMatch(/a \/ b c\[2J/);
  });
});

describe('--output csv', () => {
  it('RFC 4180: a header, a row per instance and check, CRLF, quoted where needed', () => {
    const report = fleet();
    const csv = renderCsv(report);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(CSV_COLUMNS.join(','));
    expect(csv.endsWith('\r\n')).toBe(true);
    // Quoted cells may hold line breaks; count records by the rows of the report instead.
    const records = csv.match(/^(\d{12})?,(ap-northeast-1|us-east-1),i-/gm) ?? [];
    expect(records).toHaveLength(30 * report.instances[0]!.checks.length);
    expect(csv).toMatch(/,i-01000000000000005,batch-5,critical,vpc-endpoints,critical,fail,/);
  });

  it('guards against formula injection and keeps quotes and commas inside one cell', () => {
    for (const bad of ['=HYPERLINK("http://x")', '+1', '-1+2', '@SUM(A1)', '\t=1'])
      expect(csvCell(bad).replace(/^"/, '').startsWith("'")).toBe(true);
    expect(csvCell('a,"b"')).toBe('"a,""b"""');
    expect(csvCell('web-1')).toBe('web-1');
    const report = fleet();
    report.instances[0]!.name = '=cmd|" /C calc"!A0';
    expect(renderCsv(report)).toMatch(/,"'=cmd\|"" \/C calc""!A0",/);
  });
});

describe('--output markdown', () => {
  it('a summary, the group with its fix, then a table of the rest, worst first', () => {
    const md = renderMarkdown(fleet(2), 'en');
    expect(md.split('\n')[0]).toBe('### ❌ ssm-doctor: CRITICAL');
    expect(md).toMatch(/^30 instances: 10 CRITICAL, 2 UNKNOWN, 18 OK; most common cause: `network-route` \(10\)$/m);
    expect(md).toMatch(new RegExp(`^#### ❌ CRITICAL: 10 instances in \`${BROKEN_VPC}\`, \`ap-northeast-1\``, 'm'));
    expect(md).toMatch(/^\*\*Fix:\*\* VPC → Endpoints → Create endpoint/m);
    expect(md).toMatch(/`i-01000000000000003` \(batch-3\), /);
    const rows = md.split('\n').filter((l) => l.startsWith('| '));
    expect(rows[0]).toBe('| Status | Instance | Name | Region | Checks | First fix, or why unknown |');
    expect(rows.slice(1).every((r) => r.split(/(?<!\\)\|/).length === 8)).toBe(true);
  });

  it('escapes | and line breaks in cells, and anything that could be a link or HTML', () => {
    expect(mdText('a|b\nc')).toBe('a\\|b<br>c');
    expect(mdText('[x](http://evil) <img src=x> `c`')).toBe('\\[x\\](http://evil) &lt;img src=x&gt; \\`c\\`');
    const report = fleet();
    report.instances[20]!.name = 'x | y\n<script>';
    const md = renderMarkdown(report, 'en');
    const row = md.split('\n').find((l) => l.includes('x \\| y'))!;
    expect(row).toMatch(/x \\\| y<br>&lt;script&gt;/);
    expect(row.split(/(?<!\\)\|/)).toHaveLength(8);
  });

  it('one instance: its commands in a fenced block', () => {
    const report = fleet();
    report.instances = [report.instances.find((i) => i.status === 'critical')!];
    delete report.groups;
    expect(() => reportSchema.parse(report)).not.toThrow();
    expect(renderMarkdown(report, 'en')).toMatch(/\*\*Commands to fix:\*\*\n\n```bash\n.*aws ec2 create-vpc-endpoint/s);
  });
});

describe('the progress bar', () => {
  it('shows the calls answered of those known so far, and says the total may grow', () => {
    expect(progressText(5, 20, 1, 10)).toBe('ssm-doctor: reading AWS [██░░░░░░░░] 5/20 calls known so far');
    expect(progressText(0, 0, 2, 4)).toBe('ssm-doctor: reading AWS [░░░░] 0/0 calls known so far (2 regions or accounts)');
  });

  it('draws on a terminal only, summing the regions read side by side', () => {
    const io = (isTTY: boolean) => {
      const err = Object.assign(new PassThrough(), { isTTY });
      let text = '';
      err.on('data', (c: Buffer) => (text += c.toString()));
      return { io: { err, sleep: async () => {}, now: Date.now } as Io, text: () => text };
    };
    expect(progressLine(io(false).io, 2)).toBeUndefined();
    const tty = io(true);
    const bar = progressLine(tty.io, 2)!;
    bar(0, 3, 10);
    bar(1, 2, 10);
    const last = tty.text().split('\r\u001b[K').pop();
    expect(last).toBe(progressText(5, 20, 2));
  });
});
