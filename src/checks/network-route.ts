import type { Facts, HostedZone } from '../facts/schema.js';
import { t, type Text } from '../lang.js';
import { endpointPlan, missingServices } from './lib/endpoint-fix.js';
import {
  SESSION_SERVICES,
  confirmedByPing,
  describeTable,
  effectiveRouteTable,
  hubRoutes,
  internetPath,
  isAvailable,
  missingText,
  networkOf,
  serviceHost,
  ssmEndpoints,
  steeringZones,
  subnetRouteTable,
  unverifiedTargets,
  zonesText,
  type Network,
  type SsmService,
} from './lib/path.js';
import { need, type Check, type Fix } from './types.js';
import { describeUnknown } from './unknown.js';

const list = (xs: readonly string[]) => xs.join(', ');
const listJa = (xs: readonly string[]) => xs.join('、');

/** The route table (explicit or main) by which the endpoint path goes, when it can be read; only for the message. */
function tableNote(net: Network): Text {
  const tables = net.vpc.routeTables;
  const et = tables.known ? effectiveRouteTable(tables.value, net.subnetId) : undefined;
  if (!et) return t('', '');
  const d = describeTable(et, net.subnetId);
  return t(`, over the local route of ${d.en}`, `。${d.ja} の local ルート経由`);
}

interface Central {
  status: 'pass' | 'warn';
  text: Text;
  fix?: Fix;
}

/** Systems Manager says the agent is Online and its control channel connected: whatever the way is, it works. */
function observedConnected(facts: Facts, instanceId: string): boolean {
  const m = facts.managedInstances;
  const c = facts.connections?.[instanceId];
  return m.known && m.value[instanceId]?.pingStatus === 'Online' && !!c?.known && c.value === 'connected';
}

/**
 * Private hosted zones steer the names to endpoints in another VPC (a shared-services hub). What can be seen from here
 * is the zone and a route toward another VPC; the hub's endpoints, security groups and ACLs cannot.
 */
function centralised(net: Network, facts: Facts, services: readonly SsmService[], zones: readonly HostedZone[]): Central {
  const { region, vpcId, subnetId, instance } = net;
  const steering = services.flatMap((s) => steeringZones(zones, region, s));
  const z = zonesText(steering);
  const names = list(services.map((s) => serviceHost(region, s)));
  const base = t(
    `${list(services)} through centralised endpoints: Route 53 private hosted zone ${z.en} associated with ${vpcId} answers for ${names}`,
    `${listJa(services)} は集約されたエンドポイント経由: ${vpcId} に関連付けられた Route 53 プライベートホストゾーン ${z.ja} が ${names} を解決します`,
  );
  const et = subnetRouteTable(net);
  const table = describeTable(et, subnetId);
  const hub = hubRoutes(et.table);
  if (hub.length) {
    const routes = hub.map((r) => `${r.destination} → ${r.target}`);
    return {
      status: 'pass',
      text: t(
        `${base.en}, and ${table.en} routes ${list(routes)}; the hub side (its endpoints, their security groups and network ACLs, the transit gateway's route tables) cannot be verified from here`,
        `${base.ja}。${table.ja} には ${listJa(routes)} のルートがあります。ハブ側 (エンドポイント、そのセキュリティグループとネットワーク ACL、トランジットゲートウェイのルートテーブル) はここからは確認できません`,
      ),
    };
  }
  const none = t(
    `${table.en} has no route to a transit gateway, peering connection or Cloud WAN core network`,
    `${table.ja} にはトランジットゲートウェイ、ピアリング接続、Cloud WAN コアネットワークへのルートがありません`,
  );
  if (observedConnected(facts, instance.instanceId)) {
    return {
      status: 'pass',
      text: t(
        `${base.en}; ${none.en}, but the agent is Online and connected, so something this tool cannot see (a firewall, a VPN) leads there`,
        `${base.ja}。${none.ja}が、エージェントはオンラインで接続済みのため、このツールから見えない経路 (ファイアウォールや VPN など) で到達しています`,
      ),
    };
  }
  const source = instance.privateIp ?? subnetId;
  return {
    status: 'warn',
    text: t(
      `${base.en}, but ${none.en}: the addresses the zone returns are out of reach unless another route (a firewall, a VPN) leads there`,
      `${base.ja}。しかし${none.ja}。別の経路 (ファイアウォールや VPN など) がない限り、ゾーンが返すアドレスには届きません`,
    ),
    fix: {
      steps: [
        {
          key: `central-route:${et.table.routeTableId}`,
          text: t(
            `VPC → Route tables → select ${et.table.routeTableId} → Routes → Edit routes → Add route: Destination the shared-services VPC's CIDR, Target its transit gateway attachment or peering connection → Save changes; the shared endpoints' security groups must allow TCP 443 from ${source}`,
            `「VPC」→「ルートテーブル」→ ${et.table.routeTableId} を選択 →「ルート」→「ルートを編集」→「ルートを追加」で、送信先に共有サービス VPC の CIDR、ターゲットにそのトランジットゲートウェイアタッチメントまたはピアリング接続を指定して「変更を保存」。共有エンドポイントのセキュリティグループで ${source} からの TCP 443 を許可しておく必要があります`,
          ),
        },
      ],
      commands: [],
    },
  };
}

/** For ssm and ssmmessages, the subnet has a way to Systems Manager: an interface endpoint, a private hosted zone steering the name to centralised endpoints, or a NAT or internet gateway route; without one the agent can never connect. */
export const networkRoute: Check = {
  id: 'network-route',
  severity: 'critical',
  title: t('The instance has a network path to Systems Manager (ssm, ssmmessages)', 'インスタンスから Systems Manager (ssm、ssmmessages) への経路がある'),
  evaluate(ctx) {
    const net = networkOf(ctx);
    const { region, instance, vpcId } = net;
    const id = instance.instanceId;
    const endpointsFact = net.vpc.endpoints;
    const all = endpointsFact.known ? ssmEndpoints(endpointsFact.value, region) : undefined;
    const viaEndpoint = (s: SsmService) => (all ?? []).filter((e) => e.service === s && isAvailable(e.endpoint)).map((e) => e.endpoint.endpointId);
    const covered = SESSION_SERVICES.filter((s) => viaEndpoint(s).length > 0);
    const outward = SESSION_SERVICES.filter((s) => !covered.includes(s));

    const endpointClause = covered.length
      ? t(
          `${list(covered)} through interface endpoint${covered.length > 1 ? 's' : ''} ${list(covered.flatMap(viaEndpoint))} in ${vpcId}`,
          `${listJa(covered)} は ${vpcId} のインターフェイスエンドポイント ${listJa(covered.flatMap(viaEndpoint))} 経由`,
        )
      : undefined;

    if (!outward.length) {
      const note = tableNote(net);
      return {
        status: 'pass',
        message: t(`${id} reaches ${endpointClause!.en}${note.en}`, `${id} は Systems Manager に到達できます: ${endpointClause!.ja}${note.ja}`),
      };
    }

    // DNS decides before routing: a private hosted zone for the names sends them to another VPC's endpoints.
    const zonesFact = net.vpc.hostedZones;
    const zones = zonesFact?.known ? zonesFact.value : undefined;
    const steered = zones ? outward.filter((s) => steeringZones(zones, region, s).length > 0) : [];
    const central = steered.length ? centralised(net, ctx.facts, steered, zones!) : undefined;
    const direct = outward.filter((s) => !steered.includes(s));
    const lead = [endpointClause, central?.text].filter((x): x is Text => !!x);
    const both = (en: string, ja: string) => t([...lead.map((l) => l.en), en].join('; '), [...lead.map((l) => l.ja), ja].join('。'));
    // The worse of this verdict and the centralised one, with both fixes.
    const finish = (status: 'pass' | 'warn' | 'fail', message: Text, fix?: Fix) => {
      const worst = status === 'fail' || central?.status !== 'warn' ? status : 'warn';
      const steps = [...(central?.fix?.steps ?? []), ...(fix?.steps ?? [])];
      const commands = [...(central?.fix?.commands ?? []), ...(fix?.commands ?? [])];
      return { status: worst, message, ...(worst !== 'pass' ? { fix: { steps, commands } } : {}) };
    };

    if (!direct.length) {
      const m = t(lead.map((l) => l.en).join('; '), lead.map((l) => l.ja).join('。'));
      return finish('pass', t(`${id} reaches ${m.en}`, `${id} は Systems Manager に到達できます: ${m.ja}`));
    }

    const path = internetPath(net);
    const outwardEn = `${list(direct)} over ${path.text.en}`;
    const outwardJa = `${listJa(direct)} の経路は ${path.text.ja}`;

    if (path.kind === 'ok') {
      const m = both(outwardEn, outwardJa);
      return finish('pass', t(`${id} reaches ${m.en}`, `${id} は Systems Manager に到達できます: ${m.ja}`));
    }
    // With the endpoints unread, a missing internet path says nothing yet.
    if (!all) need(endpointsFact, 'ec2:DescribeVpcEndpoints');
    const hub = hubRoutes(path.table.table);
    // A route toward another VPC may lead to centralised endpoints, which only the hosted zones would show.
    if (path.kind === 'none' && hub.length && !zones) need(zonesFact, 'route53:ListHostedZonesByVPC');

    const missing = missingServices(all!);
    const plan = endpointPlan(net, all!, missing);
    const hosts = direct.map((s) => serviceHost(region, s));

    if (path.kind === 'none') {
      const what = missingText(all!, direct, region);
      const m = t(
        `${id} has no network path for ${list(direct)}: ${vpcId} has no available interface endpoint for ${what.en}, and ${path.text.en}. Create the interface endpoints (below), or instead route 0.0.0.0/0 to a NAT gateway in a public subnet`,
        `${id} から ${listJa(direct)} への経路がありません。${vpcId} に ${what.ja} の利用可能なインターフェイスエンドポイントがなく、${path.text.ja}。インターフェイスエンドポイントを作成するか (下記)、代わりにパブリックサブネットの NAT ゲートウェイへの 0.0.0.0/0 ルートを追加してください`,
      );
      return finish('fail', central ? t(`${m.en}; ${central.text.en}`, `${m.ja}。${central.text.ja}`) : m, plan);
    }

    if (confirmedByPing(ctx, path, covered.includes('ssm') || steered.includes('ssm'))) {
      const m = both(outwardEn, outwardJa);
      return finish(
        'pass',
        t(
          `${id} reaches ${m.en}; that route cannot be verified from here, but the agent is Online, so its traffic gets out that way`,
          `${id} は Systems Manager に到達できます: ${m.ja}。この経路はここからは確認できませんが、エージェントがオンラインなので、この経路で通信できています`,
        ),
      );
    }

    const targets = unverifiedTargets(path);
    const m = both(outwardEn, outwardJa);
    const unread =
      !hub.length || zones
        ? undefined
        : zonesFact && !zonesFact.known
          ? describeUnknown(zonesFact)
          : t('route53:ListHostedZonesByVPC was not read', 'route53:ListHostedZonesByVPC は読み取られていません');
    const zonesNote = unread
      ? t(
          `; whether a Route 53 private hosted zone sends these names to centralised endpoints is not known (${unread.en})`,
          `。Route 53 プライベートホストゾーンがこれらの名前を集約されたエンドポイントに向けているかは不明です (${unread.ja})`,
        )
      : t('', '');
    return finish(
      'warn',
      t(
        `${id} may reach Systems Manager, but this cannot be verified from here: ${m.en}. If Session Manager cannot connect, check that this route reaches ${list(hosts)} on TCP 443, or create the interface endpoints (below)${zonesNote.en}`,
        `${id} から Systems Manager に到達できるかどうかは、ここからは確認できません: ${m.ja}。Session Manager で接続できない場合は、この経路で ${listJa(hosts)} の TCP 443 に届くかを確認するか、インターフェイスエンドポイントを作成してください (下記)${zonesNote.ja}`,
      ),
      {
        steps: [
          {
            key: `egress-verify:${targets.join(',')}`,
            text: t(
              `Check that traffic from ${net.subnetId} through ${list(targets)} reaches ${list(hosts)} on TCP 443 (the route tables and firewalls beyond it, and a NAT gateway or endpoints on the far side); if it does not, create the endpoints as below`,
              `${net.subnetId} から ${listJa(targets)} 経由で ${listJa(hosts)} の TCP 443 に届くかを確認します (その先のルートテーブルやファイアウォール、先にある NAT ゲートウェイやエンドポイント)。届かない場合は下の手順でエンドポイントを作成します`,
            ),
          },
          ...plan.steps,
        ],
        commands: plan.commands,
      },
    );
  },
};
