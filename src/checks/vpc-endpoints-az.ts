import { t } from '../lang.js';
import { aws } from './lib/cli.js';
import { liveSsmEndpoints, networkOf } from './lib/path.js';
import { FactUnknown, need, type Check, type FixStep } from './types.js';

/** Each Systems Manager endpoint has a subnet in the instance's Availability Zone: otherwise it still works, across AZs, at extra data-transfer cost and down with the other AZ. */
export const vpcEndpointsAz: Check = {
  id: 'vpc-endpoints-az',
  severity: 'warning',
  title: t(
    "The endpoints have a subnet in the instance's Availability Zone",
    'エンドポイントがインスタンスと同じアベイラビリティーゾーンにサブネットを持つ',
  ),
  evaluate(ctx) {
    const net = networkOf(ctx);
    const { region, vpcId, subnetId, instance } = net;
    const live = liveSsmEndpoints(net);
    if (!live.length) {
      return {
        status: 'skip',
        message: t(`${vpcId} has no Systems Manager interface endpoint`, `${vpcId} に Systems Manager のインターフェイスエンドポイントがありません`),
      };
    }
    const subnets = need(net.vpc.subnets, 'ec2:DescribeSubnets');
    const azOf = (s: string) => subnets.find((x) => x.subnetId === s)?.availabilityZone;
    const az = instance.availabilityZone ?? azOf(subnetId);
    if (!az) {
      throw new FactUnknown({ known: false, call: 'ec2:DescribeSubnets', code: 'NotCollected', message: `the Availability Zone of ${subnetId} is not in the facts` });
    }

    const outside = live.filter(({ endpoint }) => !endpoint.subnetIds.some((s) => azOf(s) === az));
    const unplaced = outside.flatMap(({ endpoint }) => endpoint.subnetIds.filter((s) => azOf(s) === undefined));
    if (unplaced.length) {
      throw new FactUnknown({
        known: false,
        call: 'ec2:DescribeSubnets',
        code: 'NotCollected',
        message: `the Availability Zone of endpoint subnet ${unplaced.join(', ')} is not in the facts`,
      });
    }
    if (!outside.length) {
      const ids = live.map((e) => e.endpoint.endpointId);
      return {
        status: 'pass',
        message: t(`${ids.join(', ')} each have a subnet in ${az}, the instance's Availability Zone`, `${ids.join('、')} はいずれもインスタンスと同じ ${az} にサブネットがあります`),
      };
    }

    const where = (subnetIds: string[]) => subnetIds.map((s) => `${azOf(s)} (${s})`);
    const en = outside.map(({ service, endpoint }) => `${endpoint.endpointId} (${service}) is only in ${where(endpoint.subnetIds).join(', ') || 'no subnet'}`);
    const ja = outside.map(({ service, endpoint }) => `${endpoint.endpointId} (${service}) のサブネットは ${where(endpoint.subnetIds).join('、') || 'ありません'}`);
    const steps: FixStep[] = outside.map(({ endpoint }) => ({
      key: `endpoint-subnet:${endpoint.endpointId}`,
      text: t(
        `VPC → Endpoints → select ${endpoint.endpointId} → Actions → Manage subnets → tick ${az} and choose ${subnetId}, the instance's subnet → Modify subnets (each added Availability Zone is billed)`,
        `「VPC」→「エンドポイント」→ ${endpoint.endpointId} を選択 →「アクション」→「サブネットを管理」→ ${az} にチェックしてインスタンスのサブネット ${subnetId} を選んで保存します (追加した AZ の分だけ料金がかかります)`,
      ),
    }));
    return {
      status: 'warn',
      message: t(
        `${en.join('; ')}, not in ${az} where ${instance.instanceId} runs: it works across AZs, but at extra data-transfer cost, and an outage of that AZ cuts the instance off`,
        `${ja.join('。')}。${instance.instanceId} のある ${az} にはありません。AZ をまたいでも動きますが、AZ 間のデータ転送料金がかかり、その AZ の障害でインスタンスに接続できなくなります`,
      ),
      fix: {
        steps,
        commands: outside.map(({ endpoint }) => aws(region, 'ec2', 'modify-vpc-endpoint', '--vpc-endpoint-id', endpoint.endpointId, '--add-subnet-ids', subnetId)),
      },
    };
  },
};
