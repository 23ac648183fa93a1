import { serviceHost } from '../aws/services.js';
import { defineMessages } from '../lang.js';
import { CONSOLE } from './lib/glossary.js';
import { listText } from './lib/list.js';
import { liveSsmEndpoints, networkOf } from './lib/path.js';
import { need, type Check, type Finding } from './types.js';

/** The name a DHCP options set uses for the Route 53 Resolver. */
const AMAZON = 'AmazonProvidedDNS';

const M = defineMessages({
  title: {
    en: 'The instance resolves the endpoint names with the Amazon-provided DNS, or with DNS servers that forward them to it',
    ja: 'インスタンスがエンドポイント名を Amazon 提供の DNS (またはそこへ転送する DNS サーバー) で名前解決できる',
  },
  noEndpoint: {
    en: '{vpc} has no Systems Manager interface endpoint with private DNS whose names must resolve inside it',
    ja: '{vpc} には、VPC 内で名前解決が必要なプライベート DNS 付きの Systems Manager インターフェイスエンドポイントがありません',
  },
  amazon: {
    en: '{vpc} gives its instances the Amazon-provided DNS ({set}), which answers the endpoints’ private names',
    ja: '{vpc} はインスタンスに Amazon 提供の DNS を渡しており ({set})、エンドポイントのプライベート DNS 名が解決されます',
  },
  noSet: { en: 'no DHCP options set', ja: 'DHCP オプションセットなし' },
  notRead: {
    en: 'the DNS servers of {vpc} were not read (facts saved by an earlier version of ssm-doctor)',
    ja: '{vpc} の DNS サーバーは読み取られていません (以前のバージョンの ssm-doctor で保存したファクトです)',
  },
  connected: {
    en: '{vpc}’s DHCP options {set} give its instances the DNS servers {servers}, and the agent of {id} is connected: they resolve the endpoint names',
    ja: '{vpc} の DHCP オプション {set} はインスタンスに DNS サーバー {servers} を渡していますが、{id} のエージェントは接続済みのため、エンドポイント名は解決できています',
  },
  custom: {
    en: '{vpc}’s DHCP options {set} give its instances the DNS servers {servers}, not the Amazon-provided DNS: {names} reach the endpoints only if those servers forward them (or amazonaws.com) to the Route 53 Resolver; otherwise they resolve to public addresses, which a private subnet cannot reach',
    ja: '{vpc} の DHCP オプション {set} はインスタンスに Amazon 提供の DNS ではなく DNS サーバー {servers} を渡しています。{names} がエンドポイントに解決されるのは、これらのサーバーがその名前 (または amazonaws.com) を Route 53 Resolver に転送している場合だけです。転送していなければパブリックアドレスに解決され、プライベートサブネットからは到達できません',
  },
  stepForward: {
    en: `On the DNS servers {servers}: forward {names} (or the zone {zone}) to the Route 53 Resolver of {vpc}, either through a Route 53 Resolver inbound endpoint in {vpc} (${CONSOLE.route53.en} → ${CONSOLE.resolverInbound.en} → ${CONSOLE.createInboundEndpoint.en}, then a conditional forwarder to its IP addresses) or, for servers inside {vpc}, to 169.254.169.253. Or let {vpc} use the Amazon-provided DNS: ${CONSOLE.vpc.en} → ${CONSOLE.yourVpcs.en} → select {vpc} → ${CONSOLE.actions.en} → ${CONSOLE.editVpcSettings.en} → ${CONSOLE.dhcpOptionSet.en}: one whose domain-name-servers is ${AMAZON}`,
    ja: `DNS サーバー {servers} で、{names} (またはゾーン {zone}) を {vpc} の Route 53 Resolver に転送します。{vpc} に Route 53 Resolver のインバウンドエンドポイントを作り (「${CONSOLE.route53.ja}」→「${CONSOLE.resolverInbound.ja}」→「${CONSOLE.createInboundEndpoint.ja}」)、その IP アドレスへの条件付きフォワーダーを設定するか、{vpc} 内のサーバーなら 169.254.169.253 へ転送します。または {vpc} で Amazon 提供の DNS を使います:「${CONSOLE.vpc.ja}」→「${CONSOLE.yourVpcs.ja}」→ {vpc} を選択 →「${CONSOLE.actions.ja}」→「${CONSOLE.editVpcSettings.ja}」→「${CONSOLE.dhcpOptionSet.ja}」で domain-name-servers が ${AMAZON} のものを選択`,
  },
});

/**
 * The endpoints' private DNS names live in the Route 53 Resolver: a VPC whose DHCP options hand the
 * instances other DNS servers (a company's) resolves them only if those servers forward to it.
 */
export const vpcDnsServers: Check = {
  id: 'vpc-dns-servers',
  severity: 'warning',
  title: M('title'),
  messages: M.table,
  evaluate(ctx): Finding {
    const net = networkOf(ctx);
    const { vpcId, region } = net;
    const live = liveSsmEndpoints(net).filter((e) => e.endpoint.privateDnsEnabled);
    if (!live.length) return { status: 'skip', message: M('noEndpoint', { vpc: vpcId }) };
    // Facts saved by an earlier version hold no DHCP options: say so, rather than turn them UNKNOWN.
    if (net.vpc.dhcp === undefined) return { status: 'skip', message: M('notRead', { vpc: vpcId }) };
    const dhcp = need(net.vpc.dhcp, 'ec2:DescribeDhcpOptions');
    const set = dhcp.dhcpOptionsId ?? M('noSet');
    const others = dhcp.domainNameServers.filter((s) => s !== AMAZON);
    if (!others.length) return { status: 'pass', message: M('amazon', { vpc: vpcId, set }) };
    const servers = listText(dhcp.domainNameServers);
    // An Online agent on a connected channel has resolved the names already: proof that the servers forward.
    const id = ctx.instanceId;
    const m = ctx.facts.managedInstances;
    const online = m.known && m.value[id]?.pingStatus === 'Online';
    const connection = ctx.facts.connections?.[id];
    if (online && connection?.known && connection.value === 'connected') {
      return { status: 'pass', message: M('connected', { vpc: vpcId, set, servers, id }) };
    }
    const names = listText(live.map((e) => serviceHost(region, e.service)));
    return {
      status: 'warn',
      message: M('custom', { vpc: vpcId, set, servers, names }),
      fix: {
        steps: [{ key: `dns-forward:${vpcId}`, text: M('stepForward', { servers, names, zone: `${region}.amazonaws.com`, vpc: vpcId }) }],
        commands: [],
      },
    };
  },
};
