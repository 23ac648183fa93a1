import { t } from '../lang.js';
import { endpointPlan, missingServices } from './lib/endpoint-fix.js';
import { ec2messagesVerdict } from './lib/iam-ec2messages.js';
import { confirmedByPing, internetPath, isAvailable, missingText, networkOf, ssmEndpoints } from './lib/path.js';
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

    const what = missingText(all, missing, region);
    const fix = endpointPlan(net, all, missing);
    const lacking = t(`${vpcId} has no available interface endpoint for ${what.en}`, `${vpcId} に ${what.ja} の利用可能なインターフェイスエンドポイントがありません`);

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

    if (missing.length === 1 && missing[0] === 'ec2messages') {
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
