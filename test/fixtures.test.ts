import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { evaluateInstance } from '../src/engine';
import { loadFacts } from '../src/facts/file';

// markdownlint's idea: a fixture is a facts file that carries the statuses it must produce,
// so a new scenario is a new file, not new test code. The bundled demo is one of them.
const files = [
  ...readdirSync(join(__dirname, 'fixtures'))
    .filter((f) => f.endsWith('.facts.json'))
    .map((f) => join(__dirname, 'fixtures', f)),
  join(__dirname, '..', 'examples', 'guide-start.facts.json'),
];

describe.each(files.map((f) => [f.split('/').slice(-2).join('/'), f]))('%s', (_name, file) => {
  const facts = loadFacts(file);
  const expected = facts.expect ?? {};

  it('declares expectations for every instance it holds', () => {
    expect(Object.keys(expected).sort()).toEqual(Object.keys(facts.instances).sort());
  });

  it.each(Object.keys(expected))('%s has the expected statuses', (id) => {
    const got = Object.fromEntries(evaluateInstance(facts, id).map((r) => [r.id, r.status]));
    expect(got).toEqual(expected[id]);
  });
});
