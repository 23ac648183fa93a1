import { serviceHost } from '../aws/services.js';
import { defineMessages, joinText, type Text } from '../lang.js';
import { aws } from './lib/cli.js';
import { CONSOLE, consolePath } from './lib/glossary.js';
import { listText } from './lib/list.js';
import { internetPath, liveSsmEndpoints, networkOf, type Network, type SsmEndpoint } from './lib/path.js';
import { need, type Check, type Finding, type Fix } from './types.js';

const M = defineMessages({
  title: {
    en: "The endpoints have private DNS on, and the VPC's DNS resolution and DNS hostnames are on",
    ja: 'エンドポイントのプライベート DNS と、VPC の DNS 解決・DNS ホスト名が有効である',
  },
  noEndpoint: {
    en: '{vpc} has no Systems Manager interface endpoint',
    ja: '{vpc} に Systems Manager のインターフェイスエンドポイントがありません',
  },
  allOn: {
    en: '{ids} have private DNS on, and {vpc} has DNS resolution and DNS hostnames on',
    ja: '{ids} のプライベート DNS が有効で、{vpc} の DNS 解決と DNS ホスト名も有効です',
  },
  dnsSupportOff: {
    en: '{vpc} has DNS resolution (enableDnsSupport) off: the Amazon DNS server does not answer, so the instance cannot resolve {host}',
    ja: '{vpc} の DNS 解決 (enableDnsSupport) が無効です。Amazon DNS サーバーが応答しないため、インスタンスは {host} を名前解決できません',
  },
  dnsHostnamesOff: {
    en: "{vpc} has DNS hostnames (enableDnsHostnames) off, so the endpoints' private DNS names are not served",
    ja: '{vpc} の DNS ホスト名 (enableDnsHostnames) が無効なため、エンドポイントのプライベート DNS 名が使われません',
  },
  privateDnsOff: {
    en: '{endpoint} ({service}) has private DNS off: {host} resolves to public addresses, not to the endpoint',
    ja: '{endpoint} ({service}) のプライベート DNS が無効です。{host} はエンドポイントではなくパブリックアドレスに解決されます',
  },
  stepVpcDns: {
    en: `${CONSOLE.vpc.en} → ${CONSOLE.yourVpcs.en} → select {vpc} → ${CONSOLE.actions.en} → ${CONSOLE.editVpcSettings.en} → DNS settings: tick ${CONSOLE.enableDnsResolution.en} and ${CONSOLE.enableDnsHostnames.en} → ${CONSOLE.save.en}`,
    ja: `「${CONSOLE.vpc.ja}」→「${CONSOLE.yourVpcs.ja}」→ {vpc} を選択 →「${CONSOLE.actions.ja}」→「${CONSOLE.editVpcSettings.ja}」→「${CONSOLE.enableDnsResolution.ja}」と「${CONSOLE.enableDnsHostnames.ja}」にチェック →「${CONSOLE.save.ja}」`,
  },
  stepPrivateDns: {
    en: `${consolePath('vpc', 'endpoints').en} → select {endpoint} → ${CONSOLE.actions.en} → ${CONSOLE.managePrivateDnsNames.en} → tick ${CONSOLE.enableForThisEndpoint.en} → ${CONSOLE.saveChanges.en}`,
    ja: `${consolePath('vpc', 'endpoints').ja}→ {endpoint} を選択 →「${CONSOLE.actions.ja}」→「${CONSOLE.managePrivateDnsNames.ja}」→「${CONSOLE.enableForThisEndpoint.ja}」にチェック →「${CONSOLE.saveChanges.ja}」`,
  },
  noOtherWay: { en: '{what}; and {id} has no other way out: {path}', ja: '{what}。{id} には他の経路もありません: {path}' },
  unused: {
    en: '{what}. {id} still gets out over {path}, so these endpoints go unused (and are still billed)',
    ja: '{what}。{id} は別の経路 ({path}) で通信できるため、これらのエンドポイントは使われていません (料金はかかります)',
  },
  maybeOtherWay: {
    en: '{what}. {id} may get out another way, which cannot be verified from here: {path}',
    ja: '{what}。{id} は別の経路で通信できるかもしれませんが、ここからは確認できません: {path}',
  },
});

interface Dns {
  support: boolean;
  hostnames: boolean;
  off: SsmEndpoint[];
}

/** What is off, one sentence each. */
function problems({ region, vpcId }: Network, dns: Dns): Text[] {
  const out: Text[] = [];
  if (!dns.support) out.push(M('dnsSupportOff', { vpc: vpcId, host: serviceHost(region, 'ssm') }));
  if (!dns.hostnames) out.push(M('dnsHostnamesOff', { vpc: vpcId }));
  for (const { service, endpoint } of dns.off) {
    out.push(M('privateDnsOff', { endpoint: endpoint.endpointId, service, host: serviceHost(region, service) }));
  }
  return out;
}

/** The VPC's DNS settings, then private DNS on each endpoint that has it off. */
function dnsFix({ region, vpcId }: Network, dns: Dns): Fix {
  const fix: Fix = { steps: [], commands: [] };
  if (!dns.support || !dns.hostnames) {
    fix.steps.push({ key: 'vpc-dns-settings', text: M('stepVpcDns', { vpc: vpcId }) });
    // One attribute per call: the API rejects both in one request.
    if (!dns.support)
      fix.commands.push(aws(region, 'ec2', 'modify-vpc-attribute', '--vpc-id', vpcId, '--enable-dns-support', '{"Value":true}'));
    if (!dns.hostnames)
      fix.commands.push(aws(region, 'ec2', 'modify-vpc-attribute', '--vpc-id', vpcId, '--enable-dns-hostnames', '{"Value":true}'));
  }
  for (const { endpoint } of dns.off) {
    fix.steps.push({ key: `endpoint-private-dns:${endpoint.endpointId}`, text: M('stepPrivateDns', { endpoint: endpoint.endpointId }) });
    fix.commands.push(aws(region, 'ec2', 'modify-vpc-endpoint', '--vpc-endpoint-id', endpoint.endpointId, '--private-dns-enabled'));
  }
  return fix;
}

/** Each Systems Manager endpoint has private DNS on and the VPC resolves it: otherwise the service names resolve to public addresses and the endpoint is never used. */
export const endpointPrivateDns: Check = {
  id: 'endpoint-private-dns',
  severity: 'critical',
  title: M('title'),
  messages: M.table,
  evaluate(ctx): Finding {
    const net = networkOf(ctx);
    const { vpcId, instance } = net;
    const live = liveSsmEndpoints(net);
    if (!live.length) return { status: 'skip', message: M('noEndpoint', { vpc: vpcId }) };
    const dns: Dns = {
      support: need(net.vpc.dnsSupport, 'ec2:DescribeVpcAttribute'),
      hostnames: need(net.vpc.dnsHostnames, 'ec2:DescribeVpcAttribute'),
      off: live.filter((e) => !e.endpoint.privateDnsEnabled),
    };
    if (dns.support && dns.hostnames && !dns.off.length) {
      return { status: 'pass', message: M('allOn', { ids: listText(live.map((e) => e.endpoint.endpointId)), vpc: vpcId }) };
    }

    const fix = dnsFix(net, dns);
    const what = joinText(problems(net, dns), '; ', '。');
    if (!dns.support) return { status: 'fail', message: what, fix };

    const path = internetPath(net);
    const params = { what, id: instance.instanceId, path: path.text };
    if (path.kind === 'none') return { status: 'fail', message: M('noOtherWay', params), fix };
    return { status: 'warn', message: M(path.kind === 'ok' ? 'unused' : 'maybeOtherWay', params), fix };
  },
};
