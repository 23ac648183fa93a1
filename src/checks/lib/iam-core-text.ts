/** iam-core-policy's sentences for what passes and for what holds only under a condition. */
import { CORE_POLICY, KNOWN_POLICIES, knownPolicyName } from '../../aws/policies.js';
import { NO_TEXT, catText, defineMessages, joinText, type Text } from '../../lang.js';
import type { Fix } from '../types.js';
import type { Assessment } from './iam-assess.js';
import type { Permission } from './iam-decision.js';
import { attachFix, conditionalFix, denyFix, mergeFixes } from './iam-fixes.js';
import { actionList, groupByStatement, listText, sourceLabels, statementLabel } from './iam-statements.js';

const CHANNELS = {
  en: 'ssm:UpdateInstanceInformation and the four ssmmessages channel actions',
  ja: 'ssm:UpdateInstanceInformation と ssmmessages の 4 つのチャネル操作',
};
const M = defineMessages({
  simConditional: {
    en: "IAM's policy simulator does not allow {actions} for {role} without the context values {keys}{matched}: conditional, verify that the condition holds for the agent's requests from {instance}",
    ja: 'IAM のポリシーシミュレーターは、コンテキストキー {keys} の値がない状態では {role} に {actions} を許可しません{matched}。条件付きのため、{instance} のエージェントからのリクエストで条件が満たされることを確認してください',
  },
  matched: { en: ' (matched: {ids})', ja: ' (該当ポリシー: {ids})' },
  allowedOnlyBy: {
    en: '{actions} is allowed only by {statement}, whose condition ssm-doctor cannot evaluate: check that it holds for {instance}',
    ja: '{actions} は{statement}でのみ許可されていますが、その条件は ssm-doctor では評価できません。{instance} で条件が満たされることを確認してください',
  },
  mayDeny: {
    en: '{statement} may deny {actions}: ssm-doctor cannot evaluate its condition; check that it does not apply to {instance}',
    ja: '{statement}が {actions} を拒否する可能性があります。条件は ssm-doctor では評価できないため、{instance} に当てはまらないことを確認してください',
  },
  simPass: {
    en: `IAM's policy simulator allows ${CHANNELS.en} for {role}{matched}`,
    ja: `IAM のポリシーシミュレーターは {role} に ${CHANNELS.ja}を許可しています{matched}`,
  },
  attachedPass: { en: '{policy} is attached to {role}', ja: '{role} に {policy} がアタッチされています' },
  deprecated: {
    en: ' (it is deprecated: attach {core} in its place)',
    ja: ' (このポリシーは非推奨です。代わりに {core} をアタッチしてください)',
  },
  allowsPass: { en: `{labels} on {role} allows ${CHANNELS.en}`, ja: `{role} の{labels} が ${CHANNELS.ja}を許可しています` },
  allowPass: { en: `{labels} on {role} allow ${CHANNELS.en}`, ja: `{role} の{labels} が ${CHANNELS.ja}を許可しています` },
});

export const unique = (xs: string[]) => [...new Set(xs)];
/** Ids or names in a sentence: `a, b` / `a、b`. */
export const list = (xs: readonly string[]): Text => ({ en: xs.join(', '), ja: xs.join('、') });
/** Clauses of one message: `; ` / `。`. */
export const parts = (texts: Text[]) => joinText(texts, '; ', '。');

/** Allowed or denied only under a condition neither IAM nor the tool could settle. */
export function describeConditional(a: Assessment, perms: Permission[], region: string, instanceId: string): { text: Text; fix: Fix } {
  const role = a.cred.roleName;
  const texts: Text[] = [];
  const fixes: (Fix | undefined)[] = [];
  const simulated = perms.filter((p) => p.from === 'simulator');
  if (simulated.length) {
    const keys = unique(simulated.flatMap((p) => p.missingKeys));
    const ids = unique(simulated.flatMap((p) => p.policyIds));
    const matched = ids.length ? M('matched', { ids: list(ids) }) : NO_TEXT;
    texts.push(
      M('simConditional', { actions: actionList(simulated.map((p) => p.action)), role, keys: list(keys), matched, instance: instanceId }),
    );
    fixes.push(conditionalFix(role, keys));
  }
  const view = a.view;
  const local = perms.filter((p) => p.from === 'documents');
  if (view && local.length) {
    const groups = groupByStatement(local);
    for (const { ref, actions } of groups) {
      texts.push(
        M(ref.effect === 'Allow' ? 'allowedOnlyBy' : 'mayDeny', {
          actions: actionList(actions),
          statement: statementLabel(view, ref),
          instance: instanceId,
        }),
      );
    }
    const denies = local.filter((p) => p.statements[0]?.effect === 'Deny');
    fixes.push(denies.length ? denyFix(view, denies, region, true) : undefined);
    fixes.push(groups.some((g) => g.ref.effect === 'Allow') ? attachFix(role, a.policy, region) : undefined);
  }
  return { text: parts(texts), fix: mergeFixes(...fixes) };
}

export function passText(a: Assessment): Text {
  const role = a.cred.roleName;
  const view = a.view;
  if (!a.why || !view || a.core.some((p) => !p.statements.length)) {
    const ids = unique(a.core.flatMap((p) => p.policyIds));
    return M('simPass', { role, matched: ids.length ? M('matched', { ids: list(ids) }) : NO_TEXT });
  }
  // A source "grants" the set when it alone has an allowing statement for every required action.
  const grantors = view.sources.filter((_, i) => a.core.every((p) => p.statements.some((r) => r.source === i)));
  const managed = grantors.find((s) => s.kind === 'managed' && knownPolicyName(s.arn ?? '') && KNOWN_POLICIES[s.name]?.ssm);
  if (managed) {
    const text = M('attachedPass', { policy: managed.name, role });
    return KNOWN_POLICIES[managed.name]?.deprecated ? catText(text, M('deprecated', { core: CORE_POLICY })) : text;
  }
  const labels = sourceLabels(
    view,
    a.core.flatMap((p) => p.statements),
  );
  return M(labels.length > 1 ? 'allowPass' : 'allowsPass', { labels: listText(labels), role });
}
