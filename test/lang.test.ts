import { catText, defineMessages, joinText, placeholders } from '../src/lang';
import { consolePath, label } from '../src/checks/lib/glossary';

describe('defineMessages', () => {
  const m = defineMessages({
    open: { en: '{sg} allows {port} from {who}', ja: '{sg} は {who} から {port} を許可しています' },
    plain: { en: 'nothing to fill', ja: '埋めるものなし' },
  });

  it('fills each language from its own template, a Text parameter in its own language', () => {
    expect(m('open', { sg: 'sg-1', port: 443, who: { en: 'the VPC', ja: 'VPC' } })).toEqual({
      en: 'sg-1 allows 443 from the VPC',
      ja: 'sg-1 は VPC から 443 を許可しています',
    });
    expect(m('plain')).toEqual({ en: 'nothing to fill', ja: '埋めるものなし' });
  });

  it('refuses a missing parameter instead of printing a placeholder', () => {
    expect(() => m('open', { sg: 'sg-1' })).toThrow('{port}');
  });

  it('does not read placeholders inside the values it fills in', () => {
    expect(m('open', { sg: '{who}', port: 1, who: 'x' }).en).toBe('{who} allows 1 from x');
  });

  it('refuses, when it is declared, a message whose languages take different placeholders', () => {
    expect(() => defineMessages({ bad: { en: '{sg} is open', ja: '{group} は開いています' } })).toThrow(
      'message bad takes {sg} in English but {group} in Japanese',
    );
  });

  it('exposes its table and the placeholders of each template', () => {
    expect(placeholders(m.table.open.en)).toEqual(['port', 'sg', 'who']);
  });
});

describe('text helpers', () => {
  it('joins and concatenates per language', () => {
    const a = { en: 'a', ja: 'あ' };
    const b = { en: 'b', ja: 'い' };
    expect(joinText([a, b], '; ', '。')).toEqual({ en: 'a; b', ja: 'あ。い' });
    expect(catText(a, b)).toEqual({ en: 'ab', ja: 'あい' });
  });

  it('spells console labels and paths from one glossary', () => {
    expect(label('editInbound')).toEqual({ en: 'Edit inbound rules', ja: '「インバウンドルールを編集」' });
    expect(consolePath('iam', 'roles', { id: 'MyRole' })).toEqual({ en: 'IAM → Roles → MyRole', ja: '「IAM」→「ロール」→「MyRole」' });
  });
});
