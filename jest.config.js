/**
 * Two tiers. `fast` (npm test): unit, checks, collectors against mocked SDK clients, the CLI as a
 * process where no emulator or fake AWS is needed, and the fuzz suites with a hundred runs each.
 * `slow` (npm run test:e2e): moto end to end, the fault suite against a fake AWS, the packed
 * tarball, the benchmark's fake account, and the fuzz suites again with a thousand runs each.
 * `npx jest <file>` runs a file in whichever tier holds it (a fuzz file in both).
 */
const SLOW = ['e2e/**', 'faults/**', 'package/**', 'bench-fake.test.ts'];

const common = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
};

/** @type {import('jest').Config} */
module.exports = {
  // The end-to-end suites start their own moto_server; two workers keep a 2-core machine responsive.
  maxWorkers: 2,
  projects: [
    { ...common, displayName: 'fast', testMatch: ['**/*.test.ts', ...SLOW.map((p) => `!**/test/${p}`)] },
    {
      ...common,
      displayName: 'slow',
      testMatch: [...SLOW, 'fuzz/**'].map((p) => `**/test/${p}`.replace(/\*\*$/, '**/*.test.ts')),
      setupFiles: ['<rootDir>/test/fuzz/full-runs.ts'],
    },
  ],
};
