import type { Facts, Instance } from '../facts/schema.js';
import { t, type Text } from '../lang.js';
import { aws } from './lib/cli.js';
import { DHMC_MIN_VERSION, SSMMESSAGES_ONLY_VERSION, compareVersions } from './lib/iam-ec2messages.js';
import { need, type Check, type FixStep } from './types.js';

interface Minimum {
  version: string;
  feature: Text;
  /** Whether the facts show the feature in use; features not in use are still listed when the agent is below them. */
  inUse(facts: Facts, instance: Instance): boolean;
}

const prefs = (facts: Facts) => (facts.sessionPreferences?.known ? facts.sessionPreferences.value : null);

// From the Session Manager prerequisites (agent versions per feature) and the DHMC documentation.
const MINIMUMS: Minimum[] = [
  { version: '2.3.68.0', feature: t('Session Manager sessions', 'Session Manager のセッション'), inUse: () => true },
  { version: '2.3.539.0', feature: t('KMS session encryption', 'KMS によるセッションの暗号化'), inUse: (f) => !!prefs(f)?.kmsKeyId },
  { version: '3.0.222.0', feature: t('port forwarding and SSH over Session Manager', 'Session Manager によるポートフォワーディングと SSH'), inUse: () => false },
  {
    version: '3.0.284.0',
    feature: t('CloudWatch Logs streaming of sessions', 'セッションログの CloudWatch Logs へのストリーミング'),
    inUse: (f) => !!prefs(f)?.cloudWatchLogGroupName && prefs(f)?.cloudWatchStreamingEnabled === true,
  },
  {
    version: DHMC_MIN_VERSION,
    feature: t('Default Host Management Configuration', 'Default Host Management Configuration'),
    inUse: (f, i) => !i.instanceProfileArn && f.dhmc.known && !!f.dhmc.value.roleName,
  },
];

/**
 * Agents older than this are years behind: 3.3.987.0 was current in October 2024, two years before
 * this tool, and 3.3.40.0 (January 2024) already marks the older ones. A fixed floor, because the
 * tool never looks the latest version up.
 */
const STALE_BELOW = '3.3.987.0';

/** The agent is recent enough for the Session Manager features in use, still talks ssmmessages without ec2messages, and is not years behind. */
export const agentVersion: Check = {
  id: 'agent-version',
  severity: 'warning',
  title: t('SSM Agent is recent enough for the features in use', 'SSM Agent のバージョンが、使う機能に対して十分に新しい'),
  evaluate({ facts, instance, region }) {
    const id = instance.instanceId;
    const managed = need(facts.managedInstances, 'ssm:DescribeInstanceInformation')[id];
    if (!managed) {
      return { status: 'skip', message: t(`${id} is not registered with Systems Manager, so its agent version is not known`, `${id} は Systems Manager に登録されていないため、エージェントのバージョンは不明です`) };
    }
    const version = managed.agentVersion;
    if (!version || compareVersions(version, '0') === undefined) {
      return {
        status: 'skip',
        message: t(`Systems Manager reports no comparable agent version for ${id} (${version ?? 'none'})`, `Systems Manager が報告する ${id} のエージェントのバージョン (${version ?? 'なし'}) は比較できません`),
      };
    }
    const below = (v: string) => compareVersions(version, v)! < 0;
    const missed = MINIMUMS.filter((m) => below(m.version));
    const used = missed.filter((m) => m.inUse(facts, instance));
    const reasons: Text[] = [];
    if (used.length) {
      reasons.push(
        t(
          `it is below the minimum for ${used.map((m) => `${m.feature.en} (${m.version})`).join(', ')}, which ${used.length > 1 ? 'are' : 'is'} in use`,
          `使用中の ${used.map((m) => `${m.feature.ja} (${m.version})`).join('、')} に必要な最小バージョンを下回っています`,
        ),
      );
    }
    const unused = missed.filter((m) => !used.includes(m));
    if (unused.length) {
      reasons.push(
        t(
          `it cannot do ${unused.map((m) => `${m.feature.en} (${m.version})`).join(', ')}`,
          `${unused.map((m) => `${m.feature.ja} (${m.version})`).join('、')} には対応していません`,
        ),
      );
    }
    if (below(SSMMESSAGES_ONLY_VERSION)) {
      reasons.push(
        t(
          `agents before ${SSMMESSAGES_ONLY_VERSION} still need ec2messages, which AWS is retiring`,
          `${SSMMESSAGES_ONLY_VERSION} より前のエージェントは、AWS が廃止を予定している ec2messages を必要とします`,
        ),
      );
    } else if (below(STALE_BELOW)) {
      reasons.push(t(`it is older than ${STALE_BELOW} (October 2024): years of fixes behind`, `${STALE_BELOW} (2024 年 10 月) より古く、何年分もの修正が適用されていません`));
    }
    if (!reasons.length) {
      return { status: 'pass', message: t(`${id} runs SSM Agent ${version}`, `${id} の SSM Agent は ${version} です`) };
    }
    return {
      status: 'warn',
      message: t(`${id} runs SSM Agent ${version}: ${reasons.map((r) => r.en).join('; ')}`, `${id} の SSM Agent は ${version} です。${reasons.map((r) => r.ja).join('。')}`),
      fix: {
        steps: [updateStep(id, managed.pingStatus === 'Online', /ubuntu/i.test(managed.platformName ?? ''))],
        commands: managed.pingStatus === 'Online' ? [aws(region, 'ssm', 'send-command', '--instance-ids', id, '--document-name', 'AWS-UpdateSSMAgent')] : [],
      },
    };
  },
};

function updateStep(id: string, online: boolean, ubuntu: boolean): FixStep {
  const snap = ubuntu
    ? t(' On Ubuntu, where the agent is a snap, run `sudo snap refresh amazon-ssm-agent` on the instance instead.', 'snap 版の Ubuntu では、代わりにインスタンス上で `sudo snap refresh amazon-ssm-agent` を実行します。')
    : t('', '');
  const auto = t(
    ' To keep it current: Systems Manager → Fleet Manager → Settings → Auto update SSM Agent.',
    '今後も最新に保つには「Systems Manager」→「フリートマネージャー」→「設定」→「SSM Agent の自動更新」を使います。',
  );
  return {
    key: 'agent-update',
    text: online
      ? t(
          `Update SSM Agent on ${id}: Systems Manager → Run Command → Run command → AWS-UpdateSSMAgent → Targets: Choose instances manually → ${id} → Run (or the command below).${snap.en}${auto.en}`,
          `${id} の SSM Agent を更新します:「Systems Manager」→「Run Command」→「コマンドを実行」→「AWS-UpdateSSMAgent」を選び、ターゲットで「インスタンスを手動で選択する」から ${id} を選んで「実行」をクリックします (下のコマンドでも同じです)。${snap.ja}${auto.ja}`,
        )
      : t(
          `Update SSM Agent on ${id} once it is Online again (Systems Manager → Run Command → AWS-UpdateSSMAgent), or reinstall it from user data or a shell on the instance.${snap.en}${auto.en}`,
          `${id} がオンラインに戻ったら SSM Agent を更新します (「Systems Manager」→「Run Command」→「AWS-UpdateSSMAgent」)。ユーザーデータやインスタンスのシェルから再インストールしても構いません。${snap.ja}${auto.ja}`,
        ),
  };
}
