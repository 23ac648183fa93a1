import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { z } from 'zod';
import { loadFactsFrom } from '../../src/facts/file';
import type { Facts } from '../../src/facts/schema';
import { mergePatch, type Json } from './merge-patch';

/** The repository's top-level folders this helper reads. */
export const ROOT = join(__dirname, '..', '..');
export const FIXTURES = join(ROOT, 'fixtures');
export const BASES = join(FIXTURES, 'bases');

const status = z.enum(['pass', 'fail', 'warn', 'skip', 'unknown']);

/**
 * A fixture (markdownlint's idea): what the scenario is, the facts file it starts from, a JSON
 * Merge Patch over it (RFC 7396), and the status every check must give each instance.
 */
export const fixtureSchema = z
  .object({
    description: z.string().min(1),
    base: z.string().min(1).describe('a file of fixtures/bases without .facts.json, or a path from the repository root'),
    patch: z.record(z.string(), z.unknown()),
    expect: z.record(z.string(), z.record(z.string(), status)),
  })
  .strict();
export type Fixture = z.infer<typeof fixtureSchema>;

/** Every fixture file: the JSON files directly in fixtures/ (the bases are in a folder of their own). */
export function fixtureFiles(): string[] {
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => join(FIXTURES, f));
}

export function readFixture(file: string): Fixture {
  return fixtureSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

/** `healthy-private` is fixtures/bases/healthy-private.facts.json; `examples/x.facts.json` is that file. */
export function basePath(base: string): string {
  return base.includes('/') ? join(ROOT, base) : join(BASES, `${base}.facts.json`);
}

/** The base facts file as JSON, untouched. */
export function readBase(base: string): Json {
  return JSON.parse(readFileSync(basePath(base), 'utf8')) as Json;
}

/** The patched facts, read by the production loader, so a fixture is held to the facts schema. */
export function fixtureFacts(file: string, fixture: Fixture = readFixture(file)): Promise<Facts> {
  const patched = mergePatch(readBase(fixture.base), fixture.patch as Json);
  return loadFactsFrom(Readable.from([JSON.stringify(patched)]), basename(file));
}
