import { CHECKS } from '../../src/checks';
import { assemble, diagnoseFacts } from '../../src/diagnose';
import { evaluate } from '../../src/engine';
import { buildReport, type Diagnosis } from '../../src/report/build';
import type { Facts } from '../../src/facts/schema';
import { known } from '../../src/facts/schema';
import { renderJson, writeJson } from '../../src/report/json';
import { factsWith, healthyFacts, healthyInstance, IDS } from '../helpers/facts';

/** The healthy instance under several ids, some stopped, one whose state carries a line separator (kept raw by JSON.stringify). */
function fleetFacts(region: string, n: number): Facts {
  return factsWith((f) => {
    f.region = region;
    for (let i = 0; i < n; i++) {
      const id = `i-0${String(i).padStart(16, '0')}`;
      const state = i % 3 === 1 ? 'stopped' : i % 5 === 4 ? 'odd\u2028state' : 'running';
      f.instances[id] = known({ ...healthyInstance(), instanceId: id, state });
    }
  });
}

const all = (facts: Facts): Diagnosis => diagnoseFacts(facts, Object.keys(facts.instances));
const regions = (...facts: Facts[]): Diagnosis =>
  assemble(
    [],
    facts.map((f) => ({ facts: f, evaluations: evaluate(f, Object.keys(f.instances)) })),
  );

async function streamed(d: Diagnosis): Promise<{ text: string; chunks: number; status: string }> {
  const chunks: string[] = [];
  let writing = false;
  const write = async (chunk: string) => {
    // The writer must wait for each write before the next one.
    expect(writing).toBe(false);
    writing = true;
    await new Promise((r) => setImmediate(r));
    chunks.push(chunk);
    writing = false;
  };
  const status = await writeJson(d, 'en', write);
  return { text: chunks.join(''), chunks: chunks.length, status };
}

describe('writeJson', () => {
  const cases: [string, () => Diagnosis][] = [
    ['one healthy instance', () => all(healthyFacts())],
    ['no instance at all', () => diagnoseFacts(healthyFacts(), [])],
    ['an id absent from the facts', () => diagnoseFacts(healthyFacts(), ['i-0ffffffffffffffff'])],
    ['a fleet in two regions', () => regions(fleetFacts(IDS.region, 40), fleetFacts('us-east-1', 25))],
  ];

  it.each(cases)('writes exactly what renderJson writes: %s', async (_, diagnosis) => {
    const expected = renderJson(buildReport(diagnosis(), 'en'));
    const got = await streamed(diagnosis());
    expect(got.text).toBe(expected);
    expect(got.status).toBe(JSON.parse(expected).status);
  });

  it('writes a large report in many chunks, not one string', async () => {
    const d = all(fleetFacts(IDS.region, 120));
    const got = await streamed(d);
    expect(got.chunks).toBeGreaterThan(3);
    // A raw line separator inside a message: lines are indented only where JSON.stringify broke them.
    expect(got.text).toContain('odd\u2028state');
    expect(JSON.parse(got.text).instances).toHaveLength(d.evaluations.length);
  });

  it('renders the evaluations it is handed and evaluates nothing itself', async () => {
    const stateCheck = CHECKS.find((c) => c.id === 'instance-state')!;
    const d = all(fleetFacts(IDS.region, 30));
    const evaluations = jest.spyOn(stateCheck, 'evaluate');
    try {
      await streamed(d);
      expect(evaluations).not.toHaveBeenCalled();
    } finally {
      evaluations.mockRestore();
    }
  });
});
