/** Whether the instance role may make the requests a Session Manager preference needs, and the IAM fix when it may not. */
import type { Facts, Instance } from '../../facts/schema.js';
import { defineMessages, joinText, NO_TEXT, type Text } from '../../lang.js';
import type { PreferenceNeed } from '../../aws/session-preferences.js';
import { aws } from './cli.js';
import { consolePath, label } from './glossary.js';
import type { CredentialRole } from './iam-role.js';
import { decide, type Decision, type Permission as DecidedPermission } from './iam-decision.js';
import { sourceOf, type RoleView } from './role-policies.js';
import type { FixStep } from '../types.js';
import type { FixParts } from './prefs-reach.js';

const M = defineMessages({
  simulator: { en: "IAM's policy simulator", ja: 'IAM のポリシーシミュレーター' },
  simulatorWhy: { en: "IAM's policy simulator: {why}", ja: 'IAM のポリシーシミュレーター: {why}' },
  whyExplicit: { en: 'an explicit Deny', ja: '明示的な Deny' },
  whyScp: { en: 'an organization SCP', ja: '組織の SCP' },
  whyBoundary: { en: 'the permissions boundary', ja: 'アクセス許可の境界' },
  documents: { en: "the role's documents", ja: 'ロールのポリシー文書' },
  documentsInline: { en: "the role's documents: inline policy {name}", ja: 'ロールのポリシー文書: インラインポリシー {name}' },
  documentsPolicy: { en: "the role's documents: policy {name}", ja: 'ロールのポリシー文書: ポリシー {name}' },
  documentsBoundary: { en: "the role's documents: permissions boundary {name}", ja: 'ロールのポリシー文書: アクセス許可の境界 {name}' },
  allows: { en: '{role} allows {actions} ({detail})', ja: '{role} は {actions} を許可しています ({detail})' },
  lacks: { en: '{role} does not allow {actions}', ja: '{role} に {actions} の権限がありません' },
  lacking: { en: '{action}', ja: '{action}' },
  denied: { en: '{action} (denied: {detail})', ja: '{action} (拒否: {detail})' },
  conditional: { en: '{action} (conditional: {detail})', ja: '{action} (条件付き: {detail})' },
  stepDeny: {
    en: "{path} (and its permissions boundary, and your organization's SCPs): find the statements that deny {actions} or put a condition on it, and make sure they do not apply to the agent's requests from {id}; remove or narrow them if they do",
    ja: '{path}タブ (アクセス許可の境界、組織の SCP も) で {actions} を拒否している、または条件を付けているステートメントを探し、{id} のエージェントのリクエストに当てはまらないことを確認します。当てはまる場合は削除するか絞り込みます',
  },
  stepPolicy: {
    en: '{path} → JSON: paste the policy document of the command below → {next} → Policy name: {name} → {create}',
    ja: '{path}→「JSON」に下のコマンドのポリシー文書を貼り付けて{next}→ ポリシー名に「{name}」と入力して{create}をクリックします',
  },
});
export const PERMISSION_MESSAGES = M.table;

type Kind = 'allow' | 'deny' | 'implicit' | 'conditional';

export interface Permission {
  action: string;
  kind: Kind;
  /** "IAM's policy simulator" or "the role's documents", and for a deny what denied it. */
  detail: Text;
}

const KIND: Record<Decision, Kind> = {
  allow: 'allow',
  explicit: 'deny',
  scp: 'deny',
  boundary: 'deny',
  implicit: 'implicit',
  conditional: 'conditional',
};
const SIM_WHY: Partial<Record<Decision, Text>> = { explicit: M('whyExplicit'), scp: M('whyScp'), boundary: M('whyBoundary') };

/** Which of the role's documents decided: the statement behind a Deny or a condition, or the boundary that leaves the action out. */
function documentsDetail(p: DecidedPermission, view: RoleView | undefined): Text {
  if (p.decision === 'boundary') return M('documentsBoundary', { name: view?.boundary?.name ?? view?.boundaryArn ?? '' });
  const ref = p.decision === 'explicit' || p.decision === 'conditional' ? p.statements[0] : undefined;
  const by = ref && view ? sourceOf(view, ref.source) : undefined;
  if (!by) return M('documents');
  if (by.kind === 'boundary') return M('documentsBoundary', { name: by.name });
  return M(by.kind === 'inline' ? 'documentsInline' : 'documentsPolicy', { name: by.name });
}

/** The role's decision on each request, from the one IAM decision model (IAM's simulator, else the documents within the boundary). */
function permissions(facts: Facts, cred: CredentialRole, requests: PreferenceNeed['requests'], region: string): Permission[] {
  // A request with no known resource is '' to the model: resource-scoped statements are then conditional.
  const asked = requests.map((r) => ({ action: r.action, resource: r.resource ?? '' }));
  const { permissions: decided, view } = decide(facts, { role: cred.roleName }, asked, { region });
  return decided.map((p) => {
    const why = SIM_WHY[p.decision];
    const detail = p.from === 'simulator' ? (why ? M('simulatorWhy', { why }) : M('simulator')) : documentsDetail(p, view);
    return { action: p.action, kind: KIND[p.decision], detail };
  });
}

/** What the role's permissions say about one need: an ok line, or an issue with its fix; `lacking` when a grant would fix it. */
export type PermissionVerdict =
  { ok: true; text: Text } | { ok: false; status: 'fail' | 'warn'; text: Text; uncertain: boolean; fix: FixParts; lacking: boolean };

const listOf = (texts: readonly Text[]) => joinText(texts, ', ', '、');
const plain = (s: string): Text => ({ en: s, ja: s });

function lackingText(p: Permission): Text {
  if (p.kind === 'deny') return M('denied', { action: p.action, detail: p.detail });
  if (p.kind === 'conditional') return M('conditional', { action: p.action, detail: p.detail });
  return M('lacking', { action: p.action });
}

export function judgePermissions(
  facts: Facts,
  role: CredentialRole,
  n: PreferenceNeed,
  region: string,
  instance: Instance,
): PermissionVerdict {
  const perms = permissions(facts, role, n.requests, region);
  const bad = perms.filter((p) => p.kind !== 'allow');
  const first = perms[0];
  if (!bad.length) {
    return {
      ok: true,
      text: M('allows', {
        role: role.roleName,
        actions: listOf(perms.map((p) => plain(p.action))),
        detail: first ? first.detail : NO_TEXT,
      }),
    };
  }
  const definite = bad.some((p) => p.kind !== 'conditional');
  const blockers = bad.filter((p) => p.kind !== 'implicit').map((p) => plain(p.action));
  const steps: FixStep[] = blockers.length
    ? [
        {
          key: `iam-prefs-deny:${role.roleName}:${n.service}`,
          text: M('stepDeny', {
            path: consolePath('iam', 'roles', { id: role.roleName }, 'permissions'),
            actions: listOf(blockers),
            id: instance.instanceId,
          }),
        },
      ]
    : [];
  return {
    ok: false,
    status: definite && n.blocking ? 'fail' : 'warn',
    text: M('lacks', { role: role.roleName, actions: listOf(bad.map(lackingText)) }),
    uncertain: !definite,
    fix: { steps, commands: [] },
    lacking: bad.some((p) => p.kind === 'implicit'),
  };
}

/** One inline policy that grants what the lacking needs ask for. */
export function grantFix(region: string, role: string, lacking: readonly PreferenceNeed[]): FixParts {
  const doc = JSON.stringify({ Version: '2012-10-17', Statement: lacking.flatMap((n) => n.statements) });
  const name = 'SessionManagerPreferences';
  return {
    steps: [
      {
        key: `iam-prefs-policy:${role}`,
        text: M('stepPolicy', {
          path: consolePath('iam', 'roles', { id: role }, 'addPermissions', 'createInlinePolicy'),
          next: label('next'),
          name,
          create: label('createPolicy'),
        }),
      },
    ],
    commands: [aws(region, 'iam', 'put-role-policy', '--role-name', role, '--policy-name', name, '--policy-document', doc)],
  };
}
