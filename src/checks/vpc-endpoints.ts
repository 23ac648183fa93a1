import type { HostedZone } from '../facts/schema.js';
import { SESSION_SERVICES, type SsmService } from '../aws/services.js';
import { defineMessages, NO_TEXT, type Text } from '../lang.js';
import { endpointPlan, missingServices } from './lib/endpoint-fix.js';
import { ec2messagesVerdict } from './lib/iam-ec2messages.js';
import { listText } from './lib/list.js';
import {
  confirmedByPing,
  hubRoutes,
  internetPath,
  isAvailable,
  missingText,
  networkOf,
  vpcSsmEndpoints,
  steeringZones,
  zonesText,
} from './lib/path.js';
import { need, type Check, type CheckContext, type Finding } from './types.js';

const M = defineMessages({
  title: {
    en: 'Interface VPC endpoints for ssm, ssmmessages, ec2messages',
    ja: 'ssm、ssmmessages、ec2messages のインターフェイス VPC エンドポイントがある',
  },
  available: { en: '{names} are available in {vpc}', ja: '{vpc} に {names} があり、利用可能です' },
  centralised: {
    en: 'the endpoints for {services} are centralised in another VPC: Route 53 private hosted zone {zones} associated with {vpc} answers for their names; network-route judges the way there',
    ja: '{services} のエンドポイントは別の VPC に集約されています: {vpc} に関連付けられた Route 53 プライベートホストゾーン {zones} がその名前を解決します。そこまでの経路は network-route で確認します',
  },
  centralNote: { en: ' ({services} through centralised endpoints: {zones})', ja: ' ({services} は集約されたエンドポイント経由: {zones})' },
  onlineNote: {
    en: ' (not verifiable from here, but the agent is Online)',
    ja: ' (ここからは確認できませんが、エージェントはオンラインです)',
  },
  noNeed: {
    en: '{id} reaches Systems Manager without endpoints, over {path}{online}; the endpoints that exist are still checked by the other checks',
    ja: '{id} はエンドポイントなしで Systems Manager に到達できます: {path}{online}。既存のエンドポイントは他のチェックで確認します',
  },
  lacking: {
    en: '{vpc} has no available interface endpoint for {what}{central}',
    ja: '{vpc} に {what} の利用可能なインターフェイスエンドポイントがありません{central}',
  },
  maybeOtherWay: {
    en: '{lacking}; {id} may reach Systems Manager another way, which cannot be verified from here ({path})',
    ja: '{lacking}。{id} は別の経路で Systems Manager に到達できるかもしれませんが、ここからは確認できません ({path})',
  },
  ec2messagesOptional: {
    en: '{lacking}: sessions work without it, because {why}; older agents and Windows Server 2012 in this VPC still need it',
    ja: '{lacking}。{why}。そのためセッションはこれがなくても動きます。ただし、同じ VPC の古いエージェントや Windows Server 2012 には必要です',
  },
  ec2messagesNeeded: { en: '{lacking}, and it is needed: {why}', ja: '{lacking}。{why}。このエンドポイントが必要です' },
  noOtherWay: { en: '{lacking}, and {id} has no other way out: {path}', ja: '{lacking}。{id} には他の経路もありません: {path}' },
});

/** The missing services that a private hosted zone sends to endpoints in another VPC, and the zones that do it. */
function centralisedOf(
  zones: readonly HostedZone[] | undefined,
  region: string,
  missing: readonly SsmService[],
): { services: SsmService[]; zones: Text } | undefined {
  if (!zones) return undefined;
  const services = missing.filter((s) => steeringZones(zones, region, s).length > 0);
  if (!services.length) return undefined;
  return { services, zones: zonesText(services.flatMap((s) => steeringZones(zones, region, s))) };
}

/** ec2messages alone is missing: whether this instance's agent still needs it. */
function ec2messagesOnly(ctx: CheckContext, lacking: Text, fix: Finding['fix']): Finding {
  const v = ec2messagesVerdict(ctx.facts, ctx.instanceId);
  if (v.optional) return { status: 'warn', message: M('ec2messagesOptional', { lacking, why: v.why }), fix };
  return { status: 'fail', message: M('ec2messagesNeeded', { lacking, why: v.why }), fix };
}

/** The instance's VPC has available interface endpoints for ssm, ssmmessages and ec2messages: the guide's step 4, the only way out of a private subnet without NAT. */
export const vpcEndpoints: Check = {
  id: 'vpc-endpoints',
  severity: 'critical',
  title: M('title'),
  messages: M.table,
  evaluate(ctx) {
    const net = networkOf(ctx);
    const { region, vpcId, instance } = net;
    const id = instance.instanceId;
    const all = vpcSsmEndpoints(net);
    const missing = missingServices(all);
    if (!missing.length) {
      const names = all.filter((e) => isAvailable(e.endpoint)).map((e) => `${e.endpoint.endpointId} (${e.service})`);
      return { status: 'pass', message: M('available', { names: listText(names), vpc: vpcId }) };
    }

    // A private hosted zone for a service's name sends it to endpoints in another VPC: none is needed here.
    const zonesFact = net.vpc.hostedZones;
    const zones = zonesFact?.known ? zonesFact.value : undefined;
    const central = centralisedOf(zones, region, missing);
    const rest = missing.filter((s) => !central?.services.includes(s));
    if (central && !rest.length) {
      return { status: 'skip', message: M('centralised', { services: listText(central.services), zones: central.zones, vpc: vpcId }) };
    }

    const path = internetPath(net);
    if (path.kind === 'ok' || confirmedByPing(ctx, path, !missing.includes('ssm'))) {
      return { status: 'skip', message: M('noNeed', { id, path: path.text, online: path.kind === 'ok' ? NO_TEXT : M('onlineNote') }) };
    }

    // A route toward another VPC may lead to centralised endpoints, which only the hosted zones would show.
    if (path.kind === 'none' && !zones && rest.some((s) => SESSION_SERVICES.includes(s)) && hubRoutes(path.table.table).length) {
      need(zonesFact, 'route53:ListHostedZonesByVPC');
    }
    const fix = endpointPlan(net, all, rest);
    const centralNote = central ? M('centralNote', { services: listText(central.services), zones: central.zones }) : NO_TEXT;
    const lacking = M('lacking', { vpc: vpcId, what: missingText(all, rest, region), central: centralNote });
    if (path.kind === 'unverifiable') return { status: 'warn', message: M('maybeOtherWay', { lacking, id, path: path.text }), fix };
    if (rest.length === 1 && rest[0] === 'ec2messages') return ec2messagesOnly(ctx, lacking, fix);
    return { status: 'fail', message: M('noOtherWay', { lacking, id, path: path.text }), fix };
  },
};
