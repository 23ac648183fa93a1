import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { leastPrivilegePolicy } from '../src/collect/sdk/allowlist';
import { reportSchema } from '../src/report/schema';

const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
const jsonBlocks = [...readme.matchAll(/```json\n([\s\S]*?)\n```/g)].map((m) => JSON.parse(m[1]));

test('the README opens with the two commands: the demo and the tests', () => {
  const first = readme.match(/```sh\n([\s\S]*?)```/)![1];
  expect(first).toMatch(/^npm ci && npm run demo\b/m);
  expect(first).toMatch(/^npm ci && npm test\b/m);
});

test('.ci/run runs the README test command', () => {
  const ci = readFileSync(join(__dirname, '..', '.ci', 'run'), 'utf8');
  expect(ci).toMatch(/^npm ci$/m);
  expect(ci).toMatch(/^npm test$/m);
});

test('the IAM policy in the README is the one generated from the allowlist', () => {
  expect(jsonBlocks).toContainEqual(leastPrivilegePolicy());
});

test('the JSON sample in the README is a valid report', () => {
  const samples = jsonBlocks.filter((b) => b.schemaVersion === 1);
  expect(samples).toHaveLength(1);
  expect(() => reportSchema.parse(samples[0])).not.toThrow();
});
