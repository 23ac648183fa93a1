import { diagnoseFacts } from '../../src/diagnose';
import { known, type Facts } from '../../src/facts/schema';
import { terminalLine, terminalSafe } from '../../src/redact';
import { buildReport } from '../../src/report/build';
import { renderJunit } from '../../src/report/junit';
import { renderTable } from '../../src/report/table';
import { shq } from '../../src/checks/lib/cli';
import { factsWith, IDS } from '../helpers/facts';

// Text from the account (preferences, the agent's report, the caller, tags) reaches a terminal in
// the table. An escape sequence could repaint the commands the user is about to paste, and a
// right-to-left override could make one read differently from what it runs.

const ESC = '\u001b]0;owned\u0007\u001b[2J\u001b[1;31m';
const RLO = '\u202e';
const HOSTILE = `x${ESC}${RLO}y\u009b31m\u007f`;
/** Anything a terminal would act on rather than show. */
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

function hostileWorld(): Facts {
  return factsWith((f) => {
    f.sessionPreferences = known({
      documentName: 'SSM-SessionManagerRunShell',
      kmsKeyId: `alias/${HOSTILE}`,
      cloudWatchLogGroupName: `logs${HOSTILE}`,
      cloudWatchEncryptionEnabled: true,
      s3BucketName: `b${HOSTILE}`,
      s3EncryptionEnabled: true,
    });
    const m = f.managedInstances;
    if (m.known) m.value[IDS.instance]!.platformName = `Amazon Linux${HOSTILE}`;
    f.caller = known({ arn: `arn:aws:sts::${IDS.account}:assumed-role/Ops/${HOSTILE}`, accountId: IDS.account });
  });
}

describe('hostile text from the account', () => {
  const report = buildReport(diagnoseFacts(hostileWorld(), [IDS.instance]), 'en');

  it('is in the report (JSON keeps it, escaped by JSON itself), so the renderers below had something to clean', () => {
    expect(JSON.stringify(report)).toContain('\\u001b');
  });

  it.each(['en', 'ja'] as const)('reaches the table (%s) with no control or bidi character left, verbose or not', (lang) => {
    const localized = buildReport(diagnoseFacts(hostileWorld(), [IDS.instance]), lang);
    for (const verbose of [false, true]) {
      const table = renderTable(localized, { lang, color: false, width: 120, verbose });
      expect(table).not.toMatch(RAW);
    }
    expect(renderTable(localized, { lang, color: false, width: 120 })).toContain('x]0;owned[2J[1;31my31m');
  });

  it('reaches the JUnit report with none either', () => {
    expect(renderJunit(report)).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  });

  it("keeps every command pasteable: a word with controls is written $'…' with escapes, which bash turns back into the same bytes", () => {
    expect(shq(`a${ESC}b'c\\`)).toBe(`$'a\\x1b]0;owned\\x07\\x1b[2J\\x1b[1;31mb\\'c\\\\'`);
    expect(shq(`rtl${RLO}`)).toBe(`$'rtl\\u202e'`);
    expect(shq(`rtl${RLO}`)).not.toMatch(RAW);
  });
});

test('the sanitiser keeps text and line breaks, turns tabs and separators into spaces, and drops the rest', () => {
  expect(terminalSafe(`a\tb\u2028c\nd${ESC}e${RLO}f\u2066g`)).toBe('a b c\nd]0;owned[2J[1;31mefg');
  expect(terminalLine('one\r\ntwo')).toBe('one two');
  expect(terminalSafe('plain text')).toBe('plain text');
});
