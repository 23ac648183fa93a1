// The README and the pages of docs/ stay true: their samples are the real output of the commands
// they show, their commands and options exist, their tables match the code, their links resolve.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { CHECKS } from '../src/checks';
import { leastPrivilegePolicy } from '../src/collect/sdk/allowlist';
import { reportSchema } from '../src/report/schema';

const ROOT = join(__dirname, '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

const PAGES = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const text = new Map(PAGES.map((p) => [p, read(p)]));
const page = (p: string) => {
  const s = text.get(p);
  if (s === undefined) throw new Error(`no page ${p}`);
  return s;
};

interface Block {
  page: string;
  info: string;
  body: string;
}

/** Fenced code blocks, in order, also when indented in a list item. */
function blocksOf(p: string): Block[] {
  return [...page(p).matchAll(/^( *)```(\w*)\n([\s\S]*?)\n\1```$/gm)].map((m) => ({
    page: p,
    info: m[2] ?? '',
    body: (m[3] ?? '').replace(new RegExp(`^${m[1] ?? ''}`, 'gm'), ''),
  }));
}
const BLOCKS = PAGES.flatMap(blocksOf);
const jsonBlocks = (p: string) =>
  blocksOf(p)
    .filter((b) => b.info === 'json')
    .map((b) => JSON.parse(b.body) as unknown);

/** Markdown prose: fenced blocks and inline code left out. */
const prose = (p: string) =>
  page(p)
    .replace(/^( *)```[\s\S]*?\n\1```$/gm, '')
    .replace(/`[^`\n]*`/g, '');

describe('the README first screen', () => {
  const readme = page('README.md');

  test('opens with the two commands: the demo and every test', () => {
    const first = blocksOf('README.md')[0];
    expect(first?.info).toBe('sh');
    expect(first?.body).toMatch(/^npm ci && npm run demo\b/m);
    expect(first?.body).toMatch(/^npm ci && npm run test:all\b/m);
    // Nothing but a title and one paragraph before them.
    expect(
      readme
        .slice(0, readme.indexOf('```'))
        .split('\n')
        .filter((l) => l.trim()).length,
    ).toBeLessThanOrEqual(8);
  });

  test('the demo and test commands build what they run (npm ci no longer builds: the package builds in prepack)', () => {
    const scripts = JSON.parse(read('package.json')).scripts as Record<string, string>;
    expect(scripts.demo).toMatch(/^npm run build && .*(dist\/cli\.js --demo|ssm-doctor --demo)/);
    for (const s of ['test', 'test:e2e']) expect(scripts[s]).toMatch(/^npm run build && /);
    expect(scripts['test:all']).toMatch(/npm test && npm run test:e2e/);
  });

  test('.ci/run runs the README test command', () => {
    const ci = read('.ci/run');
    const command = blocksOf('README.md')[0]?.body.match(/^npm ci && (npm (?:run )?test[\w:-]*)/m)?.[1];
    expect(command).toBeDefined();
    expect(ci).toMatch(/^npm ci$/m);
    expect(ci.split('\n')).toContain(command);
  });

  test('links to every page of docs/', () => {
    for (const p of PAGES.filter((x) => x !== 'README.md')) expect(readme).toContain(`](${p})`);
  });
});

describe('commands and options the pages name', () => {
  const scripts = Object.keys(JSON.parse(read('package.json')).scripts as Record<string, string>);
  const help = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' }).stdout;
  const helpOptions = new Set([...help.matchAll(/(?:^|\s)(--[a-z][\w-]*)/gm)].map((m) => m[1]));

  test.each(PAGES)('every npm script %s names exists', (p) => {
    const named = [...page(p).matchAll(/\bnpm run ([\w:-]+)/g)].map((m) => m[1]);
    expect(named.filter((s) => !scripts.includes(s as string))).toEqual([]);
  });

  test.each(PAGES)('every ssm-doctor option %s uses exists', (p) => {
    const lines = BLOCKS.filter((b) => b.page === p)
      .flatMap((b) => b.body.split('\n'))
      .filter((l) => /^(\$ )?ssm-doctor\b|\bnpx --yes ssm-doctor@|=\$\(ssm-doctor\b|^\s+\[--/.test(l));
    const used = lines.flatMap((l) => [...(l.split(/ \| jq | # /)[0] ?? '').matchAll(/[\s[](--[a-z][\w-]*)/g)].map((m) => m[1]));
    expect(used.filter((o) => o !== '--yes' && !helpOptions.has(o))).toEqual([]);
  });

  test('the options page lists exactly the options of --help', () => {
    const documented = new Set([...page('docs/options.md').matchAll(/^\| `(--[a-z][\w-]*)/gm)].map((m) => m[1]));
    const alsoInRow = [...page('docs/options.md').matchAll(/^\| `--[\w-]+`, `(--[\w-]+)`/gm)].map((m) => m[1]);
    for (const o of alsoInRow) documented.add(o);
    expect([...documented].sort()).toEqual([...helpOptions].sort());
  });
});

describe('tables that mirror the code', () => {
  test('the table of checks lists every check, in registry order, with its severity', () => {
    const rows = [...page('docs/checks.md').matchAll(/^\| `([a-z0-9-]+)` \| (critical|warning) \|/gm)].map((m) => [m[1], m[2]]);
    expect(rows).toEqual(CHECKS.map((c) => [c.id, c.severity]));
  });

  test('the IAM policy page shows the policy generated from the allowlist', () => {
    expect(jsonBlocks('docs/iam-policy.md')).toContainEqual(leastPrivilegePolicy());
  });

  test('the IAM policy page gives a reason for every action of the policy, and only those', () => {
    const policy = leastPrivilegePolicy() as { Statement: { Action: string[] }[] };
    const actions = policy.Statement.flatMap((s) => s.Action);
    const why = page('docs/iam-policy.md').split('## Why each read is needed')[1] ?? '';
    const rows = [...why.matchAll(/^\| `([a-z0-9]+:\w+)` \|/gm)].map((m) => m[1]);
    expect([...rows].sort()).toEqual([...actions].sort());
    expect(new Set(rows).size).toBe(rows.length);
  });

  test('the fixture shown in development has the form of a fixture, with every check', () => {
    const shown = jsonBlocks('docs/development.md').filter((b) => typeof b === 'object' && b !== null && 'expect' in b);
    expect(shown).toHaveLength(1);
    const fixture = shown[0] as { expect: Record<string, Record<string, string>> };
    expect(Object.keys(fixture).sort()).toEqual(['base', 'description', 'expect', 'patch']);
    for (const statuses of Object.values(fixture.expect)) expect(Object.keys(statuses)).toEqual(CHECKS.map((c) => c.id));
  });

  test('the exit codes page matches the exit codes of the statuses', () => {
    const rows = [...page('docs/output.md').matchAll(/^\| (\d) \| (OK|WARNING|CRITICAL|UNKNOWN):/gm)].map((m) => [m[2], Number(m[1])]);
    expect(rows).toEqual([
      ['OK', 0],
      ['WARNING', 1],
      ['CRITICAL', 2],
      ['UNKNOWN', 3],
    ]);
  });
});

describe('samples are the real output of their commands', () => {
  const home = mkdtempSync(join(tmpdir(), 'ssm-doctor-docs-'));
  const runs = new Map<string, { stdout: string; code: number | null }>();
  function run(args: string): { stdout: string; code: number | null } {
    const known = runs.get(args);
    if (known) return known;
    const r = spawnSync(process.execPath, [CLI, ...args.split(/\s+/).filter(Boolean)], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: home, LANG: 'C.UTF-8', NO_COLOR: '1' },
      timeout: 30_000,
    });
    const out = { stdout: r.stdout, code: r.status };
    runs.set(args, out);
    return out;
  }

  // jq filters the pages pipe a report through, done in JavaScript (jq need not be installed).
  type Instance = { instanceId: string; status: string; checks: { id: string; status: string }[]; plan?: unknown };
  type Report = { instances: Instance[] };
  const firstOf = (r: Report): Instance => {
    const first = r.instances[0];
    if (!first) throw new Error('the report has no instance');
    return first;
  };
  const JQ: Record<string, (r: Report) => unknown> = {
    '.instances[0] | {instanceId, status, failed: [.checks[] | select(.status == "fail") | .id]}': (r) => {
      const { instanceId, status, checks } = firstOf(r);
      return { instanceId, status, failed: checks.filter((c) => c.status === 'fail').map((c) => c.id) };
    },
    '.instances[0].checks |= map(select(.id | test("instance-state|vpc-endpoints$|endpoint-sg"))) | del(.instances[0].plan)': (r) => {
      const { plan: _plan, ...first } = firstOf(r);
      const checks = first.checks.filter((c) => /instance-state|vpc-endpoints$|endpoint-sg/.test(c.id));
      return { ...r, instances: [{ ...first, checks }, ...r.instances.slice(1)] };
    },
  };

  interface Sample {
    where: string;
    args: string;
    jq?: string;
    /** Text lines, or a JSON block's value. */
    expected: { text: string } | { json: unknown };
    code?: number;
  }

  /** Each `$ ssm-doctor …` line of a block with the output under it, or the JSON block right after it. */
  function samples(): Sample[] {
    const out: Sample[] = [];
    BLOCKS.forEach((b, i) => {
      const lines = b.body.split('\n');
      lines.forEach((line, j) => {
        const m = line.match(/^\$ ssm-doctor (.+?)(?: \| jq '(.+)')?$/);
        if (!m || !m[1]) return;
        const end = lines.findIndex((l, k) => k > j && l.startsWith('$ '));
        const body = lines.slice(j + 1, end === -1 ? undefined : end);
        const exit =
          end === -1
            ? undefined
            : lines
                .slice(end)
                .join('\n')
                .match(/^\$ echo \$\?\n(\d+)/);
        const next = BLOCKS[i + 1];
        const expected =
          body.length === 0 && next?.page === b.page && next.info === 'json' ? { json: JSON.parse(next.body) } : { text: body.join('\n') };
        out.push({ where: `${b.page}: $ ssm-doctor ${m[1]}`, args: m[1], jq: m[2], expected, code: exit ? Number(exit[1]) : undefined });
      });
    });
    return out;
  }

  const all = samples();

  test('the pages show samples of the table, JSON and JUnit reports and of the IAM policy', () => {
    const shown = all.map((s) => s.where);
    expect(shown).toEqual(
      expect.arrayContaining([
        'README.md: $ ssm-doctor --demo',
        'docs/output.md: $ ssm-doctor --demo',
        'docs/output.md: $ ssm-doctor --demo --output junit',
        'docs/iam-policy.md: $ ssm-doctor --iam-policy',
      ]),
    );
    expect(all.filter((s) => s.jq).map((s) => s.where.split(':')[0])).toEqual(expect.arrayContaining(['README.md', 'docs/output.md']));
  });

  test.each(all.map((s) => [s.where, s] as const))('%s', (_where, s) => {
    const r = run(s.args);
    if (s.code !== undefined) expect(r.code).toBe(s.code);
    if ('json' in s.expected) {
      let actual: unknown = JSON.parse(r.stdout);
      if (s.jq) {
        const filter = JQ[s.jq];
        if (!filter) throw new Error(`add the jq filter ${s.jq} to JQ in this test`);
        actual = filter(actual as Report);
      }
      expect(actual).toEqual(s.expected.json);
      return;
    }
    expect(s.jq).toBeUndefined();
    // A JUnit report carries the run's time and start: the sample shows some, any will do.
    const timeless = (t: string) => t.replace(/ time="[\d.]+"/g, ' time="…"').replace(/ timestamp="[\dT:-]+"/g, ' timestamp="…"');
    expectExcerpt(timeless(s.expected.text), timeless(r.stdout));
  });

  test('every JSON report shown is a valid report', () => {
    const reports = PAGES.flatMap(jsonBlocks).filter((b) => (b as { schemaVersion?: unknown }).schemaVersion === 1);
    expect(reports.length).toBeGreaterThan(0);
    for (const r of reports) expect(() => reportSchema.parse(r)).not.toThrow();
  });
});

/**
 * The sample is the output, or an excerpt of it: lines that are only "…" stand for lines left out;
 * every other run of lines appears in the output as it is, in order, starting at its start and
 * ending at its end unless "…" says otherwise.
 */
function expectExcerpt(sample: string, output: string): void {
  const actual = output.replace(/\n$/, '');
  const chunks = sample.split(/^…$/m).map((c) => c.replace(/^\n|\n$/g, ''));
  if (chunks.length === 1) {
    expect(sample).toBe(actual);
    return;
  }
  let at = 0;
  chunks.forEach((chunk, i) => {
    if (!chunk) return;
    const found = actual.indexOf(chunk, at);
    if (found === -1) expect(actual.slice(at)).toContain(chunk); // shows the difference
    if (i === 0) expect(found).toBe(0);
    if (i === chunks.length - 1) expect(found + chunk.length).toBe(actual.length);
    expect(found === 0 || actual[found - 1] === '\n').toBe(true);
    at = found + chunk.length;
  });
}

describe('links', () => {
  /** GitHub's anchor for a heading. */
  const slug = (heading: string) =>
    heading
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
  const anchorsOf = (p: string) =>
    new Set(
      [
        ...read(p)
          .replace(/^( *)```[\s\S]*?\n\1```$/gm, '')
          .matchAll(/^#{1,6} (.+)$/gm),
      ].map((m) => slug(m[1] ?? '')),
    );

  const links = PAGES.flatMap((p) => [...prose(p).matchAll(/\]\(([^)\s]+)\)/g)].map((m) => [p, m[1] as string] as const)).filter(
    ([, href]) => !/^[a-z]+:/i.test(href),
  );

  test('the pages link to one another', () => {
    expect(links.length).toBeGreaterThan(10);
  });

  test.each(links)('%s → %s', (from, href) => {
    const [path, anchor] = href.split('#') as [string, string | undefined];
    const target = path ? resolve(ROOT, dirname(from), decodeURIComponent(path)) : resolve(ROOT, from);
    expect(relative(ROOT, target).startsWith('..')).toBe(false);
    expect(existsSync(target)).toBe(true);
    if (anchor !== undefined && target.endsWith('.md') && statSync(target).isFile()) {
      expect([...anchorsOf(relative(ROOT, target))]).toContain(anchor);
    }
  });
});

test('every repository path the pages name in code exists', () => {
  const named = PAGES.flatMap((p) =>
    [...page(p).matchAll(/`((?:src|test|fixtures|examples|schema|bench|docs)\/[\w./-]*)`/g)].map((m) => m[1] as string),
  );
  expect(named.length).toBeGreaterThan(10);
  expect(named.filter((path) => !existsSync(join(ROOT, path)))).toEqual([]);
});

test('the pages name no path of a particular machine', () => {
  for (const p of PAGES) expect(page(p)).not.toMatch(/(^|[\s(`'"])\/(work|home|root|Users|tmp|var|opt|mnt)\//m);
});
