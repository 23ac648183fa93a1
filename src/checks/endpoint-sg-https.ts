import type { SecurityGroup, Unknown } from '../facts/schema.js';
import { t, type Text } from '../lang.js';
import { httpsIngressFix } from './lib/sg-fix.js';
import { liveSsmEndpoints, networkOf, type SsmEndpoint } from './lib/path.js';
import { ingressOn, type Client } from './lib/sg.js';
import { FactUnknown, need, type Check } from './types.js';

const HTTPS = 443;

interface Verdict {
  endpoints: SsmEndpoint[];
  groupIds: string[];
  status: 'pass' | 'fail' | 'unknown';
  text: Text;
  unknown?: Unknown;
}

/** Each Systems Manager endpoint has a security group that admits TCP 443 from the instance; without it the agent's TLS connections to the endpoint time out. */
export const endpointSgHttps: Check = {
  id: 'endpoint-sg-https',
  severity: 'critical',
  title: t('Endpoint security groups allow HTTPS from the instance', 'エンドポイントのセキュリティグループがインスタンスからの HTTPS を許可している'),
  evaluate(ctx) {
    const net = networkOf(ctx);
    const { vpcId, instance } = net;
    const live = liveSsmEndpoints(net);
    if (!live.length) {
      return {
        status: 'skip',
        message: t(`${vpcId} has no Systems Manager interface endpoint`, `${vpcId} に Systems Manager のインターフェイスエンドポイントがありません`),
      };
    }
    const groups = need(net.vpc.securityGroups, 'ec2:DescribeSecurityGroups');
    const client: Client = { groupIds: instance.primaryEniGroupIds, addresses: instance.privateIp ? [instance.privateIp] : [] };
    const who = [instance.privateIp, ...instance.primaryEniGroupIds].filter(Boolean).join(' or ');
    const whoJa = [instance.privateIp, ...instance.primaryEniGroupIds].filter(Boolean).join('、');

    // Endpoints with the same groups get the same verdict: judge each set once.
    const bySet = new Map<string, SsmEndpoint[]>();
    for (const e of live) {
      const key = e.endpoint.groupIds.join(',');
      bySet.set(key, [...(bySet.get(key) ?? []), e]);
    }
    const verdicts: Verdict[] = [];
    for (const [key, endpoints] of bySet) {
      const ids = endpoints.map((e) => e.endpoint.endpointId);
      const usesDefault = key === '';
      let groupIds = key ? key.split(',') : [];
      if (usesDefault) {
        const dflt = groups.find((g) => g.groupName === 'default');
        if (!dflt) {
          verdicts.push({
            endpoints,
            groupIds,
            status: 'unknown',
            text: t('', ''),
            unknown: notCollected('ec2:DescribeSecurityGroups', `${ids.join(', ')} use the default security group of ${vpcId}, which is not among the collected groups`),
          });
          continue;
        }
        groupIds = [dflt.groupId];
      }
      const sgs = groupIds.map((g) => groups.find((x) => x.groupId === g));
      const admitted = sgs.flatMap((sg) => {
        const a = sg && ingressOn(sg, HTTPS, client).admittedBy;
        return sg && a ? [{ sg, source: a }] : [];
      });
      if (admitted.length) {
        const { sg, source } = admitted[0];
        verdicts.push({
          endpoints,
          groupIds,
          status: 'pass',
          text: t(`${sg.groupId} on ${ids.join(', ')} allows TCP 443 from ${source.id}`, `${ids.join('、')} の ${sg.groupId} は ${source.id} からの TCP 443 を許可しています`),
        });
        continue;
      }
      const absent = groupIds.filter((_, i) => !sgs[i]);
      if (absent.length) {
        verdicts.push({
          endpoints,
          groupIds,
          status: 'unknown',
          text: t('', ''),
          unknown: notCollected('ec2:DescribeSecurityGroups', `${absent.join(', ')} of ${ids.join(', ')} is not among the collected security groups`),
        });
        continue;
      }
      const present = sgs as SecurityGroup[];
      const lists = present.flatMap((sg) => ingressOn(sg, HTTPS, client).prefixLists.map((pl) => `${pl} (${sg.groupId})`));
      if (lists.length) {
        // Prefix list entries are not collected: whether they hold the instance's address cannot be told.
        verdicts.push({
          endpoints,
          groupIds,
          status: 'unknown',
          text: t('', ''),
          unknown: notCollected(
            'ec2:GetManagedPrefixListEntries',
            `${ids.join(', ')} admit TCP 443 only from prefix list ${lists.join(', ')}, whose entries were not collected: it cannot be told whether they hold ${instance.privateIp ?? instance.instanceId}`,
          ),
        });
        continue;
      }
      const describe = present.map((sg) => {
        const sources = ingressOn(sg, HTTPS, client).sources.map((s) => s.id);
        const name = usesDefault
          ? t(`${sg.groupId} (the VPC's default group, used because the endpoint has no group of its own)`, `${sg.groupId} (エンドポイントに専用のグループがないため使われる VPC のデフォルトグループ)`)
          : t(sg.groupId, sg.groupId);
        return sources.length
          ? t(`${name.en} allows TCP 443 only from ${sources.join(', ')}, not from ${who}`, `${name.ja} は ${sources.join('、')} からの TCP 443 しか許可しておらず、${whoJa} は含まれません`)
          : t(`${name.en} has no inbound rule for TCP 443`, `${name.ja} には TCP 443 のインバウンドルールがありません`);
      });
      verdicts.push({
        endpoints,
        groupIds,
        status: 'fail',
        text: t(`${ids.join(', ')}: ${describe.map((d) => d.en).join('; ')}`, `${ids.join('、')}: ${describe.map((d) => d.ja).join('。')}`),
      });
    }

    const failed = verdicts.filter((v) => v.status === 'fail');
    const unknown = verdicts.filter((v) => v.status === 'unknown');
    if (!failed.length) {
      if (unknown.length) throw new FactUnknown(unknown[0].unknown!);
      return {
        status: 'pass',
        message: t(verdicts.map((v) => v.text.en).join('; '), verdicts.map((v) => v.text.ja).join('。')),
      };
    }

    const fixes = [...new Set(failed.map((v) => v.groupIds[0]))].flatMap((sg) => (sg ? [httpsIngressFix(net, sg)] : []));
    const steps = fixes.flatMap((f) => f.steps);
    const commands = fixes.flatMap((f) => f.commands);
    const notes = unknown.map((v) => t(`not checked: ${v.unknown!.message}`, `未確認: ${v.unknown!.message}`));
    const parts = [...failed.map((v) => v.text), ...notes];
    return {
      status: 'fail',
      message: t(parts.map((p) => p.en).join('; '), parts.map((p) => p.ja).join('。')),
      fix: { steps, commands },
    };
  },
};

function notCollected(call: string, message: string): Unknown {
  return { known: false, call, code: 'NotCollected', message };
}
