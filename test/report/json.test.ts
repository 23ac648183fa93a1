import { CHECKS } from '../../src/checks';
import { buildFleetReport, carryOver, evaluateFleet, type Part } from '../../src/engine';
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

const partOf = (facts: Facts): Part => ({ facts, instanceIds: Object.keys(facts.instances) });

async function streamed(parts: Part[], hold?: number): Promise<{ text: string; chunks: number; status: string }> {
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
  const status = await writeJson(parts, 'en', write, hold);
  return { text: chunks.join(''), chunks: chunks.length, status };
}

describe('writeJson', () => {
  const cases: [string, () => Part[]][] = [
    ['one healthy instance', () => [partOf(healthyFacts())]],
    ['no instance at all', () => [{ facts: healthyFacts(), instanceIds: [] }]],
    ['an id absent from the facts', () => [{ facts: healthyFacts(), instanceIds: ['i-0ffffffffffffffff'] }]],
    ['a fleet in two regions', () => [partOf(fleetFacts(IDS.region, 40)), partOf(fleetFacts('us-east-1', 25))]],
  ];

  it.each(cases)('writes exactly what renderJson writes, held or evaluated twice: %s', async (_, parts) => {
    const expected = renderJson(buildFleetReport(parts(), 'en'));
    for (const hold of [0, 10_000]) {
      const got = await streamed(parts(), hold);
      expect(got.text).toBe(expected);
      expect(got.status).toBe(JSON.parse(expected).status);
    }
  });

  it('writes a large report in many chunks, not one string', async () => {
    const parts = [partOf(fleetFacts(IDS.region, 120))];
    const got = await streamed(parts, 0);
    expect(got.chunks).toBeGreaterThan(3);
    // A raw line separator inside a message: lines are indented only where JSON.stringify broke them.
    expect(got.text).toContain('odd\u2028state');
    expect(JSON.parse(got.text).instances).toHaveLength(parts[0].instanceIds.length);
  });

  describe('with the evaluations of the pass that picked the suspects', () => {
    const stateCheck = CHECKS.find((c) => c.id === 'instance-state')!;
    let evaluations: jest.SpyInstance;
    beforeEach(() => (evaluations = jest.spyOn(stateCheck, 'evaluate')));
    afterEach(() => evaluations.mockRestore());

    it.each([
      ['a small fleet keeps every result: nothing is evaluated again but the changed instances', 10_000, 0],
      ['a large fleet keeps outlines: the head counts them, and each instance is evaluated once more as it is written', 0, 1],
    ])('%s', async (_, keepWhole, writes) => {
      const facts = fleetFacts(IDS.region, 30);
      const ids = Object.keys(facts.instances);
      const expected = renderJson(buildFleetReport([{ facts, instanceIds: ids }], 'en'));
      evaluateFleet(facts, ids, () => {}, keepWhole);
      // As gather does: the suspects' facts change, the others' kept evaluations carry over.
      const changed = ids.slice(0, 4);
      const after = { ...facts };
      carryOver(facts, after, changed);
      evaluations.mockClear();
      const got = await streamed([{ facts: after, instanceIds: ids }], keepWhole);
      expect(got.text).toBe(expected);
      expect(evaluations).toHaveBeenCalledTimes(changed.length * (1 + writes) + (ids.length - changed.length) * writes);
    });
  });
});
