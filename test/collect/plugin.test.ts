import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { findSessionManagerPlugin } from '../../src/collect/plugin';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ssm-doctor-plugin-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function file(dir: string, name: string, mode: number): string {
  mkdirSync(join(root, dir), { recursive: true });
  const path = join(root, dir, name);
  writeFileSync(path, '#!/bin/sh\n');
  chmodSync(path, mode);
  return path;
}

describe('findSessionManagerPlugin', () => {
  it('finds the first executable session-manager-plugin on PATH, skipping one that is not executable', () => {
    file('a', 'session-manager-plugin', 0o644);
    const good = file('b', 'session-manager-plugin', 0o755);
    file('c', 'session-manager-plugin', 0o755);
    const PATH = ['', join(root, 'missing'), join(root, 'a'), join(root, 'b'), join(root, 'c')].join(delimiter);
    expect(findSessionManagerPlugin({ PATH }, 'linux')).toEqual({ found: true, path: good });
  });

  it('does not take a directory of that name, and says not found with no PATH', () => {
    mkdirSync(join(root, 'd', 'session-manager-plugin'), { recursive: true });
    expect(findSessionManagerPlugin({ PATH: join(root, 'd') }, 'linux')).toEqual({ found: false });
    expect(findSessionManagerPlugin({}, 'linux')).toEqual({ found: false });
  });

  it('looks for session-manager-plugin.exe on Windows, in Path split by semicolons, quotes removed', () => {
    const exe = file('Program Files/Amazon/SessionManagerPlugin/bin', 'session-manager-plugin.exe', 0o644);
    const Path = `${join(root, 'x')};"${join(root, 'Program Files/Amazon/SessionManagerPlugin/bin')}"`;
    expect(findSessionManagerPlugin({ Path }, 'win32')).toEqual({ found: true, path: exe });
    expect(findSessionManagerPlugin({ PATH: join(root, 'Program Files/Amazon/SessionManagerPlugin/bin') }, 'linux')).toEqual({
      found: false,
    });
  });
});
