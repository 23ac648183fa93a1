/**
 * The guide's step 4 as a fix: a security group for the endpoints, then one interface endpoint per missing service in
 * the instance's subnet. network-route and vpc-endpoints both print it, with the same step keys, so a plan lists it once.
 */
import { SSM_SERVICES, serviceName, type SsmService } from '../../aws/services.js';
import { defineMessages } from '../../lang.js';
import type { Fix, FixStep } from '../types.js';
import { aws, type Word } from './cli.js';
import { CONSOLE, consolePath } from './glossary.js';
import { isAvailable, type Network, type SsmEndpoint } from './path.js';
import { endpointGroup, instanceSource, type EndpointGroup } from './sg-fix.js';

const endpoints = consolePath('vpc', 'endpoints');
const C = CONSOLE;

const M = defineMessages({
  stepWait: {
    en: `{endpoint} ({service}) is still being created ({state}): wait until its status is ${C.available.en}, then check again`,
    ja: `{endpoint} ({service}) は作成中 ({state}) です。ステータスが「${C.available.ja}」になるまで待ってから、もう一度確認します`,
  },
  stepDelete: {
    en: `${endpoints.en} → select {endpoint} ({service}, {state}) → ${C.actions.en} → ${C.deleteVpcEndpoints.en}, then create it again as below`,
    ja: `${endpoints.ja}→ {endpoint} ({service}、{state}) を選択 →「${C.actions.ja}」→「${C.deleteVpcEndpoints.ja}」で削除し、下の手順で作り直します`,
  },
  stepCreate: {
    en: `${endpoints.en} → ${C.createEndpoint.en}: Type ${C.awsServices.en}, service {name}, VPC {vpc}; Subnets: only {subnet}{az}, the instance's subnet (every Availability Zone you select is billed); Security groups: {group}; keep ${C.enableDnsName.en} (${C.additionalSettings.en}) on → ${C.createEndpoint.en}`,
    ja: `${endpoints.ja}→「${C.createEndpoint.ja}」: タイプ「${C.awsServices.ja}」でサービス {name} を選び、VPC に {vpc} を選択します。サブネットはインスタンスのサブネット {subnet}{az} だけを選びます (選んだ AZ ごとに料金がかかります)。セキュリティグループに {group} を選び、「${C.additionalSettings.ja}」の「${C.enableDnsName.ja}」をオンのまま「${C.createEndpoint.ja}」をクリックします`,
  },
  stepGateway: {
    en: `${endpoints.en} → ${C.createEndpoint.en}: Type ${C.awsServices.en}, service {name} of type Gateway, VPC {vpc}; Route tables: {table} (the one {subnet} uses) → ${C.createEndpoint.en} (gateway endpoints are free)`,
    ja: `${endpoints.ja}→「${C.createEndpoint.ja}」: タイプ「${C.awsServices.ja}」でタイプが Gateway の {name} を選び、VPC に {vpc} を選択します。ルートテーブルに {subnet} が使う {table} を選び「${C.createEndpoint.ja}」をクリックします (ゲートウェイエンドポイントは無料です)`,
  },
  stepSettle: {
    en: 'Right after the endpoints are created, Session Manager may still fail to connect for a few minutes: wait, refresh the instance list, and try again; if it still fails, check the settings again',
    ja: 'エンドポイントの作成直後は、しばらく Session Manager で接続できないことがあります。時間をおいてインスタンス一覧を更新し、もう一度接続してください。それでも接続できない場合は設定を見直してください',
  },
});

export const endpointFixMessages = M.table;

/** @deprecated use `instanceSource(net).args` from ./sg-fix.js */
export const instanceSourceArgs = (net: Network): string[] => instanceSource(net).args;
/** @deprecated use `instanceSource(net).id` from ./sg-fix.js */
export const instanceSourceText = (net: Network): string => instanceSource(net).id;

/** The services with no available interface endpoint, in service order. */
export function missingServices(all: readonly SsmEndpoint[], services: readonly SsmService[] = SSM_SERVICES): SsmService[] {
  return services.filter((s) => !all.some((e) => e.service === s && isAvailable(e.endpoint)));
}

/**
 * One interface endpoint for `service` in the instance's subnet, in `group`, with private DNS on. The key is
 * `endpoint-create:<service>`; `prefix` is `cn.` for China's prefixed service names.
 */
export function interfaceEndpointFix(net: Network, service: string, group: Pick<EndpointGroup, 'arg' | 'text'>, prefix = ''): Fix {
  const { region, vpcId, subnetId, instance } = net;
  const name = serviceName(region, service, prefix);
  const az = instance.availabilityZone ? ` (${instance.availabilityZone})` : '';
  return {
    steps: [{ key: `endpoint-create:${service}`, text: M('stepCreate', { name, vpc: vpcId, subnet: subnetId, az, group: group.text }) }],
    commands: [
      createEndpoint(net, 'Interface', name, '--subnet-ids', subnetId, '--security-group-ids', group.arg, '--private-dns-enabled'),
    ],
  };
}

/** `aws ec2 create-vpc-endpoint` in the instance's VPC; `where` says where it goes (subnets and group, or route tables). */
function createEndpoint(net: Network, type: 'Interface' | 'Gateway', name: string, ...where: Word[]): string {
  return aws(
    net.region,
    'ec2',
    'create-vpc-endpoint',
    '--vpc-id',
    net.vpcId,
    '--vpc-endpoint-type',
    type,
    '--service-name',
    name,
    ...where,
  );
}

/** A gateway endpoint for `service` (s3) on the route table of the instance's subnet. The key is `endpoint-create:<service>`. */
export function gatewayEndpointFix(net: Network, service: string, routeTableId: string): Fix {
  const { region, vpcId, subnetId } = net;
  const name = serviceName(region, service);
  return {
    steps: [{ key: `endpoint-create:${service}`, text: M('stepGateway', { name, vpc: vpcId, table: routeTableId, subnet: subnetId }) }],
    commands: [createEndpoint(net, 'Gateway', name, '--route-table-ids', routeTableId)],
  };
}

/** What stands before creating the missing endpoints: pending ones to wait for, failed or rejected ones to delete. */
function blockers(net: Network, all: readonly SsmEndpoint[], missing: readonly SsmService[]): Fix & { toCreate: SsmService[] } {
  const steps: FixStep[] = [];
  const commands: string[] = [];
  const toCreate: SsmService[] = [];
  for (const service of missing) {
    const existing = all.filter((e) => e.service === service).map((e) => e.endpoint);
    const pending = existing.filter((e) => e.state.toLowerCase().startsWith('pending'));
    for (const e of pending) {
      steps.push({ key: `endpoint-wait:${e.endpointId}`, text: M('stepWait', { endpoint: e.endpointId, service, state: e.state }) });
    }
    if (pending.length) continue;
    for (const e of existing.filter((x) => ['failed', 'rejected'].includes(x.state.toLowerCase()))) {
      steps.push({ key: `endpoint-delete:${e.endpointId}`, text: M('stepDelete', { endpoint: e.endpointId, service, state: e.state }) });
      commands.push(aws(net.region, 'ec2', 'delete-vpc-endpoints', '--vpc-endpoint-ids', e.endpointId));
    }
    toCreate.push(service);
  }
  return { steps, commands, toCreate };
}

/** The endpoint fix for `missing`: the group, then waits and deletions, then one endpoint per service, then a word on settling. */
export function endpointPlan(net: Network, all: readonly SsmEndpoint[], missing: readonly SsmService[]): Fix {
  const before = blockers(net, all, missing);
  if (!before.toCreate.length) return { steps: before.steps, commands: before.commands };
  const group = endpointGroup(net, all);
  const prefix = all.length > 0 && all.every((e) => e.endpoint.serviceName.startsWith('cn.')) ? 'cn.' : '';
  const created = before.toCreate.map((service) => interfaceEndpointFix(net, service, group, prefix));
  return {
    steps: [...group.steps, ...before.steps, ...created.flatMap((f) => f.steps), { key: 'endpoint-settle', text: M('stepSettle') }],
    commands: [...group.commands, ...before.commands, ...created.flatMap((f) => f.commands)],
  };
}
