import type { Facts, Instance } from '../facts/schema.js';
import { defineMessages, joinText, NO_TEXT, type Text } from '../lang.js';
import { aws } from './lib/cli.js';
import { CONSOLE } from './lib/glossary.js';
import { DHMC_MIN_VERSION, SSMMESSAGES_ONLY_VERSION, compareVersions } from './lib/iam-ec2messages.js';
import { need, type Check, type FixStep } from './types.js';

const C = CONSOLE;

const M = defineMessages({
  title: { en: 'SSM Agent is recent enough for the features in use', ja: 'SSM Agent のバージョンが、使う機能に対して十分に新しい' },
  notRegistered: {
    en: '{id} is not registered with Systems Manager, so its agent version is not known',
    ja: '{id} は Systems Manager に登録されていないため、エージェントのバージョンは不明です',
  },
  noVersion: {
    en: 'Systems Manager reports no comparable agent version for {id} ({version})',
    ja: 'Systems Manager が報告する {id} のエージェントのバージョン ({version}) は比較できません',
  },
  none: { en: 'none', ja: 'なし' },
  featSessions: { en: 'Session Manager sessions', ja: 'Session Manager のセッション' },
  featKms: { en: 'KMS session encryption', ja: 'KMS によるセッションの暗号化' },
  featPorts: { en: 'port forwarding and SSH over Session Manager', ja: 'Session Manager によるポートフォワーディングと SSH' },
  featLogs: { en: 'CloudWatch Logs streaming of sessions', ja: 'セッションログの CloudWatch Logs へのストリーミング' },
  featDhmc: { en: 'Default Host Management Configuration', ja: 'Default Host Management Configuration' },
  featureAt: { en: '{feature} ({version})', ja: '{feature} ({version})' },
  belowUsedOne: {
    en: 'it is below the minimum for {features}, which is in use',
    ja: '使用中の {features} に必要な最小バージョンを下回っています',
  },
  belowUsedMany: {
    en: 'it is below the minimum for {features}, which are in use',
    ja: '使用中の {features} に必要な最小バージョンを下回っています',
  },
  cannotDo: { en: 'it cannot do {features}', ja: '{features} には対応していません' },
  needsEc2messages: {
    en: 'agents before {version} still need ec2messages, which AWS is retiring',
    ja: '{version} より前のエージェントは、AWS が廃止を予定している ec2messages を必要とします',
  },
  stale: {
    en: 'it is older than {version} (October 2024): years of fixes behind',
    ja: '{version} (2024 年 10 月) より古く、何年分もの修正が適用されていません',
  },
  pass: { en: '{id} runs SSM Agent {version}', ja: '{id} の SSM Agent は {version} です' },
  warn: { en: '{id} runs SSM Agent {version}: {reasons}', ja: '{id} の SSM Agent は {version} です。{reasons}' },
  snap: {
    en: ' On Ubuntu, where the agent is a snap, run `sudo snap refresh amazon-ssm-agent` on the instance instead.',
    ja: 'snap 版の Ubuntu では、代わりにインスタンス上で `sudo snap refresh amazon-ssm-agent` を実行します。',
  },
  auto: {
    en: ` To keep it current: ${C.systemsManager.en} → ${C.fleetManager.en} → ${C.settings.en} → ${C.autoUpdateAgent.en}.`,
    ja: `今後も最新に保つには「${C.systemsManager.ja}」→「${C.fleetManager.ja}」→「${C.settings.ja}」→「${C.autoUpdateAgent.ja}」を使います。`,
  },
  stepUpdateOnline: {
    en: `Update SSM Agent on {id}: ${C.systemsManager.en} → ${C.runCommand.en} → ${C.runCommandAction.en} → AWS-UpdateSSMAgent → Targets: ${C.chooseInstancesManually.en} → {id} → ${C.run.en} (or the command below).{snap}{auto}`,
    ja: `{id} の SSM Agent を更新します:「${C.systemsManager.ja}」→「${C.runCommand.ja}」→「${C.runCommandAction.ja}」→「AWS-UpdateSSMAgent」を選び、ターゲットで「${C.chooseInstancesManually.ja}」から {id} を選んで「${C.run.ja}」をクリックします (下のコマンドでも同じです)。{snap}{auto}`,
  },
  stepUpdateOffline: {
    en: `Update SSM Agent on {id} once it is Online again (${C.systemsManager.en} → ${C.runCommand.en} → AWS-UpdateSSMAgent), or reinstall it from user data or a shell on the instance.{snap}{auto}`,
    ja: `{id} がオンラインに戻ったら SSM Agent を更新します (「${C.systemsManager.ja}」→「${C.runCommand.ja}」→「AWS-UpdateSSMAgent」)。ユーザーデータやインスタンスのシェルから再インストールしても構いません。{snap}{auto}`,
  },
});

interface Minimum {
  version: string;
  feature: Text;
  /** Whether the facts show the feature in use; features not in use are still listed when the agent is below them. */
  inUse(facts: Facts, instance: Instance): boolean;
}

const prefs = (facts: Facts) => (facts.sessionPreferences?.known ? facts.sessionPreferences.value : null);

// From the Session Manager prerequisites (agent versions per feature) and the DHMC documentation.
const MINIMUMS: Minimum[] = [
  { version: '2.3.68.0', feature: M('featSessions'), inUse: () => true },
  { version: '2.3.539.0', feature: M('featKms'), inUse: (f) => !!prefs(f)?.kmsKeyId },
  { version: '3.0.222.0', feature: M('featPorts'), inUse: () => false },
  {
    version: '3.0.284.0',
    feature: M('featLogs'),
    inUse: (f) => !!prefs(f)?.cloudWatchLogGroupName && prefs(f)?.cloudWatchStreamingEnabled === true,
  },
  { version: DHMC_MIN_VERSION, feature: M('featDhmc'), inUse: (f, i) => !i.instanceProfileArn && f.dhmc.known && !!f.dhmc.value.roleName },
];

/**
 * Agents older than this are years behind: 3.3.987.0 was current in October 2024, two years before
 * this tool, and 3.3.40.0 (January 2024) already marks the older ones. A fixed floor, because the
 * tool never looks the latest version up.
 */
const STALE_BELOW = '3.3.987.0';

const features = (ms: readonly Minimum[]) =>
  joinText(
    ms.map((m) => M('featureAt', { feature: m.feature, version: m.version })),
    ', ',
    '、',
  );

/** What a version lacks: the features in use it is below, those it cannot do, and how far behind it is. */
function reasonsFor(facts: Facts, instance: Instance, version: string): Text[] {
  const below = (v: string) => (compareVersions(version, v) ?? 0) < 0;
  const missed = MINIMUMS.filter((m) => below(m.version));
  const used = missed.filter((m) => m.inUse(facts, instance));
  const unused = missed.filter((m) => !used.includes(m));
  const reasons: Text[] = [];
  if (used.length) reasons.push(M(used.length > 1 ? 'belowUsedMany' : 'belowUsedOne', { features: features(used) }));
  if (unused.length) reasons.push(M('cannotDo', { features: features(unused) }));
  if (below(SSMMESSAGES_ONLY_VERSION)) reasons.push(M('needsEc2messages', { version: SSMMESSAGES_ONLY_VERSION }));
  else if (below(STALE_BELOW)) reasons.push(M('stale', { version: STALE_BELOW }));
  return reasons;
}

function updateStep(id: string, online: boolean, ubuntu: boolean): FixStep {
  const parts = { id, snap: ubuntu ? M('snap') : NO_TEXT, auto: M('auto') };
  return { key: 'agent-update', text: M(online ? 'stepUpdateOnline' : 'stepUpdateOffline', parts) };
}

/** The agent is recent enough for the Session Manager features in use, still talks ssmmessages without ec2messages, and is not years behind. */
export const agentVersion: Check = {
  id: 'agent-version',
  severity: 'warning',
  title: M('title'),
  messages: M.table,
  evaluate({ facts, instance, region }) {
    const id = instance.instanceId;
    const managed = need(facts.managedInstances, 'ssm:DescribeInstanceInformation')[id];
    if (!managed) return { status: 'skip', message: M('notRegistered', { id }) };
    const version = managed.agentVersion;
    if (!version || compareVersions(version, '0') === undefined) {
      return { status: 'skip', message: M('noVersion', { id, version: version ?? M('none') }) };
    }
    const reasons = reasonsFor(facts, instance, version);
    if (!reasons.length) return { status: 'pass', message: M('pass', { id, version }) };
    const online = managed.pingStatus === 'Online';
    return {
      status: 'warn',
      message: M('warn', { id, version, reasons: joinText(reasons, '; ', '。') }),
      fix: {
        steps: [updateStep(id, online, /ubuntu/i.test(managed.platformName ?? ''))],
        commands: online ? [aws(region, 'ssm', 'send-command', '--instance-ids', id, '--document-name', 'AWS-UpdateSSMAgent')] : [],
      },
    };
  },
};
