import type { Evaluation } from '../../src/checks/types';
import { buildReport } from '../../src/report/build';
import { reportSchema } from '../../src/report/schema';
import { renderTable } from '../../src/report/table';
import { diagnoseFacts } from '../../src/diagnose';
import { healthyFacts } from '../helpers/facts';

/** The healthy instance, once per account. */
function twoAccounts(): Evaluation[] {
  const one = diagnoseFacts(healthyFacts(), Object.keys(healthyFacts().instances)).evaluations[0]!;
  return [
    { ...one, account: '111111111111' },
    { ...one, instanceId: 'i-0fffffffffffffff0', account: '222222222222' },
  ];
}

describe('a report over several accounts', () => {
  it('names each instance’s account and every account read (JSON, valid against the schema)', () => {
    const report = buildReport(
      { regions: ['ap-northeast-1'], evaluations: twoAccounts(), accounts: ['111111111111', '222222222222'], unread: [] },
      'en',
    );
    expect(() => reportSchema.parse(report)).not.toThrow();
    expect(report.instances.map((i) => i.account)).toEqual(['111111111111', '222222222222']);
    expect(report.accounts).toEqual(['111111111111', '222222222222']);
    expect(report.unread).toBeUndefined();
    expect(report.status).toBe('ok');
    const table = renderTable(report, { lang: 'en', color: false, width: 120 });
    expect(table).toMatch(/Instance\s+│ Account\s+│/);
    expect(table).toMatch(/i-0fffffffffffffff0\s+│ 222222222222\s+│ OK/);
  });

  it('an account that could not be read makes the run UNKNOWN and is printed first, naming why', () => {
    const unread = [
      { account: '333333333333', profile: 'mgmt', reason: 'cannot assume arn:aws:iam::333333333333:role/R (AccessDenied: no)' },
    ];
    const report = buildReport(
      { regions: ['ap-northeast-1'], evaluations: twoAccounts(), accounts: ['111111111111', '222222222222'], unread },
      'en',
    );
    expect(report.status).toBe('unknown');
    expect(report.unread).toEqual(unread);
    const table = renderTable(report, { lang: 'en', color: false, width: 120 });
    expect(table.split('\n')[0]).toBe(
      'UNKNOWN: 333333333333 (profile mgmt) could not be read: cannot assume arn:aws:iam::333333333333:role/R (AccessDenied: no)',
    );
  });

  it('every account unread and no instance: UNKNOWN with both lines', () => {
    const report = buildReport(
      { regions: [], evaluations: [], accounts: [], unread: [{ profile: 'x', reason: 'no AWS credentials' }] },
      'ja',
    );
    expect(report.status).toBe('unknown');
    expect(renderTable(report, { lang: 'ja', color: false, width: 80 })).toBe(
      'UNKNOWN: (profile x) 読み取れませんでした: no AWS credentials\nUNKNOWN: 対象のインスタンスがありません\n',
    );
  });
});
