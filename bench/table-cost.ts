import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The CPU a fleet's table costs against its JSON (issue 12: at most twice), measured in this
 * process on the built renderers: the demo's instance copied N times under new ids, one in seven
 * stopped and one in eleven without its VPC's facts (so the table has groups, unknowns and OK rows).
 */
export function tableCost(root: string, sizes: readonly number[]): { n: number; jsonMs: number; tableMs: number }[] {
  type Fn = (...a: unknown[]) => unknown;
  const load = (m: string, name: string) => (require(join(root, 'dist', m)) as Record<string, Fn>)[name]!;
  const diagnoseFacts = load('diagnose.js', 'diagnoseFacts');
  const buildReport = load('report/build.js', 'buildReport');
  const renderJson = load('report/json.js', 'renderJson');
  const renderTable = load('report/table.js', 'renderTable');
  const demo = JSON.parse(readFileSync(join(root, 'examples', 'guide-start.facts.json'), 'utf8')) as {
    instances: Record<string, { known: boolean; value: Record<string, unknown> }>;
  };
  const [first] = Object.values(demo.instances);
  const cpu = (f: () => void) => {
    const t = process.cpuUsage();
    f();
    const d = process.cpuUsage(t);
    return (d.user + d.system) / 1000;
  };
  return sizes.map((n) => {
    const facts = structuredClone(demo);
    facts.instances = {};
    for (let i = 0; i < n; i++) {
      const id = `i-0${String(i).padStart(16, '0')}`;
      const value: Record<string, unknown> = { ...first!.value, instanceId: id, tags: { Name: `web-${i}` } };
      if (i % 7 === 3) value.state = 'stopped';
      if (i % 11 === 5) value.vpcId = 'vpc-0000000000000bad0';
      facts.instances[id] = { known: true, value };
    }
    const d = diagnoseFacts(facts, Object.keys(facts.instances));
    const jsonMs = cpu(() => void renderJson(buildReport(d, 'en')));
    const tableMs = cpu(() => void renderTable(buildReport(d, 'en'), { lang: 'en', color: false, width: 120 }));
    return { n, jsonMs, tableMs };
  });
}
