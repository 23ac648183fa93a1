import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { diagnoseFacts } from '../../src/diagnose';
import { buildReport as build } from '../../src/report/build';

const buildReport = (facts: Facts, ids: readonly string[], lang: 'en' | 'ja') => build(diagnoseFacts(facts, ids), lang);
import { FactsFileError, loadFacts } from '../../src/facts/file';
import type { Facts } from '../../src/facts/schema';
import { renderJson } from '../../src/report/json';
import { renderJunit } from '../../src/report/junit';
import { renderTable } from '../../src/report/table';
import { healthyFacts, IDS } from '../helpers/facts';
import { RUNS } from './runs';

// The facts loader over generated files (see ./runs): bytes, JSON of any shape, valid facts with
// one field broken, documents nested deep. It either returns facts or throws FactsFileError (one
// line the CLI prints with exit 3); and facts it accepts can always be diagnosed and rendered.

const dir = mkdtempSync(join(tmpdir(), 'ssm-doctor-fuzz-'));
const file = join(dir, 'facts.json');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Loads `content` as a facts file: the facts, or the FactsFileError; anything else thrown fails the property. */
function load(content: string | Uint8Array): Facts | FactsFileError {
  writeFileSync(file, content);
  try {
    return loadFacts(file);
  } catch (e) {
    if (e instanceof FactsFileError) {
      expect(e.message.length).toBeGreaterThan(0);
      return e;
    }
    throw e;
  }
}

/** What accepted facts must survive: every check on every instance, and the renderers (the table, slower, when asked). */
function diagnoseAll(facts: Facts, table = false): void {
  const ids = Object.keys(facts.instances);
  for (const lang of ['en', 'ja'] as const) {
    const report = buildReport(facts, ids, lang);
    renderJson(report);
    renderJunit(report);
    if (table) renderTable(report, { lang, color: false, width: 100 });
  }
}

/** A JSON path into a value: the keys and indexes that exist in it, chosen by `pick`. */
function paths(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (out.length > 5000) return out;
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...prefix, i], out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out);
  return out;
}

function setAt(root: unknown, path: (string | number)[], replacement: unknown, remove: boolean): unknown {
  if (path.length === 0) return replacement;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key as string | number] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (remove && !Array.isArray(node)) delete node[last];
  else node[last] = replacement;
  return copy;
}

const healthy = healthyFacts();
const healthyPaths = paths(healthy);

describe('loadFacts', () => {
  it('arbitrary bytes: facts or a FactsFileError, nothing else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        load(bytes);
      }),
      { numRuns: RUNS },
    );
  });

  it('arbitrary JSON: facts or a FactsFileError naming where it is wrong', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        const r = load(JSON.stringify(value));
        if (r instanceof FactsFileError) expect(r.message).toMatch(/is not (JSON|a valid facts file: .+: )/);
        else diagnoseAll(r);
      }),
      { numRuns: RUNS },
    );
  });

  it('valid facts with one field replaced, retyped or removed: rejected with its path, or diagnosed without a crash', () => {
    const replacement = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.constantFrom(
        null,
        '',
        0,
        -1,
        1e308,
        true,
        [],
        {},
        'unknown',
        'running',
        'i-0123456789abcdef0',
        '0.0.0.0/0',
        '::/0',
        '*',
        '__proto__',
      ),
      fc.string({ unit: 'binary' }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...healthyPaths), replacement, fc.boolean(), (path, value, remove) => {
        const r = load(JSON.stringify(setAt(healthy, path, value, remove)));
        if (r instanceof FactsFileError) expect(r.message).toMatch(/is not a valid facts file: /);
        else diagnoseAll(r);
      }),
      { numRuns: RUNS * 3 },
    );
  });

  it('the same, rendered as the table too', () => {
    fc.assert(
      fc.property(fc.constantFrom(...healthyPaths), fc.jsonValue({ maxDepth: 2 }), (path, value) => {
        const r = load(JSON.stringify(setAt(healthy, path, value, false)));
        if (!(r instanceof FactsFileError)) diagnoseAll(r, true);
      }),
      { numRuns: 25 },
    );
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'])(
    'a value named %s (an object member): refused where an AWS id must be, and harmless where a name may be',
    (name) => {
      for (const path of [
        ['instances', IDS.instance, 'value', 'vpcId'],
        ['instances', IDS.instance, 'value', 'instanceProfileArn'],
      ]) {
        const r = load(JSON.stringify(setAt(healthy, path, name, false)));
        expect(r).toBeInstanceOf(FactsFileError);
        expect((r as FactsFileError).message).toContain(`: ${path.join('.')}: not a`);
      }
      // An IAM name may be `constructor`: the maps keyed by name have no prototype, so it finds nothing.
      const r = load(JSON.stringify(setAt(healthy, ['instanceProfiles', IDS.profileArn, 'value', 'roles', 0, 'roleName'], name, false)));
      expect(r).not.toBeInstanceOf(FactsFileError);
      diagnoseAll(r as Facts);
      expect(() => buildReport(load(JSON.stringify(healthy)) as Facts, [name], 'en')).not.toThrow();
    },
  );

  it('documents nested 100,000 deep where facts hold free-form JSON (policies): no stack overflow', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const marker = '"@@DEEP@@"';
    const f = structuredClone(healthy) as Facts;
    const role = Object.values(f.roles)[0]!;
    if (role.role?.known)
      role.role.value.trustPolicy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '@@DEEP@@', Action: '@@DEEP@@' }] };
    role.inlinePolicies = {
      known: true,
      value: [{ policyName: 'deep', document: { Statement: [{ Effect: 'Allow', Action: '@@DEEP@@', Resource: '@@DEEP@@' }] } }],
    };
    role.simulation = { known: false, call: 'iam:SimulatePrincipalPolicy', code: 'AccessDenied', message: 'denied' };
    const text = JSON.stringify(f).split(marker).join(deep);
    const r = load(text);
    if (!(r instanceof FactsFileError)) diagnoseAll(r);
    // And at the top level, where the schema wants an object.
    expect(load(deep)).toBeInstanceOf(FactsFileError);
    expect(load(`{"factsVersion":1,"region":"ap-northeast-1","instances":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}`)).toBeInstanceOf(
      FactsFileError,
    );
  });

  it('an empty file, a BOM, a huge string and a NUL byte are each one clear error', () => {
    expect(load('')).toBeInstanceOf(FactsFileError);
    expect(load('\uFEFF{}')).toBeInstanceOf(FactsFileError);
    expect(load('\u0000')).toBeInstanceOf(FactsFileError);
    expect(load(`"${'x'.repeat(5_000_000)}"`)).toBeInstanceOf(FactsFileError);
  });
});
