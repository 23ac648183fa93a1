import { memoize, RunMemo } from '../../src/checks/lib/memo';

describe('memoize', () => {
  it('answers each key once, and again only after the cache reached its bound', () => {
    const seen: string[] = [];
    const f = memoize((k: string) => {
      seen.push(k);
      return { k };
    }, 2);
    const a = f('a');
    expect(f('a')).toBe(a);
    f('b');
    expect(seen).toEqual(['a', 'b']);
    // The third key finds the cache full: it is dropped, so 'a' is computed afresh.
    f('c');
    expect(f('a')).not.toBe(a);
    expect(seen).toEqual(['a', 'b', 'c', 'a']);
  });

  it('remembers undefined answers, and never a throw', () => {
    let calls = 0;
    const f = memoize((k: string) => {
      calls++;
      if (k === 'bad') throw new Error('bad input');
      return undefined;
    });
    f('x');
    f('x');
    expect(calls).toBe(1);
    expect(() => f('bad')).toThrow('bad input');
    expect(() => f('bad')).toThrow('bad input');
    expect(calls).toBe(3);
  });
});

describe('RunMemo', () => {
  it('answers each key of a slot once per run, and keeps slots and runs apart', () => {
    let calls = 0;
    const make = () => ({ n: ++calls });
    const run = new RunMemo();
    const a = run.get('endpoints', 'vpc-1', make);
    expect(run.get('endpoints', 'vpc-1', make)).toBe(a);
    expect(run.get('endpoints', 'vpc-2', make)).not.toBe(a);
    expect(run.get('routing', 'vpc-1', make)).not.toBe(a);
    expect(new RunMemo().get('endpoints', 'vpc-1', make)).not.toBe(a);
    expect(calls).toBe(4);
  });
});
