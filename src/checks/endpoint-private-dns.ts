import { t, type Text } from '../lang.js';
import { aws, shq } from './lib/cli.js';
import { internetPath, liveSsmEndpoints, networkOf, serviceHost } from './lib/path.js';
import { need, type Check, type FixStep } from './types.js';

/** Each Systems Manager endpoint has private DNS on and the VPC resolves it: otherwise the service names resolve to public addresses and the endpoint is never used. */
export const endpointPrivateDns: Check = {
  id: 'endpoint-private-dns',
  severity: 'critical',
  title: t(
    "The endpoints have private DNS on, and the VPC's DNS resolution and DNS hostnames are on",
    'エンドポイントのプライベート DNS と、VPC の DNS 解決・DNS ホスト名が有効である',
  ),
  evaluate(ctx) {
    const net = networkOf(ctx);
    const { region, vpcId, instance } = net;
    const id = instance.instanceId;
    const live = liveSsmEndpoints(net);
    if (!live.length) {
      return {
        status: 'skip',
        message: t(`${vpcId} has no Systems Manager interface endpoint`, `${vpcId} に Systems Manager のインターフェイスエンドポイントがありません`),
      };
    }
    const dnsSupport = need(net.vpc.dnsSupport, 'ec2:DescribeVpcAttribute');
    const dnsHostnames = need(net.vpc.dnsHostnames, 'ec2:DescribeVpcAttribute');
    const off = live.filter((e) => !e.endpoint.privateDnsEnabled);

    if (dnsSupport && dnsHostnames && !off.length) {
      const ids = live.map((e) => e.endpoint.endpointId);
      return {
        status: 'pass',
        message: t(
          `${ids.join(', ')} have private DNS on, and ${vpcId} has DNS resolution and DNS hostnames on`,
          `${ids.join('、')} のプライベート DNS が有効で、${vpcId} の DNS 解決と DNS ホスト名も有効です`,
        ),
      };
    }

    const problems: Text[] = [];
    if (!dnsSupport) {
      problems.push(
        t(
          `${vpcId} has DNS resolution (enableDnsSupport) off: the Amazon DNS server does not answer, so the instance cannot resolve ${serviceHost(region, 'ssm')}`,
          `${vpcId} の DNS 解決 (enableDnsSupport) が無効です。Amazon DNS サーバーが応答しないため、インスタンスは ${serviceHost(region, 'ssm')} を名前解決できません`,
        ),
      );
    }
    if (!dnsHostnames) {
      problems.push(
        t(
          `${vpcId} has DNS hostnames (enableDnsHostnames) off, so the endpoints' private DNS names are not served`,
          `${vpcId} の DNS ホスト名 (enableDnsHostnames) が無効なため、エンドポイントのプライベート DNS 名が使われません`,
        ),
      );
    }
    for (const { service, endpoint } of off) {
      const host = serviceHost(region, service);
      problems.push(
        t(
          `${endpoint.endpointId} (${service}) has private DNS off: ${host} resolves to public addresses, not to the endpoint`,
          `${endpoint.endpointId} (${service}) のプライベート DNS が無効です。${host} はエンドポイントではなくパブリックアドレスに解決されます`,
        ),
      );
    }
    const steps: FixStep[] = [];
    const commands: string[] = [];
    if (!dnsSupport || !dnsHostnames) {
      steps.push({
        key: 'vpc-dns-settings',
        text: t(
          `VPC → Your VPCs → select ${vpcId} → Actions → Edit VPC settings → DNS settings: tick Enable DNS resolution and Enable DNS hostnames → Save`,
          `「VPC」→「お使いのVPC」→ ${vpcId} を選択 →「アクション」→「VPCの設定を編集」→「DNS解決を有効化」と「DNSホスト名を有効化」にチェック →「保存」`,
        ),
      });
      // One attribute per call: the API rejects both in one request.
      if (!dnsSupport) commands.push(aws(region, 'ec2', 'modify-vpc-attribute', '--vpc-id', vpcId, '--enable-dns-support', shq('{"Value":true}')));
      if (!dnsHostnames) commands.push(aws(region, 'ec2', 'modify-vpc-attribute', '--vpc-id', vpcId, '--enable-dns-hostnames', shq('{"Value":true}')));
    }
    for (const { endpoint } of off) {
      steps.push({
        key: `endpoint-private-dns:${endpoint.endpointId}`,
        text: t(
          `VPC → Endpoints → select ${endpoint.endpointId} → Actions → Manage private DNS names → tick Enable for this endpoint → Save changes`,
          `「VPC」→「エンドポイント」→ ${endpoint.endpointId} を選択 →「アクション」→「プライベートDNS名を管理」→「このエンドポイントで有効にする」にチェック →「変更を保存」`,
        ),
      });
      commands.push(aws(region, 'ec2', 'modify-vpc-endpoint', '--vpc-endpoint-id', endpoint.endpointId, '--private-dns-enabled'));
    }
    const fix = { steps, commands };
    const what = t(problems.map((p) => p.en).join('; '), problems.map((p) => p.ja).join('。'));

    if (!dnsSupport) return { status: 'fail', message: what, fix };

    const path = internetPath(net);
    if (path.kind === 'none') {
      return {
        status: 'fail',
        message: t(`${what.en}; and ${id} has no other way out: ${path.text.en}`, `${what.ja}。${id} には他の経路もありません: ${path.text.ja}`),
        fix,
      };
    }
    return {
      status: 'warn',
      message:
        path.kind === 'ok'
          ? t(
              `${what.en}. ${id} still gets out over ${path.text.en}, so these endpoints go unused (and are still billed)`,
              `${what.ja}。${id} は別の経路 (${path.text.ja}) で通信できるため、これらのエンドポイントは使われていません (料金はかかります)`,
            )
          : t(
              `${what.en}. ${id} may get out another way, which cannot be verified from here: ${path.text.en}`,
              `${what.ja}。${id} は別の経路で通信できるかもしれませんが、ここからは確認できません: ${path.text.ja}`,
            ),
      fix,
    };
  },
};
