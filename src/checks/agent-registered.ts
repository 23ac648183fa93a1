import type { Instance, ManagedInstance } from '../facts/schema.js';
import { t, type Text } from '../lang.js';
import { aws } from './lib/cli.js';
import { need, type Check, type CheckContext, type Finding, type FixStep } from './types.js';

/** Checks whose failure explains a session channel that is down (IAM for ssmmessages, the network path to it). */
const CHANNEL_CHECKS = [
  'instance-metadata',
  'iam-trust-policy',
  'iam-core-policy',
  'network-route',
  'instance-sg-egress',
  'network-acl',
  'vpc-endpoints',
  'endpoint-private-dns',
  'endpoint-sg-https',
  'endpoint-policy',
];

/** Checks whose failure breaks sessions but not registration or the control channel, so they explain neither. */
const SESSION_ONLY = new Set(['session-preferences']);

/**
 * Systems Manager lists the instance as a managed node that is Online and, when it says so, with its session channel
 * connected: the ground truth the other checks explain.
 */
export const agentRegistered: Check = {
  id: 'agent-registered',
  severity: 'critical',
  title: t('The SSM Agent is registered with Systems Manager and Online', 'SSM Agent が Systems Manager に登録され、オンラインである'),
  requires: ['instance-state'],
  evaluate(ctx) {
    const { facts, instance } = ctx;
    const id = instance.instanceId;
    const managed = need(facts.managedInstances, 'ssm:DescribeInstanceInformation')[id];
    const criticalFails = [...ctx.earlier.values()]
      .filter((r) => r.severity === 'critical' && r.status === 'fail' && !SESSION_ONLY.has(r.id))
      .map((r) => r.id);
    if (managed?.pingStatus === 'Online') {
      const platform = [managed.platformName, managed.platformVersion].filter(Boolean).join(' ') || managed.platformType || 'unknown platform';
      const ping = managed.lastPingDateTime ?? 'unknown';
      const online = t(
        `${id} is Online: agent ${managed.agentVersion ?? '(version unknown)'} on ${platform}, last ping ${ping}`,
        `${id} はオンラインです (エージェント ${managed.agentVersion ?? '(バージョン不明)'}、${platform}、最終 ping ${ping})`,
      );
      const conn = facts.connections?.[id];
      if (conn?.known && conn.value.toLowerCase() === 'notconnected') return notConnected(ctx, online);
      const connText = !conn
        ? t('', '')
        : conn.known
          ? t(`, and its session channel is ${conn.value} (ssm:GetConnectionStatus)`, `。セッションチャネルは ${conn.value} です (ssm:GetConnectionStatus)`)
          : t(`; whether its session channel is connected is not known (${conn.call}: ${conn.code})`, `。セッションチャネルの接続状態は不明です (${conn.call}: ${conn.code})`);
      // Observed beats inferred: the failing checks keep their verdict, because they describe the configuration an agent meets when it reconnects.
      const contradicted = criticalFails.length
        ? t(
            `. Systems Manager sees it ${conn?.known ? 'connected' : 'Online'} although ${criticalFails.join(', ')} found a gap: something ssm-doctor cannot see is in play (a proxy, centralised endpoints, or a connection made before the configuration changed). Those checks keep their verdict: a new connection, after a reboot or an agent restart, meets the configuration they describe`,
            `。${criticalFails.join('、')} が問題を検出していますが、Systems Manager 上は${conn?.known ? '接続済み' : 'オンライン'}です。ssm-doctor から見えないもの (プロキシ、集約されたエンドポイント、設定変更前に確立された接続など) が関わっています。これらのチェックの判定はそのままです。再起動やエージェントの再起動のあとの新しい接続は、それらが示す設定で行われるためです`,
          )
        : t('', '');
      return { status: 'pass', message: t(online.en + connText.en + contradicted.en, online.ja + connText.ja + contradicted.ja) };
    }

    const observed = cat(observedState(id, managed), sinceText(facts, managed));
    const evidence = managed ? t('', '') : consoleEvidence(ctx);
    if (criticalFails.length) {
      return {
        status: 'fail',
        message: t(
          `${observed.en}: expected until the failures above are fixed (${criticalFails.join(', ')})${evidence.en}`,
          `${observed.ja}。上の失敗 (${criticalFails.join('、')}) を解決するまでは想定どおりの状態です${evidence.ja}`,
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
        `${observed.en}, although the other checks found no gap: ${managed ? 'the agent may be stopped or hung, or still waiting out its retry backoff after a recent fix' : 'the agent may not be installed, or is still waiting out its retry backoff after a recent fix'}${evidence.en}`,
        `${observed.ja}。ほかのチェックでは問題が見つかっていないため、${managed ? 'エージェントが停止またはハングしているか、最近の修正のあとでまだ再試行の待ち時間中である' : 'エージェントがインストールされていないか、最近の修正のあとでまだ再試行の待ち時間中である'}可能性があります${evidence.ja}`,
      ),
      fix: { steps, commands: [rebootCommand(ctx)] },
    };
  },
};

/** Online, but Systems Manager says the session channel (the ssmmessages control channel) is not connected. */
function notConnected(ctx: CheckContext, online: Text): Finding {
  const id = ctx.instance.instanceId;
  const why = [...ctx.earlier.values()].filter((r) => CHANNEL_CHECKS.includes(r.id) && (r.status === 'fail' || r.status === 'warn')).map((r) => r.id);
  const head = t(
    `${online.en}, but Systems Manager reports its session channel notconnected (ssm:GetConnectionStatus): the agent's ssmmessages control channel is down, so no session can open`,
    `${online.ja}。ただし Systems Manager はセッションチャネルを notconnected と報告しています (ssm:GetConnectionStatus)。エージェントの ssmmessages コントロールチャネルが切れているため、セッションを開けません`,
  );
  if (why.length) {
    return {
      status: 'fail',
      message: t(
        `${head.en}; ${why.join(', ')} above say${why.length > 1 ? '' : 's'} why (the path to ssmmessages or the permissions for it)`,
        `${head.ja}。原因は上の ${why.join('、')} を参照してください (ssmmessages への経路またはその権限)`,
      ),
      fix: { steps: [restartStep(ctx, true)], commands: [rebootCommand(ctx)] },
    };
  }
  return {
    status: 'fail',
    message: t(
      `${head.en}; no check above explains it: look for a proxy or TLS inspection between ${id} and ssmmessages, or the channel is still in its retry backoff (up to 40 minutes) after a recent fix`,
      `${head.ja}。上のチェックでは原因が見つかりません。${id} と ssmmessages の間のプロキシや TLS インスペクションを確認してください。最近修正した場合は、コントロールチャネルがまだ再試行の待ち時間 (最大 40 分) 中の可能性があります`,
    ),
    fix: {
      steps: [
        {
          key: 'agent-proxy',
          text: t(
            `If ${id} reaches AWS through a proxy, make sure it lets WebSocket (wss://) traffic to ssmmessages.${ctx.region}.amazonaws.com through without TLS inspection, and that the agent's no_proxy includes 169.254.169.254`,
            `${id} がプロキシ経由で AWS に接続している場合は、ssmmessages.${ctx.region}.amazonaws.com への WebSocket (wss://) 通信を TLS インスペクションなしで通すこと、エージェントの no_proxy に 169.254.169.254 が含まれることを確認します`,
          ),
        },
        restartStep(ctx, false),
      ],
      commands: [rebootCommand(ctx)],
    },
  };
}

/** How long before the facts were collected the last ping came: "3 h 20 min". */
function sinceText(facts: CheckContext['facts'], m: ManagedInstance | undefined): Text {
  const last = m?.lastPingDateTime ? Date.parse(m.lastPingDateTime) : NaN;
  const now = facts.collectedAt ? Date.parse(facts.collectedAt) : NaN;
  if (!Number.isFinite(last) || !Number.isFinite(now) || now < last) return t('', '');
  const minutes = Math.round((now - last) / 60000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  const en = days ? `${days} day${days > 1 ? 's' : ''}${hours ? ` ${hours} h` : ''}` : hours ? `${hours} h${mins ? ` ${mins} min` : ''}` : `${mins} min`;
  const ja = days ? `${days} 日${hours ? ` ${hours} 時間` : ''}` : hours ? `${hours} 時間${mins ? ` ${mins} 分` : ''}` : `${mins} 分`;
  return t(`, ${en} before these facts were collected`, `。最後の ping はファクト収集の ${ja}前です`);
}

/** What ec2:GetConsoleOutput says about the agent of an unregistered instance. */
function consoleEvidence({ facts, instanceId }: CheckContext): Text {
  const out = facts.consoleOutput?.[instanceId];
  if (!out) return t('', '');
  if (!out.known) return t(` (no console output to look at: ${out.call} ${out.code})`, ` (コンソール出力は確認できません: ${out.call} ${out.code})`);
  if (!out.value.hasOutput) {
    return t(
      '; the console output is empty (EC2 keeps only recent output, and some instances provide none)',
      '。コンソール出力は空です (EC2 が保持するのは直近の出力だけで、出力のないインスタンスもあります)',
    );
  }
  if (!out.value.agentLines.length) {
    return t(
      '; no sign of the agent in the console output: it may not be installed',
      '。コンソール出力にエージェントの形跡がありません。インストールされていない可能性があります',
    );
  }
  const quoted = out.value.agentLines
    .slice(-2)
    .map((l) => `"${l.trim().slice(0, 200)}"`)
    .join(' … ');
  return t(`; the console output shows the agent: ${quoted}`, `。コンソール出力にはエージェントの記録があります: ${quoted}`);
}

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

function cat(a: Text, b: Text): Text {
  return t(a.en + b.en, a.ja + b.ja);
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
