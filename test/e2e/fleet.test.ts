import * as EC2 from '@aws-sdk/client-ec2';
import { parseReport, parseStats, statuses } from './helpers/cli';
import { ALL_CHECKS, HEALTHY, READ_ONLY } from './helpers/expect';
import { REGION } from './helpers/scenarios';
import { useE2E } from './helpers/suite';
import { bareInstance } from './helpers/bare';

// Targets beyond ids (--all, --filter, several regions) and --wait, the built CLI against moto and the SSM stub.

const e2e = useE2E();

const OTHER_REGION = 'us-east-1';

/** A bare instance in another region, straight in moto (the scenarios build in REGION only). */
const instanceIn = (region: string) => bareInstance(e2e.moto.url, region);

async function tag(instanceId: string, team: string): Promise<void> {
  const ec2 = new EC2.EC2Client({
    region: REGION,
    endpoint: e2e.moto.url,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  try {
    await ec2.send(new EC2.CreateTagsCommand({ Resources: [instanceId], Tags: [{ Key: 'Team', Value: team }] }));
  } finally {
    ec2.destroy();
  }
}

describe('targets beyond ids', () => {
  it('--all diagnoses every instance that is not terminated, one row each, with a summary line', async () => {
    const w = await e2e.scenarios.build({ endpoints: {} });
    const second = await e2e.scenarios.launch(w, { agent: false });
    const gone = await e2e.scenarios.launch(w);
    const ec2 = new EC2.EC2Client({
      region: REGION,
      endpoint: e2e.moto.url,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    await ec2.send(new EC2.TerminateInstancesCommand({ InstanceIds: [gone.instanceId] }));
    ec2.destroy();

    const json = await e2e.run(['--all', '--output', 'json', '--stats']);
    const report = parseReport(json);
    const ids = [w.instance.instanceId, second.instanceId].sort();
    expect(report.instances.map((i) => i.instanceId)).toEqual(ids);
    expect(report.regions).toEqual([REGION]);
    for (const inst of report.instances) {
      expect(inst.region).toBe(REGION);
      expect(inst.checks.map((c) => c.id)).toEqual(ALL_CHECKS);
    }
    expect(statuses(report, w.instance.instanceId)).toEqual(HEALTHY);
    expect(statuses(report, second.instanceId)['agent-registered']).toBe('fail');
    expect(report.status).toBe('critical');
    expect(report.summary).toMatchObject({ ok: 1, critical: 1, mostCommonCause: { checkId: 'agent-registered', instances: 1 } });
    expect(json.code).toBe(2);
    const stats = parseStats(json.stderr);
    for (const op of Object.keys(stats.byOperation)) expect(op).toMatch(READ_ONLY);
    for (const op of e2e.stub.counts.keys()) expect(op).toMatch(READ_ONLY);

    const table = await e2e.run(['--all']);
    expect(table.code).toBe(2);
    const row = table.stdout.split('\n').find((l) => l.includes(second.instanceId))!;
    expect(row).toMatch(/CRITICAL/);
    expect(row).toMatch(/agent-registered/);
    expect(table.stdout).not.toContain(gone.instanceId);
    expect(table.stdout).toMatch(/2 instances: 1 CRITICAL, 1 OK; most common cause: agent-registered \(1 instance\)/);

    const verbose = await e2e.run(['--all', '--verbose']);
    expect(verbose.stdout).toContain(`${second.instanceId} (${REGION}): CRITICAL`);
    expect(verbose.stdout).toContain('endpoint-sg-https');
  });

  it('--filter tag:Team=web selects the tagged instances only; an id given besides is added', async () => {
    const w = await e2e.scenarios.build({ endpoints: {} });
    const web = await e2e.scenarios.launch(w);
    const db = await e2e.scenarios.launch(w);
    await tag(web.instanceId, 'web');
    await tag(db.instanceId, 'db');

    const r = await e2e.run(['--filter', 'tag:Team=web', '--filter', 'instance-state-name=running', '--output', 'json']);
    const report = parseReport(r);
    expect(report.instances.map((i) => i.instanceId)).toEqual([web.instanceId]);
    expect(report.status).toBe('ok');
    expect(r.code).toBe(0);

    const plus = parseReport(await e2e.run([db.instanceId, '--filter', 'tag:Team=web', '-o', 'json']));
    expect(plus.instances.map((i) => i.instanceId)).toEqual([db.instanceId, web.instanceId]);

    const none = await e2e.run(['--filter', 'tag:Team=nobody', '-o', 'json']);
    expect(parseReport(none).instances).toEqual([]);
    expect(parseReport(none).status).toBe('unknown');
    expect(none.code).toBe(3);

    const bad = await e2e.run(['--filter', 'tag:Team']);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/--filter "tag:Team"/);
  });

  it('two regions in one run: each instance is reported in its own region', async () => {
    const w = await e2e.scenarios.build({ endpoints: {} });
    const far = await instanceIn(OTHER_REGION);

    const r = await e2e.run(['--all', '--regions', `${REGION},${OTHER_REGION}`, '--output', 'json', '--stats']);
    const report = parseReport(r);
    expect(report.regions).toEqual([REGION, OTHER_REGION]);
    expect(report.region).toBe(REGION);
    expect(report.instances.map((i) => [i.instanceId, i.region])).toEqual([
      [w.instance.instanceId, REGION],
      [far, OTHER_REGION],
    ]);
    expect(statuses(report, w.instance.instanceId)).toEqual(HEALTHY);
    // Not registered, no role, no endpoints.
    expect(statuses(report, far)['iam-instance-profile']).toBe('fail');
    expect(r.code).toBe(2);

    // Ids in two regions: each is found where it lives.
    const byId = parseReport(await e2e.run([far, w.instance.instanceId, '--region', `${REGION},${OTHER_REGION}`, '-o', 'json']));
    expect(byId.instances.map((i) => [i.instanceId, i.region])).toEqual([
      [w.instance.instanceId, REGION],
      [far, OTHER_REGION],
    ]);
    for (const inst of byId.instances) expect(statuses(byId, inst.instanceId)['instance-state']).toBe('pass');
  });
});

describe('--wait', () => {
  it('diagnoses again until the instance registers, prints what changed, and exits with the last run', async () => {
    const w = await e2e.scenarios.build({ endpoints: {}, agent: false });
    const id = w.instance.instanceId;
    // Register the agent once the first run has read SSM: the second run (after the first pause) sees it Online.
    let registered = false;
    const poll = setInterval(() => {
      if (!registered && (e2e.stub.counts.get('ssm:DescribeInstanceInformation') ?? 0) > 0) {
        registered = true;
        e2e.stub.register({
          instanceId: id,
          pingStatus: 'Online',
          agentVersion: '3.3.1957.0',
          platformType: 'Linux',
          platformName: 'Amazon Linux',
          platformVersion: '2023',
          iamRole: w.role?.roleName,
        });
      }
    }, 20);
    try {
      const r = await e2e.run([id, '--wait', '2m', '--output', 'json']);
      expect(registered).toBe(true);
      expect(r.code).toBe(0);
      const report = parseReport(r);
      expect(report.status).toBe('ok');
      expect(r.stderr).toMatch(/CRITICAL; diagnosing again in 10s/);
      expect(r.stderr).toContain(`changed: ${id} (${REGION}) agent-registered: fail → pass`);
    } finally {
      clearInterval(poll);
    }
  }, 90_000);

  it('gives up when the time is up and exits with the last run’s code', async () => {
    const w = await e2e.scenarios.build({ endpoints: {}, agent: false });
    const r = await e2e.run([w.instance.instanceId, '--wait', '1s']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/still CRITICAL after waiting 1s/);
  });
});
