/** Whether sessions can use a KMS key at all (Enabled and symmetric), and the fix for the states that stop them. */
import type { KmsKey } from '../../facts/schema.js';
import { defineMessages, type Text } from '../../lang.js';
import type { FixStep } from '../types.js';
import { aws } from './cli.js';
import { consolePath, label } from './glossary.js';

const M = defineMessages({
  enabled: { en: '{arn} is Enabled', ja: '{arn} は有効 (Enabled) です' },
  state: { en: '{arn} is {state}, so sessions cannot open', ja: '{arn} は {state} のため、セッションを開始できません' },
  Disabled: { en: 'disabled', ja: '無効 (Disabled)' },
  PendingDeletion: { en: 'pending deletion (on {date})', ja: '削除待ち (PendingDeletion、削除予定 {date})' },
  PendingImport: { en: 'waiting for its key material (PendingImport)', ja: 'キーマテリアルのインポート待ち (PendingImport)' },
  Unavailable: {
    en: 'unavailable (its custom key store is disconnected)',
    ja: '使用不可 (Unavailable、カスタムキーストアが切断されています)',
  },
  otherState: { en: 'in the state {state}', ja: '{state} の状態' },
  spec: {
    en: '{arn} is a {spec} key, and Session Manager encrypts only with a symmetric key (SYMMETRIC_DEFAULT), so sessions cannot open',
    ja: '{arn} は {spec} のキーです。Session Manager は対称キー (SYMMETRIC_DEFAULT) でのみ暗号化するため、セッションを開始できません',
  },
  stepEnable: {
    en: '{path} → {actions} → {enable}',
    ja: '{path}→{actions}→{enable}をクリックします',
  },
  stepCancel: {
    en: '{path} → {actions} → {cancel}, then {actions} → {enable} (a key whose deletion is cancelled stays disabled)',
    ja: '{path}→{actions}→{cancel}をクリックし、続けて{actions}→{enable}をクリックします (削除をキャンセルしたキーは無効のままです)',
  },
  stepImport: {
    en: '{path} → {material} → {import}: import the key material of {key}',
    ja: '{path}→{material}→{import}で {key} のキーマテリアルをインポートします',
  },
  stepConnect: {
    en: '{path}: select the custom key store of {key} → {actions} → {connect}',
    ja: '{path}で {key} のカスタムキーストアを選択 →{actions}→{connect}をクリックします',
  },
  stepChoose: {
    en: '{path} → {edit} → KMS encryption: choose an enabled, symmetric customer managed key of {region} (or turn KMS encryption off) → {save}',
    ja: '{path}→{edit}→ KMS 暗号化で {region} の有効な対称カスタマー管理型キーを選択し (または KMS 暗号化をオフにし)、{save}をクリックします',
  },
  PendingDeletionUndated: { en: 'pending deletion', ja: '削除待ち (PendingDeletion)' },
});
export const KEY_STATE_MESSAGES = M.table;

export type Status = 'pass' | 'warn' | 'fail';
export interface Part {
  status: Status;
  text: Text;
  steps: FixStep[];
  commands: string[];
}
export const ok = (text: Text): Part => ({ status: 'pass', text, steps: [], commands: [] });

const keyPath = (k: KmsKey) => consolePath('kms', 'customerManagedKeys', { id: k.keyId });
/** Choose another key in the preferences (or turn encryption off): for a key that is gone or can never serve. */
export const prefsStep = (region: string): FixStep => ({
  key: 'session-prefs-kms-key',
  text: M('stepChoose', {
    path: consolePath('systemsManager', 'sessionManager', 'preferences'),
    edit: label('edit'),
    region,
    save: label('save'),
  }),
});

/** Whether sessions can use the key at all: it must be Enabled and symmetric. */
export function statePart(k: KmsKey, region: string): Part {
  const enable = aws(region, 'kms', 'enable-key', '--key-id', k.keyId);
  const nav = { path: keyPath(k), actions: label('keyActions'), enable: label('enable') };
  const fail = (state: Text, steps: FixStep[], commands: string[] = []): Part => ({
    status: 'fail',
    text: M('state', { arn: k.arn, state }),
    steps,
    commands,
  });
  switch (k.keyState) {
    case 'Enabled':
      break;
    case 'Disabled':
      return fail(M('Disabled'), [{ key: `kms-enable:${k.keyId}`, text: M('stepEnable', nav) }], [enable]);
    case 'PendingDeletion':
    case 'PendingReplicaDeletion':
      return fail(
        k.deletionDate ? M('PendingDeletion', { date: k.deletionDate }) : M('PendingDeletionUndated'),
        [{ key: `kms-cancel-deletion:${k.keyId}`, text: M('stepCancel', { ...nav, cancel: label('cancelKeyDeletion') }) }],
        [aws(region, 'kms', 'cancel-key-deletion', '--key-id', k.keyId), enable],
      );
    case 'PendingImport':
      return fail(M('PendingImport'), [
        {
          key: `kms-import:${k.keyId}`,
          text: M('stepImport', { path: keyPath(k), material: label('keyMaterial'), import: label('importKeyMaterial'), key: k.keyId }),
        },
      ]);
    case 'Unavailable':
      return fail(M('Unavailable'), [
        {
          key: `kms-connect:${k.keyId}`,
          text: M('stepConnect', {
            path: consolePath('kms', 'customKeyStores'),
            key: k.keyId,
            actions: label('keyActions'),
            connect: label('connect'),
          }),
        },
      ]);
    default:
      return fail(M('otherState', { state: k.keyState }), [prefsStep(region)]);
  }
  if (k.keySpec && k.keySpec !== 'SYMMETRIC_DEFAULT') {
    return { status: 'fail', text: M('spec', { arn: k.arn, spec: k.keySpec }), steps: [prefsStep(region)], commands: [] };
  }
  return ok(M('enabled', { arn: k.arn }));
}
