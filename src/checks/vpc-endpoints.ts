import { t } from '../lang.js';
import { endpointPlan, missingServices } from './lib/endpoint-fix.js';
import { ec2messagesVerdict } from './lib/iam-ec2messages.js';
import {
  SESSION_SERVICES,
  confirmedByPing,
  hubRoutes,
  internetPath,
  isAvailable,
  missingText,
  networkOf,
  ssmEndpoints,
  steeringZones,
  zonesText,
} from './lib/path.js';
import { need, type Check } from './types.js';

/** The instance's VPC has available interface endpoints for ssm, ssmmessages and ec2messages: the guide's step 4, the only way out of a private subnet without NAT. */
export const vpcEndpoints: Check = {
  id: 'vpc-endpoints',
  severity: 'critical',
  title: t('Interface VPC endpoints for ssm, ssmmessages, ec2messages', 'ssm、ssmmessages、ec2messages のインターフェイス VPC エンドポイントがある'),
  evaluate(ctx) {
    const net = networkOf(ctx);
    const { region, vpcId, instance } = net;
    const id = instance.instanceId;
    const all = ssmEndpoints(need(net.vpc.endpoints, 'ec2:DescribeVpcEndpoints'), region);
    const missing = missingServices(all);

    if (!missing.length) {
      const found = all.filter((e) => isAvailable(e.endpoint));
      const names = found.map((e) => `${e.endpoint.endpointId} (${e.service})`).join(', ');
      return {
        status: 'pass',
        message: t(`${names} are available in ${vpcId}`, `${vpcId} に ${names.replace(/, /g, '、')} があり、利用可能です`),
      };
    }

    // A private hosted zone for a service's name sends it to endpoints in another VPC: none is needed here.
    const zonesFact = net.vpc.hostedZones;
    const zones = zonesFact?.known ? zonesFact.value : undefined;
    const central = zones ? missing.filter((s) => steeringZones(zones, region, s).length > 0) : [];
    const rest = missing.filter((s) => !central.includes(s));
    const centralText = central.length
      ? zonesText(central.flatMap((s) => steeringZones(zones!, region, s)))
      : undefined;
    if (!rest.length) {
      return {
        status: 'skip',
        message: t(
          `the endpoints for ${central.join(', ')} are centralised in another VPC: Route 53 private hosted zone ${centralText!.en} associated with ${vpcId} answers for their names; network-route judges the way there`,
          `${central.join('、')} のエンドポイントは別の VPC に集約されています: ${vpcId} に関連付けられた Route 53 プライベートホストゾーン ${centralText!.ja} がその名前を解決します。そこまでの経路は network-route で確認します`,
        ),
      };
    }
    const centralNote = centralText
      ? t(` (${central.join(', ')} through centralised endpoints: ${centralText.en})`, ` (${central.join('、')} は集約されたエンドポイント経由: ${centralText.ja})`)
      : t('', '');

    const path = internetPath(net);
    if (path.kind === 'ok' || confirmedByPing(ctx, path, !missing.includes('ssm'))) {
      const online = path.kind === 'ok' ? t('', '') : t(' (not verifiable from here, but the agent is Online)', ' (ここからは確認できませんが、エージェントはオンラインです)');
      return {
        status: 'skip',
        message: t(
          `${id} reaches Systems Manager without endpoints, over ${path.text.en}${online.en}; the endpoints that exist are still checked by the other checks`,
          `${id} はエンドポイントなしで Systems Manager に到達できます: ${path.text.ja}${online.ja}。既存のエンドポイントは他のチェックで確認します`,
        ),
      };
    }

    // A route toward another VPC may lead to centralised endpoints, which only the hosted zones would show.
    if (path.kind === 'none' && !zones && rest.some((s) => SESSION_SERVICES.includes(s)) && hubRoutes(path.table.table).length) {
      need(zonesFact, 'route53:ListHostedZonesByVPC');
    }
    const what = missingText(all, rest, region);
    const fix = endpointPlan(net, all, rest);
    const lacking = t(
      `${vpcId} has no available interface endpoint for ${what.en}${centralNote.en}`,
      `${vpcId} に ${what.ja} の利用可能なインターフェイスエンドポイントがありません${centralNote.ja}`,
    );

    if (path.kind === 'unverifiable') {
      return {
        status: 'warn',
        message: t(
          `${lacking.en}; ${id} may reach Systems Manager another way, which cannot be verified from here (${path.text.en})`,
          `${lacking.ja}。${id} は別の経路で Systems Manager に到達できるかもしれませんが、ここからは確認できません (${path.text.ja})`,
        ),
        fix,
      };
    }

    if (rest.length === 1 && rest[0] === 'ec2messages') {
      const v = ec2messagesVerdict(ctx.facts, ctx.instanceId);
      if (v.optional) {
        return {
          status: 'warn',
          message: t(
            `${lacking.en}: sessions work without it, because ${v.why.en}; older agents and Windows Server 2012 in this VPC still need it`,
            `${lacking.ja}。${v.why.ja}。そのためセッションはこれがなくても動きます。ただし、同じ VPC の古いエージェントや Windows Server 2012 には必要です`,
          ),
          fix,
        };
      }
      return {
        status: 'fail',
        message: t(`${lacking.en}, and it is needed: ${v.why.en}`, `${lacking.ja}。${v.why.ja}。このエンドポイントが必要です`),
        fix,
      };
    }

    return {
      status: 'fail',
      message: t(`${lacking.en}, and ${id} has no other way out: ${path.text.en}`, `${lacking.ja}。${id} には他の経路もありません: ${path.text.ja}`),
      fix,
    };
  },
};
