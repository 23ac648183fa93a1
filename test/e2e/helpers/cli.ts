import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { reportSchema, type Report } from '../../../src/report/schema';
import { REGION } from './scenarios';

/** Runs the built CLI (dist/cli.js) as a child process, the way a user or a CI job does. */

/** The repo's build, or another one (e.g. an installed package's cli.js) named by SSM_DOCTOR_CLI. */
export const CLI = process.env.SSM_DOCTOR_CLI || resolve(__dirname, '../../../dist/cli.js');

export interface Stats {
  calls: number;
  rounds: number;
  byOperation: Record<string, number>;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Fails the suite early with the reason, instead of every test failing with ENOENT. */
export function requireBuiltCli(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` before the e2e tests`);
}

/** A scratch HOME (so no real ~/.aws is read) and a place for facts files; remove() deletes it. */
export function scratchDir(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'ssm-doctor-e2e-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface Endpoints {
  /** Where every AWS call goes unless a service has its own endpoint below. */
  all: string;
  ec2?: string;
  iam?: string;
  ssm?: string;
  sts?: string;
  route53?: string;
  route53resolver?: string;
}

/**
 * The child's whole environment: nothing inherited but PATH, so no AWS_* variable, profile or
 * colour setting of the machine running the tests leaks in.
 */
export function cliEnv(home: string, endpoints: Endpoints, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    NO_COLOR: '1',
    LANG: 'C.UTF-8',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: REGION,
    // Without it a missing credential would make the SDK probe 169.254.169.254 and wait.
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL: endpoints.all,
    ...(endpoints.ec2 ? { AWS_ENDPOINT_URL_EC2: endpoints.ec2 } : {}),
    ...(endpoints.iam ? { AWS_ENDPOINT_URL_IAM: endpoints.iam } : {}),
    ...(endpoints.ssm ? { AWS_ENDPOINT_URL_SSM: endpoints.ssm } : {}),
    ...(endpoints.sts ? { AWS_ENDPOINT_URL_STS: endpoints.sts } : {}),
    ...(endpoints.route53 ? { AWS_ENDPOINT_URL_ROUTE_53: endpoints.route53 } : {}),
    ...(endpoints.route53resolver ? { AWS_ENDPOINT_URL_ROUTE53RESOLVER: endpoints.route53resolver } : {}),
    ...extra,
  };
}

export function runCli(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 45_000): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`ssm-doctor ${args.join(' ')} did not finish in ${timeoutMs} ms\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

/** stdout as the one JSON document `--output json` promises, validated against the report schema. */
export function parseReport(r: CliResult): Report {
  let data: unknown;
  try {
    data = JSON.parse(r.stdout);
  } catch (e) {
    throw new Error(`stdout is not one JSON document (${(e as Error).message})\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  }
  return reportSchema.parse(data);
}

/** The one `ssm-doctor stats: {…}` line of --stats on stderr. */
export function parseStats(stderr: string): Stats {
  const lines = stderr.split('\n').filter((l) => l.startsWith('ssm-doctor stats: '));
  if (lines.length !== 1) throw new Error(`expected one stats line on stderr, found ${lines.length}:\n${stderr}`);
  return JSON.parse(lines[0]!.slice('ssm-doctor stats: '.length)) as Stats;
}

/** `{ "instance-state": "pass", … }` for one instance of a report. */
export function statuses(report: Report, instanceId: string): Record<string, string> {
  const inst = report.instances.find((i) => i.instanceId === instanceId);
  if (!inst) throw new Error(`${instanceId} is not in the report`);
  return Object.fromEntries(inst.checks.map((c) => [c.id, c.status]));
}

export function check(report: Report, instanceId: string, id: string) {
  const c = report.instances.find((i) => i.instanceId === instanceId)?.checks.find((x) => x.id === id);
  if (!c) throw new Error(`check ${id} of ${instanceId} is not in the report`);
  return c;
}
