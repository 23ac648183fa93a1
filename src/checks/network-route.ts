import type { Facts, HostedZone } from '../facts/schema.js';
import { NO_TEXT, catText, defineMessages, joinText, type Text } from '../lang.js';
import { SESSION_SERVICES, serviceHost, type SsmService } from '../aws/services.js';
import { observedConnected } from './lib/agent-evidence.js';
import { endpointPlan, missingServices } from './lib/endpoint-fix.js';
import { consolePath, label } from './lib/glossary.js';
import { steeringZones, zonesText } from './lib/hosted-zones.js';
import { confirmedByPing, internetPath, unverifiedTargets } from './lib/internet-path.js';
import { listText, networkOf, type Network } from './lib/network.js';
import { describeTable, effectiveRouteTable, hubRoutes, subnetRouteTable } from './lib/routes.js';
import { isAvailable, missingText, vpcSsmEndpoints, type SsmEndpoint } from './lib/ssm-endpoints.js';
import { need, type Check, type CheckContext, type Finding, type Fix } from './types.js';
import { describeUnknown } from './unknown.js';

const toRouteTables = consolePath('vpc', 'routeTables');
const toAddRoute = consolePath('routes', 'editRoutes', 'addRoute');
const save = label('saveChanges');

const M = defineMessages({
  title: {
    en: 'The instance has a network path to Systems Manager (ssm, ssmmessages)',
    ja: 'インスタンスから Systems Manager (ssm、ssmmessages) への経路がある',
  },
  reaches: { en: '{id} reaches {how}', ja: '{id} は Systems Manager に到達できます: {how}' },
  viaEndpoint: {
    en: '{services} through interface endpoint {ids} in {vpc}',
    ja: '{services} は {vpc} のインターフェイスエンドポイント {ids} 経由',
  },
  viaEndpoints: {
    en: '{services} through interface endpoints {ids} in {vpc}',
    ja: '{services} は {vpc} のインターフェイスエンドポイント {ids} 経由',
  },
  localRoute: { en: ', over the local route of {table}', ja: '。{table} の local ルート経由' },
  overPath: { en: '{services} over {path}', ja: '{services} の経路は {path}' },
  noPath: {
    en: '{id} has no network path for {services}: {vpc} has no available interface endpoint for {missing}, and {path}. Create the interface endpoints (below), or instead route 0.0.0.0/0 to a NAT gateway in a public subnet',
    ja: '{id} から {services} への経路がありません。{vpc} に {missing} の利用可能なインターフェイスエンドポイントがなく、{path}。インターフェイスエンドポイントを作成するか (下記)、代わりにパブリックサブネットの NAT ゲートウェイへの 0.0.0.0/0 ルートを追加してください',
  },
  reachesUnverified: {
    en: '{id} reaches {how}; that route cannot be verified from here, but the agent is Online, so its traffic gets out that way',
    ja: '{id} は Systems Manager に到達できます: {how}。この経路はここからは確認できませんが、エージェントがオンラインなので、この経路で通信できています',
  },
  mayReach: {
    en: '{id} may reach Systems Manager, but this cannot be verified from here: {how}. If Session Manager cannot connect, check that this route reaches {hosts} on TCP 443, or create the interface endpoints (below){zonesNote}',
    ja: '{id} から Systems Manager に到達できるかどうかは、ここからは確認できません: {how}。Session Manager で接続できない場合は、この経路で {hosts} の TCP 443 に届くかを確認するか、インターフェイスエンドポイントを作成してください (下記){zonesNote}',
  },
  zonesNote: {
    en: '; whether a Route 53 private hosted zone sends these names to centralised endpoints is not known ({why})',
    ja: '。Route 53 プライベートホストゾーンがこれらの名前を集約されたエンドポイントに向けているかは不明です ({why})',
  },
  zonesUnread: { en: 'route53:ListHostedZonesByVPC was not read', ja: 'route53:ListHostedZonesByVPC は読み取られていません' },
  stepVerify: {
    en: 'Check that traffic from {subnet} through {targets} reaches {hosts} on TCP 443 (the route tables and firewalls beyond it, and a NAT gateway or endpoints on the far side); if it does not, create the endpoints as below',
    ja: '{subnet} から {targets} 経由で {hosts} の TCP 443 に届くかを確認します (その先のルートテーブルやファイアウォール、先にある NAT ゲートウェイやエンドポイント)。届かない場合は下の手順でエンドポイントを作成します',
  },
  central: {
    en: '{services} through centralised endpoints: Route 53 private hosted zone {zones} associated with {vpc} answers for {names}',
    ja: '{services} は集約されたエンドポイント経由: {vpc} に関連付けられた Route 53 プライベートホストゾーン {zones} が {names} を解決します',
  },
  centralHub: {
    en: '{central}, and {table} routes {routes}; through a transit gateway, transit-gateway-path follows the way to the hub (its endpoints, their security groups and network ACLs) and back; past a peering connection or a Cloud WAN core network the hub side cannot be verified from here',
    ja: '{central}。{table} には {routes} のルートがあります。トランジットゲートウェイ経由なら、ハブ (エンドポイント、そのセキュリティグループとネットワーク ACL) までの往復は transit-gateway-path が確認します。ピアリング接続や Cloud WAN コアネットワークの先のハブ側はここからは確認できません',
  },
  noHubRoute: {
    en: '{table} has no route to a transit gateway, peering connection or Cloud WAN core network',
    ja: '{table} にはトランジットゲートウェイ、ピアリング接続、Cloud WAN コアネットワークへのルートがありません',
  },
  centralObserved: {
    en: '{central}; {noRoute}, but the agent is Online and connected, so something this tool cannot see (a firewall, a VPN) leads there',
    ja: '{central}。{noRoute}が、エージェントはオンラインで接続済みのため、このツールから見えない経路 (ファイアウォールや VPN など) で到達しています',
  },
  centralNoRoute: {
    en: '{central}, but {noRoute}: the addresses the zone returns are out of reach unless another route (a firewall, a VPN) leads there',
    ja: '{central}。しかし{noRoute}。別の経路 (ファイアウォールや VPN など) がない限り、ゾーンが返すアドレスには届きません',
  },
  stepCentralRoute: {
    en: `${toRouteTables.en} → select {rt} → ${toAddRoute.en}: Destination the shared-services VPC's CIDR, Target its transit gateway attachment or peering connection → ${save.en}; the shared endpoints' security groups must allow TCP 443 from {source}`,
    ja: `${toRouteTables.ja}→ {rt} を選択 →${toAddRoute.ja}で、送信先に共有サービス VPC の CIDR、ターゲットにそのトランジットゲートウェイアタッチメントまたはピアリング接続を指定して${save.ja}。共有エンドポイントのセキュリティグループで {source} からの TCP 443 を許可しておく必要があります`,
  },
});

/** The route table (explicit or main) by which the endpoint path goes, when it can be read; only for the message. */
function tableNote(net: Network): Text {
  const tables = net.vpc.routeTables;
  const et = tables.known ? effectiveRouteTable(tables.value, net.subnetId) : undefined;
  return et ? M('localRoute', { table: describeTable(et, net.subnetId) }) : NO_TEXT;
}

interface Central {
  status: 'pass' | 'warn';
  text: Text;
  fix?: Fix;
}

/**
 * Private hosted zones steer the names to endpoints in another VPC (a shared-services hub). What can be seen from here
 * is the zone and a route toward another VPC; the hub's endpoints, security groups and ACLs cannot.
 */
function centralised(net: Network, facts: Facts, services: readonly SsmService[], zones: readonly HostedZone[]): Central {
  const { region, vpcId, subnetId, instance } = net;
  const central = M('central', {
    services: listText(services),
    zones: zonesText(services.flatMap((s) => steeringZones(zones, region, s))),
    vpc: vpcId,
    names: services.map((s) => serviceHost(region, s)).join(', '),
  });
  const et = subnetRouteTable(net);
  const table = describeTable(et, subnetId);
  const hub = hubRoutes(et.table);
  if (hub.length) {
    return {
      status: 'pass',
      text: M('centralHub', { central, table, routes: listText(hub.map((r) => `${r.destination} → ${r.target}`)) }),
    };
  }
  const noRoute = M('noHubRoute', { table });
  if (observedConnected(facts, instance.instanceId)) return { status: 'pass', text: M('centralObserved', { central, noRoute }) };
  const source = instance.privateIp ?? subnetId;
  const rt = et.table.routeTableId;
  return {
    status: 'warn',
    text: M('centralNoRoute', { central, noRoute }),
    fix: { steps: [{ key: `central-route:${rt}`, text: M('stepCentralRoute', { rt, source }) }], commands: [] },
  };
}

/** What is known before the internet path is looked at: the endpoints, the steered services and what the message leads with. */
interface Way {
  net: Network;
  all: readonly SsmEndpoint[] | undefined;
  covered: SsmService[];
  steered: SsmService[];
  direct: SsmService[];
  zones: readonly HostedZone[] | undefined;
  lead: Text[];
  central: Central | undefined;
}

/** The worse of this verdict and the centralised one, with both fixes. */
function finish(way: Way, status: 'pass' | 'warn' | 'fail', message: Text, fix?: Fix): Finding {
  const { central } = way;
  const worst = status === 'fail' || central?.status !== 'warn' ? status : 'warn';
  const steps = [...(central?.fix?.steps ?? []), ...(fix?.steps ?? [])];
  const commands = [...(central?.fix?.commands ?? []), ...(fix?.commands ?? [])];
  return { status: worst, message, ...(worst !== 'pass' ? { fix: { steps, commands } } : {}) };
}

function zonesNote(net: Network, hub: boolean, zones: Way['zones']): Text {
  if (!hub || zones) return NO_TEXT;
  const fact = net.vpc.hostedZones;
  return M('zonesNote', { why: fact && !fact.known ? describeUnknown(fact) : M('zonesUnread') });
}

/** The services with neither an endpoint nor a hosted zone go over the subnet's routes to the public names. */
function overInternet(ctx: CheckContext, way: Way): Finding {
  const { net, direct } = way;
  const { region, vpcId, subnetId } = net;
  const id = net.instance.instanceId;
  const path = internetPath(net);
  const how = joinText([...way.lead, M('overPath', { services: listText(direct), path: path.text })], '; ', '。');
  if (path.kind === 'ok') return finish(way, 'pass', M('reaches', { id, how }));
  // With the endpoints unread, a missing internet path says nothing yet.
  const all = way.all ?? vpcSsmEndpoints(net);
  const hub = hubRoutes(path.table.table);
  // A route toward another VPC may lead to centralised endpoints, which only the hosted zones would show.
  if (path.kind === 'none' && hub.length && !way.zones) need(net.vpc.hostedZones, 'route53:ListHostedZonesByVPC');
  const plan = endpointPlan(net, all, missingServices(all));
  if (path.kind === 'none') {
    const m = M('noPath', { id, services: listText(direct), vpc: vpcId, missing: missingText(all, direct, region), path: path.text });
    return finish(way, 'fail', way.central ? joinText([m, way.central.text], '; ', '。') : m, plan);
  }
  if (confirmedByPing(ctx, path, way.covered.includes('ssm') || way.steered.includes('ssm'))) {
    return finish(way, 'pass', M('reachesUnverified', { id, how }));
  }
  const targets = unverifiedTargets(path);
  const hosts = listText(direct.map((s) => serviceHost(region, s)));
  return finish(way, 'warn', M('mayReach', { id, how, hosts, zonesNote: zonesNote(net, hub.length > 0, way.zones) }), {
    steps: [
      { key: `egress-verify:${targets.join(',')}`, text: M('stepVerify', { subnet: subnetId, targets: listText(targets), hosts }) },
      ...plan.steps,
    ],
    commands: plan.commands,
  });
}

/** For ssm and ssmmessages, the subnet has a way to Systems Manager: an interface endpoint, a private hosted zone steering the name to centralised endpoints, or a NAT or internet gateway route; without one the agent can never connect. */
export const networkRoute: Check = {
  id: 'network-route',
  severity: 'critical',
  title: M('title'),
  messages: M.table,
  evaluate(ctx) {
    const net = networkOf(ctx);
    const { region, vpcId } = net;
    const id = net.instance.instanceId;
    const endpoints = net.vpc.endpoints;
    const all = endpoints.known ? vpcSsmEndpoints(net) : undefined;
    const viaEndpoint = (s: SsmService) =>
      (all ?? []).filter((e) => e.service === s && isAvailable(e.endpoint)).map((e) => e.endpoint.endpointId);
    const covered = SESSION_SERVICES.filter((s) => viaEndpoint(s).length > 0);
    const outward = SESSION_SERVICES.filter((s) => !covered.includes(s));
    const endpointClause = covered.length
      ? M(covered.length > 1 ? 'viaEndpoints' : 'viaEndpoint', {
          services: listText(covered),
          ids: listText(covered.flatMap(viaEndpoint)),
          vpc: vpcId,
        })
      : undefined;
    if (!outward.length && endpointClause)
      return { status: 'pass', message: M('reaches', { id, how: catText(endpointClause, tableNote(net)) }) };

    // DNS decides before routing: a private hosted zone for the names sends them to another VPC's endpoints.
    const zones = net.vpc.hostedZones?.known ? net.vpc.hostedZones.value : undefined;
    const steered = zones ? outward.filter((s) => steeringZones(zones, region, s).length > 0) : [];
    const central = zones && steered.length ? centralised(net, ctx.facts, steered, zones) : undefined;
    const direct = outward.filter((s) => !steered.includes(s));
    const lead = [endpointClause, central?.text].filter((x): x is Text => !!x);
    const way: Way = { net, all, covered, steered, direct, zones, lead, central };
    if (!direct.length) return finish(way, 'pass', M('reaches', { id, how: joinText(lead, '; ', '。') }));
    return overInternet(ctx, way);
  },
};
