import { CallTimeout, Deadline, DeadlineExceeded, formatDuration, limitSends } from '../../src/collect/sdk/deadline';

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

const never = () => new Promise<never>(() => {});

describe('Deadline.limit', () => {
  it('a call that answers in time keeps its answer, or its own error', async () => {
    const d = new Deadline(3000);
    await expect(d.limit(async () => 'ok')).resolves.toBe('ok');
    await expect(d.limit(async () => Promise.reject(new Error('AccessDenied')))).rejects.toThrow('AccessDenied');
    d.dispose();
  });

  it('a call that never answers ends as Timeout after its share of the deadline, and its signal aborts', async () => {
    const d = new Deadline(3000);
    let signal: AbortSignal | undefined;
    const p = d.limit((s) => {
      signal = s;
      return never();
    });
    const settled = expect(p).rejects.toMatchObject({
      name: 'Timeout',
      message: expect.stringMatching(/^no answer within 1s, the share of one call in the --timeout of 3s/),
    });
    jest.advanceTimersByTime(999);
    expect(signal?.aborted).toBe(false);
    jest.advanceTimersByTime(1);
    await settled;
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toBeInstanceOf(CallTimeout);
    d.dispose();
  });

  it('a call still running at the deadline ends as DeadlineExceeded, and later calls fail at once without running', async () => {
    const d = new Deadline(3000, 1);
    const p = d.limit(never);
    const settled = expect(p).rejects.toBeInstanceOf(DeadlineExceeded);
    jest.advanceTimersByTime(3000);
    await settled;
    expect(d.expired).toBe(true);
    const call = jest.fn(never);
    await expect(d.limit(call)).rejects.toMatchObject({
      name: 'DeadlineExceeded',
      message: 'no answer before the --timeout of 3s ran out (raise it with --timeout)',
    });
    expect(call).not.toHaveBeenCalled();
  });

  it('a call started late gets only what is left of the run', async () => {
    const d = new Deadline(3000);
    jest.advanceTimersByTime(2500);
    expect(d.budget()).toBe(500);
    const settled = expect(d.limit(never)).rejects.toBeInstanceOf(Error);
    jest.advanceTimersByTime(500);
    await settled;
    d.dispose();
  });

  it('the error a call throws after it was aborted is replaced by the reason it was aborted', async () => {
    const d = new Deadline(3000, 1);
    const p = d.limit(
      (s) =>
        new Promise((_, reject) =>
          s.addEventListener('abort', () => reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' }))),
        ),
    );
    const settled = expect(p).rejects.toBeInstanceOf(DeadlineExceeded);
    jest.advanceTimersByTime(3000);
    await settled;
  });

  it('a call that throws before it starts is rejected, not thrown', async () => {
    const d = new Deadline(3000);
    await expect(
      d.limit(() => {
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    d.dispose();
  });
});

describe('Deadline.race', () => {
  it('settles with the promise, or DeadlineExceeded once the deadline and the grace have passed', async () => {
    const d = new Deadline(1000);
    await expect(d.race(Promise.resolve(1), 500)).resolves.toBe(1);
    const p = d.race(never(), 500);
    const settled = expect(p).rejects.toBeInstanceOf(DeadlineExceeded);
    jest.advanceTimersByTime(1000);
    jest.advanceTimersByTime(499);
    let done = false;
    void p.catch(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false);
    jest.advanceTimersByTime(1);
    await settled;
  });
});

describe('limitSends', () => {
  it("hands each send its own abort signal (the SDK's per-call option) and keeps the caller's options", async () => {
    const d = new Deadline(3000);
    const seen: unknown[] = [];
    const client = {
      send(command: unknown, options?: { abortSignal?: AbortSignal; requestTimeout?: number }) {
        seen.push({ command, options });
        return Promise.resolve('answer');
      },
    };
    limitSends(client, d);
    await expect(client.send('cmd', { requestTimeout: 5 })).resolves.toBe('answer');
    expect(seen).toEqual([{ command: 'cmd', options: { requestTimeout: 5, abortSignal: expect.any(AbortSignal) } }]);
    d.dispose();
  });
});

describe('formatDuration', () => {
  it.each([
    [60_000, '1m'],
    [120_000, '2m'],
    [90_000, '90s'],
    [3000, '3s'],
    [1500, '1.5s'],
    [1000 / 3, '333ms'],
    [20_000, '20s'],
  ])('%d ms → %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});
