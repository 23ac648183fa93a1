import type { Unknown } from '../facts/schema.js';
import { defineMessages, type Text } from '../lang.js';
import { NOT_COLLECTED } from './types.js';

const DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'UnauthorizedAccess', 'AuthorizationError']);

/** The codes AWS answers a throttled call with (EC2, IAM/STS/Route 53, the JSON services). */
export function isThrottling(code: string): boolean {
  return /^(Throttling|ThrottlingException|ThrottledException|RequestLimitExceeded|RequestThrottled|RequestThrottledException|TooManyRequestsException|SlowDown|PriorRequestNotComplete)$/.test(
    code,
  );
}

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
  throttled: {
    en: '{call} was throttled by AWS ({code}) on every attempt: run again later, or read fewer regions or instances at once',
    ja: '{call} がすべての試行で AWS にスロットリングされました ({code})。時間をおいて再実行するか、一度に読むリージョンやインスタンスを減らしてください',
  },
});

export const unknownMessages = M.table;

/** "iam:GetInstanceProfile was denied (AccessDenied)": the sentence every `unknown` status carries. */
export function describeUnknown(u: Unknown): Text {
  const { call, code } = u;
  if (isDenied(code)) return M('denied', { call, code });
  if (code === 'NotCollected' && u.message === NOT_COLLECTED) return M('notRead', { call });
  if (isThrottling(code)) return M('throttled', { call, code });
  return M('failed', { call, code, detail: u.message ? `: ${u.message}` : '' });
}
