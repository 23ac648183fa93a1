/**
 * The allowed import directions of src/: collect → facts → evaluate → report, run by src/diagnose.ts.
 * `npm run lint` runs this; a wrong arrow fails the build.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A cycle hides which part runs first.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'collect-only-reads',
      comment: 'Collectors read AWS into facts: they never evaluate checks, build reports or orchestrate.',
      severity: 'error',
      from: { path: '^src/collect/' },
      to: { path: '^src/(engine|checks|report|diagnose|wait|cli|app)' },
    },
    {
      name: 'checks-are-pure',
      comment: 'Checks are pure functions over facts: no AWS calls, no rendering, no orchestration.',
      severity: 'error',
      from: { path: '^src/checks/' },
      to: { path: '^src/(collect|report|engine|diagnose|wait|cli|app)' },
    },
    {
      name: 'aws-knowledge-stands-alone',
      comment: 'src/aws is what AWS is (partitions, ARNs, actions, policies, names); it depends on nothing of ours.',
      severity: 'error',
      from: { path: '^src/aws/' },
      to: { path: '^src/(?!aws/)' },
    },
    {
      name: 'facts-are-data',
      comment: 'The facts schema and files know nothing of how they are read or judged.',
      severity: 'error',
      from: { path: '^src/facts/' },
      to: { path: '^src/(collect|checks|engine|report|diagnose|wait|cli|app)' },
    },
    {
      name: 'renderers-get-the-diagnosis',
      comment:
        'Renderers get finished results (ESLint formatters): they never evaluate, read AWS or orchestrate; the result types are all they take from checks.',
      severity: 'error',
      from: { path: '^src/report/' },
      to: { path: '^src/(engine|collect|diagnose|wait|cli|app)|^src/checks/(?!types\\.ts$)' },
    },
    {
      name: 'engine-only-evaluates',
      comment: 'The engine runs checks over facts; reading and rendering are the orchestrator’s and the renderers’.',
      severity: 'error',
      from: { path: '^src/engine\\.ts$' },
      to: { path: '^src/(collect|report|diagnose|wait|cli|app)' },
    },
    {
      name: 'zod-only-for-files',
      comment: 'The schemas load zod (about 50 ms): a diagnosis takes only their types; facts files and the schema tool take the values.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(facts/file|facts/schema|report/schema|tools/.*)\\.ts$' },
      to: { path: '^src/(facts|report)/schema\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'src-stands-alone',
      comment: 'Shipped code never imports tests, fixtures or the benchmark.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|fixtures|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.build.json' },
  },
};
