/** Whether the agent still needs ec2messages, judged as SPEC's vpc-endpoints judges it. */
import type { Facts, ManagedInstance } from '../../facts/schema.js';
import { t, type Text } from '../../lang.js';
import { memoize } from './memo.js';

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
  if (!fact.known) {
    return {
      optional: false,
      why: t(`the agent version is not known (${fact.call}: ${fact.code})`, `エージェントのバージョンが不明です (${fact.call}: ${fact.code})`),
    };
  }
  const m = fact.value[instanceId];
  if (!m || !m.agentVersion) {
    return {
      optional: false,
      why: t('the agent version is not known (the instance is not registered)', 'エージェントのバージョンが不明です (インスタンスが登録されていません)'),
    };
  }
  const platform = [m.platformName, m.platformVersion].filter(Boolean).join(' ') || m.platformType || 'unknown platform';
  if (isOldWindows(m)) {
    return {
      optional: false,
      why: t(
        `on ${platform} the agent keeps using ec2messages whatever its version`,
        `${platform} ではバージョンにかかわらずエージェントが ec2messages を使い続けます`,
      ),
    };
  }
  const cmp = compareVersions(m.agentVersion, SSMMESSAGES_ONLY_VERSION);
  if (cmp === undefined) {
    return {
      optional: false,
      why: t(`agent version ${m.agentVersion} cannot be compared`, `エージェントのバージョン ${m.agentVersion} を比較できません`),
    };
  }
  if (cmp < 0) {
    return {
      optional: false,
      why: t(
        `agent ${m.agentVersion} is older than ${SSMMESSAGES_ONLY_VERSION} and still uses ec2messages`,
        `エージェント ${m.agentVersion} は ${SSMMESSAGES_ONLY_VERSION} より古く、ec2messages を使います`,
      ),
    };
  }
  return {
    optional: true,
    why: t(
      `agent ${m.agentVersion} on ${platform} uses ssmmessages instead`,
      `${platform} 上のエージェント ${m.agentVersion} は代わりに ssmmessages を使います`,
    ),
  };
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
  return {
    status: v.optional ? 'warn' : 'fail',
    notes: [
      v.optional
        ? t(`sessions work without ec2messages, because ${v.why.en}`, `${v.why.ja}。そのためセッションは ec2messages なしでも動きます`)
        : t(`ec2messages is needed: ${v.why.en}`, `${v.why.ja}。ec2messages が必要です`),
    ],
  };
}
