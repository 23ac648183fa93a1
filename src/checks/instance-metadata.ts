import type { Facts, Instance } from '../facts/schema.js';
import { t } from '../lang.js';
import { aws } from './lib/cli.js';
import { compareVersions } from './lib/iam-ec2messages.js';
import { FactUnknown, type Check, type Fix } from './types.js';

// Tags that EKS, Kubernetes and ECS put on their nodes.
const CONTAINER_TAGS: RegExp[] = [/^eks:cluster-name$/, /^aws:eks:cluster-name$/, /^kubernetes\.io\/cluster\//, /^aws:ecs:clusterName$/, /^AmazonECSManaged$/];
const CONTAINER_PLATFORM = /bottlerocket|\b(ecs|eks)\b/i;

/** Why the instance looks like a container host: the tag or platform that says so. */
function containerHint(facts: Facts, instance: Instance): string | undefined {
  const tag = Object.entries(instance.tags ?? {}).find(([k]) => CONTAINER_TAGS.some((re) => re.test(k)));
  if (tag) return `tag ${tag[0]}${tag[1] ? `=${tag[1]}` : ''}`;
  const managed = facts.managedInstances.known ? facts.managedInstances.value[instance.instanceId] : undefined;
  const platform = [instance.platformDetails, managed?.platformName].find((p) => p && CONTAINER_PLATFORM.test(p));
  return platform ? `platform ${platform}` : undefined;
}

/** Default Host Management Configuration is the agent's credential source: no instance profile, DHMC set up. */
function onDhmc(facts: Facts, instance: Instance): boolean {
  return !instance.instanceProfileArn && facts.dhmc.known && !!facts.dhmc.value.roleName;
}

/** The instance metadata service is on: the agent reads its region, instance id and role credentials (or its DHMC identity) from it. */
export const instanceMetadata: Check = {
  id: 'instance-metadata',
  severity: 'critical',
  title: t('The instance metadata service (IMDS) is enabled for the agent', 'インスタンスメタデータサービス (IMDS) が有効で、エージェントが使える'),
  evaluate({ facts, instance, region }) {
    const id = instance.instanceId;
    const md = instance.metadata;
    if (!md?.httpEndpoint) {
      throw new FactUnknown({ known: false, call: 'ec2:DescribeInstances', code: 'NotCollected', message: `MetadataOptions of ${id} are not in the facts` });
    }
    const dhmc = onDhmc(facts, instance);
    const tokens = md.httpTokens ?? 'unknown';
    const hop = md.hopLimit;
    const settings = t(
      `HttpTokens ${tokens}${hop !== undefined ? `, hop limit ${hop}` : ''}`,
      `HttpTokens ${tokens}${hop !== undefined ? `、ホップ制限 ${hop}` : ''}`,
    );
    const dhmcNote = dhmc
      ? md.httpTokens === 'required'
        ? t('; Default Host Management Configuration, which this instance relies on, gets IMDSv2 as it needs', '。このインスタンスが使う Default Host Management Configuration に必要な IMDSv2 が使えます')
        : t(
            '; this instance relies on Default Host Management Configuration, which needs IMDSv2: HttpTokens optional still serves IMDSv2, and AWS recommends required',
            '。このインスタンスは IMDSv2 が必要な Default Host Management Configuration を使います。HttpTokens が optional でも IMDSv2 は使えますが、AWS は required を推奨しています',
          )
      : t('', '');

    if (md.httpEndpoint.toLowerCase() === 'disabled') {
      // Nothing on the instance can be using IMDSv1 while IMDS is off, so turning it on with tokens required breaks nothing.
      const hint = containerHint(facts, instance);
      const change: Change = { endpoint: true, tokens: md.httpTokens !== 'required', hop: !!hint && (hop ?? 1) < 2 };
      return {
        status: 'fail',
        message: t(
          `${id} has the instance metadata service turned off (HttpEndpoint disabled): the agent cannot read its region, instance id or role credentials${dhmc ? ', and Default Host Management Configuration cannot identify the instance' : ''}`,
          `${id} はインスタンスメタデータサービスが無効 (HttpEndpoint disabled) です。エージェントはリージョン、インスタンス ID、ロールの認証情報を取得できません${dhmc ? '。Default Host Management Configuration もインスタンスを識別できません' : ''}`,
        ),
        fix: metadataFix(region, id, change),
      };
    }

    const hint = containerHint(facts, instance);
    if (hop === 1 && hint) {
      return {
        status: 'warn',
        message: t(
          `${id} allows IMDS responses only one network hop (hop limit 1), and its ${hint} suggests containers: an SSM Agent (or any software) in a container with bridge networking gets no IMDSv2 token; AWS recommends a hop limit of 2 for container hosts`,
          `${id} の IMDS 応答のホップ制限は 1 で、${hint} からコンテナを使うホストと見られます。ブリッジネットワークのコンテナ内で動く SSM Agent (やその他のソフトウェア) は IMDSv2 トークンを受け取れません。AWS はコンテナホストにはホップ制限 2 を推奨しています`,
        ),
        fix: metadataFix(region, id, { hop: true }),
      };
    }

    const managed = facts.managedInstances.known ? facts.managedInstances.value[id] : undefined;
    const version = managed?.agentVersion;
    if (md.httpTokens === 'required' && version && managed?.pingStatus !== 'Online' && (compareVersions(version, '3.0.0.0') ?? 0) < 0) {
      return {
        status: 'warn',
        message: t(
          `${id} requires IMDSv2 (HttpTokens required) but its agent ${version} is older than 3.0, and agents of the 2.x line may not support IMDSv2 (a heuristic): update the agent, or set HttpTokens optional until it is updated`,
          `${id} は IMDSv2 を必須 (HttpTokens required) にしていますが、エージェント ${version} は 3.0 より古く、2.x 系のエージェントは IMDSv2 に対応していない可能性があります (推定)。エージェントを更新するか、更新するまで HttpTokens を optional にします`,
        ),
        fix: {
          steps: [
            {
              key: 'agent-update',
              text: t(
                `Update SSM Agent on ${id}: from a shell on the instance, or Systems Manager → Run Command → Run command → AWS-UpdateSSMAgent once the instance is Online`,
                `${id} の SSM Agent を更新します。インスタンスのシェルから行うか、インスタンスがオンラインになったら「Systems Manager」→「Run Command」→「コマンドを実行」で AWS-UpdateSSMAgent を実行します`,
              ),
            },
          ],
          commands: [aws(region, 'ec2', 'modify-instance-metadata-options', '--instance-id', id, '--http-tokens', 'optional')],
        },
      };
    }

    return {
      status: 'pass',
      message: t(`${id} has the instance metadata service enabled (${settings.en})${dhmcNote.en}`, `${id} はインスタンスメタデータサービスが有効です (${settings.ja})${dhmcNote.ja}`),
    };
  },
};

interface Change {
  endpoint?: boolean;
  tokens?: boolean;
  hop?: boolean;
}

function metadataFix(region: string, id: string, change: Change): Fix {
  const args: string[] = [];
  const en: string[] = [];
  const ja: string[] = [];
  if (change.endpoint) {
    args.push('--http-endpoint', 'enabled');
    en.push('Instance metadata service: Enable');
    ja.push('「インスタンスメタデータサービス」を「有効化」');
  }
  if (change.tokens) {
    args.push('--http-tokens', 'required');
    en.push('IMDSv2: Required');
    ja.push('「IMDSv2」を「必須」');
  }
  if (change.hop) {
    args.push('--http-put-response-hop-limit', '2');
    en.push('Metadata response hop limit: 2');
    ja.push('「メタデータレスポンスのホップ制限」を 2');
  }
  return {
    steps: [
      {
        key: `imds:${id}`,
        text: t(
          `EC2 → Instances → select ${id} → Actions → Instance settings → Modify instance metadata options: ${en.join('; ')} → Save`,
          `「EC2」→「インスタンス」→ ${id} を選択 →「アクション」→「インスタンスの設定」→「インスタンスメタデータオプションの変更」で${ja.join('、')}にして「保存」をクリックします`,
        ),
      },
    ],
    commands: [aws(region, 'ec2', 'modify-instance-metadata-options', '--instance-id', id, ...args)],
  };
}
