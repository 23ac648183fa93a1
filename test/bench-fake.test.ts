import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeInstancePropertiesCommand, SSMClient } from '@aws-sdk/client-ssm';
import { Account, FakeAccount, REGION } from '../bench/fake-account';

// The benchmark's fake account must page as AWS does and answer the CLI fully, or the benchmark
// measures the fake instead of the collector.

const CLI = join(__dirname, '..', 'dist', 'cli.js');
const credentials = { accessKeyId: 'AKIABENCHTEST0000000', secretAccessKey: 'bench-test-secret' };
let fake: FakeAccount;
const account = new Account({ instances: 60, vpcs: 10, roles: 10 });

beforeAll(async () => {
  fake = await FakeAccount.start(account, 0);
});
afterAll(() => fake.stop());

it('pages DescribeInstances by MaxResults and NextToken, and matches id prefixes', async () => {
  const ec2 = new EC2Client({ region: REGION, endpoint: fake.url, credentials });
  const ids: string[] = [];
  let NextToken: string | undefined;
  let pages = 0;
  do {
    const o = await ec2.send(new DescribeInstancesCommand({ MaxResults: 25, NextToken }));
    ids.push(...(o.Reservations ?? []).flatMap((r) => (r.Instances ?? []).map((i) => i.InstanceId!)));
    NextToken = o.NextToken;
    pages++;
  } while (NextToken);
  expect(pages).toBe(3);
  expect(ids).toEqual(account.instances.map((i) => i.id));
  const prefixed = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'instance-id', Values: ['i-0a*'] }] }));
  const got = (prefixed.Reservations ?? []).map((r) => r.Instances![0]!.InstanceId);
  expect(got).toEqual(account.instances.filter((i) => i.id.startsWith('i-0a')).map((i) => i.id));
  await expect(ec2.send(new DescribeInstancesCommand({ MaxResults: 1001 }))).rejects.toThrow(/MaxResults/);
  ec2.destroy();
});

it('lists only registered nodes in DescribeInstanceProperties, paged', async () => {
  const ssm = new SSMClient({ region: REGION, endpoint: fake.url, credentials });
  const first = await ssm.send(new DescribeInstancePropertiesCommand({ MaxResults: 10 }));
  const second = await ssm.send(new DescribeInstancePropertiesCommand({ MaxResults: 10, NextToken: first.NextToken }));
  const healthy = account.instances.filter((i) => account.registered(i)).map((i) => i.id);
  expect(healthy.length).toBeGreaterThan(10);
  expect([...first.InstanceProperties!, ...second.InstanceProperties!].map((p) => p.InstanceId)).toEqual(healthy.slice(0, 20));
  ssm.destroy();
});

it('answers a whole --all run of the built CLI: every instance reported, the planted faults found', async () => {
  if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build` first');
  const home = mkdtempSync(join(tmpdir(), 'ssm-doctor-bench-fake-'));
  fake.counts.clear();
  try {
    const child = spawn(process.execPath, [CLI, '--all', '--output', 'json', '--stats'], {
      env: {
        PATH: dirname(process.execPath),
        HOME: home,
        AWS_REGION: REGION,
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_ENDPOINT_URL: fake.url,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    await new Promise((r) => child.on('close', r));
    const report = JSON.parse(stdout) as { instances: { instanceId: string; checks: { id: string; status: string }[] }[] };
    expect(report.instances.map((i) => i.instanceId).sort()).toEqual(account.instances.map((i) => i.id));
    const failing = (id: string) => report.instances.filter((i) => i.checks.some((c) => c.id === id && c.status === 'fail')).length;
    const planted = account.planted();
    expect(failing('iam-instance-profile')).toBe(planted.noProfile);
    expect(failing('vpc-endpoints')).toBe(planted.missingEndpoint);
    expect(failing('endpoint-sg-https')).toBe(planted.closedSg);
    expect(failing('instance-state')).toBe(planted.stopped);
    const stats = JSON.parse(/ssm-doctor stats: (.*)/.exec(stderr)![1]!) as { calls: number };
    expect(stats.calls).toBe([...fake.counts.values()].reduce((a, b) => a + b, 0));
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
