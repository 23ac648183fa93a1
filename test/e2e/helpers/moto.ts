import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** A moto_server on loopback, started once per test file and reset between scenarios. */
export interface Moto {
  url: string;
  /** POST /moto-api/reset: every resource is gone, the built-in AMIs and managed policies come back. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** A port nobody listens on right now: bind port 0, read it, let it go. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export async function startMoto(timeoutMs = 30_000): Promise<Moto> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // moto_server runs under a shell that holds our end of a pipe on stdin: if this jest worker dies
  // without running afterAll (even SIGKILL), `cat` sees EOF and the shell kills moto, so no orphan survives.
  // `detached` gives the group its own id, so stop() can signal the shell, cat and moto at once.
  const child = spawn('sh', ['-c', `moto_server -H 127.0.0.1 -p ${port} & cat >/dev/null; kill $! 2>/dev/null`], {
    detached: true,
    stdio: ['pipe', 'ignore', 'pipe'],
    env: { ...process.env, MOTO_IAM_LOAD_MANAGED_POLICIES: 'true' },
  });
  let log = '';
  // moto logs every request to stderr; it must be drained or moto blocks once the pipe is full.
  child.stderr!.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const moto: Moto = {
    url,
    async reset() {
      const res = await fetch(`${url}/moto-api/reset`, { method: 'POST' });
      if (!res.ok) throw new Error(`moto reset: HTTP ${res.status}`);
    },
    stop: () => stopGroup(child, exited),
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`moto_server exited before answering (is it on PATH?):\n${log}`);
    }
    try {
      const res = await fetch(`${url}/moto-api/`);
      if (res.ok) return moto;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await moto.stop();
      throw new Error(`moto_server did not answer on ${url} within ${timeoutMs} ms:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stopGroup(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      // the group is already gone
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
  // moto itself is in the group too, and may outlive the shell by a moment.
  signal('SIGKILL');
}
