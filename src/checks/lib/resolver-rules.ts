import type { ResolverRule } from '../../facts/schema.js';
import { defineMessages, type Text } from '../../lang.js';
import { aws, shellVar } from './cli.js';
import { CONSOLE } from './glossary.js';
import { listText } from './list.js';

const M = defineMessages({
  forwarded: {
    en: '{vpc} is associated with the Route 53 Resolver rule {rule} ({domain}, FORWARD to {targets}): {names} are sent to those servers instead of being answered in {vpc}, and reach the endpoints only if the servers send them back to its Route 53 Resolver (an inbound Resolver endpoint); otherwise they resolve to public addresses, which a private subnet cannot reach',
    ja: '{vpc} は Route 53 Resolver ルール {rule} ({domain}、{targets} への FORWARD) に関連付けられています。{names} は {vpc} 内で解決されずにこれらのサーバーへ送られるため、サーバーが {vpc} の Route 53 Resolver (インバウンド Resolver エンドポイント) へ戻す場合にだけエンドポイントに解決されます。戻さなければパブリックアドレスに解決され、プライベートサブネットからは到達できません',
  },
  stepSystem: {
    en: `Let {vpc} answer {names} itself: for each name a Route 53 Resolver rule of type System (more specific than {domain}, so it wins over {rule}) associated with {vpc}: ${CONSOLE.route53.en} → ${CONSOLE.resolverRules.en} → ${CONSOLE.createRule.en}, Rule type System, the domain name, VPC {vpc}. Or, on the servers {targets}, forward {names} back to an inbound Resolver endpoint in {vpc}`,
    ja: `{vpc} 自身が {names} を解決するようにします。名前ごとにタイプ「システム」の Route 53 Resolver ルール ({domain} より具体的なので {rule} より優先されます) を作り {vpc} に関連付けます:「${CONSOLE.route53.ja}」→「${CONSOLE.resolverRules.ja}」→「${CONSOLE.createRule.ja}」でルールタイプ「システム」、ドメイン名、VPC {vpc} を指定。または、サーバー {targets} で {names} を {vpc} のインバウンド Resolver エンドポイントへ転送し返します`,
  },
  noTargets: { en: 'no target address', ja: '転送先アドレスなし' },
});
export const RESOLVER_MESSAGES = M.table;

const bare = (name: string) => name.toLowerCase().replace(/\.$/, '');

/** The rule Route 53 Resolver applies to a name: the associated rule with the longest domain name that is the name or an ancestor of it. */
export function ruleFor(name: string, rules: readonly ResolverRule[]): ResolverRule | undefined {
  const n = bare(name);
  let best: ResolverRule | undefined;
  for (const r of rules) {
    const d = bare(r.domainName);
    if ((n === d || n.endsWith(`.${d}`)) && (!best || d.length > bare(best.domainName).length)) best = r;
  }
  return best;
}

/** The endpoint names a FORWARD rule sends elsewhere, grouped by that rule. */
export function forwardedNames(names: readonly string[], rules: readonly ResolverRule[]): { rule: ResolverRule; names: string[] }[] {
  const out = new Map<string, { rule: ResolverRule; names: string[] }>();
  for (const name of names) {
    const rule = ruleFor(name, rules);
    if (rule?.ruleType !== 'FORWARD') continue;
    const entry = out.get(rule.ruleId) ?? { rule, names: [] };
    entry.names.push(name);
    out.set(rule.ruleId, entry);
  }
  return [...out.values()];
}

const targetsOf = (rule: ResolverRule): string | Text => (rule.targetIps.length ? listText(rule.targetIps) : M('noTargets'));

export const forwardedMessage = (vpc: string, f: { rule: ResolverRule; names: string[] }) =>
  M('forwarded', { vpc, rule: f.rule.ruleId, domain: bare(f.rule.domainName), targets: targetsOf(f.rule), names: listText(f.names) });

/** The fix of one forwarding rule: a System rule per name, associated with the VPC (the more specific rule wins). */
export function systemRuleFix(vpc: string, region: string, f: { rule: ResolverRule; names: string[] }) {
  const step = {
    key: `dns-system-rule:${vpc}:${f.rule.ruleId}`,
    text: M('stepSystem', {
      vpc,
      names: listText(f.names),
      domain: bare(f.rule.domainName),
      rule: f.rule.ruleId,
      targets: targetsOf(f.rule),
    }),
  };
  const commands = f.names.flatMap((name) => {
    const label = name.split('.')[0] ?? name;
    // The creator request id makes a second paste return the rule the first one created.
    const create = aws(
      region,
      'route53resolver',
      'create-resolver-rule',
      '--creator-request-id',
      `ssm-doctor-${vpc}-${label}`,
      '--rule-type',
      'SYSTEM',
      '--domain-name',
      name,
      '--name',
      `ssm-doctor-${label}`,
      '--query',
      'ResolverRule.Id',
      '--output',
      'text',
    );
    return [
      `RULE_ID=$(${create})`,
      aws(region, 'route53resolver', 'associate-resolver-rule', '--resolver-rule-id', shellVar('RULE_ID'), '--vpc-id', vpc),
    ];
  });
  return { step, commands };
}
