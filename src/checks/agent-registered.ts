import type { ManagedInstance } from '../facts/schema.js';
import { serviceHost } from '../aws/services.js';
import { catText, defineMessages, NO_TEXT, type Text } from '../lang.js';
import { consoleEvidence, observedState, orUnknown, sinceText } from './lib/agent-evidence.js';
import { hungStep, installStep, rebootCommand, restartStep } from './lib/agent-steps.js';
import { listText } from './lib/list.js';
import { need, type Check, type CheckContext, type Finding, type FixStep } from './types.js';

const M = defineMessages({
  title: {
    en: 'The SSM Agent is registered with Systems Manager and Online',
    ja: 'SSM Agent が Systems Manager に登録され、オンラインである',
  },
  online: {
    en: '{id} is Online: agent {version} on {platform}, last ping {ping}',
    ja: '{id} はオンラインです (エージェント {version}、{platform}、最終 ping {ping})',
  },
  versionUnknown: { en: '(version unknown)', ja: '(バージョン不明)' },
  platformUnknown: { en: 'unknown platform', ja: '不明なプラットフォーム' },
  channel: {
    en: ', and its session channel is {status} (ssm:GetConnectionStatus)',
    ja: '。セッションチャネルは {status} です (ssm:GetConnectionStatus)',
  },
  channelUnknown: {
    en: '; whether its session channel is connected is not known ({call}: {code})',
    ja: '。セッションチャネルの接続状態は不明です ({call}: {code})',
  },
  seenConnected: { en: 'connected', ja: '接続済み' },
  seenOnline: { en: 'Online', ja: 'オンライン' },
  contradicted: {
    en: '. Systems Manager sees it {seen} although {checks} found a gap: something ssm-doctor cannot see is in play (a proxy, centralised endpoints, or a connection made before the configuration changed). Those checks keep their verdict: a new connection, after a reboot or an agent restart, meets the configuration they describe',
    ja: '。{checks} が問題を検出していますが、Systems Manager 上は{seen}です。ssm-doctor から見えないもの (プロキシ、集約されたエンドポイント、設定変更前に確立された接続など) が関わっています。これらのチェックの判定はそのままです。再起動やエージェントの再起動のあとの新しい接続は、それらが示す設定で行われるためです',
  },
  expected: {
    en: '{observed}: expected until the failures above are fixed ({checks}){evidence}',
    ja: '{observed}。上の失敗 ({checks}) を解決するまでは想定どおりの状態です{evidence}',
  },
  noGapRegistered: {
    en: '{observed}, although the other checks found no gap: the agent may be stopped or hung, or still waiting out its retry backoff after a recent fix{evidence}',
    ja: '{observed}。ほかのチェックでは問題が見つかっていないため、エージェントが停止またはハングしているか、最近の修正のあとでまだ再試行の待ち時間中である可能性があります{evidence}',
  },
  noGapUnregistered: {
    en: '{observed}, although the other checks found no gap: the agent may not be installed, or is still waiting out its retry backoff after a recent fix{evidence}',
    ja: '{observed}。ほかのチェックでは問題が見つかっていないため、エージェントがインストールされていないか、最近の修正のあとでまだ再試行の待ち時間中である可能性があります{evidence}',
  },
  notConnected: {
    en: "{online}, but Systems Manager reports its session channel notconnected (ssm:GetConnectionStatus): the agent's ssmmessages control channel is down, so no session can open",
    ja: '{online}。ただし Systems Manager はセッションチャネルを notconnected と報告しています (ssm:GetConnectionStatus)。エージェントの ssmmessages コントロールチャネルが切れているため、セッションを開けません',
  },
  explainedOne: {
    en: '{head}; {checks} above says why (the path to ssmmessages or the permissions for it)',
    ja: '{head}。原因は上の {checks} を参照してください (ssmmessages への経路またはその権限)',
  },
  explainedMany: {
    en: '{head}; {checks} above say why (the path to ssmmessages or the permissions for it)',
    ja: '{head}。原因は上の {checks} を参照してください (ssmmessages への経路またはその権限)',
  },
  unexplained: {
    en: '{head}; no check above explains it: look for a proxy or TLS inspection between {id} and ssmmessages, or the channel is still in its retry backoff (up to 40 minutes) after a recent fix',
    ja: '{head}。上のチェックでは原因が見つかりません。{id} と ssmmessages の間のプロキシや TLS インスペクションを確認してください。最近修正した場合は、コントロールチャネルがまだ再試行の待ち時間 (最大 40 分) 中の可能性があります',
  },
  stepProxy: {
    en: "If {id} reaches AWS through a proxy, make sure it lets WebSocket (wss://) traffic to {host} through without TLS inspection, and that the agent's no_proxy includes 169.254.169.254",
    ja: '{id} がプロキシ経由で AWS に接続している場合は、{host} への WebSocket (wss://) 通信を TLS インスペクションなしで通すこと、エージェントの no_proxy に 169.254.169.254 が含まれることを確認します',
  },
});

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

/** Online, but Systems Manager says the session channel (the ssmmessages control channel) is not connected. */
function notConnected(ctx: CheckContext, online: Text): Finding {
  const id = ctx.instance.instanceId;
  const why = [...ctx.earlier.values()]
    .filter((r) => CHANNEL_CHECKS.includes(r.id) && (r.status === 'fail' || r.status === 'warn'))
    .map((r) => r.id);
  const head = M('notConnected', { online });
  if (why.length) {
    return {
      status: 'fail',
      message: M(why.length > 1 ? 'explainedMany' : 'explainedOne', { head, checks: listText(why) }),
      fix: { steps: [restartStep(ctx, true)], commands: [rebootCommand(ctx)] },
    };
  }
  const proxy: FixStep = { key: 'agent-proxy', text: M('stepProxy', { id, host: serviceHost(ctx.region, 'ssmmessages') }) };
  return {
    status: 'fail',
    message: M('unexplained', { head, id }),
    fix: { steps: [proxy, restartStep(ctx, false)], commands: [rebootCommand(ctx)] },
  };
}

/** Online: the session channel's state when it was read, and the failing checks that Systems Manager contradicts. */
function onlineVerdict(ctx: CheckContext, managed: ManagedInstance, criticalFails: string[]): Finding {
  const id = ctx.instance.instanceId;
  const platform =
    [managed.platformName, managed.platformVersion].filter(Boolean).join(' ') || managed.platformType || M('platformUnknown');
  const online = M('online', {
    id,
    version: managed.agentVersion ?? M('versionUnknown'),
    platform,
    ping: orUnknown(managed.lastPingDateTime),
  });
  const conn = ctx.facts.connections?.[id];
  if (conn?.known && conn.value.toLowerCase() === 'notconnected') return notConnected(ctx, online);
  const connText = !conn
    ? NO_TEXT
    : conn.known
      ? M('channel', { status: conn.value })
      : M('channelUnknown', { call: conn.call, code: conn.code });
  // Observed beats inferred: the failing checks keep their verdict, because they describe the configuration an agent meets when it reconnects.
  const contradicted = criticalFails.length
    ? M('contradicted', { seen: M(conn?.known ? 'seenConnected' : 'seenOnline'), checks: listText(criticalFails) })
    : NO_TEXT;
  return { status: 'pass', message: catText(online, connText, contradicted) };
}

/**
 * Systems Manager lists the instance as a managed node that is Online and, when it says so, with its session channel
 * connected: the ground truth the other checks explain.
 */
export const agentRegistered: Check = {
  id: 'agent-registered',
  severity: 'critical',
  title: M('title'),
  messages: M.table,
  requires: ['instance-state'],
  evaluate(ctx) {
    const { facts, instance } = ctx;
    const managed = need(facts.managedInstances, 'ssm:DescribeInstanceInformation')[instance.instanceId];
    const criticalFails = [...ctx.earlier.values()]
      .filter((r) => r.severity === 'critical' && r.status === 'fail' && !SESSION_ONLY.has(r.id))
      .map((r) => r.id);
    if (managed?.pingStatus === 'Online') return onlineVerdict(ctx, managed, criticalFails);

    const observed = catText(observedState(instance.instanceId, managed), sinceText(facts, managed));
    const evidence = managed ? NO_TEXT : consoleEvidence(ctx);
    if (criticalFails.length) {
      return {
        status: 'fail',
        message: M('expected', { observed, checks: listText(criticalFails), evidence }),
        fix: { steps: [restartStep(ctx, true)], commands: [rebootCommand(ctx)] },
      };
    }
    const steps: FixStep[] = [];
    if (!managed) steps.push(installStep(instance));
    else if (managed.pingStatus === 'ConnectionLost') steps.push(hungStep());
    steps.push(restartStep(ctx, false));
    return {
      status: 'fail',
      message: M(managed ? 'noGapRegistered' : 'noGapUnregistered', { observed, evidence }),
      fix: { steps, commands: [rebootCommand(ctx)] },
    };
  },
};
