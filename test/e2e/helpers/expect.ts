import type { Report } from '../../../src/report/schema';
import { parseReport } from './cli';
import { REGION } from './scenarios';
import type { E2E } from './suite';

/** Assertions several e2e files share. */

/** Every fix command of the report: ready to paste, so every `aws …` call has --region and no `<placeholder>`. */
export function expectPasteableCommands(report: Report): void {
  for (const inst of report.instances) {
    for (const c of inst.checks) {
      for (const command of c.fix?.commands ?? []) {
        const calls = command.match(/(^|[\s(|;&])aws [a-z0-9-]+ [a-z0-9-]+/g) ?? [];
        const regions = command.match(new RegExp(`--region ${REGION}(\\s|$|\\))`, 'g')) ?? [];
        expect({ check: c.id, command, regionsPerCall: regions.length >= calls.length }).toEqual({
          check: c.id,
          command,
          regionsPerCall: true,
        });
        expect({ check: c.id, command, placeholder: /<[A-Za-z_-]+>/.test(command) }).toEqual({
          check: c.id,
          command,
          placeholder: false,
        });
      }
    }
  }
}

/** Commands of one check's fix, as one string per command. */
export function commandsOf(report: Report, instanceId: string, id: string): string[] {
  const c = report.instances.find((i) => i.instanceId === instanceId)?.checks.find((x) => x.id === id);
  return c?.fix?.commands ?? [];
}

/** Read-only operations only: the tool may Describe, Get, List and Simulate, nothing else. */
export const READ_ONLY = /^[a-z0-9-]+:(Describe|Get|List|Simulate)[A-Za-z]*$/;

/** Every check, in report order (SPEC: every check always appears, in a fixed order). */
export const ALL_CHECKS = [
  'instance-state',
  'instance-metadata',
  'iam-instance-profile',
  'iam-trust-policy',
  'iam-core-policy',
  'network-route',
  'block-public-access',
  'transit-gateway-path',
  'instance-sg-egress',
  'network-acl',
  'vpc-endpoints',
  'vpc-endpoints-az',
  'endpoint-private-dns',
  'vpc-dns-servers',
  'ipv6-only-path',
  'endpoint-sg-https',
  'endpoint-policy',
  'session-preferences',
  'session-kms-key',
  'agent-registered',
  'agent-version',
  'caller-start-session',
];

/** Checks that are `skip` on a healthy instance: nothing turns their subject on (no transit gateway, no session preferences saved, an IPv4 subnet). */
export const SKIPPED_WHEN_HEALTHY = ['transit-gateway-path', 'ipv6-only-path', 'session-preferences', 'session-kms-key'];

/** What every check of a healthy instance says: pass, or skip for a feature nobody turned on. */
export const HEALTHY = Object.fromEntries(ALL_CHECKS.map((c) => [c, SKIPPED_WHEN_HEALTHY.includes(c) ? 'skip' : 'pass']));

/**
 * Runs `ssm-doctor <ids> --output json`, and asserts what holds for every diagnosis: the report's
 * shape and order, pasteable commands, and that every call reaching the stub was a read.
 */
export async function diagnose(e2e: E2E, ids: string[], extra: string[] = [], opts?: Parameters<E2E['run']>[1]) {
  const r = await e2e.run([...ids, '--output', 'json', ...extra], opts);
  const report = parseReport(r);
  expect(report.region).toBe(REGION);
  expect(report.instances.map((i) => i.instanceId)).toEqual(ids);
  for (const inst of report.instances) expect(inst.checks.map((c) => c.id)).toEqual(ALL_CHECKS);
  expectPasteableCommands(report);
  // Ground truth for "the tool only reads": every call that reached the stub (SSM, and EC2/IAM
  // unless a test sends them straight to moto).
  for (const op of e2e.stub.counts.keys()) expect(op).toMatch(READ_ONLY);
  return { ...r, report };
}

export const unknownChecks = (s: Record<string, string>) => Object.entries(s).filter(([, v]) => v === 'unknown');
