/**
 * The guide's step 4 as a fix: a security group for the endpoints, then one interface endpoint per missing service in
 * the instance's subnet. network-route and vpc-endpoints both print it, with the same step keys, so a plan lists it once.
 */
import { t } from '../../lang.js';
import type { Fix, FixStep } from '../types.js';
import { aws, shq } from './cli.js';
import { SSM_SERVICES, isAvailable, serviceName, type Network, type SsmEndpoint, type SsmService } from './path.js';

const SG_VAR = '"$SG_ID"';

/** The services with no available interface endpoint, in service order. */
export function missingServices(all: readonly SsmEndpoint[], services: readonly SsmService[] = SSM_SERVICES): SsmService[] {
  return services.filter((s) => !all.some((e) => e.service === s && isAvailable(e.endpoint)));
}

/** A security group already on one of the Systems Manager endpoints that is not the VPC's default group. */
function reusableGroup(net: Network, all: readonly SsmEndpoint[]): { groupId: string; endpointId: string } | undefined {
  const groups = net.vpc.securityGroups;
  // Without the group names the default group cannot be told apart; a new group is the safe advice then.
  if (!groups.known) return undefined;
  for (const { endpoint } of all) {
    for (const groupId of endpoint.groupIds) {
      const g = groups.value.find((x) => x.groupId === groupId);
      if (g && g.groupName !== 'default') return { groupId, endpointId: endpoint.endpointId };
    }
  }
  return undefined;
}

/** `--source-group sg-…` when the instance has a group, else its private address. */
export function instanceSourceArgs(net: Network): string[] {
  const sg = net.instance.primaryEniGroupIds[0];
  if (sg) return ['--source-group', sg];
  return ['--cidr', `${net.instance.privateIp}/32`];
}

export const instanceSourceText = (net: Network) => net.instance.primaryEniGroupIds[0] ?? `${net.instance.privateIp}/32`;

export function endpointPlan(net: Network, all: readonly SsmEndpoint[], missing: readonly SsmService[]): Fix {
  const { region, vpcId, subnetId, instance } = net;
  const steps: FixStep[] = [];
  const commands: string[] = [];
  const source = instanceSourceText(net);
  const az = instance.availabilityZone ? ` (${instance.availabilityZone})` : '';
  const prefix = all.length > 0 && all.every((e) => e.endpoint.serviceName.startsWith('cn.')) ? 'cn.' : '';

  const toCreate: SsmService[] = [];
  const before: FixStep[] = [];
  const beforeCommands: string[] = [];
  for (const service of missing) {
    const existing = all.filter((e) => e.service === service).map((e) => e.endpoint);
    const pending = existing.filter((e) => e.state.toLowerCase().startsWith('pending'));
    if (pending.length) {
      for (const e of pending) {
        before.push({
          key: `endpoint-wait:${e.endpointId}`,
          text: t(
            `${e.endpointId} (${service}) is still being created (${e.state}): wait until its status is Available, then check again`,
            `${e.endpointId} (${service}) は作成中 (${e.state}) です。ステータスが「使用可能」になるまで待ってから、もう一度確認します`,
          ),
        });
      }
      continue;
    }
    for (const e of existing.filter((x) => ['failed', 'rejected'].includes(x.state.toLowerCase()))) {
      before.push({
        key: `endpoint-delete:${e.endpointId}`,
        text: t(
          `VPC → Endpoints → select ${e.endpointId} (${service}, ${e.state}) → Actions → Delete VPC endpoints, then create it again as below`,
          `「VPC」→「エンドポイント」→ ${e.endpointId} (${service}、${e.state}) を選択 →「アクション」→「VPC エンドポイントを削除」で削除し、下の手順で作り直します`,
        ),
      });
      beforeCommands.push(aws(region, 'ec2', 'delete-vpc-endpoints', '--vpc-endpoint-ids', e.endpointId));
    }
    toCreate.push(service);
  }

  let sgArg = SG_VAR;
  let sgText = t(`ssm-endpoints-${vpcId} (created above)`, `ssm-endpoints-${vpcId} (先ほど作成したもの)`);
  if (toCreate.length) {
    const reuse = reusableGroup(net, all);
    if (reuse) {
      sgArg = reuse.groupId;
      sgText = t(reuse.groupId, reuse.groupId);
      steps.push({
        key: `endpoint-sg-reuse:${reuse.groupId}`,
        text: t(
          `Use security group ${reuse.groupId}, already on ${reuse.endpointId}, for the new endpoints; it must allow inbound HTTPS (TCP 443) from ${source}`,
          `新しいエンドポイントには、${reuse.endpointId} で使っているセキュリティグループ ${reuse.groupId} を使います。${source} からの HTTPS (TCP 443) のインバウンドを許可している必要があります`,
        ),
      });
    } else {
      const name = `ssm-endpoints-${vpcId}`;
      steps.push({
        key: 'endpoint-sg-create',
        text: t(
          `VPC → Security groups → Create security group: name ${name}, VPC ${vpcId}; Inbound rules → Add rule: Type HTTPS (TCP 443), Source ${source} (the instance's security group) → Create security group`,
          `「VPC」→「セキュリティグループ」→「セキュリティグループを作成」: 名前を ${name}、VPC を ${vpcId} にし、「インバウンドルール」→「ルールを追加」でタイプ「HTTPS」(TCP 443)、ソースにインスタンスのセキュリティグループ ${source} を指定して「セキュリティグループを作成」をクリックします`,
        ),
      });
      commands.push(
        `SG_ID=$(${aws(
          region,
          'ec2',
          'create-security-group',
          '--group-name',
          name,
          '--description',
          shq('HTTPS from instances to the Systems Manager endpoints'),
          '--vpc-id',
          vpcId,
          '--query',
          'GroupId',
          '--output',
          'text',
        )})`,
        aws(region, 'ec2', 'authorize-security-group-ingress', '--group-id', SG_VAR, '--protocol', 'tcp', '--port', '443', ...instanceSourceArgs(net)),
      );
    }
  }

  steps.push(...before);
  commands.push(...beforeCommands);
  for (const service of toCreate) {
    const name = serviceName(region, service, prefix);
    steps.push({
      key: `endpoint-create:${service}`,
      text: t(
        `VPC → Endpoints → Create endpoint: Type AWS services, service ${name}, VPC ${vpcId}; Subnets: only ${subnetId}${az}, the instance's subnet (every Availability Zone you select is billed); Security groups: ${sgText.en}; keep Enable DNS name (Additional settings) on → Create endpoint`,
        `「VPC」→「エンドポイント」→「エンドポイントを作成」: タイプ「AWS のサービス」でサービス ${name} を選び、VPC に ${vpcId} を選択します。サブネットはインスタンスのサブネット ${subnetId}${az} だけを選びます (選んだ AZ ごとに料金がかかります)。セキュリティグループに ${sgText.ja} を選び、「追加設定」の「DNS 名を有効化」をオンのまま「エンドポイントを作成」をクリックします`,
      ),
    });
    commands.push(
      aws(
        region,
        'ec2',
        'create-vpc-endpoint',
        '--vpc-id',
        vpcId,
        '--vpc-endpoint-type',
        'Interface',
        '--service-name',
        name,
        '--subnet-ids',
        subnetId,
        '--security-group-ids',
        sgArg,
        '--private-dns-enabled',
      ),
    );
  }
  if (toCreate.length) {
    steps.push({
      key: 'endpoint-settle',
      text: t(
        'Right after the endpoints are created, Session Manager may still fail to connect for a few minutes: wait, refresh the instance list, and try again; if it still fails, check the settings again',
        'エンドポイントの作成直後は、しばらく Session Manager で接続できないことがあります。時間をおいてインスタンス一覧を更新し、もう一度接続してください。それでも接続できない場合は設定を見直してください',
      ),
    });
  }
  return { steps, commands };
}
