import { buildReport } from '../../src/report/build';
import { reportSchema } from '../../src/report/schema';
import { renderTable } from '../../src/report/table';
import { worstFirst } from '../../src/report/groups';
import { renderJson, writeJson } from '../../src/report/json';
import { BROKEN_VPC, fleetId, twoRegionFleet } from '../helpers/fleet';

const table = (unknown = 0, lang: 'en' | 'ja' = 'en') =>
  renderTable(buildReport(twoRegionFleet(unknown), lang), { lang, color: false, width: 120 });

describe('a 30-instance, two-region fleet with one broken VPC', () => {
  it('reads as a summary, one group with one fix, and the rest worst first', () => {
    const out = table(2);
    const lines = out.split('\n');
    expect(lines[0]).toBe('30 instances: 10 CRITICAL, 2 UNKNOWN, 18 OK; most common cause: network-route (10 instances)');
    // One group line for the ten, naming the VPC and the key step (an endpoint, not a security group).
    expect(lines[2]).toBe(`CRITICAL 10 instances in ${BROKEN_VPC} (ap-northeast-1): network-route, vpc-endpoints, agent-registered`);
    expect(lines[3]).toMatch(/^ {2}→ VPC → Endpoints → Create endpoint: .*com\.amazonaws\.ap-northeast-1\.ssm,/);
    expect(out.match(/Create security group/g)).toBeNull();
    expect(out.match(/→ VPC → Endpoints/g)).toHaveLength(1);
    // The ten are named once each, in the group, with their Name tag, not again as rows.
    for (let n = 5; n < 13; n++) {
      const id = fleetId(1, n - 2);
      expect(out.split(id)).toHaveLength(2);
    }
    expect(out).toMatch(/i-01000000000000003 \(batch-3\)/);
    // What could not be read says why.
    expect(out).toMatch(/UNKNOWN 2 instances in ap-northeast-1: .*\n {2}\? ec2:DescribeInstances was denied \(AccessDenied\)/);
    // The rest: a table with a Name column; far shorter than a row with a 9-line fix per broken instance.
    expect(out).toMatch(/The other 18 instances, worst first:\n┌/);
    expect(out).toMatch(/│ i-02000000000000014 │ web-14\s+│ us-east-1\s+│ OK/);
    expect(lines.length).toBeLessThan(50);
  });

  it('sorts the table worst first: CRITICAL, UNKNOWN, WARNING, OK', () => {
    const report = buildReport(twoRegionFleet(2), 'en');
    const order = worstFirst(report.instances).map((i) => i.status);
    expect(order.indexOf('unknown')).toBeGreaterThan(order.lastIndexOf('critical'));
    expect(order.indexOf('ok')).toBeGreaterThan(order.lastIndexOf('unknown'));
    // Ungrouped rows in the table follow the same order: a lone CRITICAL comes before the OK rows.
    const lone = twoRegionFleet();
    lone.evaluations = lone.evaluations.filter((e) => e.region === 'us-east-1' || e.instanceId === fleetId(1, 13));
    const out = renderTable(buildReport(lone, 'en'), { lang: 'en', color: false, width: 120 });
    const rows = out.split('\n').filter((l) => l.startsWith('│ i-'));
    expect(rows[0]).toMatch(/CRITICAL/);
    expect(rows.slice(1).every((r) => /│ OK/.test(r))).toBe(true);
    expect(out).not.toMatch(/instances in vpc-/);
  });

  it('puts the groups in the JSON, valid against the schema, with every member and one fix', () => {
    const report = buildReport(twoRegionFleet(2), 'en');
    expect(() => reportSchema.parse(report)).not.toThrow();
    const [g, u] = report.groups!;
    expect(g).toMatchObject({ status: 'critical', region: 'ap-northeast-1', vpcId: BROKEN_VPC });
    expect(g!.instances).toHaveLength(10);
    expect(g!.fix!.steps[0]).toMatch(/Create security group/);
    expect(g!.fix!.keyStep).toMatch(/^VPC → Endpoints → Create endpoint/);
    expect(new Set(g!.fix!.steps).size).toBe(g!.fix!.steps.length);
    expect(u).toMatchObject({ status: 'unknown', instances: [fleetId(1, 13), fleetId(1, 14)] });
    expect(u!.fix).toBeUndefined();
    expect(report.instances.find((i) => i.instanceId === fleetId(2, 3))).toMatchObject({ name: 'web-3', vpcId: expect.any(String) });
  });

  it('the streamed JSON has the same groups, byte for byte', async () => {
    const d = twoRegionFleet(2);
    let streamed = '';
    await writeJson(d, 'ja', async (chunk) => {
      streamed += chunk;
    });
    expect(streamed).toBe(renderJson(buildReport(d, 'ja')));
    expect(JSON.parse(streamed).groups).toHaveLength(2);
  });

  it('no group of one: a healthy fleet has none, and one broken instance is a row', () => {
    const healthy = twoRegionFleet();
    healthy.evaluations = healthy.evaluations.filter((e) => e.region === 'us-east-1');
    expect(buildReport(healthy, 'en').groups).toBeUndefined();
  });

  it('in Japanese the group reads naturally and keeps the ids', () => {
    const out = table(0, 'ja');
    expect(out.split('\n')[0]).toMatch(/^30 台: 10 CRITICAL, 20 OK/);
    expect(out).toMatch(new RegExp(`CRITICAL ${BROKEN_VPC} \\(ap-northeast-1\\) の 10 台: network-route`));
  });

  it('a hostile Name tag cannot reach the terminal as control characters', () => {
    const d = twoRegionFleet();
    d.evaluations = [{ ...d.evaluations[0]!, name: 'evil\u001b[2J\u202eName' }, ...d.evaluations.slice(1)];
    const out = renderTable(buildReport(d, 'en'), { lang: 'en', color: false, width: 120 });
    expect(out).not.toMatch(/[\u001b\u202e]/);
  });
});
