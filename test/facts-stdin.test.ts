import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FactsFileError, loadFactsFrom } from '../src/facts/file';
import { healthyFacts, IDS } from './helpers/facts';

const CLI = join(__dirname, '..', 'dist', 'cli.js');

async function* chunks(...parts: (Buffer | string | Error)[]): AsyncGenerator<Buffer | string> {
  for (const p of parts) {
    if (p instanceof Error) throw p;
    yield p;
  }
}

describe('loadFactsFrom (standard input)', () => {
  it('reads facts arriving in pieces', async () => {
    const text = JSON.stringify(healthyFacts());
    const facts = await loadFactsFrom(chunks(text.slice(0, 100), Buffer.from(text.slice(100))));
    expect(Object.keys(facts.instances)).toEqual([IDS.instance]);
  });

  it('stops at 64 MB, naming the stream, without reading on', async () => {
    const mb = Buffer.alloc(1 << 20, 0x20);
    let read = 0;
    async function* endless() {
      for (;;) {
        read++;
        yield mb;
      }
    }
    await expect(loadFactsFrom(endless())).rejects.toThrow(
      new FactsFileError(`stdin: ${65 * (1 << 20)} bytes is too large for a facts file`),
    );
    expect(read).toBe(65);
  });

  it('a read error is one line with its code', async () => {
    const broken = Object.assign(new Error('i/o error'), { code: 'EIO' });
    await expect(loadFactsFrom(chunks('{', broken))).rejects.toThrow(new FactsFileError('cannot read facts from stdin (EIO)'));
  });
});

// A terminal on standard input needs a pseudo-terminal, which util-linux's `script` provides.
const withTerminal = existsSync('/usr/bin/script') ? it : it.skip;

withTerminal('--facts - refuses a terminal on standard input instead of waiting on it (needs util-linux script)', () => {
  const r = spawnSync('/usr/bin/script', ['-qec', `"${process.execPath}" "${CLI}" --facts -`, '/dev/null'], {
    encoding: 'utf8',
    input: '',
    timeout: 30_000,
  });
  expect(r.status).toBe(3);
  expect(r.stdout).toMatch(/ssm-doctor: --facts - reads standard input, which is a terminal: pipe a facts file in/);
});
