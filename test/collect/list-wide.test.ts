import { listWide } from '../../src/collect/ec2/targets';

interface Page {
  items: string[];
  next?: string;
}

/** A listing of `total` items, 2 to a page, that logs every request it answers. */
function listing(total: number, log: string[]) {
  const all = Array.from({ length: total }, (_, i) => `i-${i}`);
  const page = (from: number, label: string): Page => {
    log.push(label);
    return { items: all.slice(from, from + 2), ...(from + 2 < all.length ? { next: String(from + 2) } : {}) };
  };
  return {
    first: (token?: string) => Promise.resolve(page(Number(token ?? 0), `first ${token ?? ''}`.trim())),
    parts: [0, 1].map((p) => () => {
      log.push(`part ${p}`);
      return Promise.resolve<Page>({ items: all.filter((_, i) => i % 2 === p) });
    }),
  };
}

describe('listWide: a listing that goes wide beside another', () => {
  it('tells `wide` once its first page is read, and sends its parts only once `after` settles', async () => {
    const log: string[] = [];
    const l = listing(5, log);
    let release!: () => void;
    const after = new Promise<void>((resolve) => (release = resolve));
    const wide = jest.fn(() => log.push('wide'));
    const read = listWide(
      l.first,
      l.parts,
      (o: Page) => o.items,
      (o) => o.next,
      (x) => x,
      { wide, after },
    );
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(['first', 'wide']);
    release();
    expect((await read).sort()).toEqual(['i-0', 'i-1', 'i-2', 'i-3', 'i-4']);
    expect(log).toEqual(['first', 'wide', 'part 0', 'part 1']);
    expect(wide).toHaveBeenCalledTimes(1);
  });

  it('tells `wide` when its first page fails, so the other listing is not held up', async () => {
    const wide = jest.fn();
    const failing = () => Promise.reject(new Error('AccessDenied'));
    await expect(
      listWide(
        failing,
        [],
        (o: Page) => o.items,
        (o) => o.next,
        (x) => x,
        { wide },
      ),
    ).rejects.toThrow('AccessDenied');
    expect(wide).toHaveBeenCalledTimes(1);
  });

  it('does not wait for `after` when the first page holds everything', async () => {
    const log: string[] = [];
    const l = listing(2, log);
    const never = new Promise<void>(() => undefined);
    await expect(
      listWide(
        l.first,
        l.parts,
        (o: Page) => o.items,
        (o) => o.next,
        (x) => x,
        { after: never },
      ),
    ).resolves.toEqual(['i-0', 'i-1']);
    expect(log).toEqual(['first']);
  });
});
