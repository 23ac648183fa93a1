import type { Facts, Instance } from '../facts/schema.js';
import { defineMessages, joinText, NO_TEXT, type Text } from '../lang.js';
import { aws } from './lib/cli.js';
import { CONSOLE, consolePath } from './lib/glossary.js';
import { compareVersions } from './lib/iam-ec2messages.js';
import { FactUnknown, type Check, type Finding, type Fix } from './types.js';

const C = CONSOLE;
const instances = consolePath('ec2', 'instances');

const M = defineMessages({
  title: {
    en: 'The instance metadata service (IMDS) is enabled for the agent',
    ja: 'インスタンスメタデータサービス (IMDS) が有効で、エージェントが使える',
  },
  settings: { en: 'HttpTokens {tokens}{hop}', ja: 'HttpTokens {tokens}{hop}' },
  hop: { en: ', hop limit {hop}', ja: '、ホップ制限 {hop}' },
  dhmcRequired: {
    en: '; Default Host Management Configuration, which this instance relies on, gets IMDSv2 as it needs',
    ja: '。このインスタンスが使う Default Host Management Configuration に必要な IMDSv2 が使えます',
  },
  dhmcOptional: {
    en: '; this instance relies on Default Host Management Configuration, which needs IMDSv2: HttpTokens optional still serves IMDSv2, and AWS recommends required',
    ja: '。このインスタンスは IMDSv2 が必要な Default Host Management Configuration を使います。HttpTokens が optional でも IMDSv2 は使えますが、AWS は required を推奨しています',
  },
  disabled: {
    en: '{id} has the instance metadata service turned off (HttpEndpoint disabled): the agent cannot read its region, instance id or role credentials{dhmc}',
    ja: '{id} はインスタンスメタデータサービスが無効 (HttpEndpoint disabled) です。エージェントはリージョン、インスタンス ID、ロールの認証情報を取得できません{dhmc}',
  },
  disabledDhmc: {
    en: ', and Default Host Management Configuration cannot identify the instance',
    ja: '。Default Host Management Configuration もインスタンスを識別できません',
  },
  hopLimit: {
    en: '{id} allows IMDS responses only one network hop (hop limit 1), and its {hint} suggests containers: an SSM Agent (or any software) in a container with bridge networking gets no IMDSv2 token; AWS recommends a hop limit of 2 for container hosts',
    ja: '{id} の IMDS 応答のホップ制限は 1 で、{hint} からコンテナを使うホストと見られます。ブリッジネットワークのコンテナ内で動く SSM Agent (やその他のソフトウェア) は IMDSv2 トークンを受け取れません。AWS はコンテナホストにはホップ制限 2 を推奨しています',
  },
  oldAgent: {
    en: '{id} requires IMDSv2 (HttpTokens required) but its agent {version} is older than 3.0, and agents of the 2.x line may not support IMDSv2 (a heuristic): update the agent, or set HttpTokens optional until it is updated',
    ja: '{id} は IMDSv2 を必須 (HttpTokens required) にしていますが、エージェント {version} は 3.0 より古く、2.x 系のエージェントは IMDSv2 に対応していない可能性があります (推定)。エージェントを更新するか、更新するまで HttpTokens を optional にします',
  },
  stepUpdateAgent: {
    en: `Update SSM Agent on {id}: from a shell on the instance, or ${C.systemsManager.en} → ${C.runCommand.en} → ${C.runCommandAction.en} → AWS-UpdateSSMAgent once the instance is Online`,
    ja: `{id} の SSM Agent を更新します。インスタンスのシェルから行うか、インスタンスがオンラインになったら「${C.systemsManager.ja}」→「${C.runCommand.ja}」→「${C.runCommandAction.ja}」で AWS-UpdateSSMAgent を実行します`,
  },
  pass: {
    en: '{id} has the instance metadata service enabled ({settings}){dhmc}',
    ja: '{id} はインスタンスメタデータサービスが有効です ({settings}){dhmc}',
  },
  changeEndpoint: { en: 'Instance metadata service: Enable', ja: '「インスタンスメタデータサービス」を「有効化」' },
  changeTokens: { en: 'IMDSv2: Required', ja: '「IMDSv2」を「必須」' },
  changeHop: { en: 'Metadata response hop limit: 2', ja: '「メタデータレスポンスのホップ制限」を 2' },
  stepModify: {
    en: `${instances.en} → select {id} → ${C.actions.en} → ${C.instanceSettings.en} → ${C.modifyMetadataOptions.en}: {changes} → ${C.save.en}`,
    ja: `${instances.ja}→ {id} を選択 →「${C.actions.ja}」→「${C.instanceSettings.ja}」→「${C.modifyMetadataOptions.ja}」で{changes}にして「${C.save.ja}」をクリックします`,
  },
});

// Tags that EKS, Kubernetes and ECS put on their nodes.
const CONTAINER_TAGS: RegExp[] = [
  /^eks:cluster-name$/,
  /^aws:eks:cluster-name$/,
  /^kubernetes\.io\/cluster\//,
  /^aws:ecs:clusterName$/,
  /^AmazonECSManaged$/,
];
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

interface Change {
  endpoint?: boolean;
  tokens?: boolean;
  hop?: boolean;
}

function metadataFix(region: string, id: string, change: Change): Fix {
  const args: string[] = [];
  const changes: Text[] = [];
  if (change.endpoint) {
    args.push('--http-endpoint', 'enabled');
    changes.push(M('changeEndpoint'));
  }
  if (change.tokens) {
    args.push('--http-tokens', 'required');
    changes.push(M('changeTokens'));
  }
  if (change.hop) {
    args.push('--http-put-response-hop-limit', '2');
    changes.push(M('changeHop'));
  }
  return {
    steps: [{ key: `imds:${id}`, text: M('stepModify', { id, changes: joinText(changes, '; ', '、') }) }],
    commands: [aws(region, 'ec2', 'modify-instance-metadata-options', '--instance-id', id, ...args)],
  };
}

/** The agent is older than 3.0 on an instance that requires IMDSv2 and is not Online: a warning, or nothing. */
function oldAgent(facts: Facts, md: NonNullable<Instance['metadata']>, region: string, id: string): Finding | undefined {
  const managed = facts.managedInstances.known ? facts.managedInstances.value[id] : undefined;
  const version = managed?.agentVersion;
  if (md.httpTokens !== 'required' || !version || managed?.pingStatus === 'Online' || (compareVersions(version, '3.0.0.0') ?? 0) >= 0)
    return undefined;
  return {
    status: 'warn',
    message: M('oldAgent', { id, version }),
    fix: {
      steps: [{ key: 'agent-update', text: M('stepUpdateAgent', { id }) }],
      commands: [aws(region, 'ec2', 'modify-instance-metadata-options', '--instance-id', id, '--http-tokens', 'optional')],
    },
  };
}

/** The instance metadata service is on: the agent reads its region, instance id and role credentials (or its DHMC identity) from it. */
export const instanceMetadata: Check = {
  id: 'instance-metadata',
  severity: 'critical',
  title: M('title'),
  messages: M.table,
  evaluate({ facts, instance, region }) {
    const id = instance.instanceId;
    const md = instance.metadata;
    if (!md?.httpEndpoint) {
      throw new FactUnknown({
        known: false,
        call: 'ec2:DescribeInstances',
        code: 'NotCollected',
        message: `MetadataOptions of ${id} are not in the facts`,
      });
    }
    const dhmc = onDhmc(facts, instance);
    const hop = md.hopLimit;
    const hint = containerHint(facts, instance);
    if (md.httpEndpoint.toLowerCase() === 'disabled') {
      // Nothing on the instance can be using IMDSv1 while IMDS is off, so turning it on with tokens required breaks nothing.
      const change: Change = { endpoint: true, tokens: md.httpTokens !== 'required', hop: !!hint && (hop ?? 1) < 2 };
      return {
        status: 'fail',
        message: M('disabled', { id, dhmc: dhmc ? M('disabledDhmc') : NO_TEXT }),
        fix: metadataFix(region, id, change),
      };
    }
    if (hop === 1 && hint) return { status: 'warn', message: M('hopLimit', { id, hint }), fix: metadataFix(region, id, { hop: true }) };
    const old = oldAgent(facts, md, region, id);
    if (old) return old;

    const settings = M('settings', { tokens: md.httpTokens ?? 'unknown', hop: hop !== undefined ? M('hop', { hop }) : NO_TEXT });
    const dhmcNote = dhmc ? M(md.httpTokens === 'required' ? 'dhmcRequired' : 'dhmcOptional') : NO_TEXT;
    return { status: 'pass', message: M('pass', { id, settings, dhmc: dhmcNote }) };
  },
};
