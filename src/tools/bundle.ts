import { build, type Metafile } from 'esbuild';
import { getProjectLicenses } from 'generate-license-file';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Run by `npm run build`, after tsc: bundles src/app.ts (everything a run loads past --version and
 * --help: yargs, zod, the AWS SDK, the checks, the renderers) into dist/app.js and src/cli.ts (the
 * small entry that requires it) into dist/cli.js, over tsc's own output, so a run reads two files
 * instead of several hundred. The rest of dist/ is tsc's, for the build's own tools; the package
 * ships only these two, the help text and the notices. The packages' ES module builds are
 * taken, so the SDK commands ssm-doctor never sends are left out. Packages loaded by path at run time
 * (BudouX, the proxy agents) stay outside and stay dependencies.
 *
 * Then writes dist/THIRD-PARTY-NOTICES.txt, the licence texts of the dependencies, which a bundle
 * must carry, and fails if the bundle holds a package the notices do not cover.
 */
const ROOT = resolve(__dirname, '..', '..');
const NOTICES = join(ROOT, 'dist', 'THIRD-PARTY-NOTICES.txt');

/** `@scope/name` or `name`, from a path inside node_modules. */
function packageOf(input: string): string | undefined {
  const at = input.lastIndexOf('node_modules/');
  if (at < 0) return undefined;
  const parts = input.slice(at + 'node_modules/'.length).split('/');
  return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}

/**
 * The AWS SDK clients ssm-doctor imports must reach the bundle tree-shaken: only the commands it
 * sends. A module esbuild initialises lazily (one reached through an `import()`, which the bundle
 * turns into a require) keeps everything it exports, so one `import()` on the way from src/app.ts to
 * the SDK brings in the aggregated client (EC2.js and the like) with every command and schema of
 * the service: 2.4 MB more bundle, about 90 ms more per start. STS is left out of the test: the
 * SDK's own credential providers load it that way, for profiles that assume a role.
 */
function refuseAggregatedClients(metafile: Metafile | undefined): void {
  const clients = Object.keys(
    (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: object }).dependencies,
  ).filter((p) => p.startsWith('@aws-sdk/client-') && p !== '@aws-sdk/client-sts');
  const bundled = Object.entries(Object.values(metafile?.outputs ?? {})[0]?.inputs ?? {}).flatMap(([input, { bytesInOutput }]) => {
    const m = /(?:^|\/)node_modules\/(@aws-sdk\/client-[\w-]+)\/dist-es\/([A-Z]\w*)\.js$/.exec(input);
    return m && bytesInOutput > 0 && clients.includes(m[1]!) && !m[2]!.endsWith('Client') ? [input] : [];
  });
  if (bundled.length)
    throw new Error(`the bundle holds every command of these clients (an import() on the way to the AWS SDK?): ${bundled.join(', ')}`);
}

async function main(): Promise<void> {
  const common = {
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    legalComments: 'none',
    // import() becomes require(): app.js is run as a vm.Script (src/compile-cache.ts), which has no ES module loader.
    supported: { 'dynamic-import': false },
    mainFields: ['module', 'main'] as string[],
    metafile: true,
    logLevel: 'warning',
  } as const;
  // The entry: --version and --help, and the last-resort error handler; app.js is required only for a run.
  const entry = await build({ ...common, entryPoints: ['src/cli.ts'], outfile: 'dist/cli.js', external: ['./app.js'] });
  // Whitespace and syntax minified (names kept, for stack traces and error names): 3.8 MB instead of
  // 5.3 MB to read and hand to V8 at every start, about 18 ms of a one-instance run.
  const app = await build({ ...common, entryPoints: ['src/app.ts'], outfile: 'dist/app.js', minifyWhitespace: true, minifySyntax: true });
  refuseAggregatedClients(app.metafile);
  const inputs = [entry, app].flatMap((r) => Object.keys(r.metafile?.inputs ?? {}));
  const bundled = new Set(inputs.flatMap((i) => packageOf(i) ?? []));

  const licenses = await getProjectLicenses(join(ROOT, 'package.json'));
  const covered = new Set(licenses.flatMap((l) => l.dependencies.map((d) => d.replace(/@[^@]*$/, ''))));
  const missing = [...bundled].filter((p) => !covered.has(p)).sort();
  if (missing.length) throw new Error(`bundled without a licence notice (not a production dependency?): ${missing.join(', ')}`);

  const sections = [...licenses]
    .map((l) => ({ names: [...l.dependencies].sort(), text: l.content.trim(), notices: l.notices ?? [] }))
    .sort((a, b) => (a.names[0] ?? '').localeCompare(b.names[0] ?? ''));
  const text = [
    'ssm-doctor bundles the following packages (dist/app.js) or loads them at run time.',
    'Their licences and notices follow, one section per licence text.',
    '',
    ...sections.map((s) =>
      [`-----`, '', ...s.names.map((n) => `- ${n}`), '', s.text, ...s.notices.map((n) => `\n${n.trim()}`), ''].join('\n'),
    ),
  ].join('\n');
  writeFileSync(NOTICES, text.replace(/\n*$/, '\n'));
}

main().catch((e: Error) => {
  process.stderr.write(`bundle: ${e.message}\n`);
  process.exitCode = 1;
});
