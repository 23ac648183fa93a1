import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// The package as npm publishes it: only what runs, and it runs from a clean prefix. The tarball is
// packed from the current build (npm test builds first), installed offline from the npm cache the
// dev install filled (the registry if the cache lacks something), and started through its bin link.

jest.setTimeout(240_000);

const ROOT = resolve(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; engines: { node: string }; files: string[] };
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** What may be published: the build, the demo facts, the JSON schemas and the package's own files. */
const ALLOWED = [
  /^package\.json$/,
  /^README\.md$/,
  /^LICENSE$/,
  /^dist\/(cli|app|help-text)\.js$/,
  /^dist\/THIRD-PARTY-NOTICES\.txt$/,
  /^docs\/[\w.-]+\.md$/,
  /^examples\/[\w.-]+\.json$/,
  /^schema\/[\w.-]+\.schema\.json$/,
];

interface Packed {
  filename: string;
  files: { path: string }[];
}

const work = mkdtempSync(join(tmpdir(), 'ssm-doctor-pack-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function pack(dryRun: boolean): Packed {
  const args = ['pack', '--json', '--ignore-scripts', '--pack-destination', work, ...(dryRun ? ['--dry-run'] : [])];
  return (JSON.parse(execFileSync(npm, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as Packed[])[0]!;
}

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist', 'cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` first');
});

describe('npm pack', () => {
  it('contains only what runs: the bundled build and its licence notices (no maps, no tests, no build tools, no unbundled modules), examples, schemas, README and the docs it links, LICENSE', () => {
    const files = pack(true)
      .files.map((f) => f.path)
      .sort();
    expect(files.filter((f) => !ALLOWED.some((re) => re.test(f)))).toEqual([]);
    for (const must of [
      'package.json',
      'README.md',
      'docs/checks.md',
      'LICENSE',
      'dist/cli.js',
      'dist/app.js',
      'dist/THIRD-PARTY-NOTICES.txt',
      'examples/guide-start.facts.json',
      'schema/report.schema.json',
      'schema/facts.schema.json',
    ]) {
      expect(files).toContain(must);
    }
    expect(files.filter((f) => /\.map$|\.ts$|^test\/|^src\/|^dist\/tools\//.test(f))).toEqual([]);
    // Every published module is built from a source file that exists now: no stale output of a renamed one.
    for (const f of files.filter((p) => p.startsWith('dist/') && p.endsWith('.js'))) {
      expect({ f, source: existsSync(join(ROOT, 'src', f.slice('dist/'.length).replace(/\.js$/, '.ts'))) }).toEqual({ f, source: true });
    }
  });

  it('the notices carry the licence of what the bundle holds (the build fails on a bundled package they miss)', () => {
    const notices = readFileSync(join(ROOT, 'dist', 'THIRD-PARTY-NOTICES.txt'), 'utf8');
    for (const p of [
      '@aws-sdk/client-ec2',
      '@smithy/core',
      'yargs',
      'zod',
      'cli-table3',
      'ipaddr.js',
      'lilconfig',
      'budoux',
      'https-proxy-agent',
    ]) {
      expect(notices).toMatch(new RegExp(`^- ${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}@\\d`, 'm'));
    }
    expect(notices).toContain('Apache License');
    expect(notices).toContain('Permission is hereby granted, free of charge');
  });

  it('builds when packed (prepack), not on every install (no prepare: npm 11 warns on it in a global install)', () => {
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.prepare).toBeUndefined();
    expect(scripts.prepack).toBe('npm run build');
  });

  it('npm publish --dry-run is clean: no warning but that nobody is logged in to the registry', () => {
    const r = spawnSync(npm, ['publish', '--dry-run', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    const warnings = `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => /^npm (warn|error)/i.test(l) && !/logged in/.test(l));
    expect(warnings).toEqual([]);
  });

  it('states the Node versions it runs on, and the bin is an executable script', () => {
    expect(pkg.engines.node).toBe('>=20');
    expect(readFileSync(join(ROOT, 'dist', 'cli.js'), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it('publishes the report schema with a versioned $id, the same that schemaVersion names', () => {
    const schema = JSON.parse(readFileSync(join(ROOT, 'schema', 'report.schema.json'), 'utf8')) as {
      $id: string;
      properties: { schemaVersion: { const: number } };
    };
    expect(schema.$id).toMatch(/^urn:ssm-doctor:schema:report:\d+$/);
    expect(schema.$id.endsWith(`:${schema.properties.schemaVersion.const}`)).toBe(true);
  });
});

describe('installed from the tarball into a clean prefix', () => {
  const prefix = join(work, 'prefix');
  let bin: string;

  beforeAll(() => {
    const tarball = join(work, pack(false).filename.replace(/^.*\//, ''));
    expect(existsSync(tarball)).toBe(true);
    const install = (offline: boolean) =>
      spawnSync(
        npm,
        ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--ignore-scripts', ...(offline ? ['--offline'] : []), tarball],
        {
          encoding: 'utf8',
          timeout: 180_000,
        },
      );
    // Offline from the cache first; a machine whose cache lacks a dependency goes to the registry.
    let r = install(true);
    if (r.status !== 0) r = install(false);
    expect({ status: r.status, stderr: r.status === 0 ? '' : r.stderr }).toEqual({ status: 0, stderr: '' });
    bin = join(prefix, 'node_modules', '.bin', process.platform === 'win32' ? 'ssm-doctor.cmd' : 'ssm-doctor');
  });

  const run = (args: string[]) =>
    spawnSync(bin, args, {
      encoding: 'utf8',
      cwd: work,
      env: { PATH: process.env.PATH ?? '', HOME: work, LANG: 'C.UTF-8' },
      timeout: 60_000,
    });

  it('--version prints the package version', () => {
    const r = run(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('--demo diagnoses the bundled demo (exit 2, CRITICAL), in every output', () => {
    const table = run(['--demo']);
    expect(table.status).toBe(2);
    expect(table.stdout).toMatch(/CRITICAL/);
    const json = run(['--demo', '-o', 'json']);
    expect(json.status).toBe(2);
    expect(JSON.parse(json.stdout).status).toBe('critical');
    const junit = run(['--demo', '-o', 'junit']);
    expect(junit.status).toBe(2);
    expect(junit.stdout).toMatch(/^<\?xml /);
  });

  it('ships the schemas next to the code', () => {
    const dir = join(prefix, 'node_modules', 'ssm-doctor', 'schema');
    expect(readdirSync(dir).sort()).toEqual(['facts.schema.json', 'report.schema.json']);
  });
});
