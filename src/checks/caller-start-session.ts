import { known } from '../facts/fact.js';
import type { Facts, SimulationResult } from '../facts/schema.js';
import { defineMessages, joinText, NO_TEXT, type Text } from '../lang.js';
import { partitionOfRegion, scopeOf, type ArnScope } from '../aws/arn.js';
import { preferenceNeeds, startSessionRequests, type PreferenceRequest } from '../aws/session-preferences.js';
import { SESSION_DOCUMENT } from '../aws/services.js';
import { CALLER_KEY_MESSAGES, callerKeyProblem } from './lib/caller-key-policy.js';
import { CALLER_POLICY_MESSAGES, callerPrincipal, permissionFix, pluginStep } from './lib/caller-policy.js';
import { decide, type Permission } from './lib/iam-decision.js';
import { byInstance } from './lib/simulation.js';
import { FactUnknown, need, type Check, type Finding, type FixStep } from './types.js';

const M = defineMessages({
  title: {
    en: 'You may start a session on the instance, and session-manager-plugin is installed',
    ja: 'このツールを実行した ID がインスタンスへのセッションを開始でき、session-manager-plugin がインストールされている',
  },
  pluginUnchecked: {
    en: 'whether session-manager-plugin is installed was not checked (these facts come from a file)',
    ja: 'session-manager-plugin の有無は確認していません (ファイルから読み込んだファクトです)',
  },
  pluginAt: { en: 'session-manager-plugin is at {path}', ja: 'session-manager-plugin は {path} にあります' },
  pluginOnPath: { en: 'session-manager-plugin is at a directory on PATH', ja: 'session-manager-plugin は PATH 上にあります' },
  pluginMissing: {
    en: 'session-manager-plugin is not on PATH, so `aws ssm start-session` cannot open the session (the console can)',
    ja: 'session-manager-plugin が PATH にないため、`aws ssm start-session` ではセッションを開けません (コンソールからは開けます)',
  },
  root: {
    en: "{arn} is the account's root user, which may do anything, including ssm:StartSession on {id}; use an IAM user or role instead of root for daily work",
    ja: '{arn} はアカウントのルートユーザーで、{id} への ssm:StartSession を含むすべての操作ができます。日常の作業にはルートではなく IAM ユーザーまたはロールを使ってください',
  },
  rootBut: { en: '{note}; but {plugin}', ja: '{note}。ただし、{plugin}' },
  rootPass: { en: '{note}; {plugin}', ja: '{note}。{plugin}' },
  onInstance: { en: 'ssm:StartSession on {id}', ja: '{id} への ssm:StartSession' },
  onDocument: { en: 'ssm:StartSession on the document {document}', ja: 'ドキュメント {document} への ssm:StartSession' },
  onKey: { en: 'kms:GenerateDataKey on {key}', ja: '{key} への kms:GenerateDataKey' },
  allow: { en: 'allowed', ja: '許可' },
  explicit: { en: 'explicitly denied', ja: '明示的に拒否' },
  scp: { en: 'denied by an organization SCP', ja: '組織の SCP で拒否' },
  boundary: { en: 'denied by the permissions boundary', ja: 'アクセス許可の境界で拒否' },
  implicit: { en: 'no policy allows it', ja: '許可するポリシーなし' },
  conditional: { en: 'conditional', ja: '条件付き' },
  deniedItem: { en: '{what} ({kind})', ja: '{what} ({kind})' },
  mayNot: { en: '{who} may not do {items}', ja: '{who} には {items} の権限がありません' },
  needsContext: {
    en: "IAM's policy simulator does not allow {items} to {who} without the context values {keys}: conditional, verify",
    ja: 'IAM のポリシーシミュレーターは、コンテキストキー {keys} の値がない状態では {who} に {items} を許可しません。条件付きのため確認してください',
  },
  itsPolicies: { en: 'its IAM policies', ja: 'IAM ポリシー' },
  stepConditions: {
    en: 'Check the conditions on {keys} in the policies of {who} ({policies}): they must hold when you start the session',
    ja: '{who} のポリシー ({policies}) で {keys} を使う条件を確認します。セッション開始時に条件が満たされている必要があります',
  },
  matched: { en: ' (matched: {ids})', ja: ' (該当ポリシー: {ids})' },
  pass: {
    en: "IAM's policy simulator allows {who} {items}{matched}; {plugin}",
    ja: 'IAM のポリシーシミュレーターは {who} に {items} を許可しています{matched}。{plugin}',
  },
});

const list = (xs: readonly string[]): Text => ({ en: xs.join(', '), ja: xs.join('、') });
const items = (xs: readonly Text[]) => joinText(xs, ', ', '、');

interface Asked {
  label: Text;
  /** What the unknown names when the simulator did not answer. */
  call: string;
  permission: Permission | undefined;
}

/** The simulator's answer to one request, from the results on its own resource; undefined when it gave none. */
function answered(facts: Facts, results: readonly SimulationResult[], request: PreferenceRequest, region: string): Permission | undefined {
  try {
    const asked = { action: request.action, resource: request.resource ?? '' };
    return decide({ ...facts, callerSimulation: known([...results]) }, { caller: true }, [asked], { region }).permissions[0];
  } catch (e) {
    if (e instanceof FactUnknown) return undefined;
    throw e;
  }
}

/** The root user may do anything: a note, and the plugin's state. */
function rootFinding(arn: string, id: string, plugin: { text: Text; missing: boolean }): Finding {
  const note = M('root', { arn, id });
  if (plugin.missing)
    return { status: 'warn', message: M('rootBut', { note, plugin: plugin.text }), fix: { steps: [pluginStep()], commands: [] } };
  return { status: 'pass', message: M('rootPass', { note, plugin: plugin.text }) };
}

function pluginOf(facts: Facts): { text: Text; missing: boolean } {
  const plugin = facts.client?.sessionManagerPlugin;
  if (!plugin) return { text: M('pluginUnchecked'), missing: false };
  if (!plugin.found) return { text: M('pluginMissing'), missing: true };
  return { text: plugin.path ? M('pluginAt', { path: plugin.path }) : M('pluginOnPath'), missing: false };
}

/** The identity running ssm-doctor may start a session on the instance (instance and document, and the KMS key when encryption is on), and session-manager-plugin is installed. */
export const callerStartSession: Check = {
  id: 'caller-start-session',
  subject: 'caller',
  severity: 'warning',
  title: M('title'),
  messages: { ...M.table, ...CALLER_POLICY_MESSAGES, ...CALLER_KEY_MESSAGES },
  evaluate({ facts, instance, region, memo }): Finding {
    const id = instance.instanceId;
    const caller = need(facts.caller, 'sts:GetCallerIdentity');
    const principal = callerPrincipal(caller);
    const plugin = pluginOf(facts);
    const steps: FixStep[] = plugin.missing ? [pluginStep()] : [];
    const problems: Text[] = plugin.missing ? [plugin.text] : [];

    if (principal.kind === 'root') return rootFinding(caller.arn, id, plugin);

    const sims = need(facts.callerSimulation, 'iam:SimulatePrincipalPolicy');
    const { kmsKey, prefsUnknown } = kmsKeyOf(facts);
    const scope = scopeOf(region, instance.accountId ?? caller.accountId, partitionOfRegion(region));
    const session = startSessionRequests(id, scope);
    // One split of the caller's simulation per run: a fleet's holds a result for every instance.
    const split = memo.get('caller-simulation', 'by-instance', () => byInstance(sims));
    const asked = askAll(facts, split, region, { instanceId: id, kmsKey, scope, session });
    const denied = asked.filter((c) => c.permission && c.permission.decision !== 'allow' && c.permission.decision !== 'conditional');
    const conditional = asked.flatMap((c) => (c.permission?.decision === 'conditional' ? [{ ...c, permission: c.permission }] : []));
    const who = caller.arn;
    const permission = denied.length
      ? permissionFix(principal, region, {
          instanceId: id,
          instanceArn: session.instance.resource ?? '',
          documentArn: session.document.resource ?? '',
          kmsKey,
          scope,
        })
      : undefined;
    if (permission) {
      const deniedItems = denied.map((c) => M('deniedItem', { what: c.label, kind: M(c.permission?.decision ?? 'implicit') }));
      problems.unshift(M('mayNot', { who, items: items(deniedItems) }));
      steps.unshift(...permission.steps);
    }
    if (conditional.length) {
      const cond = conditionalProblem(who, conditional);
      problems.push(cond.text);
      steps.push(cond.step);
    }
    // IAM's simulator does not see the key policy, which must let the caller use the key too.
    const key = callerKeyProblem(facts, caller, kmsKey, memo);
    if (key) {
      problems.push(key.text);
      steps.push(key.step);
    }
    if (problems.length)
      return { status: 'warn', message: joinText(problems, '; ', '。'), fix: { steps, commands: permission?.commands ?? [] } };
    if (prefsUnknown) throw prefsUnknown;
    const notSimulated = asked.filter((c) => !c.permission);
    if (notSimulated.length) {
      throw new FactUnknown({
        known: false,
        call: 'iam:SimulatePrincipalPolicy',
        code: 'NotCollected',
        message: `no simulated result for ${notSimulated.map((c) => c.call).join(', ')}`,
      });
    }
    const matched = [...new Set(asked.flatMap((c) => c.permission?.policyIds ?? []))];
    return {
      status: 'pass',
      message: M('pass', {
        who,
        items: items(asked.map((c) => c.label)),
        matched: matched.length ? M('matched', { ids: list(matched) }) : NO_TEXT,
        plugin: plugin.text,
      }),
    };
  },
};

/** The key when KMS encryption is on; unreadable preferences are kept to throw only if all else passes (KMS may be on). */
function kmsKeyOf(facts: Facts): { kmsKey?: string; prefsUnknown?: FactUnknown } {
  try {
    const kmsKey = need(facts.sessionPreferences, 'ssm:GetDocument')?.kmsKeyId;
    return kmsKey ? { kmsKey } : {};
  } catch (e) {
    if (!(e instanceof FactUnknown)) throw e;
    return { prefsUnknown: e };
  }
}

interface Target {
  instanceId: string;
  kmsKey: string | undefined;
  scope: ArnScope;
  session: ReturnType<typeof startSessionRequests>;
}

/** The simulator's answers on the instance, the session document and (with KMS on) the key. */
function askAll(
  facts: Facts,
  split: ReturnType<typeof byInstance>,
  region: string,
  { instanceId: id, kmsKey, scope, session }: Target,
): Asked[] {
  const asked: Asked[] = [
    {
      label: M('onInstance', { id }),
      call: `ssm:StartSession on ${id}`,
      permission: answered(facts, split.instances.get(id) ?? [], session.instance, region),
    },
    {
      label: M('onDocument', { document: SESSION_DOCUMENT }),
      call: `ssm:StartSession on ${SESSION_DOCUMENT}`,
      permission: answered(
        facts,
        split.rest.filter((r) => r.resource?.includes(':document/')),
        session.document,
        region,
      ),
    },
  ];
  const kms = kmsKey ? preferenceNeeds({ kmsKeyId: kmsKey }, scope)[0]?.callerRequests[0] : undefined;
  if (kmsKey && kms)
    asked.push({ label: M('onKey', { key: kmsKey }), call: 'kms:GenerateDataKey', permission: answered(facts, split.rest, kms, region) });
  return asked;
}

function conditionalProblem(who: string, conditional: readonly (Asked & { permission: Permission })[]): { text: Text; step: FixStep } {
  const keys = list([...new Set(conditional.flatMap((c) => c.permission.missingKeys))]);
  const ids = [...new Set(conditional.flatMap((c) => c.permission.policyIds))];
  return {
    text: M('needsContext', { items: items(conditional.map((c) => c.label)), who, keys }),
    step: {
      key: `caller-conditional:${who}`,
      text: M('stepConditions', { keys, who, policies: ids.length ? list(ids) : M('itsPolicies') }),
    },
  };
}
