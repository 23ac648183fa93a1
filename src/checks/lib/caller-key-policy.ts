/** The caller's side of a KMS key's policy: session-manager-plugin generates the session's data key (kms:GenerateDataKey). */
import type { Caller, Facts } from '../../facts/schema.js';
import { defineMessages, type Text } from '../../lang.js';
import type { FixStep } from '../types.js';
import { consolePath, label } from './glossary.js';
import { keyPolicyDecision, parseKeyPolicy, PolicyError, statementName } from './key-policy.js';
import type { RunMemo } from './memo.js';

const M = defineMessages({
  deny: {
    en: 'the key policy of {key} denies {who} kms:GenerateDataKey (statement {statement})',
    ja: '{key} のキーポリシーで {who} の kms:GenerateDataKey が拒否されています (ステートメント {statement})',
  },
  missing: {
    en: 'the key policy of {key} neither names {who} nor lets IAM decide for account {account}, so kms:GenerateDataKey is denied whatever IAM allows',
    ja: '{key} のキーポリシーは {who} を指定しておらず、アカウント {account} の判断を IAM に委ねてもいないため、IAM の許可に関係なく kms:GenerateDataKey は拒否されます',
  },
  conditional: {
    en: 'the key policy of {key} allows or denies {who} kms:GenerateDataKey only under a condition (statement {statement}): verify',
    ja: '{key} のキーポリシーでは {who} の kms:GenerateDataKey が条件付きで許可または拒否されています (ステートメント {statement})。確認してください',
  },
  stepDeny: {
    en: '{path} → {edit}: remove statement {statement}, or narrow it so that it does not apply to {who}',
    ja: '{path}→{edit}でステートメント {statement} を削除するか、{who} に当てはまらないように絞り込みます',
  },
  stepAdd: {
    en: '{path} → {edit}: add the statement {statement} (or ask the key administrator to)',
    ja: '{path}→{edit}でステートメント {statement} を追加します (またはキーの管理者に依頼します)',
  },
  stepCondition: {
    en: '{path}: check that the condition of statement {statement} holds when {who} starts a session',
    ja: '{path}でステートメント {statement} の条件が、{who} がセッションを開始するときに満たされることを確認します',
  },
});
export const CALLER_KEY_MESSAGES = M.table;

/**
 * What the key policy says of the caller's kms:GenerateDataKey, when the key and its policy were
 * read and they stand in the way; undefined otherwise (session-kms-key reports a key it could not read).
 * The fix is a step, not a put-key-policy command: session-kms-key's command writes the same policy.
 */
export function callerKeyProblem(
  facts: Facts,
  caller: Caller,
  kmsKey: string | undefined,
  memo: RunMemo,
): { text: Text; step: FixStep } | undefined {
  const read = facts.sessionKey;
  if (!kmsKey || read?.kmsKeyId !== kmsKey || !read.key.known || !read.key.value || !read.policy.known) return undefined;
  const key = read.key.value;
  const who = caller.principalArn ?? caller.arn;
  let d;
  try {
    const policy = read.policy.value;
    d = keyPolicyDecision(
      memo.get('kms-key-policy', key.arn, () => parseKeyPolicy(policy)),
      'kms:GenerateDataKey',
      key.arn,
      {
        arn: who,
        sessionArn: caller.arn,
        account: caller.accountId,
      },
    );
  } catch (e) {
    if (e instanceof PolicyError) return undefined;
    throw e;
  }
  const path = consolePath('kms', 'customerManagedKeys', { id: key.keyId }, 'keyPolicy');
  const step = (name: string, text: Text): FixStep => ({ key: `caller-kms-${name}:${key.keyId}`, text });
  switch (d.kind) {
    case 'direct':
    case 'delegated':
      return undefined;
    case 'missing': {
      const statement = JSON.stringify({
        Sid: 'AllowSessionManagerUser',
        Effect: 'Allow',
        Principal: { AWS: who },
        Action: 'kms:GenerateDataKey',
        Resource: '*',
      });
      return {
        text: M('missing', { key: kmsKey, who, account: caller.accountId }),
        step: step('add', M('stepAdd', { path, edit: label('edit'), statement })),
      };
    }
    case 'deny':
      return {
        text: M('deny', { key: kmsKey, who, statement: statementName(d.by) }),
        step: step('deny', M('stepDeny', { path, edit: label('edit'), statement: statementName(d.by), who })),
      };
    case 'conditional':
      return {
        text: M('conditional', { key: kmsKey, who, statement: statementName(d.by) }),
        step: step('condition', M('stepCondition', { path, statement: statementName(d.by), who })),
      };
  }
}
