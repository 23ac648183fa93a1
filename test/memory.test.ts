import { collectGarbage, COLLECT_FROM_INSTANCES } from '../src/memory';
import type * as Memory from '../src/memory';
import { readRegion } from '../src/diagnose';
import type { Reader } from '../src/collect/index';
import type { Facts } from '../src/facts/schema';
import { IDS, healthyFacts } from './helpers/facts';

// The real collection, counted.
jest.mock('../src/memory', () => {
  const actual = jest.requireActual<typeof Memory>('../src/memory');
  return { ...actual, collectGarbage: jest.fn(actual.collectGarbage) };
});
const collections = collectGarbage as jest.MockedFunction<typeof collectGarbage>;

/** The healthy world with `n` instances like its one (ids i-1…, 17 hex digits). */
function factsOf(n: number): Facts {
  const f = healthyFacts();
  const one = f.instances[IDS.instance]!;
  f.instances = {};
  for (let i = 0; i < n; i++) {
    const id = `i-${(i + 1).toString(16).padStart(17, '0')}`;
    f.instances[id] = one.known && one.value ? { known: true, value: { ...one.value, instanceId: id } } : one;
  }
  return f;
}

const readerOf = (facts: Facts): Reader => ({
  region: facts.region,
  facts: () => Promise.resolve(facts),
  connections: () => Promise.resolve({}),
  transit: () => Promise.reject(new Error('not asked')),
  stats: () => ({ calls: 0, rounds: 0, byOperation: {}, budgetCalls: 0, budgetRounds: 0, connectionStatusCalls: 0 }),
});

describe('collecting garbage where a large run leaves it', () => {
  it('collects: an object nothing holds any more is gone after it', async () => {
    let held: object | undefined = { big: new Array(1000).fill('x') };
    const ref = new WeakRef(held);
    held = undefined;
    // A WeakRef keeps its target for the rest of the turn that made it.
    await new Promise((resolve) => setImmediate(resolve));
    collectGarbage();
    expect(ref.deref()).toBeUndefined();
  });

  it(`a region of ${COLLECT_FROM_INSTANCES} instances collects after its facts are read and after they are judged; one fewer does not`, async () => {
    collections.mockClear();
    await readRegion(readerOf(factsOf(COLLECT_FROM_INSTANCES - 1)), { ids: [], all: true }, true);
    expect(collections).not.toHaveBeenCalled();
    const read = await readRegion(readerOf(factsOf(COLLECT_FROM_INSTANCES)), { ids: [], all: true }, true);
    expect(collections).toHaveBeenCalledTimes(2);
    expect(read.evaluations).toHaveLength(COLLECT_FROM_INSTANCES);
  });

  it("not while another region's facts are being read: the collection would hold up its answers", async () => {
    collections.mockClear();
    let answer!: (f: Facts) => void;
    const slow: Reader = { ...readerOf(factsOf(1)), facts: () => new Promise<Facts>((resolve) => (answer = resolve)) };
    const other = readRegion(slow, { ids: [], all: true }, true);
    await readRegion(readerOf(factsOf(COLLECT_FROM_INSTANCES)), { ids: [], all: true }, true);
    expect(collections).not.toHaveBeenCalled();
    answer(factsOf(COLLECT_FROM_INSTANCES));
    await other;
    expect(collections).toHaveBeenCalledTimes(2);
  });

  it('a Node that gives no gc (the flag refused, or no gc in the fresh context): it does nothing, and throws nothing', () => {
    const refusals = [
      jest.fn(() => null),
      jest.fn(() => {
        throw new Error('refused');
      }),
    ];
    for (const runInNewContext of refusals) {
      const vm = { runInNewContext };
      jest.isolateModules(() => {
        jest.doMock('node:vm', () => vm);
        const { collectGarbage: fresh } = jest.requireActual<typeof Memory>('../src/memory');
        expect(() => {
          fresh();
          fresh();
        }).not.toThrow();
      });
      // Asked once: the answer is kept for the run.
      expect(runInNewContext).toHaveBeenCalledTimes(1);
    }
  });
});
