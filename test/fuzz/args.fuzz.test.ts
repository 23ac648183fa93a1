import fc from 'fast-check';
import { INSTANCE_ID, OUTPUTS, REGION, parseArgs, parseDuration, type Parsed } from '../../src/args';
import { RUNS } from './runs';

// The command-line parser over generated command lines (see ./runs): it never throws, never
// prints, and answers run, print or usage; whatever it accepts is valid, and every well-formed
// instance id is accepted.

/** What any answer must look like. */
function expectWellFormed(p: Parsed): void {
  expect(['run', 'print', 'usage']).toContain(p.kind);
  if (p.kind === 'usage') {
    expect(typeof p.error).toBe('string');
    expect(p.error.length).toBeGreaterThan(0);
  }
  if (p.kind === 'print') expect(typeof p.text).toBe('string');
  if (p.kind === 'run') {
    const o = p.options;
    for (const id of o.instanceIds) expect(id).toMatch(INSTANCE_ID);
    expect(new Set(o.instanceIds).size).toBe(o.instanceIds.length);
    expect(OUTPUTS).toContain(o.output);
    expect(['en', 'ja']).toContain(o.lang);
    expect(o.timeoutMs).toBeGreaterThanOrEqual(1000);
    expect(o.timeoutMs).toBeLessThanOrEqual(3_600_000);
    for (const v of [o.region, o.profile, o.facts, o.saveFacts]) {
      if (v !== undefined) {
        expect(typeof v).toBe('string');
        expect(v).not.toBe('');
        expect(v).not.toMatch(/[\u0000-\u001f\u007f]/);
      }
    }
    for (const r of o.regions) expect(r).toMatch(REGION);
    for (const f of o.filters) {
      expect(f.Name).not.toBe('');
      expect(f.Values.length).toBeGreaterThan(0);
    }
    expect(o.instanceIds.length > 0 || o.all || o.filters.length > 0 || o.demo || o.facts !== undefined).toBe(true);
  }
}

const hex = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), minLength: n, maxLength: n });
const validId = fc.oneof(hex(8), hex(17)).chain((h) => fc.constantFrom('i-', 'I-').map((p) => p + h));

/** Tokens a user (or a script gone wrong) might type, including near misses and hostile values. */
const token = fc.oneof(
  validId,
  fc.constantFrom(
    '--region',
    '--profile',
    '--output',
    '-o',
    '--lang',
    '--facts',
    '--save-facts',
    '--demo',
    '--stats',
    '--debug',
    '--timeout',
    '--iam-policy',
    '--no-demo',
    '--all',
    '--filter',
    '--regions',
    '--wait',
    '--verbose',
    '-v',
    'tag:Team=web',
    'vpc-id=vpc-1,vpc-2',
    'Name=tag:A,Values=b',
    '=x',
    'a=',
    'ap-northeast-1,us-east-1',
    'a,,b',
    '10m',
    '--output=json',
    '-o=junit',
    '--lang=ja',
    '--timeout=2m',
    '--region=',
    'json',
    'table',
    'junit',
    'xml',
    'ja',
    'en',
    'ap-northeast-1',
    'us-gov-west-1',
    '30s',
    '2m',
    '0',
    '-1',
    '1e9',
    'NaN',
    '--',
    '-',
    '',
    ' ',
    'i-',
    'i-123',
    'i-0123456789abcdef',
    'i-0123456789abcdef00',
    '--help',
    '--version',
    '-h',
    '__proto__',
    'constructor',
    '--__proto__',
    '--constructor.prototype',
    '$(reboot)',
    '; rm -rf /',
    '../../etc/passwd',
  ),
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme' }),
);

const locale = fc.oneof(
  fc.constantFrom('', 'C', 'POSIX', 'C.UTF-8', 'ja_JP.UTF-8', 'ja_JP.eucJP', 'ja_JP.SJIS', 'ja', 'en_US.UTF-8', 'jaXX', '\u0000'),
  fc.string(),
);
const envOf = fc.record({ LANG: locale, LC_ALL: locale, LC_MESSAGES: locale }, { requiredKeys: [] });

describe('parseArgs', () => {
  it('never throws on arbitrary strings, and whatever it accepts is valid', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.string({ unit: 'binary' })), { maxLength: 8 }), envOf, (argv, env) => {
        expectWellFormed(parseArgs(argv, env));
      }),
      { numRuns: RUNS },
    );
  });

  it('never throws on command lines made of options, values and near misses', () => {
    fc.assert(
      fc.property(fc.array(token, { maxLength: 10 }), envOf, (argv, env) => {
        expectWellFormed(parseArgs(argv, env));
      }),
      { numRuns: RUNS },
    );
  });

  it('accepts every well-formed instance id, in any case, with any valid options', () => {
    const options = fc.record(
      {
        region: fc.constantFrom('ap-northeast-1', 'us-east-1', 'eu-central-2', 'us-gov-west-1', 'cn-north-1', 'il-central-1'),
        output: fc.constantFrom(...OUTPUTS),
        lang: fc.constantFrom('en', 'ja'),
        timeout: fc.constantFrom('1s', '30s', '60', '2m', '1.5m', '60m', '90000ms'),
        profile: fc.stringMatching(/^[A-Za-z0-9_.@+-]{1,20}$/),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.array(validId, { minLength: 1, maxLength: 6 }), options, envOf, (ids, opts, env) => {
        // A value that starts with '-' must be glued to its option, as with any CLI.
        const argv = [...ids, ...Object.entries(opts).flatMap(([k, v]) => (v.startsWith('-') ? [`--${k}=${v}`] : [`--${k}`, v]))];
        const p = parseArgs(argv, env);
        expect(p).toMatchObject({ kind: 'run' });
        if (p.kind !== 'run') return;
        expect(p.options.instanceIds).toEqual([...new Set(ids.map((i) => i.toLowerCase()))]);
        if (opts.region) expect(p.options.region).toBe(opts.region);
        if (opts.output) expect(p.options.output).toBe(opts.output);
        if (opts.timeout) expect(p.options.timeoutMs).toBe(parseDuration(opts.timeout));
        else expect(p.options.timeoutMs).toBe(60_000);
      }),
      { numRuns: RUNS },
    );
  });

  it('rejects every id that is not i- and 8 or 17 hex digits', () => {
    const notAnId = fc.string().filter((s) => !INSTANCE_ID.test(s.toLowerCase()) && !s.startsWith('-') && s !== '');
    fc.assert(
      fc.property(validId, notAnId, (good, bad) => {
        const p = parseArgs([good, bad], {});
        expect(p.kind).toBe('usage');
      }),
      { numRuns: RUNS },
    );
  });
});

describe('parseDuration', () => {
  it('reads seconds, minutes and milliseconds, and nothing else', () => {
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('1.5m')).toBe(90_000);
    expect(parseDuration('45')).toBe(45_000);
    expect(parseDuration('1500ms')).toBe(1500);
    expect(parseDuration(' 10 s ')).toBe(10_000);
    for (const bad of ['', 's', '1h', '-1s', '1e3', 'Infinity', 'NaN', '0x10', '1,5m', '１０s']) expect(parseDuration(bad)).toBeUndefined();
    fc.assert(
      fc.property(fc.string(), (s) => {
        const ms = parseDuration(s);
        if (ms !== undefined) expect(Number.isFinite(ms) && ms >= 0).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });
});
