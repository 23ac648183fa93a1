import { defineMessages, joinText } from '../lang.js';
import { aws } from './lib/cli.js';
import { CONSOLE, consolePath } from './lib/glossary.js';
import { listText } from './lib/list.js';
import { liveSsmEndpoints, networkOf } from './lib/path.js';
import { FactUnknown, need, type Check, type FixStep } from './types.js';

const endpoints = consolePath('vpc', 'endpoints');

const M = defineMessages({
  title: {
    en: "The endpoints have a subnet in the instance's Availability Zone",
    ja: 'エンドポイントがインスタンスと同じアベイラビリティーゾーンにサブネットを持つ',
  },
  noEndpoint: {
    en: '{vpc} has no Systems Manager interface endpoint',
    ja: '{vpc} に Systems Manager のインターフェイスエンドポイントがありません',
  },
  inAz: {
    en: "{ids} each have a subnet in {az}, the instance's Availability Zone",
    ja: '{ids} はいずれもインスタンスと同じ {az} にサブネットがあります',
  },
  onlyIn: { en: '{endpoint} ({service}) is only in {where}', ja: '{endpoint} ({service}) のサブネットは {where}' },
  noSubnet: { en: 'no subnet', ja: 'ありません' },
  notInAz: {
    en: '{outside}, not in {az} where {id} runs: it works across AZs, but at extra data-transfer cost, and an outage of that AZ cuts the instance off',
    ja: '{outside}。{id} のある {az} にはありません。AZ をまたいでも動きますが、AZ 間のデータ転送料金がかかり、その AZ の障害でインスタンスに接続できなくなります',
  },
  stepSubnet: {
    en: `${endpoints.en} → select {endpoint} → ${CONSOLE.actions.en} → ${CONSOLE.manageSubnets.en} → tick {az} and choose {subnet}, the instance's subnet → Modify subnets (each added Availability Zone is billed)`,
    ja: `${endpoints.ja}→ {endpoint} を選択 →「${CONSOLE.actions.ja}」→「${CONSOLE.manageSubnets.ja}」→ {az} にチェックしてインスタンスのサブネット {subnet} を選んで保存します (追加した AZ の分だけ料金がかかります)`,
  },
});

const notCollected = (message: string) => new FactUnknown({ known: false, call: 'ec2:DescribeSubnets', code: 'NotCollected', message });

/** Each Systems Manager endpoint has a subnet in the instance's Availability Zone: otherwise it still works, across AZs, at extra data-transfer cost and down with the other AZ. */
export const vpcEndpointsAz: Check = {
  id: 'vpc-endpoints-az',
  severity: 'warning',
  title: M('title'),
  messages: M.table,
  evaluate(ctx) {
    const net = networkOf(ctx);
    const { region, vpcId, subnetId, instance } = net;
    const live = liveSsmEndpoints(net);
    if (!live.length) return { status: 'skip', message: M('noEndpoint', { vpc: vpcId }) };
    const subnets = need(net.vpc.subnets, 'ec2:DescribeSubnets');
    const azOf = (s: string) => subnets.find((x) => x.subnetId === s)?.availabilityZone;
    const az = instance.availabilityZone ?? azOf(subnetId);
    if (!az) throw notCollected(`the Availability Zone of ${subnetId} is not in the facts`);

    const outside = live.filter(({ endpoint }) => !endpoint.subnetIds.some((s) => azOf(s) === az));
    const unplaced = outside.flatMap(({ endpoint }) => endpoint.subnetIds.filter((s) => azOf(s) === undefined));
    if (unplaced.length) throw notCollected(`the Availability Zone of endpoint subnet ${unplaced.join(', ')} is not in the facts`);
    if (!outside.length) {
      const ids = live.map((e) => e.endpoint.endpointId);
      return { status: 'pass', message: M('inAz', { ids: listText(ids), az }) };
    }

    const where = (subnetIds: string[]) => {
      const list = subnetIds.map((s) => `${azOf(s)} (${s})`);
      return list.length ? listText(list) : M('noSubnet');
    };
    const lines = outside.map(({ service, endpoint }) =>
      M('onlyIn', { endpoint: endpoint.endpointId, service, where: where(endpoint.subnetIds) }),
    );
    const steps: FixStep[] = outside.map(({ endpoint }) => ({
      key: `endpoint-subnet:${endpoint.endpointId}`,
      text: M('stepSubnet', { endpoint: endpoint.endpointId, az, subnet: subnetId }),
    }));
    return {
      status: 'warn',
      message: M('notInAz', { outside: joinText(lines, '; ', '。'), az, id: instance.instanceId }),
      fix: {
        steps,
        commands: outside.map(({ endpoint }) =>
          aws(region, 'ec2', 'modify-vpc-endpoint', '--vpc-endpoint-id', endpoint.endpointId, '--add-subnet-ids', subnetId),
        ),
      },
    };
  },
};
