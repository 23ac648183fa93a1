/** What each network ACL on the way does with the traffic the agent needs, and how a finding words what it blocks. */
import type { NetworkAcl } from '../../facts/schema.js';
import { defineMessages, joinText, type Text } from '../../lang.js';
import type { Block } from './cidr.js';
import { evaluateFlow, isCatchAll, peersText, portsText, type Decided, type Outcome, type PortRange } from './nacl.js';
import { listOf } from './network.js';

const M = defineMessages({
  outbound: { en: 'outbound', ja: 'アウトバウンド' },
  inbound: { en: 'inbound', ja: 'インバウンド' },
  to: { en: 'to {peer}', ja: '{peer} 宛て' },
  from: { en: 'from {peer}', ja: '{peer} から' },
  part: { en: 'TCP {ports} {peer}', ja: '{peer}の TCP {ports}' },
  deniedByRule: { en: 'rule {rule} denies {part}', ja: 'ルール {rule} が {part} を拒否しています' },
  deniedByDefault: {
    en: 'no rule allows {part} (the final * rule denies it)',
    ja: '{part} を許可するルールがありません (最後の * ルールが拒否します)',
  },
  traffic: { en: '{direction} TCP {ports} {peer} ({purpose})', ja: '{peer}の{direction} TCP {ports} ({purpose})' },
  aclDefault: {
    en: '{acl}: no rule allows {traffic}, so the final * rule denies it',
    ja: '{acl}: {traffic} を許可するルールがないため、最後の * ルールで拒否されます',
  },
  aclRule: { en: '{acl}: rule {rule} denies {traffic}', ja: '{acl}: ルール {rule} が {traffic} を拒否しています' },
  aclBlocks: { en: '{acl} blocks {traffic}: {parts}', ja: '{acl} が {traffic} をブロックしています ({parts})' },
  aclBlocksPart: { en: '{acl} blocks part of {traffic}: {parts}', ja: '{acl} が {traffic} を一部ブロックしています ({parts})' },
});

/** One direction of TCP traffic that one ACL must let through. */
export interface Need {
  acl: NetworkAcl;
  subnetId: string;
  egress: boolean;
  peers: Block[];
  peer: Text | string;
  ports: PortRange;
  /** What the traffic is, for messages. */
  purpose: Text;
  /** The entry a fix adds; undefined when adding one would override a deliberate deny (public block lists). */
  fix?: { cidr: string; ports: PortRange };
}

export interface Judged {
  need: Need;
  outcome: Outcome;
}

export type Reach = 'ok' | 'partial' | 'blocked';

export function judgeAll(needs: readonly Need[]): Judged[] {
  return needs.map((need) => ({ need, outcome: evaluateFlow(need.acl, { egress: need.egress, peers: need.peers, ports: need.ports }) }));
}

export function reachOf(judged: readonly Judged[]): Reach {
  if (judged.some((j) => j.outcome.verdict === 'deny')) return 'blocked';
  return judged.some((j) => j.outcome.verdict === 'partial') ? 'partial' : 'ok';
}

/** "acl-… (subnet-…)" for each ACL the traffic crosses, once. */
export const aclsText = (judged: readonly Judged[]) => [...new Set(judged.map((j) => `${j.need.acl.networkAclId} (${j.need.subnetId})`))];

/** "to 10.0.2.0/24" / "10.0.2.0/24 宛て" for outbound traffic, "from …" for inbound. */
export const towards = (egress: boolean, peer: Text | string): Text => M(egress ? 'to' : 'from', { peer });

function deniedText(d: Decided, egress: boolean): Text {
  const part = M('part', { ports: portsText(d.ports), peer: towards(egress, peersText(d.peers)) });
  return d.entry && !isCatchAll(d.ruleNumber) ? M('deniedByRule', { rule: d.ruleNumber, part }) : M('deniedByDefault', { part });
}

function problemText({ need, outcome }: Judged): Text {
  const acl = `${need.acl.networkAclId} (${need.subnetId})`;
  const traffic = M('traffic', {
    direction: M(need.egress ? 'outbound' : 'inbound'),
    ports: portsText(need.ports),
    peer: towards(need.egress, need.peer),
    purpose: need.purpose,
  });
  const rules = [...new Set(outcome.denied.map((d) => d.ruleNumber))];
  const [only] = rules;
  if (outcome.verdict === 'deny' && rules.length === 1 && only !== undefined) {
    return isCatchAll(only) ? M('aclDefault', { acl, traffic }) : M('aclRule', { acl, rule: only, traffic });
  }
  const parts = listOf(outcome.denied.map((d) => deniedText(d, need.egress)));
  return M(outcome.verdict === 'deny' ? 'aclBlocks' : 'aclBlocksPart', { acl, traffic, parts });
}

/** What the ACLs block, one sentence per ACL and direction. */
export function describeProblems(problems: readonly Judged[]): Text {
  return joinText(problems.map(problemText), '; ', '。');
}
