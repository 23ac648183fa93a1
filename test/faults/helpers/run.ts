import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { reportSchema, type Report } from '../../../src/report/schema';
import { CLI, runCli as runBuilt } from '../../e2e/helpers/cli';
import { FakeAws, WORLD } from './fake-aws';

export { CLI };

export function requireBuiltCli(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` before the fault suite`);
}

/** Credentials that are easy to find in any output: none of these strings may ever be printed or saved. */
export const FAKE_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'AKIAFAULTSUITE7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'faultSuiteSecretKey/K7MDENG+bPxRfiCYEXAMPLEKEY',
  AWS_SESSION_TOKEN: 'FaultSuiteSessionToken//////////wEaDEXAMPLETOKENvalue1234567890',
} as const;

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout as a report, when it is one (`--output json`). */
  report?: Report;
}

/**
 * The child's whole environment: nothing inherited, PATH only where node is (so no
 * session-manager-plugin is found on one machine and not on another), a scratch HOME.
 */
export function faultEnv(home: string, endpoint: string | undefined, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: dirname(process.execPath),
    HOME: home,
    LANG: 'C.UTF-8',
    NO_COLOR: '1',
    AWS_REGION: WORLD.region,
    // Without it a missing credential would make the SDK probe 169.254.169.254 and wait.
    AWS_EC2_METADATA_DISABLED: 'true',
    ...FAKE_CREDENTIALS,
    ...(endpoint ? { AWS_ENDPOINT_URL: endpoint } : {}),
  };
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** Runs the built CLI to its end (as the end-to-end suite does); the generous kill timer only turns a hang into a readable failure. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv, killAfterMs = 90_000): Promise<Run> {
  const r = await runBuilt(args, env, killAfterMs);
  let report: Report | undefined;
  if (args.includes('json')) {
    try {
      report = reportSchema.parse(JSON.parse(r.stdout));
    } catch {
      report = undefined;
    }
  }
  return { ...r, report };
}

export interface Scratch {
  path: string;
  remove(): void;
}

export function scratch(): Scratch {
  const path = mkdtempSync(join(tmpdir(), 'ssm-doctor-faults-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A fresh fake AWS for one scenario (scenarios run side by side), stopped afterwards. */
export async function withFake<T>(setup: (fake: FakeAws) => void, use: (fake: FakeAws) => Promise<T>): Promise<T> {
  const fake = await FakeAws.start();
  try {
    setup(fake);
    return await use(fake);
  } finally {
    await fake.stop();
  }
}

/** Diagnoses the fake world's instance with `--output json` against a fake set up by `setup`. */
export async function diagnose(
  setup: (fake: FakeAws) => void,
  args: string[] = [],
  extraEnv: Record<string, string | undefined> = {},
): Promise<Run & { fake: FakeAws }> {
  const home = scratch();
  try {
    return await withFake(setup, async (fake) => {
      const r = await runCli([WORLD.instance, '--output', 'json', ...args], faultEnv(home.path, fake.url, extraEnv));
      return { ...r, fake };
    });
  } finally {
    home.remove();
  }
}

/** `{ "instance-state": "pass", … }` of the one instance. */
export function statuses(report: Report | undefined): Record<string, string> {
  if (!report) throw new Error('no JSON report on stdout');
  return Object.fromEntries(report.instances[0]!.checks.map((c) => [c.id, c.status]));
}

export function messages(report: Report | undefined): Record<string, string> {
  if (!report) throw new Error('no JSON report on stdout');
  return Object.fromEntries(report.instances[0]!.checks.map((c) => [c.id, c.message]));
}

/** The checks whose status differs from the baseline's, as `id: before → after`. */
export function changed(before: Record<string, string>, after: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.keys(before)
      .filter((id) => before[id] !== after[id])
      .map((id) => [id, `${before[id]} → ${after[id]}`]),
  );
}
