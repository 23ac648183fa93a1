/** Whether the agent still needs ec2messages, judged as SPEC's vpc-endpoints judges it. */
import type { Facts, ManagedInstance } from '../../facts/schema.js';
import { defineMessages, type Text } from '../../lang.js';
import { memoize } from './memo.js';

const M = defineMessages({
  versionUnread: { en: 'the agent version is not known ({call}: {code})', ja: 'エージェントのバージョンが不明です ({call}: {code})' },
  notRegistered: {
    en: 'the agent version is not known (the instance is not registered)',
    ja: 'エージェントのバージョンが不明です (インスタンスが登録されていません)',
  },
  oldWindows: {
    en: 'on {platform} the agent keeps using ec2messages whatever its version',
    ja: '{platform} ではバージョンにかかわらずエージェントが ec2messages を使い続けます',
  },
  notComparable: { en: 'agent version {version} cannot be compared', ja: 'エージェントのバージョン {version} を比較できません' },
  older: {
    en: 'agent {version} is older than {min} and still uses ec2messages',
    ja: 'エージェント {version} は {min} より古く、ec2messages を使います',
  },
  newer: {
    en: 'agent {version} on {platform} uses ssmmessages instead',
    ja: '{platform} 上のエージェント {version} は代わりに ssmmessages を使います',
  },
  optionalNote: { en: 'sessions work without ec2messages, because {why}', ja: '{why}。そのためセッションは ec2messages なしでも動きます' },
  neededNote: { en: 'ec2messages is needed: {why}', ja: '{why}。ec2messages が必要です' },
});
export const EC2MESSAGES_MESSAGES = M.table;

/** Agents from this version stop polling ec2messages once their ssmmessages control channel is up. */
export const SSMMESSAGES_ONLY_VERSION = '3.3.40.0';
/** The first agent version that can use Default Host Management Configuration credentials. */
export const DHMC_MIN_VERSION = '3.2.582.0';

/** Compares dotted versions numerically, field by field; undefined when either is not numeric. */
export function compareVersions(a: string, b: string): number | undefined {
  return comparison(JSON.stringify([a, b]));
}

const comparison = memoize((pair: string): number | undefined => {
  const [a, b] = JSON.parse(pair) as [string, string];
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  if ([...pa, ...pb].some((n) => !Number.isInteger(n) || n < 0)) return undefined;
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
});

/** Windows Server 2012 R2 and earlier keep polling ec2messages whatever the agent version. */
function isOldWindows(m: ManagedInstance): boolean {
  if (!/windows/i.test(m.platformType ?? '') && !/windows/i.test(m.platformName ?? '')) return false;
  if (/\b20(0[38]|12)\b/.test(m.platformName ?? '')) return true;
  const [major, minor] = (m.platformVersion ?? '').split('.').map(Number);
  // Without a version or a year in the name, an old Windows cannot be ruled out.
  if (major === undefined || !Number.isInteger(major)) return !/\b20(1[6-9]|[2-9]\d)\b/.test(m.platformName ?? '');
  return major < 6 || (major === 6 && (minor ?? 0) <= 3);
}

export interface Ec2messagesVerdict {
  /** True when the agent is known to work without ec2messages. */
  optional: boolean;
  /** Why, naming the agent version and platform (or that they are not known). */
  why: Text;
}

export function ec2messagesVerdict(facts: Facts, instanceId: string): Ec2messagesVerdict {
  const fact = facts.managedInstances;
  if (!fact.known) return { optional: false, why: M('versionUnread', { call: fact.call, code: fact.code }) };
  const m = fact.value[instanceId];
  if (!m || !m.agentVersion) return { optional: false, why: M('notRegistered') };
  const platform = [m.platformName, m.platformVersion].filter(Boolean).join(' ') || m.platformType || 'unknown platform';
  if (isOldWindows(m)) return { optional: false, why: M('oldWindows', { platform }) };
  const cmp = compareVersions(m.agentVersion, SSMMESSAGES_ONLY_VERSION);
  if (cmp === undefined) return { optional: false, why: M('notComparable', { version: m.agentVersion }) };
  if (cmp < 0) return { optional: false, why: M('older', { version: m.agentVersion, min: SSMMESSAGES_ONLY_VERSION }) };
  return { optional: true, why: M('newer', { version: m.agentVersion, platform }) };
}

/**
 * The status for a set of services whose path is blocked: `fail` when ssm or ssmmessages is among
 * them; when only ec2messages is, `warn` if this agent can do without it (with a note saying why),
 * else `fail`.
 */
export function blockedServicesVerdict(
  facts: Facts,
  instanceId: string,
  blocked: ReadonlySet<string>,
): { status: 'fail' | 'warn'; notes: Text[] } {
  if (blocked.has('ssm') || blocked.has('ssmmessages')) return { status: 'fail', notes: [] };
  if (!blocked.has('ec2messages')) return { status: 'warn', notes: [] };
  const v = ec2messagesVerdict(facts, instanceId);
  return { status: v.optional ? 'warn' : 'fail', notes: [M(v.optional ? 'optionalNote' : 'neededNote', { why: v.why })] };
}
