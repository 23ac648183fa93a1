import type { Unknown } from '../facts/schema.js';
import { t, type Text } from '../lang.js';
import { NOT_COLLECTED } from './types.js';

const DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnauthorizedAccess',
  'AuthorizationError',
]);

export function isDenied(code: string): boolean {
  return DENIED.has(code) || /^(AccessDenied|Unauthorized)/.test(code);
}

/** "iam:GetInstanceProfile was denied (AccessDenied)": the sentence every `unknown` status carries. */
export function describeUnknown(u: Unknown): Text {
  if (isDenied(u.code)) {
    return t(
      `${u.call} was denied (${u.code}): grant the tool ${u.call} to evaluate this check`,
      `${u.call} が拒否されました (${u.code})。このチェックにはツールに ${u.call} の許可が必要です`,
    );
  }
  if (u.code === 'NotCollected' && u.message === NOT_COLLECTED) {
    return t(
      `${u.call} was not read: these facts come from an older version of the tool or a hand-made file`,
      `${u.call} が読み取られていません。古いバージョンのツールで収集したファクトか、手で作成したファイルです`,
    );
  }
  const detail = u.message ? `: ${u.message}` : '';
  return t(`${u.call} failed (${u.code}${detail})`, `${u.call} が失敗しました (${u.code}${detail})`);
}
