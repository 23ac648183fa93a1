import { t, type Text } from '../lang.js';
import { endpointPlan, missingServices } from './lib/endpoint-fix.js';
import {
  SESSION_SERVICES,
  confirmedByPing,
  describeTable,
  effectiveRouteTable,
  internetPath,
  isAvailable,
  missingText,
  networkOf,
  serviceHost,
  ssmEndpoints,
  unverifiedTargets,
  type Network,
  type SsmService,
} from './lib/path.js';
import { need, type Check } from './types.js';

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

/** For ssm and ssmmessages, the subnet has a way to Systems Manager: an interface endpoint, or a NAT or internet gateway route; without one the agent can never connect. */
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

    const path = internetPath(net);
    const outwardEn = `${list(outward)} over ${path.text.en}`;
    const outwardJa = `${listJa(outward)} の経路は ${path.text.ja}`;
    const both = (en: string, ja: string) =>
      endpointClause ? t(`${endpointClause.en}; ${en}`, `${endpointClause.ja}。${ja}`) : t(en, ja);

    if (path.kind === 'ok') {
      const m = both(outwardEn, outwardJa);
      return { status: 'pass', message: t(`${id} reaches ${m.en}`, `${id} は Systems Manager に到達できます: ${m.ja}`) };
    }
    // With the endpoints unread, a missing internet path says nothing yet.
    if (!all) need(endpointsFact, 'ec2:DescribeVpcEndpoints');

    const missing = missingServices(all!);
    const plan = endpointPlan(net, all!, missing);
    const hosts = outward.map((s) => serviceHost(region, s));

    if (path.kind === 'none') {
      const what = missingText(all!, outward, region);
      return {
        status: 'fail',
        message: t(
          `${id} has no network path for ${list(outward)}: ${vpcId} has no available interface endpoint for ${what.en}, and ${path.text.en}. Create the interface endpoints (below), or instead route 0.0.0.0/0 to a NAT gateway in a public subnet`,
          `${id} から ${listJa(outward)} への経路がありません。${vpcId} に ${what.ja} の利用可能なインターフェイスエンドポイントがなく、${path.text.ja}。インターフェイスエンドポイントを作成するか (下記)、代わりにパブリックサブネットの NAT ゲートウェイへの 0.0.0.0/0 ルートを追加してください`,
        ),
        fix: plan,
      };
    }

    if (confirmedByPing(ctx, path, covered.includes('ssm'))) {
      const m = both(outwardEn, outwardJa);
      return {
        status: 'pass',
        message: t(
          `${id} reaches ${m.en}; that route cannot be verified from here, but the agent is Online, so its traffic gets out that way`,
          `${id} は Systems Manager に到達できます: ${m.ja}。この経路はここからは確認できませんが、エージェントがオンラインなので、この経路で通信できています`,
        ),
      };
    }

    const targets = unverifiedTargets(path);
    const m = both(outwardEn, outwardJa);
    return {
      status: 'warn',
      message: t(
        `${id} may reach Systems Manager, but this cannot be verified from here: ${m.en}. If Session Manager cannot connect, check that this route reaches ${list(hosts)} on TCP 443, or create the interface endpoints (below)`,
        `${id} から Systems Manager に到達できるかどうかは、ここからは確認できません: ${m.ja}。Session Manager で接続できない場合は、この経路で ${listJa(hosts)} の TCP 443 に届くかを確認するか、インターフェイスエンドポイントを作成してください (下記)`,
      ),
      fix: {
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
    };
  },
};
