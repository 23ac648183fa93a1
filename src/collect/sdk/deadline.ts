import { setMaxListeners } from 'node:events';

/** What a call still running at the run's deadline (`--timeout`) ends with: its fact becomes Unknown with this code. */
export class DeadlineExceeded extends Error {
  override name = 'DeadlineExceeded';
  constructor(readonly timeoutMs: number) {
    super(`no answer before the --timeout of ${formatDuration(timeoutMs)} ran out (raise it with --timeout)`);
  }
}

/** What one call that used up its share of the deadline ends with, so that the reads after it still have time. */
export class CallTimeout extends Error {
  override name = 'Timeout';
  constructor(budgetMs: number, timeoutMs: number) {
    super(
      `no answer within ${formatDuration(budgetMs)}, the share of one call in the --timeout of ${formatDuration(timeoutMs)} (raise it with --timeout)`,
    );
  }
}

/** 60000 → `60s`, 120000 → `2m`, 1500 → `1.5s`, 800 → `800ms`: the way --timeout is written. */
export function formatDuration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  return `${Math.round(ms / 100) / 10}s`;
}

/**
 * One call gets at most this share of the run: the reads form up to three rounds, each waiting for
 * the one before, so a call that hangs in the first round must still leave time for the others.
 */
export const CALL_SHARE = 1 / 3;

/**
 * The run's overall deadline. Each AWS call runs under `limit`: it is aborted (its socket closed)
 * and settles as DeadlineExceeded when the deadline passes, or as Timeout when it used up its
 * share, whatever it was doing: waiting for an answer, for a retry's backoff or for credentials.
 */
export class Deadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly end: number;

  constructor(
    readonly ms: number,
    private readonly callShare = CALL_SHARE,
  ) {
    this.end = Date.now() + ms;
    // Every call in flight listens to this signal: dozens at once is normal, not a leak.
    setMaxListeners(0, this.controller.signal);
    this.timer = setTimeout(() => this.controller.abort(new DeadlineExceeded(ms)), ms);
    // The deadline alone must not keep a finished run alive.
    this.timer.unref();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get expired(): boolean {
    return this.controller.signal.aborted;
  }

  /** The most one call may still take: its share of the run, and never past the deadline. */
  budget(): number {
    return Math.max(0, Math.min(this.ms * this.callShare, this.end - Date.now()));
  }

  /**
   * Runs one call with its own abort signal (for the HTTP request) and settles it at the latest
   * when that signal aborts, even if the call ignores it.
   */
  limit<T>(call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.expired) return Promise.reject(new DeadlineExceeded(this.ms));
    const own = new AbortController();
    const budget = this.budget();
    const onDeadline = () => own.abort(new DeadlineExceeded(this.ms));
    this.signal.addEventListener('abort', onDeadline, { once: true });
    const timer = setTimeout(() => own.abort(new CallTimeout(budget, this.ms)), budget);
    timer.unref();
    const cleanup = () => {
      clearTimeout(timer);
      this.signal.removeEventListener('abort', onDeadline);
    };
    return new Promise<T>((resolve, reject) => {
      own.signal.addEventListener('abort', () => reject(own.signal.reason), { once: true });
      let running: Promise<T>;
      try {
        running = call(own.signal);
      } catch (e) {
        running = Promise.reject(e);
      }
      running.then(resolve, (e: unknown) => reject(own.signal.aborted ? own.signal.reason : e)).finally(cleanup);
    });
  }

  /** `p`'s outcome, or DeadlineExceeded once the deadline and then `graceMs` have passed. */
  race<T>(p: Promise<T>, graceMs = 0): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let grace: NodeJS.Timeout | undefined;
      const expire = () => {
        grace = setTimeout(() => reject(new DeadlineExceeded(this.ms)), graceMs);
        grace.unref();
      };
      if (this.expired) expire();
      else this.signal.addEventListener('abort', expire, { once: true });
      p.then(resolve, reject).finally(() => {
        this.signal.removeEventListener('abort', expire);
        if (grace) clearTimeout(grace);
      });
    });
  }

  dispose(): void {
    clearTimeout(this.timer);
  }
}

interface Sender {
  send(command: unknown, options?: object): Promise<unknown>;
}

/**
 * Every `send` of this client runs under the deadline, with the call's own abort signal handed to
 * the HTTP handler (the SDK's standard per-call option), so an abandoned request does not linger.
 */
export function limitSends<C extends object>(client: C, deadline: Deadline): C {
  const c = client as unknown as Sender;
  const send = c.send.bind(c);
  c.send = (command: unknown, options?: object) => deadline.limit((abortSignal) => send(command, { ...options, abortSignal }));
  return client;
}
