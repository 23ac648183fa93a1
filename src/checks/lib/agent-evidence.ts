/** What agent-registered can say about an agent that is not Online: its registration, its last ping, the console output. */
import type { ManagedInstance } from '../../facts/schema.js';
import { defineMessages, NO_TEXT, type Text } from '../../lang.js';
import type { CheckContext } from '../types.js';

const M = defineMessages({
  unknown: { en: 'unknown', ja: '不明' },
  notRegistered: { en: '{id} is not registered with Systems Manager', ja: '{id} は Systems Manager に登録されていません' },
  connectionLost: {
    en: '{id} is registered but there has been no heartbeat from its agent since {since} (ConnectionLost)',
    ja: '{id} は登録されていますが、{since} 以降エージェントからのハートビートがありません (ConnectionLost)',
  },
  inactive: {
    en: '{id} is registered but Inactive (last ping {since})',
    ja: '{id} は登録されていますが、非アクティブ (Inactive) です (最終 ping {since})',
  },
  otherPing: {
    en: '{id} is registered with PingStatus {status} (last ping {since})',
    ja: '{id} は登録されていますが、PingStatus は {status} です (最終 ping {since})',
  },
  since: { en: ', {ago} before these facts were collected', ja: '。最後の ping はファクト収集の {ago}前です' },
  day: { en: '{n} day{hours}', ja: '{n} 日{hours}' },
  days: { en: '{n} days{hours}', ja: '{n} 日{hours}' },
  hours: { en: '{n} h{minutes}', ja: '{n} 時間{minutes}' },
  moreHours: { en: ' {n} h', ja: ' {n} 時間' },
  minutes: { en: '{n} min', ja: '{n} 分' },
  moreMinutes: { en: ' {n} min', ja: ' {n} 分' },
  noConsole: { en: ' (no console output to look at: {call} {code})', ja: ' (コンソール出力は確認できません: {call} {code})' },
  emptyConsole: {
    en: '; the console output is empty (EC2 keeps only recent output, and some instances provide none)',
    ja: '。コンソール出力は空です (EC2 が保持するのは直近の出力だけで、出力のないインスタンスもあります)',
  },
  noAgentInConsole: {
    en: '; no sign of the agent in the console output: it may not be installed',
    ja: '。コンソール出力にエージェントの形跡がありません。インストールされていない可能性があります',
  },
  agentInConsole: {
    en: '; the console output shows the agent: {quoted}',
    ja: '。コンソール出力にはエージェントの記録があります: {quoted}',
  },
});

export const agentEvidenceMessages = M.table;

/** `value`, or "unknown" in the reader's language. */
export const orUnknown = (value: string | undefined): Text | string => value ?? M('unknown');

/** "3 h 20 min", "2 days 4 h", "5 min". */
function duration(minutes: number): Text {
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  if (days) return M(days > 1 ? 'days' : 'day', { n: days, hours: hours ? M('moreHours', { n: hours }) : NO_TEXT });
  if (hours) return M('hours', { n: hours, minutes: mins ? M('moreMinutes', { n: mins }) : NO_TEXT });
  return M('minutes', { n: mins });
}

/** How long before the facts were collected the last ping came. */
export function sinceText(facts: CheckContext['facts'], m: ManagedInstance | undefined): Text {
  const last = m?.lastPingDateTime ? Date.parse(m.lastPingDateTime) : NaN;
  const now = facts.collectedAt ? Date.parse(facts.collectedAt) : NaN;
  if (!Number.isFinite(last) || !Number.isFinite(now) || now < last) return NO_TEXT;
  return M('since', { ago: duration(Math.round((now - last) / 60000)) });
}

/** What ec2:GetConsoleOutput says about the agent of an unregistered instance. */
export function consoleEvidence({ facts, instanceId }: CheckContext): Text {
  const out = facts.consoleOutput?.[instanceId];
  if (!out) return NO_TEXT;
  if (!out.known) return M('noConsole', { call: out.call, code: out.code });
  if (!out.value.hasOutput) return M('emptyConsole');
  if (!out.value.agentLines.length) return M('noAgentInConsole');
  const quoted = out.value.agentLines
    .slice(-2)
    .map((l) => `"${l.trim().slice(0, 200)}"`)
    .join(' … ');
  return M('agentInConsole', { quoted });
}

/** The registration and ping status Systems Manager reports for an instance that is not Online. */
export function observedState(id: string, m: ManagedInstance | undefined): Text {
  if (!m) return M('notRegistered', { id });
  const since = orUnknown(m.lastPingDateTime);
  switch (m.pingStatus) {
    case 'ConnectionLost':
      return M('connectionLost', { id, since });
    case 'Inactive':
      return M('inactive', { id, since });
    default:
      return M('otherPing', { id, status: m.pingStatus, since });
  }
}

/** Systems Manager says the agent is Online and its control channel connected: whatever the way is, it works. */
export function observedConnected(facts: CheckContext['facts'], instanceId: string): boolean {
  const m = facts.managedInstances;
  const c = facts.connections?.[instanceId];
  return m.known && m.value[instanceId]?.pingStatus === 'Online' && !!c?.known && c.value === 'connected';
}
