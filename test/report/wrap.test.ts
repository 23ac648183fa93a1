import { basename, join } from 'node:path';
import { CONSOLE } from '../../src/checks/lib/glossary';
import { diagnoseFacts } from '../../src/diagnose';
import { loadFacts } from '../../src/facts/file';
import type { Facts } from '../../src/facts/schema';
import { buildReport } from '../../src/report/build';
import type { Report } from '../../src/report/schema';
import { renderTable } from '../../src/report/table';
import { NO_LINE_END, NO_LINE_START, widthOf, wrap } from '../../src/report/wrap';
import { ROOT, fixtureFacts, fixtureFiles } from '../helpers/fixtures';

const lines = (text: string, width: number) => wrap(text, width).split('\n');

describe('wrap', () => {
  it('breaks English at spaces and keeps every word whole', () => {
    const text = 'The security group sg-0123456789abcdef0 admits no HTTPS from the instance subnet';
    const got = lines(text, 30);
    expect(got.every((l) => widthOf(l) <= 30)).toBe(true);
    expect(got.join(' ')).toBe(text);
    expect(got).toContain('sg-0123456789abcdef0 admits no');
  });

  it('keeps line breaks that are in the text, and the indentation a paragraph starts with', () => {
    expect(wrap('Fix:\n  1. one two three', 12)).toBe('Fix:\n  1. one two\nthree');
  });

  it('cuts a word wider than the column, so an ARN is never lost', () => {
    const arn = 'arn:aws:iam::123456789012:role/a-very-long-role-name-for-ssm';
    const got = lines(`role ${arn}`, 20);
    expect(got.every((l) => widthOf(l) <= 20)).toBe(true);
    expect(got.join('').replace(/^role/, '')).toBe(arn);
  });

  it('counts a full-width character as two columns', () => {
    expect(widthOf('AWS のサービス')).toBe(4 + 5 * 2);
  });

  it('breaks Japanese between phrases, never inside a word', () => {
    const text = 'このインスタンスのセキュリティグループは、エンドポイントへの HTTPS を許可していません。';
    const got = lines(text, 24);
    expect(got.join('').replace(/ /g, '')).toBe(text.replace(/ /g, ''));
    expect(got.every((l) => widthOf(l) <= 24)).toBe(true);
    // Neither word is cut: each ends up on one line.
    for (const word of ['セキュリティグループ', 'エンドポイント']) expect(got.some((l) => l.includes(word))).toBe(true);
  });

  it.each([
    ['a closing bracket', '「AWS のサービス」を選択し、エンドポイントを作成します。', '」'],
    ['the full stop', 'ロールにポリシーをアタッチしてからインスタンスを再起動します。', '。'],
    ['the comma', 'サブネットを選択し、セキュリティグループを選択します', '、'],
    ['the prolonged sound mark', 'セキュリティーグループのルール', 'ー'],
  ])('never starts a line with %s, at any width', (_what, text, _ch) => {
    for (let width = 6; width <= 40; width++) {
      for (const line of lines(text, width)) {
        expect(NO_LINE_START.has(line[0]!)).toBe(false);
        expect(NO_LINE_END.has([...line].at(-1)!)).toBe(false);
      }
    }
  });

  it('keeps a short console label on one line', () => {
    const text = '「VPC」→「エンドポイント」→「エンドポイントを作成」: タイプ「AWS のサービス」でサービスを選びます';
    for (let width = 30; width <= 60; width++) expect(lines(text, width).some((l) => l.includes('「AWS のサービス」'))).toBe(true);
  });

  it('never ends a line with an opening bracket', () => {
    for (let width = 6; width <= 40; width++) {
      for (const line of lines('サービス名で「com.amazonaws.ap-northeast-1.ssm」を検索します', width)) {
        expect(NO_LINE_END.has([...line].at(-1)!)).toBe(false);
      }
    }
  });
});

/** Every line of the last, wrapped column of a rendered table (the finding, or the first fix), trimmed. */
function cells(table: string): string[] {
  return table
    .split('\n')
    .filter((l) => l.startsWith('│'))
    .map((l) => l.split('│').at(-2)!.trim())
    .filter(Boolean);
}

const sources: [string, () => Promise<Facts>][] = [
  ['the demo', async () => loadFacts(join(ROOT, 'examples', 'guide-start.facts.json'))],
  ...fixtureFiles().map((f): [string, () => Promise<Facts>] => [`fixtures/${basename(f)}`, () => fixtureFacts(f)]),
];

/** Every sentence a report says: findings, steps and their commands' neighbours. */
const sentences = (report: Report) => report.instances.flatMap((i) => [...i.checks.map((c) => c.message), ...(i.plan?.steps ?? [])]);

const JAPANESE = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}';
const TOUCHING = new RegExp(`[A-Za-z0-9][${JAPANESE}]|[${JAPANESE}][A-Za-z0-9]`, 'u');

test('the console labels keep a space between ASCII words and Japanese (and the rule catches one that does not)', () => {
  expect(TOUCHING.test('VPCの設定を編集')).toBe(true);
  expect(Object.values(CONSOLE).filter((l) => TOUCHING.test(l.ja))).toEqual([]);
});

describe.each(sources)('%s in Japanese at 80 columns', (_name, read) => {
  let table: string;
  let report: Report;
  beforeAll(async () => {
    const facts = await read();
    report = buildReport(diagnoseFacts(facts, Object.keys(facts.instances)), 'ja');
    table = renderTable(report, { lang: 'ja', color: false, width: 80, verbose: true });
  });

  it('keeps a space between ASCII words and Japanese, as the glossary spells the console', () => {
    expect(sentences(report).filter((s) => TOUCHING.test(s))).toEqual([]);
  });

  it('has Japanese in it (the test reads what it means to)', () => {
    expect(table).toMatch(/[ぁ-んァ-ヶ]/);
  });

  it('draws no table line wider than the terminal', () => {
    for (const line of table.split('\n').filter((l) => /^[│┌└├]/.test(l))) expect(widthOf(line)).toBeLessThanOrEqual(80);
  });

  it('starts no line of a cell with a closing bracket, ー or 。、 and ends none with an opening bracket', () => {
    const bad = cells(table).filter((c) => NO_LINE_START.has(c[0]!) || NO_LINE_END.has([...c].at(-1)!));
    expect(bad).toEqual([]);
  });
});
