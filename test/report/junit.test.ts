import fc from 'fast-check';
import { diagnoseFacts } from '../../src/diagnose';
import type { Facts } from '../../src/facts/schema';
import { buildReport as build } from '../../src/report/build';

const buildReport = (facts: Facts, ids: readonly string[], lang: 'en' | 'ja') => build(diagnoseFacts(facts, ids), lang);
import { renderJunit } from '../../src/report/junit';
import type { CheckReport, Report } from '../../src/report/schema';
import { factsWith, IDS } from '../helpers/facts';
import { childrenNamed, parseXml, textOf, XmlError, type XmlElement } from './xml';
import { at, first } from '../helpers/only';

function check(status: CheckReport['status'], extra: Partial<CheckReport> = {}): CheckReport {
  return { id: `check-${status}`, title: `Title of ${status}`, status, severity: 'critical', message: `message of ${status}`, ...extra };
}

function reportOf(checks: CheckReport[], instanceId: string = IDS.instance): Report {
  return {
    schemaVersion: 1,
    tool: { name: 'ssm-doctor', version: '1.2.3' },
    region: IDS.region,
    status: 'critical',
    instances: [{ instanceId, status: 'critical', checks }],
  };
}

const cases = (root: XmlElement) => childrenNamed(root, 'testsuite').flatMap((s) => childrenNamed(s, 'testcase'));

describe('the XML checker used below', () => {
  it.each([
    ['<a>', /expected/],
    ['<a></b>', /not <\/b>/],
    ['<a x="1" x="2"/>', /twice/],
    ['<a>&nbsp;</a>', /bad reference/],
    ['<a>&#1;</a>', /bad reference/],
    ['<a>\u0001</a>', /does not allow/],
    ['<a>x & y</a>', /bare &/],
    ['<a/><b/>', /after the root/],
  ])('rejects %j', (xml, why) => {
    expect(() => parseXml(xml)).toThrow(XmlError);
    expect(() => parseXml(xml)).toThrow(why);
  });
});

describe('renderJunit', () => {
  it('one test case per check, classname = instance id, name = check id, with the counts on suite and suites', () => {
    const fix = { steps: ['Step one', 'Step two'], commands: ['aws ec2 create-vpc-endpoint --vpc-id vpc-1 --region ap-northeast-1'] };
    const xml = renderJunit(
      reportOf([
        check('pass'),
        check('fail', { fix }),
        check('warn', { severity: 'warning', fix }),
        check('skip'),
        check('unknown', { message: 'iam:GetRole was denied (AccessDenied): grant the tool iam:GetRole to evaluate this check' }),
      ]),
    );
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true);
    const root = parseXml(xml);
    expect(root.name).toBe('testsuites');
    expect(root.attrs).toMatchObject({ name: 'ssm-doctor', tests: '5', failures: '1', errors: '1', skipped: '1' });
    const suite = first(childrenNamed(root, 'testsuite'));
    expect(suite.attrs).toMatchObject({ name: IDS.instance, tests: '5', failures: '1', errors: '1', skipped: '1' });
    const props = childrenNamed(first(childrenNamed(suite, 'properties')), 'property').map((p) => [p.attrs.name, p.attrs.value]);
    expect(props).toEqual([
      ['ssm-doctor.version', '1.2.3'],
      ['ssm-doctor.region', IDS.region],
      ['ssm-doctor.status', 'critical'],
    ]);

    const byName = Object.fromEntries(cases(root).map((c) => [c.attrs.name, c]));
    for (const c of cases(root)) expect(c.attrs.classname).toBe(IDS.instance);
    expect(byName['check-pass'].children).toEqual([]);

    const failure = first(childrenNamed(byName['check-fail'], 'failure'));
    expect(failure.attrs).toEqual({ message: 'message of fail', type: 'critical' });
    expect(textOf(failure)).toBe(
      'Title of fail: message of fail\n\n1. Step one\n2. Step two\n\naws ec2 create-vpc-endpoint --vpc-id vpc-1 --region ap-northeast-1',
    );

    // A warning does not fail the test: it is output and a property.
    const warn = byName['check-warn'];
    expect(childrenNamed(warn, 'failure')).toEqual([]);
    expect(childrenNamed(warn, 'error')).toEqual([]);
    expect(textOf(first(childrenNamed(warn, 'system-out')))).toMatch(/^WARNING: Title of warn: message of warn\n\n1\. Step one/);
    expect(childrenNamed(first(childrenNamed(warn, 'properties')), 'property')[0]?.attrs).toEqual({
      name: 'ssm-doctor.status',
      value: 'warn',
    });

    expect(childrenNamed(byName['check-skip'], 'skipped')[0]?.attrs).toEqual({ message: 'message of skip' });
    const error = first(childrenNamed(byName['check-unknown'], 'error'));
    expect(error.attrs).toEqual({
      type: 'unknown',
      message: 'iam:GetRole was denied (AccessDenied): grant the tool iam:GetRole to evaluate this check',
    });
  });

  it('escapes what XML cannot hold and keeps line breaks in attributes as references', () => {
    const hostile = 'a <b> & "c" \'d\' ]]> \u0000\u0007\u001b[31m\ud800 tab\tnew\nline 日本語 🙂';
    const xml = renderJunit(reportOf([check('fail', { message: hostile, fix: { steps: [hostile], commands: [] } })]));
    const root = parseXml(xml);
    const failure = first(childrenNamed(first(cases(root)), 'failure'));
    const expected = 'a <b> & "c" \'d\' ]]> \ufffd\ufffd\ufffd[31m\ufffd tab\tnew\nline 日本語 🙂';
    expect(failure.attrs.message).toBe(expected);
    expect(textOf(failure)).toContain(expected);
  });

  it('valid XML for any message, title, fix and id (generated)', () => {
    const anyText = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }));
    const anyCheck = fc.record({
      id: anyText,
      title: anyText,
      status: fc.constantFrom('pass', 'fail', 'warn', 'skip', 'unknown' as const),
      severity: fc.constantFrom('critical', 'warning' as const),
      message: anyText,
      fix: fc.option(fc.record({ steps: fc.array(anyText, { maxLength: 3 }), commands: fc.array(anyText, { maxLength: 3 }) }), {
        nil: undefined,
      }),
    });
    fc.assert(
      fc.property(fc.array(anyCheck, { maxLength: 6 }), anyText, (checks, instanceId) => {
        const root = parseXml(renderJunit(reportOf(checks as CheckReport[], instanceId)));
        expect(cases(root)).toHaveLength(checks.length);
      }),
      { numRuns: 1000 },
    );
  });

  it('a real report of two instances: a suite each, every check once', () => {
    const facts = factsWith((f) => {
      f.instances['i-0fedcba9876543210'] = f.instances[IDS.instance]!;
      const i = f.instances['i-0fedcba9876543210']!;
      if (i.known && i.value) i.value = { ...i.value, instanceId: 'i-0fedcba9876543210', instanceProfileArn: null };
    });
    const report = buildReport(facts, [IDS.instance, 'i-0fedcba9876543210'], 'ja');
    const root = parseXml(renderJunit(report));
    const suites = childrenNamed(root, 'testsuite');
    expect(suites.map((s) => s.attrs.name)).toEqual([IDS.instance, 'i-0fedcba9876543210']);
    suites.forEach((s, n) => {
      expect(childrenNamed(s, 'testcase').map((c) => c.attrs.name)).toEqual(at(report.instances, n).checks.map((c) => c.id));
    });
    const failed = childrenNamed(at(suites, 1), 'testcase').find((c) => c.attrs.name === 'iam-instance-profile')!;
    expect(textOf(first(childrenNamed(failed, 'failure')))).toMatch(/aws ec2 associate-iam-instance-profile .*i-0fedcba9876543210/);
    expect(Number(root.attrs.tests)).toBe(report.instances.reduce((n, i) => n + i.checks.length, 0));
  });
});

describe('what the Ant schema and CI views need', () => {
  it('every testsuite has time and timestamp (ISO 8601 in UTC, no zone), from the run', () => {
    const xml = renderJunit(reportOf([check('pass')]), { startedAt: new Date('2026-12-03T10:00:00.000Z'), seconds: 1.2345 });
    const root = parseXml(xml);
    expect(root.attrs.time).toBe('1.234');
    for (const s of childrenNamed(root, 'testsuite')) expect([s.attrs.time, s.attrs.timestamp]).toEqual(['1.234', '2026-12-03T10:00:00']);
  });

  it('an empty selection is one error with its reason, not a bare empty pass', () => {
    const empty: Report = { ...reportOf([]), instances: [], status: 'unknown' };
    const root = parseXml(renderJunit(empty));
    expect(root.attrs).toMatchObject({ tests: '1', errors: '1' });
    const [only] = cases(root);
    expect(only?.attrs.name).toBe('selection');
    expect(childrenNamed(only!, 'error')[0]?.attrs.message).toBe('no instance selected: nothing was diagnosed (exit 3)');
  });

  it('an account that could not be read is an error of its own, beside the instances', () => {
    const r: Report = { ...reportOf([check('pass')]), unread: [{ account: '111122223333', reason: 'cannot assume the role' }] };
    const root = parseXml(renderJunit(r));
    expect(root.attrs).toMatchObject({ tests: '2', errors: '1' });
    expect(cases(root).map((c) => c.attrs.name)).toEqual(['unread 111122223333', 'check-pass']);
  });
});
