/** The fix for what network ACLs block: an allow entry numbered before the first deny, or a review of a deliberate deny. */
import { defineMessages } from '../../lang.js';
import type { Fix, FixStep } from '../types.js';
import { aws } from './cli.js';
import { CONSOLE, consolePath, label } from './glossary.js';
import { freeRuleNumber, isCatchAll, portsText } from './nacl.js';
import { towards, type Judged } from './nacl-report.js';
import { listText, type Network } from './network.js';

const toAcls = consolePath('vpc', 'networkAcls');
const save = label('saveChanges');
const newRule = `Rule number {n}, Type ${CONSOLE.customTcp.en}, Port range {ports}, {side} {cidr}, ${CONSOLE.allow.en}`;
const newRuleJa = `ルール番号 {n}、タイプ${label('customTcp').ja}、ポート範囲 {ports}、{side} {cidr}、${label('allow').ja}`;

const M = defineMessages({
  outbound: consolePath('outboundRules', 'editOutbound'),
  inbound: consolePath('inboundRules', 'editInbound'),
  destination: { en: 'Destination', ja: '送信先' },
  source: { en: 'Source', ja: '送信元' },
  reviewOne: {
    en: `${toAcls.en} → select {acl} → {console}: check that rule {rules} does not deny Systems Manager's addresses on TCP {ports}; if it does, narrow it or add an allow rule with a lower number`,
    ja: `${toAcls.ja}→ {acl} を選択 →{console}: ルール {rules} が Systems Manager のアドレスへの TCP {ports} を拒否していないか確認します。拒否している場合は範囲を狭めるか、より小さい番号で許可ルールを追加します`,
  },
  reviewMany: {
    en: `${toAcls.en} → select {acl} → {console}: check that rules {rules} do not deny Systems Manager's addresses on TCP {ports}; if they do, narrow them or add an allow rule with a lower number`,
    ja: `${toAcls.ja}→ {acl} を選択 →{console}: ルール {rules} が Systems Manager のアドレスへの TCP {ports} を拒否していないか確認します。拒否している場合は範囲を狭めるか、より小さい番号で許可ルールを追加します`,
  },
  noFreeNumber: {
    en: `${toAcls.en} → select {acl} → {console}: no rule number below {deny} is free, so change rule {deny} to let TCP {ports} {peer} through → ${save.en}`,
    ja: `${toAcls.ja}→ {acl} を選択 →{console}: {deny} より小さい空きルール番号がないため、ルール {deny} を {peer}の TCP {ports} が通るように変更し${save.ja}`,
  },
  addEntry: {
    en: `${toAcls.en} → select {acl} → {console} → ${CONSOLE.addNewRule.en}: ${newRule} → ${save.en}`,
    ja: `${toAcls.ja}→ {acl} を選択 →{console}→${label('addNewRule').ja}→ ${newRuleJa}→${save.ja}`,
  },
});

/** For each blocked part, the entry that lets it through, numbered before the first entry that denies it. */
export function naclFix(net: Network, problems: readonly Judged[]): Fix {
  const steps: FixStep[] = [];
  const commands: string[] = [];
  const taken = new Map<string, Set<number>>();
  const seen = new Set<string>();
  for (const { need, outcome } of problems) {
    const { acl, egress } = need;
    const aclId = acl.networkAclId;
    const dir = egress ? 'egress' : 'ingress';
    const firstDeny = Math.min(...outcome.denied.map((d) => d.ruleNumber));
    const console = M(egress ? 'outbound' : 'inbound');
    if (!need.fix) {
      const rules = outcome.denied.filter((d) => !isCatchAll(d.ruleNumber)).map((d) => String(d.ruleNumber));
      const key = `nacl-review:${aclId}:${dir}:${rules.join(',')}`;
      if (seen.has(key)) continue;
      seen.add(key);
      steps.push({
        key,
        text: M(rules.length > 1 ? 'reviewMany' : 'reviewOne', {
          acl: aclId,
          console,
          rules: listText(rules),
          ports: portsText(need.ports),
        }),
      });
      continue;
    }
    const { cidr, ports } = need.fix;
    const key = `nacl:${aclId}:${dir}:${cidr}:${portsText(ports)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const used = taken.get(`${aclId}:${dir}`) ?? new Set<number>();
    taken.set(`${aclId}:${dir}`, used);
    const n = freeRuleNumber(acl, egress, firstDeny, used);
    if (n === undefined) {
      steps.push({
        key,
        text: M('noFreeNumber', { acl: aclId, console, deny: firstDeny, ports: portsText(ports), peer: towards(egress, cidr) }),
      });
      continue;
    }
    used.add(n);
    steps.push({
      key,
      text: M('addEntry', { acl: aclId, console, n, ports: portsText(ports), side: M(egress ? 'destination' : 'source'), cidr }),
    });
    const range = `From=${ports.from},To=${ports.to}`;
    commands.push(
      aws(
        net.region,
        'ec2',
        'create-network-acl-entry',
        '--network-acl-id',
        aclId,
        '--rule-number',
        String(n),
        '--protocol',
        'tcp',
        '--port-range',
        range,
        `--${dir}`,
        cidr.includes(':') ? '--ipv6-cidr-block' : '--cidr-block',
        cidr,
        '--rule-action',
        'allow',
      ),
    );
  }
  return { steps, commands };
}
