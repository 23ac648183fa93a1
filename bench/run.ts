import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Account, FakeAccount, REGION, type Shape } from './fake-account';
import { tableCost } from './table-cost';
import type { longestChain as LongestChain } from '../src/collect/sdk/guard';

/**
 * `npm run bench`: the built CLI against a synthetic account on loopback (bench/fake-account.ts),
 * for 1, 100, 1,000 and 10,000 instances, and the start-up time of --version and --help. Prints
 * the calls by operation, sequential rounds, wall time, peak memory and the ratio of wall time to
 * the lower bound (rounds × latency), against the targets of issue 5.
 *
 *   npm run bench -- [--latency MS] [--sizes 1,100,1000,10000] [--runs 3] [--write bench/RESULTS.md]
 *   npm run bench -- --sizes 10000 --runs 3 --fleet-only [--timeline FILE]
 *
 * --fleet-only leaves out the start-up times and the table-against-JSON cost (both take a while),
 * for a quick before/after of one case; --timeline writes each run's requests as the fake saw them
 * (operation, arrival and answer in ms from the first request) as JSON lines, to see which
 * request arrived late.
 *
 * Each case runs --runs times on a shared machine: the wall time printed is the median (with the
 * range), the calls, rounds and peak memory the worst of the runs.
 */

// Compiled to node_modules/.cache/ssm-doctor-bench/bench/run.js: the repository is four levels up.
const ROOT = resolve(__dirname, '..', '..', '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const RSS_HOOK = join(ROOT, 'bench', 'rss-hook.js');

interface Case extends Shape {
  name: string;
  target?: { calls: number; rounds: number; wallSlackMs?: number; peakMb?: number; startSlackMs?: number };
}

/** The issue's table: VPCs and roles grow with the fleet, the budgets do not grow with instances. */
const CASES: Record<number, Case> = {
  // 24: the DHCP options (ec2:DescribeVpcs, ec2:DescribeDhcpOptions) and the Resolver rules (two route53resolver lists) joined the VPC reads' round.
  // 26: the region's VPC Block Public Access (its options and exclusions) joined that round too.
  // Issue 12: the wall time within node's own start + rounds × latency + 150 ms.
  1: { name: '1 instance', instances: 1, vpcs: 1, roles: 1, target: { calls: 26, rounds: 3, startSlackMs: 150 } },
  // Issue 12: at most 4 rounds for any fleet, on the fake's timeline; 50, 3 and 2 is the fleet it measured.
  50: { name: '50 instances, 3 VPCs, 2 roles', instances: 50, vpcs: 3, roles: 2, target: { calls: 40, rounds: 4 } },
  100: { name: '100 instances, 5 VPCs, 5 roles', instances: 100, vpcs: 5, roles: 5, target: { calls: 50, rounds: 4 } },
  1000: {
    name: '1,000 instances, 10 VPCs, 10 roles',
    instances: 1000,
    vpcs: 10,
    roles: 10,
    target: { calls: 80, rounds: 4, wallSlackMs: 1000 },
  },
  10000: {
    name: '10,000 instances, 50 VPCs, 50 roles',
    instances: 10000,
    vpcs: 50,
    roles: 50,
    target: { calls: 400, rounds: 4, peakMb: 300 },
  },
};

interface Stats {
  calls: number;
  rounds: number;
  byOperation: Record<string, number>;
  budgetCalls: number;
  budgetRounds: number;
  connectionStatusCalls: number;
}

interface Result {
  c: Case;
  code: number | null;
  /** The median of the runs' wall times, and the fastest and slowest. */
  wallMs: number;
  wallRange: [number, number];
  runs: number;
  peakKb: number;
  stats: Stats;
  /** Requests the fake received, retries included. */
  received: number;
  /** Sequential rounds on the fake's own timeline (arrival and answer of each request): all, and without GetConnectionStatus. */
  fakeRounds: number;
  fakeBudgetRounds: number;
  summary: Record<string, number>;
  failing: Record<string, number>;
  outputBytes: number;
  planted: ReturnType<Account['planted']>;
}

const flag = (name: string) => process.argv.includes(`--${name}`);

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

async function runCase(c: Case, latencyMs: number, home: string): Promise<Result> {
  const account = new Account(c);
  const fake = await FakeAccount.start(account, latencyMs);
  const rssFile = join(home, `rss-${c.instances}.txt`);
  // One instance is diagnosed by id (the deploy-gate case); a fleet with --all.
  const targets = c.instances === 1 ? [account.instances[0]!.id] : ['--all'];
  const env: NodeJS.ProcessEnv = {
    PATH: `${pluginDir(home)}:${dirname(process.execPath)}`,
    HOME: home,
    LANG: 'C.UTF-8',
    NO_COLOR: '1',
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'AKIABENCHMARK0000000',
    AWS_SECRET_ACCESS_KEY: 'bench-secret-access-key',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL: fake.url,
    SSM_DOCTOR_RSS_OUT: rssFile,
  };
  try {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, ['--require', RSS_HOOK, CLI, ...targets, '--output', 'json', '--stats', '--timeout', '10m'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const code = await new Promise<number | null>((r) => child.on('close', r));
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    writeTimeline(c, fake.timeline);
    const statsLine = /^ssm-doctor stats: (.*)$/m.exec(stderr)?.[1];
    if (!statsLine) throw new Error(`${c.name}: no stats line (exit ${code}):\n${stderr.slice(0, 2000)}`);
    const stdout = Buffer.concat(out);
    const report = JSON.parse(stdout.toString('utf8')) as {
      instances: { status: string; checks: { id: string; status: string }[] }[];
    };
    const summary: Record<string, number> = {};
    const failing: Record<string, number> = {};
    for (const i of report.instances) {
      summary[i.status] = (summary[i.status] ?? 0) + 1;
      for (const ch of i.checks) if (ch.status === 'fail') failing[ch.id] = (failing[ch.id] ?? 0) + 1;
    }
    return {
      c,
      code,
      wallMs,
      wallRange: [wallMs, wallMs],
      runs: 1,
      peakKb: Number(readFileSync(rssFile, 'utf8')),
      stats: JSON.parse(statsLine) as Stats,
      received: [...fake.counts.values()].reduce((a, b) => a + b, 0),
      ...fakeRounds(fake.timeline),
      summary,
      failing,
      outputBytes: stdout.length,
      planted: account.planted(),
    };
  } finally {
    await fake.stop();
  }
}

/**
 * Rounds as the server sees them: the longest chain of requests in which each arrived after the one
 * before it was answered. The CLI's own --stats count from when a call is issued inside the SDK; a
 * request that waits in the client (credentials, a lazily loaded client, a busy event loop) arrives
 * later, and only the server's timeline shows the round that costs.
 */
function fakeRounds(timeline: FakeAccount['timeline']): { fakeRounds: number; fakeBudgetRounds: number } {
  const longestChain = (require(join(ROOT, 'dist', 'collect', 'sdk', 'guard.js')) as { longestChain: typeof LongestChain }).longestChain;
  const asCalls = (t: FakeAccount['timeline']) => t.map((r) => ({ start: r.arrived, end: r.answered }));
  return {
    fakeRounds: longestChain(asCalls(timeline)),
    fakeBudgetRounds: longestChain(asCalls(timeline.filter((r) => r.operation !== 'ssm:GetConnectionStatus'))),
  };
}

/** With --timeline FILE: one JSON line per run, its requests in order of arrival, times from the first. */
function writeTimeline(c: Case, timeline: FakeAccount['timeline']): void {
  const file = option('timeline');
  if (!file) return;
  const t0 = Math.min(...timeline.map((r) => r.arrived));
  const requests = [...timeline]
    .sort((a, b) => a.arrived - b.arrived)
    .map((r) => [r.operation, Math.round(r.arrived - t0), Math.round(r.answered - t0)]);
  appendFileSync(resolve(ROOT, file), JSON.stringify({ case: c.name, requests }) + '\n');
}

/** Several runs of one case: the median wall time, and the worst calls, rounds and memory of them all. */
async function runCaseTimes(c: Case, latencyMs: number, home: string, runs: number): Promise<Result & { coldMs: number }> {
  // The first run compiles the bundle and saves V8's code cache (src/compile-cache.ts), as the first
  // run on any machine does; it is timed apart, and the runs measured start warm.
  const coldMs = (await runCase(c, latencyMs, home)).wallMs;
  const results: Result[] = [];
  for (let i = 0; i < runs; i++) results.push(await runCase(c, latencyMs, home));
  const walls = results.map((r) => r.wallMs).sort((a, b) => a - b);
  const worst = <K extends keyof Stats>(k: K) => results.map((r) => r.stats[k] as number).reduce((a, b) => Math.max(a, b));
  const first = results[0];
  if (!first) throw new Error('no runs');
  return {
    ...first,
    coldMs,
    wallMs: walls[Math.floor(walls.length / 2)]!,
    wallRange: [walls[0]!, walls[walls.length - 1]!],
    runs,
    peakKb: Math.max(...results.map((r) => r.peakKb)),
    fakeRounds: Math.max(...results.map((r) => r.fakeRounds)),
    fakeBudgetRounds: Math.max(...results.map((r) => r.fakeBudgetRounds)),
    stats: {
      ...first.stats,
      calls: worst('calls'),
      rounds: worst('rounds'),
      budgetCalls: worst('budgetCalls'),
      budgetRounds: worst('budgetRounds'),
    },
  };
}

/**
 * A stand-in for session-manager-plugin on PATH, as on the machine of someone who starts sessions:
 * without it every instance warns about the client, and a fleet run would then ask
 * ssm:GetConnectionStatus of every healthy instance too.
 */
function pluginDir(home: string): string {
  const dir = join(home, 'bin');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'session-manager-plugin'), '#!/bin/sh\necho 1.2.707.0\n');
  chmodSync(join(dir, 'session-manager-plugin'), 0o755);
  return dir;
}

/** Median wall time of `runs` starts of node with these arguments, in ms. */
function medianStart(args: string[], runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}`);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const ok = (pass: boolean) => (pass ? 'ok' : 'MISSED');
const ms = (n: number) => `${Math.round(n)} ms`;

function describe(r: Result & { coldMs: number }, latencyMs: number, nodeStartMs: number): string[] {
  const s = r.stats;
  const bound = r.fakeRounds * latencyMs;
  const lines = [`### ${r.c.name}`, ''];
  lines.push(
    `- API calls: ${s.budgetCalls} (+ ${s.connectionStatusCalls} ssm:GetConnectionStatus, counted apart); the fake received ${r.received} requests`,
  );
  lines.push(
    `- sequential rounds on the fake's timeline: ${r.fakeBudgetRounds} (${r.fakeRounds} with GetConnectionStatus); the CLI's own count: ${s.budgetRounds} (${s.rounds})`,
  );
  const spread = r.runs > 1 ? `median of ${r.runs} runs, ${ms(r.wallRange[0])} to ${ms(r.wallRange[1])}; ` : '';
  lines.push(
    `- wall time: ${ms(r.wallMs)} (${spread}node start included; the first run, which compiles and caches the bundle: ${ms(r.coldMs)}); lower bound rounds × latency = ${r.fakeRounds} × ${latencyMs} ms = ${ms(bound)}; ratio ${(r.wallMs / bound).toFixed(2)}`,
  );
  lines.push(
    `- peak memory (max RSS of the CLI${r.runs > 1 ? ', the highest of the runs' : ''}): ${(r.peakKb / 1024).toFixed(0)} MB; JSON report ${(r.outputBytes / 1024 / 1024).toFixed(1)} MB; exit ${r.code}`,
  );
  const t = r.c.target;
  if (t) {
    const checks = [
      `calls ${s.budgetCalls} ≤ ${t.calls}: ${ok(s.budgetCalls <= t.calls)}`,
      `rounds on the fake's timeline ${r.fakeBudgetRounds} ≤ ${t.rounds}: ${ok(r.fakeBudgetRounds <= t.rounds)}`,
    ];
    if (t.wallSlackMs !== undefined) {
      const limit = 1.5 * r.fakeRounds * latencyMs + t.wallSlackMs;
      checks.push(`wall ${ms(r.wallMs)} ≤ 1.5 × ${r.fakeRounds} × ${latencyMs} ms + 1 s = ${ms(limit)}: ${ok(r.wallMs <= limit)}`);
    }
    if (t.startSlackMs !== undefined) {
      const limit = nodeStartMs + r.fakeRounds * latencyMs + t.startSlackMs;
      checks.push(
        `wall ${ms(r.wallMs)} ≤ node start ${ms(nodeStartMs)} + ${r.fakeRounds} × ${latencyMs} ms + ${t.startSlackMs} ms = ${ms(limit)}: ${ok(r.wallMs <= limit)}`,
      );
    }
    if (t.peakMb !== undefined) checks.push(`peak ${(r.peakKb / 1024).toFixed(0)} MB ≤ ${t.peakMb} MB: ${ok(r.peakKb / 1024 <= t.peakMb)}`);
    lines.push(`- targets: ${checks.join('; ')}`);
  }
  const p = r.planted;
  lines.push(
    `- planted: ${p.healthy} healthy and registered; ${p.noProfile} without instance profile, ${p.roleWithoutPolicy} with a role lacking AmazonSSMManagedInstanceCore, ` +
      `${p.missingEndpoint} in a VPC without the ssmmessages endpoint, ${p.closedSg} behind an endpoint SG without 443, ${p.stuckAgent} with a stuck agent, ${p.stopped} stopped`,
  );
  lines.push(
    `- report: ${Object.entries(r.summary)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ')}; failing checks: ${
      Object.entries(r.failing)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || 'none'
    }`,
  );
  lines.push('', '| operation | calls |', '| --- | ---: |');
  for (const [op, n] of Object.entries(s.byOperation).sort((a, b) => a[0].localeCompare(b[0]))) lines.push(`| ${op} | ${n} |`);
  lines.push('');
  return lines;
}

async function main(): Promise<void> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  const latencyMs = Number(option('latency') ?? 50);
  const sizes = (option('sizes') ?? '1,50,100,1000,10000').split(',').map(Number);
  const write = option('write');
  const runs = Math.max(1, Number(option('runs') ?? 3));
  const home = mkdtempSync(join(tmpdir(), 'ssm-doctor-bench-'));
  const lines: string[] = [];
  const say = (text: string) => {
    lines.push(text);
    process.stdout.write(text + '\n');
  };
  try {
    say(`# ssm-doctor benchmark`);
    say('');
    say(
      `${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), ${(totalmem() / 2 ** 30).toFixed(1)} GB, shared with other work.`,
    );
    say(
      `The built CLI (\`--output json --stats\`) against the loopback fake account of bench/fake-account.ts, ${latencyMs} ms added to every answer.`,
    );
    say(`Each case runs ${runs} times: wall time is the median, calls, rounds and memory the worst of the runs.`);
    say('');
    const fleetOnly = flag('fleet-only');
    const floor = medianStart(['-e', '0'], fleetOnly ? 5 : 21);
    if (fleetOnly) say(`- \`node -e 0\`: ${ms(floor)} (median of 5 starts); start-up and the table cost left out (--fleet-only)`);
    else {
      say('## Start-up (median of 21 starts)');
      say('');
      const version = medianStart([CLI, '--version'], 21);
      const help = medianStart([CLI, '--help'], 21);
      say(`- \`node -e 0\`: ${ms(floor)}`);
      say(
        `- \`ssm-doctor --version\`: ${ms(version)} (${(version / floor).toFixed(2)}× node; target ≤ 1.4×: ${ok(version <= 1.4 * floor)})`,
      );
      say(`- \`ssm-doctor --help\`: ${ms(help)} (${(help / floor).toFixed(2)}× node; target ≤ 1.4×: ${ok(help <= 1.4 * floor)})`);
      say('');
      say('## The fleet table against its JSON (CPU, this process)');
      say('');
      for (const t of tableCost(ROOT, [1000, 10000])) {
        const ratio = t.tableMs / t.jsonMs;
        say(
          `- ${t.n.toLocaleString('en')} instances: JSON ${ms(t.jsonMs)}, table ${ms(t.tableMs)} (${ratio.toFixed(2)}×; target ≤ 2×: ${ok(ratio <= 2)})`,
        );
      }
    }
    say('');
    say('## Fleet runs');
    say('');
    for (const n of sizes) {
      const c = CASES[n] ?? {
        name: `${n} instances`,
        instances: n,
        vpcs: Math.max(1, Math.round(n / 200)),
        roles: Math.max(1, Math.round(n / 200)),
      };
      const r = await runCaseTimes(c, latencyMs, home, runs);
      for (const line of describe(r, latencyMs, floor)) say(line);
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
  if (write) writeFileSync(resolve(ROOT, write), lines.join('\n').replace(/\n*$/, '\n'));
}

main().catch((e: Error) => {
  process.stderr.write(`bench: ${e.stack ?? e.message}\n`);
  process.exitCode = 1;
});
