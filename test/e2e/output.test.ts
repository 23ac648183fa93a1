import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { factsSchema } from '../../src/facts/schema';
import { parseReport, parseStats, statuses } from './helpers/cli';
import { useE2E } from './helpers/suite';
import { first } from '../helpers/only';

// What a person and a script see: the table in English and Japanese, one clean JSON document,
// and a facts file that reproduces the diagnosis with no AWS at all.

const e2e = useE2E();

/** Table text without borders and whitespace, so wrapped cells compare with the JSON strings. */
const flat = (s: string) => s.replace(/[\s\u2500-\u257f]+/g, '');

const guideStart = () => e2e.scenarios.build({ role: 'none', privateRouteTable: 'main', agent: false });

describe('table output on the guide’s starting point', () => {
  it('English: every check, the console steps of the guide and the commands, without colour', async () => {
    const w = await guideStart();
    const id = w.instance.instanceId;
    const table = await e2e.run([id, '--lang', 'en']);
    const json = parseReport(await e2e.run([id, '--lang', 'en', '--output', 'json']));

    expect(table.code).toBe(2);
    expect(table.stdout).not.toContain('\u001b[');
    expect(table.stdout).toContain(`${id} (ap-northeast-1): CRITICAL`);
    for (const c of first(json.instances).checks) expect(table.stdout).toContain(c.id);
    const text = table.stdout.replace(/[\s\u2500-\u257f]+/g, ' ');
    expect(text).toMatch(/Actions → Security → Modify IAM role/);
    expect(text).toMatch(/VPC → Endpoints → Create endpoint/);

    for (const command of first(json.instances).plan!.commands) expect(table.stdout.split('\n').map((l) => l.trim())).toContain(command);
  });

  it('Japanese (--lang ja, or a ja locale): the Japanese console labels, the same ids and statuses', async () => {
    const w = await guideStart();
    const id = w.instance.instanceId;
    const table = await e2e.run([id, '--lang', 'ja']);
    const json = parseReport(await e2e.run([id, '--lang', 'ja', '--output', 'json']));
    const english = parseReport(await e2e.run([id, '--lang', 'en', '--output', 'json']));

    expect(table.code).toBe(2);
    const text = flat(table.stdout);
    expect(text).toContain('「EC2」→「インスタンス」');
    // The guide says 「IAMロールの変更」; today's console says 「IAM ロールを変更」.
    expect(text).toMatch(/「アクション」→「セキュリティ」→「IAMロール(の変更|を変更)」/);
    expect(text).toMatch(/「VPC」→「エンドポイント」→「エンドポイント(の作成|を作成)」/);
    expect(table.stdout).not.toMatch(/Modify IAM role|Create endpoint/);

    // Ids, statuses and keys do not change with the language; the words do.
    expect(statuses(json, id)).toEqual(statuses(english, id));
    expect(first(json.instances).plan!.commands).toEqual(first(english.instances).plan!.commands);
    expect(first(first(json.instances).checks).title).not.toBe(first(first(english.instances).checks).title);

    const byLocale = await e2e.run([id], { env: { LANG: 'ja_JP.UTF-8' } });
    expect(byLocale.stdout).toBe(table.stdout);
  });

  it.each(['en', 'ja'])('%s: every fix step is shown whole (a cut cell would lose part of a fix)', async (lang) => {
    const w = await guideStart();
    const id = w.instance.instanceId;
    const table = await e2e.run([id, '--lang', lang]);
    const json = parseReport(await e2e.run([id, '--lang', lang, '--output', 'json']));
    const text = flat(table.stdout);
    for (const step of first(json.instances).plan!.steps) expect({ step, shown: text.includes(flat(step)) }).toEqual({ step, shown: true });
  });
});

describe('--output json', () => {
  it('writes exactly one JSON document to stdout; warnings and --stats go to stderr', async () => {
    const w = await e2e.scenarios.build({ endpoints: {} });
    const r = await e2e.run([w.instance.instanceId, '--output', 'json', '--stats']);

    expect(r.code).toBe(0);
    expect(r.stdout.trimStart().startsWith('{')).toBe(true);
    expect(r.stdout.trimEnd().endsWith('}')).toBe(true);
    const report = parseReport(r);
    expect(report).toMatchObject({ schemaVersion: 1, tool: { name: 'ssm-doctor' }, status: 'ok' });
    expect(r.stdout).not.toContain('ssm-doctor stats');
    expect(parseStats(r.stderr).calls).toBeGreaterThan(0);
  });

  it('a malformed instance id is a usage error: exit 3, nothing on stdout, no AWS call', async () => {
    const r = await e2e.run(['i-123', '--output', 'json']);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('i-123');
    expect(e2e.stub.counts.size).toBe(0);
  });
});

describe('--save-facts then --facts', () => {
  it('reproduces the same report with no AWS endpoint reachable, unknowns included', async () => {
    const w = await guideStart();
    const id = w.instance.instanceId;
    e2e.stub.denied.add('ssm:DescribeInstanceInformation');
    const file = join(e2e.dir, 'guide-start.facts.json');

    const live = await e2e.run([id, '--output', 'json', '--save-facts', file]);
    const liveReport = parseReport(live);
    expect(statuses(liveReport, id)['agent-registered']).toBe('unknown');
    expect(first(liveReport.instances).checks.find((c) => c.id === 'agent-registered')!.message).toContain(
      'ssm:DescribeInstanceInformation',
    );
    expect(live.code).toBe(2);

    const facts = factsSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
    expect(Object.keys(facts.instances)).toEqual([id]);
    expect(facts.managedInstances).toMatchObject({ known: false, call: 'ssm:DescribeInstanceInformation', code: 'AccessDeniedException' });

    const before = e2e.stub.countsByOperation();
    const dead = e2e.deadUrl;
    const offline = await e2e.run([id, '--output', 'json', '--facts', file], { endpoints: { all: dead, ec2: dead, iam: dead, ssm: dead } });
    expect(offline.code).toBe(live.code);
    expect(parseReport(offline)).toEqual(liveReport);
    expect(e2e.stub.countsByOperation()).toEqual(before);
  });
});
