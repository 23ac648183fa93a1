/** How an instance reaches kms, s3 or logs for the Session Manager preferences, and the fix when it cannot. */
import type { Endpoint } from '../../facts/schema.js';
import { defineMessages, joinText, NO_TEXT, type Text } from '../../lang.js';
import type { PreferenceNeed, PreferenceService } from '../../aws/session-preferences.js';
import { serviceName } from '../../aws/services.js';
import { endpointFixMessages, gatewayEndpointFix, interfaceEndpointFix } from './endpoint-fix.js';
import { endpointGroup, httpsIngressFix, sgFixMessages, type EndpointGroup } from './sg-fix.js';
import { effectiveRouteTable, internetPath, isAvailable, liveSsmEndpoints, type Network } from './path.js';
import { ingressOn } from './sg.js';
import { clientAddresses } from './ipv6.js';
import { FactUnknown, need, type FixStep } from '../types.js';

const M = defineMessages({
  viaInterface: { en: '{svc} through {endpoint} (private DNS)', ja: '{svc} は {endpoint} (プライベート DNS) 経由' },
  viaGateway: { en: 's3 through gateway endpoint {endpoint} on {table}', ja: 's3 は {table} のゲートウェイエンドポイント {endpoint} 経由' },
  viaZone: {
    en: '{svc} through centralised endpoints (private hosted zone {zone})',
    ja: '{svc} は集約されたエンドポイント経由 (プライベートホストゾーン {zone})',
  },
  viaInternet: { en: '{svc} over the internet ({path})', ja: '{svc} はインターネット経由 ({path})' },
  sgClosed: {
    en: 'the {svc} endpoint {endpoint} does not admit HTTPS from {id} (security groups {groups})',
    ja: '{svc} のエンドポイント {endpoint} のセキュリティグループ ({groups}) が {id} からの HTTPS を許可していません',
  },
  noGroups: { en: 'none', ja: 'なし' },
  dnsOff: {
    en: ' ({endpoint} has private DNS off, so the agent does not use it)',
    ja: ' ({endpoint} はプライベート DNS が無効なため、エージェントは使いません)',
  },
  unverifiable: {
    en: '{id} may reach {svc} another way, which cannot be verified from here ({path}){dns}',
    ja: '{id} は別の経路で {svc} に到達できるかもしれませんが、ここからは確認できません ({path}){dns}',
  },
  noWay: {
    en: '{id} has no way to {svc}: no {name} endpoint in {vpc}{dns}, and no way out to the internet ({path})',
    ja: '{id} から {svc} への経路がありません ({vpc} に {name} のエンドポイントがなく{dns}、インターネットへの経路もありません: {path})',
  },
});
export const REACH_MESSAGES = { ...M.table, ...sgFixMessages, ...endpointFixMessages };

export interface FixParts {
  steps: FixStep[];
  commands: string[];
}

export type Reach = { ok: true; text: Text } | ({ ok: false; status: 'fail' | 'warn'; text: Text; uncertain?: boolean } & FixParts);

export type { EndpointGroup };

const NO_FIX: FixParts = { steps: [], commands: [] };
const groupsText = (ids: readonly string[]): Text =>
  joinText(
    ids.map((id) => ({ en: id, ja: id })),
    ', ',
    '、',
  );

function endpointsFor(endpoints: readonly Endpoint[], region: string, service: PreferenceService): Endpoint[] {
  const names = [serviceName(region, service), serviceName(region, service, 'cn.')];
  return endpoints.filter((e) => names.includes(e.serviceName) && isAvailable(e));
}

/** The private hosted zone that steers a service's name to centralised endpoints, if the VPC has one. */
function steeringZone(net: Network, service: PreferenceService): string | undefined {
  const zones = net.vpc.hostedZones?.known ? net.vpc.hostedZones.value : [];
  const names = [`${service}.${net.region}.amazonaws.com.`, `${net.region}.amazonaws.com.`, 'amazonaws.com.'];
  const zone = zones.find((z) => names.includes((z.name.endsWith('.') ? z.name : `${z.name}.`).toLowerCase()));
  return zone && `${zone.name} (${zone.hostedZoneId})`;
}

/** An interface endpoint with private DNS: through it if one admits the instance, else the ingress rule to add. */
function throughInterface(net: Network, svc: PreferenceService, iface: readonly Endpoint[], severity: 'fail' | 'warn'): Reach | undefined {
  const { instance } = net;
  const groups = need(net.vpc.securityGroups, 'ec2:DescribeSecurityGroups');
  const client = { groupIds: instance.primaryEniGroupIds, addresses: clientAddresses(net) };
  const admits = (g: string) => {
    const sg = groups.find((x) => x.groupId === g);
    return sg !== undefined && ingressOn(sg, 443, client, net.prefixLists).admittedBy !== undefined;
  };
  const open = iface.find((e) => e.groupIds.some(admits));
  if (open) return { ok: true, text: M('viaInterface', { svc, endpoint: open.endpointId }) };
  const e = iface[0];
  if (!e) return undefined;
  const sg = e.groupIds[0];
  const groupList = e.groupIds.length ? groupsText(e.groupIds) : M('noGroups');
  const fix: FixParts = sg ? httpsIngressFix(net, sg) : NO_FIX;
  return {
    ok: false,
    status: severity,
    text: M('sgClosed', { svc, endpoint: e.endpointId, id: instance.instanceId, groups: groupList }),
    ...fix,
  };
}

/** How the instance reaches one service: its interface endpoint (private DNS), an S3 gateway endpoint on its route table, centralised endpoints, or the internet. */
export function reach(net: Network, n: PreferenceNeed, endpointGroup: () => EndpointGroup): Reach {
  const { region, vpcId, instance } = net;
  const id = instance.instanceId;
  const svc = n.service;
  const severity = n.blocking ? 'fail' : 'warn';
  const endpoints = endpointsFor(need(net.vpc.endpoints, 'ec2:DescribeVpcEndpoints'), region, svc);

  const iface = throughInterface(
    net,
    svc,
    endpoints.filter((e) => e.type.toLowerCase() === 'interface' && e.privateDnsEnabled),
    severity,
  );
  if (iface) return iface;

  const table = effectiveRouteTable(need(net.vpc.routeTables, 'ec2:DescribeRouteTables'), net.subnetId);
  if (svc === 's3' && table) {
    const gateway = endpoints.find((e) => e.type.toLowerCase() === 'gateway' && (e.routeTableIds ?? []).includes(table.table.routeTableId));
    if (gateway) return { ok: true, text: M('viaGateway', { endpoint: gateway.endpointId, table: table.table.routeTableId }) };
  }

  const zone = steeringZone(net, svc);
  if (zone) return { ok: true, text: M('viaZone', { svc, zone }) };

  const path = internetPath(net);
  if (path.kind === 'ok') return { ok: true, text: M('viaInternet', { svc, path: path.text }) };
  const plainIface = endpoints.find((e) => e.type.toLowerCase() === 'interface');
  const dns = plainIface ? M('dnsOff', { endpoint: plainIface.endpointId }) : NO_TEXT;
  const fix = createEndpoint(net, svc, table?.table.routeTableId, endpointGroup);
  if (path.kind === 'unverifiable') {
    return { ok: false, status: 'warn', uncertain: true, text: M('unverifiable', { id, svc, path: path.text, dns }), ...fix };
  }
  return {
    ok: false,
    status: severity,
    text: M('noWay', { id, svc, name: serviceName(region, svc), vpc: vpcId, dns, path: path.text }),
    ...fix,
  };
}

function createEndpoint(
  net: Network,
  svc: PreferenceService,
  routeTableId: string | undefined,
  endpointGroup: () => EndpointGroup,
): FixParts {
  if (svc === 's3' && routeTableId) return gatewayEndpointFix(net, svc, routeTableId);
  const group = endpointGroup();
  const created = interfaceEndpointFix(net, svc, group);
  return { steps: [...group.steps, ...created.steps], commands: [...group.commands, ...created.commands] };
}

/**
 * The security group for a new kms/logs endpoint: the one the Systems Manager endpoints already use, else the same new
 * group the endpoint fix of vpc-endpoints creates (the same builder, so a plan prints it once).
 */
export function endpointGroupOf(net: Network): EndpointGroup {
  let live: ReturnType<typeof liveSsmEndpoints> = [];
  try {
    live = liveSsmEndpoints(net);
  } catch (e) {
    if (!(e instanceof FactUnknown)) throw e;
  }
  return endpointGroup(net, live);
}
