import type { Facts, SecurityGroup, Unknown } from '../facts/schema.js';
import { defineMessages, joinText, type Text } from '../lang.js';
import { listText, orText } from './lib/list.js';
import { liveSsmEndpoints, networkOf, type Network, type SsmEndpoint } from './lib/path.js';
import { clientAddresses, familyOf } from './lib/ipv6.js';
import { notCollected as unknownFact } from './lib/network.js';
import { ingressOn, type Client } from './lib/sg.js';
import { httpsIngressFix } from './lib/sg-fix.js';
import { FactUnknown, need, type Check } from './types.js';

const HTTPS = 443;

const M = defineMessages({
  title: {
    en: 'Endpoint security groups allow HTTPS from the instance',
    ja: 'エンドポイントのセキュリティグループがインスタンスからの HTTPS を許可している',
  },
  noEndpoint: {
    en: '{vpc} has no Systems Manager interface endpoint',
    ja: '{vpc} に Systems Manager のインターフェイスエンドポイントがありません',
  },
  allows: { en: '{sg} on {ids} allows TCP 443 from {source}', ja: '{ids} の {sg} は {source} からの TCP 443 を許可しています' },
  defaultGroup: {
    en: "{sg} (the VPC's default group, used because the endpoint has no group of its own)",
    ja: '{sg} (エンドポイントに専用のグループがないため使われる VPC のデフォルトグループ)',
  },
  onlyFrom: {
    en: '{name} allows TCP 443 only from {sources}, not from {who}',
    ja: '{name} は {sources} からの TCP 443 しか許可しておらず、{who} は含まれません',
  },
  noRule: { en: '{name} has no inbound rule for TCP 443', ja: '{name} には TCP 443 のインバウンドルールがありません' },
  closed: { en: '{ids}: {groups}', ja: '{ids}: {groups}' },
  notChecked: { en: 'not checked: {message}', ja: '未確認: {message}' },
});

type Verdict =
  { status: 'pass'; text: Text } | { status: 'fail'; text: Text; groupId: string | undefined } | { status: 'unknown'; unknown: Unknown };

interface Judge {
  net: Network;
  groups: readonly SecurityGroup[];
  client: Client;
  /** The collected entries of the prefix lists the groups name (ec2:GetManagedPrefixListEntries). */
  prefixLists: Facts['prefixLists'];
}

const notCollected = (call: string, message: string): Verdict => ({
  status: 'unknown',
  unknown: { known: false, call, code: 'NotCollected', message },
});

/** Endpoints with the same groups get the same verdict: each set of groups once. */
function bySet(live: readonly SsmEndpoint[]): Map<string, SsmEndpoint[]> {
  const sets = new Map<string, SsmEndpoint[]>();
  for (const e of live) {
    const key = e.endpoint.groupIds.join(',');
    sets.set(key, [...(sets.get(key) ?? []), e]);
  }
  return sets;
}

/** Why none of `present` admits the instance: the sources each one allows instead, or that it has no rule at all. */
function closedText({ client }: Judge, ids: string[], present: SecurityGroup[], usesDefault: boolean): Text {
  const who = orText([...client.addresses, ...client.groupIds]);
  const describe = present.map((sg) => {
    const sources = ingressOn(sg, HTTPS, client).sources.map((s) => s.id);
    const name = usesDefault ? M('defaultGroup', { sg: sg.groupId }) : sg.groupId;
    return sources.length ? M('onlyFrom', { name, sources: listText(sources), who }) : M('noRule', { name });
  });
  return M('closed', { ids: listText(ids), groups: joinText(describe, '; ', '。') });
}

/** The verdict on one set of endpoint groups (`key`, comma-separated; empty for the VPC's default group). */
function judgeSet(j: Judge, key: string, endpoints: SsmEndpoint[]): Verdict {
  const ids = endpoints.map((e) => e.endpoint.endpointId);
  const usesDefault = key === '';
  let groupIds = key ? key.split(',') : [];
  if (usesDefault) {
    const dflt = j.groups.find((g) => g.groupName === 'default');
    if (!dflt) {
      return notCollected(
        'ec2:DescribeSecurityGroups',
        `${ids.join(', ')} use the default security group of ${j.net.vpcId}, which is not among the collected groups`,
      );
    }
    groupIds = [dflt.groupId];
  }
  const sgs = groupIds.map((g) => j.groups.find((x) => x.groupId === g));
  for (const sg of sgs) {
    const source = sg && ingressOn(sg, HTTPS, j.client, j.prefixLists).admittedBy;
    if (sg && source) return { status: 'pass', text: M('allows', { sg: sg.groupId, ids: listText(ids), source: source.id }) };
  }
  const absent = groupIds.filter((_, i) => !sgs[i]);
  if (absent.length) {
    return notCollected(
      'ec2:DescribeSecurityGroups',
      `${absent.join(', ')} of ${ids.join(', ')} is not among the collected security groups`,
    );
  }
  const present = sgs.filter((sg): sg is SecurityGroup => !!sg);
  const unresolved = present.map((sg) => ({ sg, ingress: ingressOn(sg, HTTPS, j.client, j.prefixLists) }));
  const lists = unresolved.flatMap(({ sg, ingress }) => ingress.prefixLists.map((pl) => `${pl} (${sg.groupId})`));
  const [why] = unresolved.flatMap(({ ingress }) => ingress.unresolved);
  if (lists.length && why) {
    // A prefix list whose entries could not be read: whether it holds the instance's address cannot be told.
    const { instance } = j.net;
    const [address = instance.instanceId] = j.client.addresses;
    return {
      status: 'unknown',
      unknown: {
        known: false,
        call: why.call,
        code: why.code,
        message: `${ids.join(', ')} admit TCP 443 only from prefix list ${lists.join(', ')}, whose entries are not known (${why.message}): it cannot be told whether they hold ${address}`,
      },
    };
  }
  return { status: 'fail', text: closedText(j, ids, present, usesDefault), groupId: groupIds[0] };
}

/** Each Systems Manager endpoint has a security group that admits TCP 443 from the instance; without it the agent's TLS connections to the endpoint time out. */
export const endpointSgHttps: Check = {
  id: 'endpoint-sg-https',
  severity: 'critical',
  title: M('title'),
  messages: M.table,
  evaluate(ctx) {
    const net = networkOf(ctx);
    const { vpcId, instance } = net;
    const live = liveSsmEndpoints(net);
    if (!live.length) return { status: 'skip', message: M('noEndpoint', { vpc: vpcId }) };
    // An IPv6-only instance is admitted by its IPv6 address (or its group); a dual-stack one keeps the IPv4 verdict.
    const v6 = familyOf(net) === 'ipv6';
    const addresses = clientAddresses(net);
    const j: Judge = {
      net,
      groups: need(net.vpc.securityGroups, 'ec2:DescribeSecurityGroups'),
      client: { groupIds: instance.primaryEniGroupIds, addresses },
      prefixLists: ctx.facts.prefixLists,
    };
    const verdicts = [...bySet(live)].map(([key, endpoints]) => judgeSet(j, key, endpoints));
    const failed = verdicts.flatMap((v) => (v.status === 'fail' ? [v] : []));
    const unknown = verdicts.flatMap((v) => (v.status === 'unknown' ? [v.unknown] : []));
    if (!failed.length) {
      const [first] = unknown;
      if (first) throw new FactUnknown(first);
      const passed = verdicts.flatMap((v) => (v.status === 'pass' ? [v.text] : []));
      return { status: 'pass', message: joinText(passed, '; ', '。') };
    }
    if (v6 && !addresses.length)
      throw unknownFact('ec2:DescribeInstances', `${instance.instanceId} is IPv6-only, and its IPv6 address is not in the facts`);

    const fixes = [...new Set(failed.map((v) => v.groupId))].flatMap((sg) => (sg ? [httpsIngressFix(net, sg)] : []));
    const notes = unknown.map((u) => M('notChecked', { message: u.message }));
    return {
      status: 'fail',
      message: joinText([...failed.map((v) => v.text), ...notes], '; ', '。'),
      fix: { steps: fixes.flatMap((f) => f.steps), commands: fixes.flatMap((f) => f.commands) },
    };
  },
};
