/** The fix steps agent-registered prints: install the agent, look at a hung one, and reboot so it retries at once. */
import type { Instance } from '../../facts/schema.js';
import { defineMessages, NO_TEXT } from '../../lang.js';
import type { CheckContext, FixStep } from '../types.js';
import { aws } from './cli.js';
import { CONSOLE, consolePath } from './glossary.js';

const C = CONSOLE;
const instances = consolePath('ec2', 'instances');
const LINUX_DOC = '"Manually installing and uninstalling SSM Agent on EC2 instances for Linux"';
const LINUX_DOC_JA =
  '「Manually installing and uninstalling SSM Agent on EC2 instances for Linux」(Linux 用 EC2 インスタンスへの SSM Agent の手動インストール)';

const M = defineMessages({
  installWindows: {
    en: 'Make sure SSM Agent is installed and running (Windows Server AMIs from AWS include it): see the AWS documentation "Manually installing and uninstalling SSM Agent on EC2 instances for Windows Server"',
    ja: 'SSM Agent がインストールされ、実行中であることを確認します (AWS 提供の Windows Server AMI には含まれています)。AWS ドキュメントの「Manually installing and uninstalling SSM Agent on EC2 instances for Windows Server」(Windows Server 用 EC2 インスタンスへの SSM Agent の手動インストール) を参照してください',
  },
  installRhel: {
    en: `This instance runs RHEL, whose AMIs do not include SSM Agent (nor do Debian, Rocky, AlmaLinux, CentOS and Oracle Linux AMIs). Install it, for example from user data at launch, following the AWS documentation ${LINUX_DOC}`,
    ja: `このインスタンスは RHEL で、RHEL の AMI には SSM Agent が含まれていません (Debian、Rocky、AlmaLinux、CentOS、Oracle Linux の AMI も同様です)。AWS ドキュメントの${LINUX_DOC_JA} に従い、起動時のユーザーデータなどでインストールします`,
  },
  installLinux: {
    en: `Make sure SSM Agent is installed: Amazon Linux, Ubuntu and SLES AMIs include it, but RHEL, Debian, Rocky, AlmaLinux, CentOS and Oracle Linux AMIs generally do not. Install it, for example from user data at launch, following the AWS documentation ${LINUX_DOC}`,
    ja: `SSM Agent がインストールされているか確認します。Amazon Linux、Ubuntu、SLES の AMI には含まれていますが、RHEL、Debian、Rocky、AlmaLinux、CentOS、Oracle Linux の AMI には通常含まれていません。AWS ドキュメントの${LINUX_DOC_JA} に従い、起動時のユーザーデータなどでインストールします`,
  },
  hung: {
    en: `An agent that stops sending heartbeats is often stopped, or starved by a full disk, memory or CPU: check the instance (${instances.en} → select it → ${C.actions.en} → ${C.monitorAndTroubleshoot.en} → ${C.getSystemLog.en})`,
    ja: `ハートビートが止まったエージェントは、停止しているか、ディスク・メモリ・CPU の枯渇で動けなくなっていることがよくあります。インスタンスの状態を確認します (${instances.ja}→ 対象を選択 →「${C.actions.ja}」→「${C.monitorAndTroubleshoot.ja}」→「${C.getSystemLog.ja}」)`,
  },
  restartWindows: { en: 'Restart-Service AmazonSSMAgent (PowerShell)', ja: 'Restart-Service AmazonSSMAgent (PowerShell)' },
  restartLinux: {
    en: '`sudo systemctl restart amazon-ssm-agent` (on Ubuntu, where it is a snap: `sudo snap restart amazon-ssm-agent`)',
    ja: '`sudo systemctl restart amazon-ssm-agent` (snap 版の Ubuntu では `sudo snap restart amazon-ssm-agent`)',
  },
  dhmcDelay: {
    en: ' With Default Host Management Configuration the credentials can take up to 30 minutes to arrive after it is turned on.',
    ja: 'Default Host Management Configuration を使う場合、有効にしてから認証情報が届くまで最大 30 分かかります。',
  },
  leadAfterFixes: { en: 'After the fixes above, reboot', ja: '上の修正がすべて終わったら、' },
  leadNow: { en: 'Reboot', ja: '' },
  restart: {
    en: `{lead} {id} (${instances.en} → select {id} → ${C.instanceState.en} → ${C.rebootInstance.en}) so the agent retries at once; otherwise it retries on a backoff of up to about an hour. From a shell on the instance, restarting the agent does the same: {restart}.{dhmc}`,
    ja: `{lead}{id} を再起動します (${instances.ja}→ {id} を選択 →「${C.instanceState.ja}」→「${C.rebootInstance.ja}」)。再起動するとエージェントはすぐに再接続を試みます。そのままでは最大で約 1 時間の間隔を空けて再試行します。インスタンスのシェルに入れる場合は、エージェントの再起動でも同じ効果があります: {restart}。{dhmc}`,
  },
});

export const agentStepMessages = M.table;

export function isWindows(instance: Instance): boolean {
  return instance.platform === 'windows' || /windows/i.test(instance.platformDetails ?? '');
}

export function installStep(instance: Instance): FixStep {
  const rhel = /red hat|rhel/i.test(instance.platformDetails ?? '');
  return { key: 'agent-install', text: M(isWindows(instance) ? 'installWindows' : rhel ? 'installRhel' : 'installLinux') };
}

export function hungStep(): FixStep {
  return { key: 'agent-health', text: M('hung') };
}

/** Reboot (or restart the agent) so it retries at once instead of waiting out its backoff; shown once, last, in the plan. */
export function restartStep({ instance, facts }: CheckContext, afterFixes: boolean): FixStep {
  const dhmc = !instance.instanceProfileArn && facts.dhmc.known && facts.dhmc.value.roleName !== null;
  return {
    key: 'agent-restart',
    text: M('restart', {
      lead: M(afterFixes ? 'leadAfterFixes' : 'leadNow'),
      id: instance.instanceId,
      restart: M(isWindows(instance) ? 'restartWindows' : 'restartLinux'),
      dhmc: dhmc ? M('dhmcDelay') : NO_TEXT,
    }),
  };
}

export function rebootCommand({ region, instance }: CheckContext): string {
  return aws(region, 'ec2', 'reboot-instances', '--instance-ids', instance.instanceId);
}
