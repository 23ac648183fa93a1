import { memoize, memoizeOn } from '../../src/checks/lib/memo';

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

describe('memoizeOn', () => {
  it('answers once per object and string, and keeps objects apart', () => {
    let calls = 0;
    const f = memoizeOn((xs: readonly number[], k: string) => {
      calls++;
      return xs.map((x) => `${k}${x}`);
    });
    const a = [1, 2];
    const first = f(a, 'p');
    expect(f(a, 'p')).toBe(first);
    expect(f(a, 'q')).toEqual(['q1', 'q2']);
    expect(f([1, 2], 'p')).not.toBe(first);
    expect(calls).toBe(3);
  });
});
