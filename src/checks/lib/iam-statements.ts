/** How the IAM checks name policies, statements and action lists in their messages. */
import { EC2MESSAGES_ACTIONS } from '../../aws/agent.js';
import { defineMessages, joinText, type Text } from '../../lang.js';
import type { Permission } from './iam-decision.js';
import type { StatementRef } from './policy.js';
import { sourceOf, type RoleView, type Source } from './role-policies.js';

const M = defineMessages({
  inlinePolicy: { en: 'inline policy {name}', ja: 'インラインポリシー {name}' },
  policy: { en: 'policy {name}', ja: 'ポリシー {name}' },
  boundary: { en: 'permissions boundary {name}', ja: 'アクセス許可の境界 {name}' },
  statementSid: { en: 'statement Sid {sid}', ja: 'ステートメント (Sid {sid})' },
  statementAt: { en: 'statement {n}', ja: '{n} 番目のステートメント' },
  statementOf: { en: '{statement} of {policy}', ja: '{policy} の{statement}' },
  unknownSource: { en: 'an unknown policy', ja: '不明なポリシー' },
});
export const STATEMENT_MESSAGES = M.table;

/** The actions joined with ', '; the whole ec2messages set as `ec2messages:*`. */
export function actionList(actions: readonly string[]): string {
  if (actions.length === EC2MESSAGES_ACTIONS.length && EC2MESSAGES_ACTIONS.every((a) => actions.includes(a))) return 'ec2messages:*';
  return actions.join(', ');
}

export function policyLabel(s: Source | undefined): Text {
  if (!s) return M('unknownSource');
  return M(s.kind === 'inline' ? 'inlinePolicy' : s.kind === 'boundary' ? 'boundary' : 'policy', { name: s.name });
}

export function statementOnly(ref: StatementRef): Text {
  return ref.sid ? M('statementSid', { sid: ref.sid }) : M('statementAt', { n: ref.index + 1 });
}

/** "statement Sid NoSessions of inline policy lockdown". */
export function statementLabel(view: RoleView, ref: StatementRef): Text {
  return M('statementOf', { statement: statementOnly(ref), policy: policyLabel(sourceOf(view, ref.source)) });
}

/** The deciding statement of each denied or conditional permission, with the actions it decided. */
export function groupByStatement(perms: readonly Permission[]): { ref: StatementRef; actions: string[] }[] {
  const groups = new Map<string, { ref: StatementRef; actions: string[] }>();
  for (const p of perms) {
    const ref = p.statements[0];
    if (!ref || (p.decision !== 'explicit' && p.decision !== 'conditional')) continue;
    const key = `${ref.source}/${ref.index}`;
    const g = groups.get(key) ?? { ref, actions: [] };
    g.actions.push(p.action);
    groups.set(key, g);
  }
  return [...groups.values()];
}

/** The policies the statements belong to, each once, in the order first met. */
export function sourceLabels(view: RoleView, refs: readonly StatementRef[]): Text[] {
  return [...new Set(refs.map((r) => r.source))].map((i) => policyLabel(sourceOf(view, i)));
}

/** Labels joined as a list in each language. */
export const listText = (texts: readonly Text[]): Text => joinText(texts, ', ', '、');
