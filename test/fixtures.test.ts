import { readdirSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { evaluateInstance } from '../src/engine';
import { loadFacts, loadFactsFrom } from '../src/facts/file';
import type { Facts } from '../src/facts/schema';
import { BASES, ROOT, basePath, fixtureFacts, fixtureFiles, readBase, readFixture } from './helpers/fixtures';

// markdownlint's idea: each file in fixtures/ is a scenario that carries the statuses it must
// produce, as a patch over a named base, so a new scenario is a new file, not new test code.

describe.each(fixtureFiles().map((f) => [basename(f), f]))('fixtures/%s', (_name, file) => {
  const fixture = readFixture(file);
  let facts: Facts;

  beforeAll(async () => {
    facts = await fixtureFacts(file, fixture);
  });

  it('declares expectations for every instance it holds, and only those', () => {
    expect(Object.keys(fixture.expect).sort()).toEqual(Object.keys(facts.instances).sort());
  });

  it.each(Object.keys(fixture.expect))('%s has the expected statuses', (id) => {
    const got = Object.fromEntries(evaluateInstance(facts, id).map((r) => [r.id, r.status]));
    expect(got).toEqual(fixture.expect[id]);
  });
});

const bases = [...new Set(fixtureFiles().map((f) => readFixture(f).base))];

describe.each(bases.map((b) => [relative(ROOT, basePath(b)), b]))('base %s', (_path, base) => {
  it('is a plain facts file: valid for the production loader, no expectations in it', () => {
    expect(() => loadFacts(basePath(base))).not.toThrow();
    expect(Object.keys(readBase(base) as object)).not.toContain('expect');
  });
});

test('every file in fixtures/bases is the base of some fixture', () => {
  const used = new Set(bases.map(basePath));
  expect(
    readdirSync(BASES)
      .map((f) => join(BASES, f))
      .filter((f) => !used.has(f)),
  ).toEqual([]);
});

describe('a facts file from before fixtures/', () => {
  const old = (extra: object) => JSON.stringify({ ...(readBase('healthy-private') as object), ...extra });
  const load = (text: string) => loadFactsFrom(Readable.from([text]), 'old.facts.json');

  it('still loads with its `expect` statuses, which a diagnosis never read', async () => {
    const facts = await load(old({ expect: { 'i-0123456789abcdef0': { 'instance-state': 'pass' } } }));
    expect(Object.keys(facts)).not.toContain('expect');
  });

  it('is refused for any other unknown key, as before', async () => {
    await expect(load(old({ expected: {} }))).rejects.toThrow(
      'old.facts.json is not a valid facts file: (top level): Unrecognized key: "expected"',
    );
  });
});
