import type { Unknown } from '../facts/schema.js';
import { defineMessages, type Text } from '../lang.js';
import { NOT_COLLECTED } from './types.js';

const DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'UnauthorizedAccess', 'AuthorizationError']);

export function isDenied(code: string): boolean {
  return DENIED.has(code) || /^(AccessDenied|Unauthorized)/.test(code);
}

const M = defineMessages({
  denied: {
    en: '{call} was denied ({code}): grant the tool {call} to evaluate this check',
    ja: '{call} が拒否されました ({code})。このチェックにはツールに {call} の許可が必要です',
  },
  notRead: {
    en: '{call} was not read: these facts come from an older version of the tool or a hand-made file',
    ja: '{call} が読み取られていません。古いバージョンのツールで収集したファクトか、手で作成したファイルです',
  },
  failed: { en: '{call} failed ({code}{detail})', ja: '{call} が失敗しました ({code}{detail})' },
});

export const unknownMessages = M.table;

/** "iam:GetInstanceProfile was denied (AccessDenied)": the sentence every `unknown` status carries. */
export function describeUnknown(u: Unknown): Text {
  const { call, code } = u;
  if (isDenied(code)) return M('denied', { call, code });
  if (code === 'NotCollected' && u.message === NOT_COLLECTED) return M('notRead', { call });
  return M('failed', { call, code, detail: u.message ? `: ${u.message}` : '' });
}
