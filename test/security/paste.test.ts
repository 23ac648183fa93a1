import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { diagnoseFacts } from '../../src/diagnose';
import { loadFacts } from '../../src/facts/file';
import type { Facts } from '../../src/facts/schema';
import { buildReport } from '../../src/report/build';
import { ROOT, fixtureFacts, fixtureFiles } from '../helpers/fixtures';

// Every command a fix prints is pasted into bash by someone. Here each one runs in bash, with an
// `aws` that does nothing, over worlds whose ids, names and region carry shell code: if any word
// of any command were not quoted, the code would run and leave the sentinel file behind.

const dir = mkdtempSync(join(tmpdir(), 'ssm-doctor-paste-'));
const SENTINEL = join(dir, 'pwned');
const bin = join(dir, 'bin');

beforeAll(() => {
  execFileSync('mkdir', ['-p', bin]);
  // Prints an id, so that `SG_ID=$(aws …)` and `"$(aws …)"` have something to go on with.
  writeFileSync(join(bin, 'aws'), '#!/bin/sh\necho sg-0123456789abcdef0\n');
  chmodSync(join(bin, 'aws'), 0o755);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PAYLOADS = [
  `$(touch ${SENTINEL})`,
  `\`touch ${SENTINEL}\``,
  `;touch ${SENTINEL};`,
  `'$(touch ${SENTINEL})'`,
  `"$(touch ${SENTINEL})"`,
  `\ntouch ${SENTINEL}\n`,
  ` && touch ${SENTINEL} #`,
  `|touch ${SENTINEL}`,
];

/** Ids, ARNs, names and the region: the strings a command is built from. */
const WORDY = /^(i|vpc|subnet|sg|rtb|acl|vpce|nat|igw|pl|eni|tgw|pcx)-|^arn:|^[a-z]{2}-[a-z]+-\d$|^[A-Za-z][\w+=,.@-]*$/;

/** The maps keyed by id or name (their keys are poisoned with the values, so lookups still match). */
const BY_ID = new Set([
  'instances',
  'vpcs',
  'instanceProfiles',
  'roles',
  'prefixLists',
  'connections',
  'consoleOutput',
  'managedPolicyDocuments',
]);
/** Values that are enumerations, not names: left alone so the world keeps its meaning. */
const ENUMS = new Set([
  'state',
  'pingStatus',
  'type',
  'connectivityType',
  'protocol',
  'action',
  'call',
  'code',
  'decision',
  'Version',
  'Effect',
]);

/** The same world with every such string, wherever it is (values and map keys alike), followed by `payload`. */
function poisoned(facts: Facts, payload: string): Facts {
  const word = (s: string) => (WORDY.test(s) ? s + payload : s);
  const walk = (v: unknown, path: string[]): unknown => {
    const key = path.at(-1) ?? '';
    if (typeof v === 'string') return ENUMS.has(key) ? v : word(v);
    if (Array.isArray(v)) return v.map((x) => walk(x, [...path, '[]']));
    if (v && typeof v === 'object') {
      const keyed = BY_ID.has(key) || (key === 'value' && path.at(-2) === 'managedInstances');
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [keyed ? word(k) : k, walk(x, [...path, k])]));
    }
    return v;
  };
  return walk(facts, []) as Facts;
}

function commandsOf(facts: Facts): string[] {
  const report = buildReport(diagnoseFacts(facts, Object.keys(facts.instances)), 'en');
  return [...new Set(report.instances.flatMap((i) => i.plan?.commands ?? []))];
}

function paste(command: string): void {
  spawnSync('bash', ['-c', command], { cwd: dir, env: { PATH: `${bin}:/usr/bin:/bin`, HOME: dir }, stdio: 'ignore', timeout: 10_000 });
}

const worlds: [string, () => Promise<Facts>][] = [
  ['the demo', async () => loadFacts(join(ROOT, 'examples', 'guide-start.facts.json'))],
  ...fixtureFiles().map((f): [string, () => Promise<Facts>] => [basename(f), () => fixtureFacts(f)]),
];

test('the harness catches an unquoted word (so a pass below means something)', () => {
  paste(`echo x${PAYLOADS[0]}`);
  expect(existsSync(SENTINEL)).toBe(true);
  rmSync(SENTINEL);
});

describe.each(worlds)('%s with shell code in every id, name and the region', (_name, read) => {
  it.each(PAYLOADS.map((p) => [JSON.stringify(p), p]))('%s: no command runs it', async (_label, payload) => {
    const commands = commandsOf(poisoned(await read(), payload!));
    for (const c of commands) paste(c);
    expect(existsSync(SENTINEL)).toBe(false);
    // The world still produced fixes with the payload in them: the test pasted something that mattered.
    if (commands.length) expect(commands.some((c) => c.includes('touch'))).toBe(true);
  });
});

test('the worlds above print commands at all', async () => {
  const counts = await Promise.all(worlds.map(async ([, read]) => commandsOf(poisoned(await read(), PAYLOADS[0]!)).length));
  expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThan(20);
});
