import type { Endpoint } from '../facts/schema.js';
import { defineMessages } from '../lang.js';
import { observedConnected } from './lib/agent-evidence.js';
import { aws } from './lib/cli.js';
import { CONSOLE, consolePath } from './lib/glossary.js';
import { listText } from './lib/list.js';
import { liveSsmEndpoints, networkOf } from './lib/path.js';
import { subnetRouteTable } from './lib/routes.js';
import { need, type Check, type Finding, type FixStep } from './types.js';

const endpoints = consolePath('vpc', 'endpoints');

const M = defineMessages({
  title: {
    en: 'An instance in an IPv6-only subnet reaches Systems Manager over IPv6',
    ja: 'IPv6 専用サブネットのインスタンスが IPv6 で Systems Manager に到達できる',
  },
  notIpv6Only: {
    en: '{subnet} is not IPv6-only: the agent reaches Systems Manager over IPv4 (the network checks above)',
    ja: '{subnet} は IPv6 専用ではありません。エージェントは IPv4 で Systems Manager に接続します (上のネットワークのチェック)',
  },
  endpointsV6: {
    en: '{subnet} is IPv6-only, and the endpoints {ids} answer over IPv6 (IP address type dualstack or ipv6, with AAAA records for their private names)',
    ja: '{subnet} は IPv6 専用で、エンドポイント {ids} は IPv6 で応答します (IP アドレスタイプが dualstack または ipv6 で、プライベート DNS 名に AAAA レコードがあります)',
  },
  nat64: {
    en: '{subnet} is IPv6-only and uses DNS64 with a 64:ff9b::/96 route to {nat}: the NAT gateway translates the agent’s connections to the IPv4 service endpoints',
    ja: '{subnet} は IPv6 専用で、DNS64 と {nat} への 64:ff9b::/96 ルートを使っています。NAT ゲートウェイがエージェントの接続を IPv4 のサービスエンドポイントへ変換します',
  },
  dualStackPublic: {
    en: '{subnet} is IPv6-only and routes ::/0 to {gateway}: the agent can reach the public dual-stack endpoints (ssm.{region}.api.aws and the like) only if it is told to use them (the agent setting UseDualStackEndpoint, or Endpoint overrides), which ssm-doctor cannot see',
    ja: '{subnet} は IPv6 専用で、::/0 を {gateway} へルーティングしています。エージェントがパブリックのデュアルスタックエンドポイント (ssm.{region}.api.aws など) に接続できるのは、それらを使うよう設定されている場合 (エージェント設定 UseDualStackEndpoint、または Endpoint の上書き) だけで、ssm-doctor からは確認できません',
  },
  connected: {
    en: '{subnet} is IPv6-only and no IPv6 path to Systems Manager is seen, but the agent of {id} is connected: a path ssm-doctor cannot see is in use (an agent endpoint setting, a proxy)',
    ja: '{subnet} は IPv6 専用で Systems Manager への IPv6 の経路は見当たりませんが、{id} のエージェントは接続済みです。ssm-doctor から見えない経路 (エージェントのエンドポイント設定、プロキシ) が使われています',
  },
  noPath: {
    en: '{subnet} is IPv6-only, so {id} has no IPv4 address, and it has no IPv6 way to Systems Manager: {why}',
    ja: '{subnet} は IPv6 専用のため {id} には IPv4 アドレスがなく、Systems Manager への IPv6 の経路もありません: {why}',
  },
  v4Endpoints: {
    en: 'the endpoints {ids} are IPv4-only (IP address type or DNS record type ipv4), no DNS64 with a 64:ff9b::/96 route to a NAT gateway, and no ::/0 route',
    ja: 'エンドポイント {ids} は IPv4 専用 (IP アドレスタイプまたは DNS レコードタイプが ipv4) で、NAT ゲートウェイへの 64:ff9b::/96 ルートを伴う DNS64 も、::/0 のルートもありません',
  },
  noEndpoints: {
    en: 'no Systems Manager interface endpoint, no DNS64 with a 64:ff9b::/96 route to a NAT gateway, and no ::/0 route',
    ja: 'Systems Manager のインターフェイスエンドポイントも、NAT ゲートウェイへの 64:ff9b::/96 ルートを伴う DNS64 も、::/0 のルートもありません',
  },
  stepDualstack: {
    en: `${endpoints.en} → select {endpoint} → ${CONSOLE.actions.en} → Modify IP address type / DNS record IP type: dualstack (the endpoint's subnets need IPv6 CIDR blocks)`,
    ja: `${endpoints.ja}→ {endpoint} を選択 →「${CONSOLE.actions.ja}」→ IP アドレスタイプと DNS レコードの IP タイプを dualstack に変更します (エンドポイントのサブネットに IPv6 CIDR ブロックが必要です)`,
  },
  stepAgent: {
    en: 'Tell the agent on {id} to use the dual-stack endpoints: the agent setting UseDualStackEndpoint (recent agents), or Endpoint overrides to ssm.{region}.api.aws, ssmmessages.{region}.api.aws and ec2messages.{region}.api.aws; or give {vpc} endpoints that answer over IPv6 (IP address type dualstack), which needs no agent setting',
    ja: '{id} のエージェントがデュアルスタックエンドポイントを使うよう設定します: エージェント設定 UseDualStackEndpoint (最近のエージェント)、または ssm.{region}.api.aws、ssmmessages.{region}.api.aws、ec2messages.{region}.api.aws への Endpoint の上書き。または {vpc} に IPv6 で応答するエンドポイント (IP アドレスタイプ dualstack) を用意すれば、エージェントの設定は不要です',
  },
  stepCreate: {
    en: 'Create the ssm, ssmmessages and ec2messages interface endpoints in {vpc} with IP address type dualstack and DNS record IP type dualstack (the vpc-endpoints check gives the commands; add --ip-address-type dualstack --dns-options DnsRecordIpType=dualstack)',
    ja: '{vpc} に ssm、ssmmessages、ec2messages のインターフェイスエンドポイントを IP アドレスタイプ dualstack、DNS レコードの IP タイプ dualstack で作成します (コマンドは vpc-endpoints のチェックにあります。--ip-address-type dualstack --dns-options DnsRecordIpType=dualstack を加えてください)',
  },
});

const V6_ADDRESSES = new Set(['dualstack', 'ipv6']);
/** Names that get AAAA records: dualstack and ipv6; service-defined follows the endpoint's address type. */
const V6_RECORDS = new Set(['dualstack', 'ipv6', 'service-defined']);
const answersV6 = (e: Endpoint) => V6_ADDRESSES.has(e.ipAddressType ?? 'ipv4') && V6_RECORDS.has(e.dnsRecordIpType ?? 'ipv4');

/**
 * An instance in an IPv6-only subnet has no IPv4 address: it reaches Systems Manager only through
 * endpoints that answer over IPv6, DNS64 and NAT64 through a NAT gateway, or the public dual-stack
 * endpoints over a ::/0 route (which the agent must be told to use). Not IPv6-only: skip.
 */
export const ipv6OnlyPath: Check = {
  id: 'ipv6-only-path',
  severity: 'critical',
  title: M('title'),
  messages: M.table,
  evaluate(ctx): Finding {
    const net = networkOf(ctx);
    const { vpcId, subnetId, region } = net;
    const subnet = need(net.vpc.subnets, 'ec2:DescribeSubnets').find((s) => s.subnetId === subnetId);
    if (subnet?.ipv6Native !== true) return { status: 'skip', message: M('notIpv6Only', { subnet: subnetId }) };

    const live = liveSsmEndpoints(net);
    if (live.length && live.every((e) => answersV6(e.endpoint))) {
      return { status: 'pass', message: M('endpointsV6', { subnet: subnetId, ids: listText(live.map((e) => e.endpoint.endpointId)) }) };
    }
    const routes = subnetRouteTable(net).table.routes.filter((r) => r.state === 'active');
    const nat64 = routes.find((r) => r.destination === '64:ff9b::/96' && r.target.startsWith('nat-'));
    if (subnet.enableDns64 && nat64) return { status: 'pass', message: M('nat64', { subnet: subnetId, nat: nat64.target }) };
    const id = ctx.instanceId;
    if (observedConnected(ctx.facts, id)) {
      return { status: 'pass', message: M('connected', { subnet: subnetId, id }) };
    }
    const v6Default = routes.find((r) => r.destination === '::/0' && /^(eigw|igw)-/.test(r.target));
    if (v6Default) {
      return {
        status: 'warn',
        message: M('dualStackPublic', { subnet: subnetId, gateway: v6Default.target, region }),
        fix: { steps: [{ key: `agent-dualstack:${id}`, text: M('stepAgent', { id, region, vpc: vpcId }) }], commands: [] },
      };
    }

    const v4 = live.filter((e) => !answersV6(e.endpoint)).map((e) => e.endpoint);
    const why = v4.length ? M('v4Endpoints', { ids: listText(v4.map((e) => e.endpointId)) }) : M('noEndpoints');
    const steps: FixStep[] = v4.length
      ? v4.map((e) => ({ key: `endpoint-dualstack:${e.endpointId}`, text: M('stepDualstack', { endpoint: e.endpointId }) }))
      : [{ key: `endpoints-dualstack:${vpcId}`, text: M('stepCreate', { vpc: vpcId }) }];
    const commands = v4.map((e) =>
      aws(
        region,
        'ec2',
        'modify-vpc-endpoint',
        '--vpc-endpoint-id',
        e.endpointId,
        '--ip-address-type',
        'dualstack',
        '--dns-options',
        'DnsRecordIpType=dualstack',
      ),
    );
    return { status: 'fail', message: M('noPath', { subnet: subnetId, id, why }), fix: { steps, commands } };
  },
};
