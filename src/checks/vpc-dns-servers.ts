import { serviceHost } from '../aws/services.js';
import { defineMessages, joinText, type Text } from '../lang.js';
import { observedConnected } from './lib/agent-evidence.js';
import { CONSOLE } from './lib/glossary.js';
import { listText } from './lib/list.js';
import { liveSsmEndpoints, networkOf } from './lib/path.js';
import { forwardedMessage, forwardedNames, RESOLVER_MESSAGES, systemRuleFix } from './lib/resolver-rules.js';
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
  connectedRules: {
    en: '{vpc} sends {names} to other DNS servers (Route 53 Resolver rules {rules}), and the agent of {id} is connected: they resolve the endpoint names',
    ja: '{vpc} は {names} を別の DNS サーバーへ送っています (Route 53 Resolver ルール {rules}) が、{id} のエージェントは接続済みのため、エンドポイント名は解決できています',
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

const dhcpStep = (servers: Text, hosts: string[], region: string, vpc: string) => ({
  key: `dns-forward:${vpc}`,
  text: M('stepForward', { servers, names: listText(hosts), zone: `${region}.amazonaws.com`, vpc }),
});

/**
 * The endpoints' private DNS names live in the Route 53 Resolver: a VPC whose DHCP options hand the
 * instances other DNS servers (a company's), or whose Resolver rules FORWARD amazonaws.com (or the
 * region's zone, or an endpoint's name) to them, resolves the names only if those servers send
 * them back to it.
 */
export const vpcDnsServers: Check = {
  id: 'vpc-dns-servers',
  severity: 'warning',
  title: M('title'),
  messages: { ...M.table, ...RESOLVER_MESSAGES },
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
    const servers = listText(dhcp.domainNameServers);
    const hosts = live.map((e) => serviceHost(region, e.service));
    // An Online agent on a connected channel has resolved the names already: proof that the servers forward.
    const id = ctx.instanceId;
    const connected = observedConnected(ctx.facts, id);
    // Facts saved by an earlier version hold no Resolver rules: the DHCP options decide alone.
    const rules = net.vpc.resolverRules;
    const forwarded = rules?.known ? forwardedNames(hosts, rules.value) : [];
    if (!others.length && !forwarded.length) {
      // Rules that could not be read may forward the names; a connected agent proves they resolve.
      if (rules && !rules.known && !connected) need(rules, 'route53resolver:ListResolverRules');
      return { status: 'pass', message: M('amazon', { vpc: vpcId, set }) };
    }
    if (connected && others.length) return { status: 'pass', message: M('connected', { vpc: vpcId, set, servers, id }) };
    if (connected) {
      const names = listText(forwarded.flatMap((f) => f.names));
      return {
        status: 'pass',
        message: M('connectedRules', { vpc: vpcId, names, rules: listText(forwarded.map((f) => f.rule.ruleId)), id }),
      };
    }
    const findings = [
      ...(others.length
        ? [
            {
              message: M('custom', { vpc: vpcId, set, servers, names: listText(hosts) }),
              step: dhcpStep(servers, hosts, region, vpcId),
              commands: [],
            },
          ]
        : []),
      ...forwarded.map((f) => {
        const fix = systemRuleFix(vpcId, region, f);
        return { message: forwardedMessage(vpcId, f), step: fix.step, commands: fix.commands };
      }),
    ];
    return {
      status: 'warn',
      // Two findings in one message: each is a sentence of its own.
      message: joinText(
        findings.map((f) => f.message),
        '. ',
        '。',
      ),
      fix: { steps: findings.map((f) => f.step), commands: findings.flatMap((f) => f.commands) },
    };
  },
};
