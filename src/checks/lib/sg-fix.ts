/**
 * The one fix for "open HTTPS (TCP 443) from the instance on a security group", and the security group new interface
 * endpoints go in (reused or created). Every check that advises either prints these, with the same step keys, so a plan
 * lists each action once.
 */
import { defineMessages, type Param, type Text } from '../../lang.js';
import type { Fix, FixStep } from '../types.js';
import { aws, shellVar, type Word } from './cli.js';
import { CONSOLE, consolePath } from './glossary.js';
import type { Network, SsmEndpoint } from './path.js';

const HTTPS = 443;
const SG_VAR = shellVar('SG_ID');

const groups = consolePath('vpc', 'securityGroups');
const C = CONSOLE;

const M = defineMessages({
  sourceGroup: { en: "{id} (the instance's security group)", ja: 'インスタンスのセキュリティグループ {id}' },
  sourceAddress: { en: "{id} (the instance's private address)", ja: 'インスタンスのプライベートアドレス {id}' },
  sourceV6: { en: "{id} (the instance's IPv6 address)", ja: 'インスタンスの IPv6 アドレス {id}' },
  stepOpenHttps: {
    en: `${groups.en} → select {sg} → ${C.inboundRules.en} → ${C.editInbound.en} → ${C.addRule.en}: Type HTTPS, Source {source} → ${C.saveRules.en}`,
    ja: `${groups.ja}→ {sg} を選択 →「${C.inboundRules.ja}」→「${C.editInbound.ja}」→「${C.addRule.ja}」→ タイプ「HTTPS」、ソースに{source} を指定 →「${C.saveRules.ja}」`,
  },
  stepReuseGroup: {
    en: 'Use security group {sg}, already on {endpoint}, for the new endpoints; it must allow inbound HTTPS (TCP 443) from {source}',
    ja: '新しいエンドポイントには、{endpoint} で使っているセキュリティグループ {sg} を使います。{source} からの HTTPS (TCP 443) のインバウンドを許可している必要があります',
  },
  stepCreateGroup: {
    en: `${groups.en} → ${C.createSecurityGroup.en}: name {name}, VPC {vpc}; ${C.inboundRules.en} → ${C.addRule.en}: Type HTTPS (TCP 443), Source {source} → ${C.createSecurityGroup.en}`,
    ja: `${groups.ja}→「${C.createSecurityGroup.ja}」: 名前を {name}、VPC を {vpc} にし、「${C.inboundRules.ja}」→「${C.addRule.ja}」でタイプ「HTTPS」(TCP 443)、ソースに{source} を指定して「${C.createSecurityGroup.ja}」をクリックします`,
  },
  createdGroup: { en: '{name} (created above)', ja: '{name} (先ほど作成したもの)' },
});

/** The source an ingress rule names for the instance: its first security group, else its private address. */
export interface InstanceSource {
  /** `--source-group sg-…` or `--cidr 10.0.1.12/32`; empty for an IPv6 address, which only `--ip-permissions` can name. */
  args: string[];
  /** The `--ip-permissions` that admit TCP 443 from an IPv6-only instance's address (no group to name). */
  permissions?: string;
  /** The bare id, for messages: `sg-…` or `10.0.1.12/32`. */
  id: string;
  /** The id with what it is: "sg-… (the instance's security group)". */
  text: Text;
}

export function instanceSource(net: Network): InstanceSource {
  const sg = net.instance.primaryEniGroupIds[0];
  if (sg) return { args: ['--source-group', sg], id: sg, text: M('sourceGroup', { id: sg }) };
  const [v6] = net.instance.privateIp ? [] : (net.instance.ipv6Addresses ?? []);
  if (v6) {
    const id = `${v6}/128`;
    return {
      args: [],
      permissions: `IpProtocol=tcp,FromPort=${HTTPS},ToPort=${HTTPS},Ipv6Ranges=[{CidrIpv6=${id}}]`,
      id,
      text: M('sourceV6', { id }),
    };
  }
  const cidr = `${net.instance.privateIp}/32`;
  return { args: ['--cidr', cidr], id: cidr, text: M('sourceAddress', { id: cidr }) };
}

/** `aws ec2 authorize-security-group-ingress` for TCP 443 from the instance on `groupArg` (an id or `"$SG_ID"`). */
function authorizeHttps(net: Network, groupArg: Word): string {
  const { args, permissions } = instanceSource(net);
  if (permissions)
    return aws(net.region, 'ec2', 'authorize-security-group-ingress', '--group-id', groupArg, '--ip-permissions', permissions);
  return aws(
    net.region,
    'ec2',
    'authorize-security-group-ingress',
    '--group-id',
    groupArg,
    '--protocol',
    'tcp',
    '--port',
    String(HTTPS),
    ...args,
  );
}

/** Open HTTPS (TCP 443) from the instance on security group `groupId`: one console step, one command. */
export function httpsIngressFix(net: Network, groupId: string): Fix {
  return {
    steps: [{ key: `endpoint-sg-https:${groupId}`, text: M('stepOpenHttps', { sg: groupId, source: instanceSource(net).text }) }],
    commands: [authorizeHttps(net, groupId)],
  };
}

/** The security group new interface endpoints go in: `arg` for `--security-group-ids`, `text` for the console step. */
export interface EndpointGroup extends Fix {
  arg: Word;
  text: Param;
}

/** A security group already on one of the Systems Manager endpoints that is not the VPC's default group. */
function reusableGroup(net: Network, all: readonly SsmEndpoint[]): { groupId: string; endpointId: string } | undefined {
  const known = net.vpc.securityGroups;
  // Without the group names the default group cannot be told apart; a new group is the safe advice then.
  if (!known.known) return undefined;
  for (const { endpoint } of all) {
    for (const groupId of endpoint.groupIds) {
      const g = known.value.find((x) => x.groupId === groupId);
      if (g && g.groupName !== 'default') return { groupId, endpointId: endpoint.endpointId };
    }
  }
  return undefined;
}

/**
 * The group for new interface endpoints: the one the Systems Manager endpoints `all` already use, else a new group
 * `ssm-endpoints-<vpc>` that admits HTTPS from the instance (its steps and commands come first in the fix).
 */
export function endpointGroup(net: Network, all: readonly SsmEndpoint[]): EndpointGroup {
  const source = instanceSource(net);
  const reuse = reusableGroup(net, all);
  if (reuse) {
    const step: FixStep = {
      key: `endpoint-sg-reuse:${reuse.groupId}`,
      text: M('stepReuseGroup', { sg: reuse.groupId, endpoint: reuse.endpointId, source: source.id }),
    };
    return { arg: reuse.groupId, text: reuse.groupId, steps: [step], commands: [] };
  }
  const { region, vpcId } = net;
  const name = `ssm-endpoints-${vpcId}`;
  const describe = 'HTTPS from instances to the Systems Manager endpoints';
  const create = aws(
    region,
    'ec2',
    'create-security-group',
    '--group-name',
    name,
    '--description',
    describe,
    '--vpc-id',
    vpcId,
    '--query',
    'GroupId',
    '--output',
    'text',
  );
  return {
    arg: SG_VAR,
    text: M('createdGroup', { name }),
    steps: [{ key: 'endpoint-sg-create', text: M('stepCreateGroup', { name, vpc: vpcId, source: source.text }) }],
    commands: [`SG_ID=$(${create})`, authorizeHttps(net, SG_VAR)],
  };
}

export const sgFixMessages = M.table;
