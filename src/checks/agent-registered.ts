import type { Instance, ManagedInstance } from '../facts/schema.js';
import { t, type Text } from '../lang.js';
import { aws } from './lib/cli.js';
import { need, type Check, type CheckContext, type FixStep } from './types.js';

/** Systems Manager lists the instance as a managed node that is Online: the ground truth the other checks explain. */
export const agentRegistered: Check = {
  id: 'agent-registered',
  severity: 'critical',
  title: t('The SSM Agent is registered with Systems Manager and Online', 'SSM Agent が Systems Manager に登録され、オンラインである'),
  requires: ['instance-state'],
  evaluate(ctx) {
    const { facts, instance } = ctx;
    const id = instance.instanceId;
    const managed = need(facts.managedInstances, 'ssm:DescribeInstanceInformation')[id];
    if (managed?.pingStatus === 'Online') {
      const platform = [managed.platformName, managed.platformVersion].filter(Boolean).join(' ') || managed.platformType || 'unknown platform';
      const ping = managed.lastPingDateTime ?? 'unknown';
      return {
        status: 'pass',
        message: t(
          `${id} is Online: agent ${managed.agentVersion ?? '(version unknown)'} on ${platform}, last ping ${ping}`,
          `${id} はオンラインです (エージェント ${managed.agentVersion ?? '(バージョン不明)'}、${platform}、最終 ping ${ping})`,
        ),
      };
    }

    const observed = observedState(id, managed);
    const failed = [...ctx.earlier.values()].filter((r) => r.severity === 'critical' && r.status === 'fail').map((r) => r.id);
    if (failed.length) {
      return {
        status: 'fail',
        message: t(
          `${observed.en}: expected until the failures above are fixed (${failed.join(', ')})`,
          `${observed.ja}。上の失敗 (${failed.join('、')}) を解決するまでは想定どおりの状態です`,
        ),
        fix: { steps: [restartStep(ctx, true)], commands: [rebootCommand(ctx)] },
      };
    }

    const steps: FixStep[] = [];
    if (!managed) steps.push(installStep(instance));
    else if (managed.pingStatus === 'ConnectionLost') steps.push(hungStep());
    steps.push(restartStep(ctx, false));
    return {
      status: 'fail',
      message: t(
        `${observed.en}, although the other checks found no gap: ${managed ? 'the agent may be stopped or hung, or still waiting out its retry backoff after a recent fix' : 'the agent may not be installed, or is still waiting out its retry backoff after a recent fix'}`,
        `${observed.ja}。ほかのチェックでは問題が見つかっていないため、${managed ? 'エージェントが停止またはハングしているか、最近の修正のあとでまだ再試行の待ち時間中である' : 'エージェントがインストールされていないか、最近の修正のあとでまだ再試行の待ち時間中である'}可能性があります`,
      ),
      fix: { steps, commands: [rebootCommand(ctx)] },
    };
  },
};

function observedState(id: string, m: ManagedInstance | undefined): Text {
  if (!m) return t(`${id} is not registered with Systems Manager`, `${id} は Systems Manager に登録されていません`);
  const since = m.lastPingDateTime ?? 'unknown';
  switch (m.pingStatus) {
    case 'ConnectionLost':
      return t(
        `${id} is registered but there has been no heartbeat from its agent since ${since} (ConnectionLost)`,
        `${id} は登録されていますが、${since} 以降エージェントからのハートビートがありません (ConnectionLost)`,
      );
    case 'Inactive':
      return t(`${id} is registered but Inactive (last ping ${since})`, `${id} は登録されていますが、非アクティブ (Inactive) です (最終 ping ${since})`);
    default:
      return t(`${id} is registered with PingStatus ${m.pingStatus} (last ping ${since})`, `${id} は登録されていますが、PingStatus は ${m.pingStatus} です (最終 ping ${since})`);
  }
}

function isWindows(instance: Instance): boolean {
  return instance.platform === 'windows' || /windows/i.test(instance.platformDetails ?? '');
}

function installStep(instance: Instance): FixStep {
  const rhel = /red hat|rhel/i.test(instance.platformDetails ?? '');
  return {
    key: 'agent-install',
    text: isWindows(instance)
      ? t(
          'Make sure SSM Agent is installed and running (Windows Server AMIs from AWS include it): see the AWS documentation "Manually installing and uninstalling SSM Agent on EC2 instances for Windows Server"',
          'SSM Agent がインストールされ、実行中であることを確認します (AWS 提供の Windows Server AMI には含まれています)。AWS ドキュメントの「Manually installing and uninstalling SSM Agent on EC2 instances for Windows Server」(Windows Server 用 EC2 インスタンスへの SSM Agent の手動インストール) を参照してください',
        )
      : rhel
        ? t(
            'This instance runs RHEL, whose AMIs do not include SSM Agent (nor do Debian, Rocky, AlmaLinux, CentOS and Oracle Linux AMIs). Install it, for example from user data at launch, following the AWS documentation "Manually installing and uninstalling SSM Agent on EC2 instances for Linux"',
            'このインスタンスは RHEL で、RHEL の AMI には SSM Agent が含まれていません (Debian、Rocky、AlmaLinux、CentOS、Oracle Linux の AMI も同様です)。AWS ドキュメントの「Manually installing and uninstalling SSM Agent on EC2 instances for Linux」(Linux 用 EC2 インスタンスへの SSM Agent の手動インストール) に従い、起動時のユーザーデータなどでインストールします',
          )
        : t(
            'Make sure SSM Agent is installed: Amazon Linux, Ubuntu and SLES AMIs include it, but RHEL, Debian, Rocky, AlmaLinux, CentOS and Oracle Linux AMIs generally do not. Install it, for example from user data at launch, following the AWS documentation "Manually installing and uninstalling SSM Agent on EC2 instances for Linux"',
            'SSM Agent がインストールされているか確認します。Amazon Linux、Ubuntu、SLES の AMI には含まれていますが、RHEL、Debian、Rocky、AlmaLinux、CentOS、Oracle Linux の AMI には通常含まれていません。AWS ドキュメントの「Manually installing and uninstalling SSM Agent on EC2 instances for Linux」(Linux 用 EC2 インスタンスへの SSM Agent の手動インストール) に従い、起動時のユーザーデータなどでインストールします',
          ),
  };
}

function hungStep(): FixStep {
  return {
    key: 'agent-health',
    text: t(
      'An agent that stops sending heartbeats is often stopped, or starved by a full disk, memory or CPU: check the instance (EC2 → Instances → select it → Actions → Monitor and troubleshoot → Get system log)',
      'ハートビートが止まったエージェントは、停止しているか、ディスク・メモリ・CPU の枯渇で動けなくなっていることがよくあります。インスタンスの状態を確認します (「EC2」→「インスタンス」→ 対象を選択 →「アクション」→「モニタリングとトラブルシューティング」→「システムログを取得」)',
    ),
  };
}

/** Reboot (or restart the agent) so it retries at once instead of waiting out its backoff; shown once, last, in the plan. */
function restartStep({ instance, facts }: CheckContext, afterFixes: boolean): FixStep {
  const id = instance.instanceId;
  const dhmc = !instance.instanceProfileArn && facts.dhmc.known && facts.dhmc.value.roleName !== null;
  const restart = isWindows(instance)
    ? t('Restart-Service AmazonSSMAgent (PowerShell)', 'Restart-Service AmazonSSMAgent (PowerShell)')
    : t(
        '`sudo systemctl restart amazon-ssm-agent` (on Ubuntu, where it is a snap: `sudo snap restart amazon-ssm-agent`)',
        '`sudo systemctl restart amazon-ssm-agent` (snap 版の Ubuntu では `sudo snap restart amazon-ssm-agent`)',
      );
  const dhmcNote = dhmc
    ? t(' With Default Host Management Configuration the credentials can take up to 30 minutes to arrive after it is turned on.', 'Default Host Management Configuration を使う場合、有効にしてから認証情報が届くまで最大 30 分かかります。')
    : t('', '');
  const lead = afterFixes
    ? t('After the fixes above, reboot', '上の修正がすべて終わったら、')
    : t('Reboot', '');
  return {
    key: 'agent-restart',
    text: t(
      `${lead.en} ${id} (EC2 → Instances → select ${id} → Instance state → Reboot instance) so the agent retries at once; otherwise it retries on a backoff of up to about an hour. From a shell on the instance, restarting the agent does the same: ${restart.en}.${dhmcNote.en}`,
      `${lead.ja}${id} を再起動します (「EC2」→「インスタンス」→ ${id} を選択 →「インスタンスの状態」→「インスタンスを再起動」)。再起動するとエージェントはすぐに再接続を試みます。そのままでは最大で約 1 時間の間隔を空けて再試行します。インスタンスのシェルに入れる場合は、エージェントの再起動でも同じ効果があります: ${restart.ja}。${dhmcNote.ja}`,
    ),
  };
}

function rebootCommand({ region, instance }: CheckContext): string {
  return aws(region, 'ec2', 'reboot-instances', '--instance-ids', instance.instanceId);
}
