import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ALLOWED_OPERATIONS, CREDENTIAL_OPERATIONS, isAllowed, leastPrivilegePolicy, operationName } from '../../src/collect/sdk/allowlist';

const SRC = join(__dirname, '../../src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : /\.ts$/.test(name) ? [path] : [];
  });
}

/** Every `import { …Command } from '@aws-sdk/client-<service>'` in src/, as `service:Operation` (client-route-53 → route53, as IAM spells it). */
function importedOperations(): { file: string; operation: string }[] {
  const out: { file: string; operation: string }[] = [];
  for (const file of sources(SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/import\s+(type\s+)?\{([^}]*)\}\s*from\s*['"]@aws-sdk\/client-([a-z0-9-]+)['"]/g)) {
      if (m[1]) continue;
      for (const spec of m[2]!.split(',')) {
        const name = spec
          .trim()
          .replace(/^type\s+/, '')
          .split(/\s+as\s+/)[0]!;
        if (/^[A-Z]\w*Command$/.test(name))
          out.push({ file: relative(SRC, file), operation: `${m[3]!.replace(/-/g, '')}:${name.replace(/Command$/, '')}` });
      }
    }
  }
  return out;
}

describe('the read-only allowlist', () => {
  it('holds every AWS command that src/ imports', () => {
    const imported = importedOperations();
    expect(imported.length).toBeGreaterThanOrEqual(ALLOWED_OPERATIONS.length);
    expect(imported.filter((i) => !isAllowed(i.operation))).toEqual([]);
  });

  it('lists only Describe, Get, List and Simulate operations, each once', () => {
    for (const op of ALLOWED_OPERATIONS) expect(op).toMatch(/^[a-z0-9-]+:(Describe|Get|List|Simulate)[A-Z]\w*$/);
    expect(new Set(ALLOWED_OPERATIONS).size).toBe(ALLOWED_OPERATIONS.length);
  });

  it('names nothing that src/ never calls', () => {
    const used = new Set(importedOperations().map((i) => i.operation));
    expect([...ALLOWED_OPERATIONS, ...CREDENTIAL_OPERATIONS].filter((op) => !used.has(op))).toEqual([]);
  });

  it('allows one operation that is not a read, sts:AssumeRole, and only organisation mode (src/collect/org/) imports it', () => {
    expect(CREDENTIAL_OPERATIONS).toEqual(['sts:AssumeRole']);
    const callers = importedOperations().filter((i) => (CREDENTIAL_OPERATIONS as readonly string[]).includes(i.operation));
    expect(callers.map((i) => i.file.split('/').slice(0, 2).join('/'))).toEqual(['collect/org']);
  });

  it('keeps the fleet IAM sweep in a statement of its own, which --no-iam-sweep leaves out', () => {
    const sids = (p: object) => (p as { Statement: { Sid: string; Action: string[] }[] }).Statement;
    expect(sids(leastPrivilegePolicy()).find((s) => s.Sid === 'SsmDoctorFleetIamSweep')?.Action).toEqual([
      'iam:GetAccountAuthorizationDetails',
    ]);
    const without = sids(leastPrivilegePolicy({ iamSweep: false }));
    expect(without.map((s) => s.Sid)).toEqual(['SsmDoctorReadOnly', 'SsmDoctorOrganisationMode']);
    expect(without.flatMap((s) => s.Action)).not.toContain('iam:GetAccountAuthorizationDetails');
  });

  it('keeps the organisation-mode operations in a statement of their own in --iam-policy', () => {
    const statements = (leastPrivilegePolicy() as { Statement: { Sid: string; Action: string[] }[] }).Statement;
    expect(statements.find((s) => s.Sid === 'SsmDoctorOrganisationMode')?.Action).toEqual(['organizations:ListAccounts', 'sts:AssumeRole']);
    expect(statements.find((s) => s.Sid === 'SsmDoctorReadOnly')?.Action).not.toContain('organizations:ListAccounts');
  });

  // The pipeline (diagnose.ts) imports the collector outright: in the bundle an import() would keep
  // every command of every client (src/tools/bundle.ts), and --version and --help never load app.js.
  it('keeps the AWS SDK out of every module but the collector and the pipeline that runs it', () => {
    const offenders = sources(SRC)
      .filter((f) => !relative(SRC, f).startsWith('collect') && relative(SRC, f) !== 'diagnose.ts')
      .filter((f) => {
        const text = readFileSync(f, 'utf8');
        // collect/sdk/allowlist is plain data (it imports nothing), so --iam-policy can print it without the SDK.
        return /^import\s+(?!type\b)[^;]*from\s*['"](@aws-sdk\/|@smithy\/|[./]+\/collect\/(?!sdk\/allowlist\.js['"]))/m.test(text);
      })
      .map((f) => relative(SRC, f));
    expect(offenders).toEqual([]);
  });

  it('derives the names IAM uses from the SDK client and command names', () => {
    expect(operationName('EC2Client', 'DescribeInstancesCommand')).toBe('ec2:DescribeInstances');
    expect(operationName('IAMClient', 'GetInstanceProfileCommand')).toBe('iam:GetInstanceProfile');
    expect(operationName('SSMClient', 'DescribeInstanceInformationCommand')).toBe('ssm:DescribeInstanceInformation');
    expect(operationName('STSClient', 'GetCallerIdentityCommand')).toBe('sts:GetCallerIdentity');
    expect(operationName('Route53Client', 'ListHostedZonesByVPCCommand')).toBe('route53:ListHostedZonesByVPC');
  });
});
