import {
  ListResolverRuleAssociationsCommand,
  ListResolverRulesCommand,
  type ResolverRule as RawRule,
} from '@aws-sdk/client-route53resolver';
import { known } from '../../facts/fact.js';
import type { Fact, ResolverRule } from '../../facts/schema.js';
import type { Clients } from '../sdk/clients.js';
import { attempt, compact, pages } from '../sdk/read.js';
import { answerLate } from '../sdk/turns.js';

/** An association that is in force (or about to be): a failed, overridden or departing one sends no query anywhere. */
const IN_FORCE = new Set(['COMPLETE', 'CREATING']);

const RULE_TYPES = new Set(['FORWARD', 'SYSTEM', 'RECURSIVE']);

function mapRule(r: RawRule): ResolverRule | undefined {
  if (!r.Id || !r.DomainName || !RULE_TYPES.has(r.RuleType ?? '')) return undefined;
  return compact({
    ruleId: r.Id,
    domainName: r.DomainName,
    ruleType: r.RuleType as ResolverRule['ruleType'],
    name: r.Name || undefined,
    targetIps: (r.TargetIps ?? []).flatMap((t) => ((t.Ip ?? t.Ipv6) ? [(t.Ip ?? t.Ipv6)!] : [])),
  });
}

/**
 * The Route 53 Resolver rules each VPC is associated with, its own or shared with the account: every
 * association and every rule of the region (two paged calls, whatever the number of VPCs), side by
 * side with the VPC reads. A FORWARD rule for amazonaws.com, the region's zone or an endpoint's name
 * sends the instances' lookups of the endpoints elsewhere (the vpc-dns-servers check).
 */
export async function resolverRulesOf(c: Clients): Promise<(vpcId: string) => Fact<ResolverRule[]>> {
  const [associations, rules] = await Promise.all([
    attempt('route53resolver:ListResolverRuleAssociations', () =>
      pages(
        (NextToken) => c.route53resolver.send(answerLate(new ListResolverRuleAssociationsCommand({ MaxResults: 100, NextToken }))),
        (o) => o.ResolverRuleAssociations,
        (o) => o.NextToken,
      ),
    ),
    attempt('route53resolver:ListResolverRules', () =>
      pages(
        (NextToken) => c.route53resolver.send(answerLate(new ListResolverRulesCommand({ MaxResults: 100, NextToken }))),
        (o) => o.ResolverRules,
        (o) => o.NextToken,
      ),
    ),
  ]);
  return (vpcId) => {
    if (!associations.known) return associations;
    const ids = new Set(
      associations.value.filter((a) => a.VPCId === vpcId && IN_FORCE.has(a.Status ?? 'COMPLETE')).map((a) => a.ResolverRuleId),
    );
    if (ids.size === 0) return known([]);
    if (!rules.known) return rules;
    const found = rules.value.filter((r) => ids.has(r.Id));
    const missing = [...ids].filter((id) => !found.some((r) => r.Id === id));
    if (missing.length) {
      return {
        known: false,
        call: 'route53resolver:ListResolverRules',
        code: 'NotCollected',
        message: `${missing.join(', ')} (associated with ${vpcId}) was not in the list of rules`,
      };
    }
    return known(found.flatMap((r) => mapRule(r) ?? []));
  };
}
