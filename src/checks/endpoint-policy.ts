import { AGENT_ACTIONS_BY_SERVICE } from '../aws/agent.js';
import type { Endpoint } from '../facts/schema.js';
import { defineMessages, joinText, type Text } from '../lang.js';
import { aws } from './lib/cli.js';
import { decideOn, isFullAccess, parse, whoOf, WHO_MESSAGES, type Parsed, type Ref, type Who } from './lib/endpoint-policy-doc.js';
import { consolePath, label } from './lib/glossary.js';
import { blockedServicesVerdict } from './lib/iam-ec2messages.js';
import { liveSsmEndpoints, networkOf, type SsmService } from './lib/path.js';
import { PolicyError } from './lib/policy.js';
import type { Check, CheckContext, Fix, FixStep } from './types.js';

/** What the agent calls through each endpoint. */
const AGENT_ACTIONS: Record<SsmService, readonly string[]> = AGENT_ACTIONS_BY_SERVICE;
/** The Action of the statement a fix adds. */
const FIX_ACTIONS: Record<SsmService, readonly string[]> = { ...AGENT_ACTIONS, ec2messages: ['ec2messages:*'] };

const M = defineMessages({
  title: { en: "Endpoint policies allow the agent's calls", ja: 'エンドポイントポリシーがエージェントの呼び出しを許可している' },
  noEndpoint: {
    en: '{vpc} has no Systems Manager interface endpoint',
    ja: '{vpc} に Systems Manager のインターフェイスエンドポイントがありません',
  },
  head: { en: '{endpoint} ({service})', ja: '{endpoint} ({service})' },
  unreadable: { en: 'the policy of {head} cannot be evaluated: {why}', ja: '{head} のポリシーを評価できません: {why}' },
  denied: {
    en: 'the policy of {head} denies {actions} to {who}: {stmt} is an explicit Deny, which no Allow overrides',
    ja: '{head} のポリシーは {who} に {actions} を拒否しています: {stmt} は明示的な Deny で、Allow では上書きできません',
  },
  noAllowIt: {
    en: 'no statement in the policy of {head} allows {actions} to {who}, so the endpoint refuses it',
    ja: '{head} のポリシーには {who} に {actions} を許可するステートメントがないため、エンドポイントが拒否します',
  },
  noAllowThem: {
    en: 'no statement in the policy of {head} allows {actions} to {who}, so the endpoint refuses them',
    ja: '{head} のポリシーには {who} に {actions} を許可するステートメントがないため、エンドポイントが拒否します',
  },
  condKeys: { en: 'its condition on {keys} cannot be evaluated here', ja: 'その条件 ({keys}) はここでは評価できません' },
  condMatch: {
    en: 'its principal or resource cannot be matched to {who} here',
    ja: 'そのプリンシパルまたはリソースが {who} に当てはまるかをここでは判断できません',
  },
  hangs: {
    en: 'whether the policy of {head} lets {who} call {action} hangs on {stmt} ({effect}): {what}',
    ja: '{head} のポリシーが {who} に {action} を許可するかは {stmt} ({effect}) 次第です: {what}',
  },
  stmt: { en: 'statement {n}', ja: 'ステートメント {n}' },
  stmtSid: { en: 'statement {n} (Sid {sid})', ja: 'ステートメント {n} (Sid {sid})' },
  absent: { en: 'no endpoint policy, so full access', ja: 'エンドポイントポリシーなし (フルアクセス)' },
  full: { en: 'the default full-access policy', ja: 'デフォルトのフルアクセスポリシー' },
  custom: { en: "a custom policy that allows the agent's calls to {who}", ja: '{who} にエージェントの呼び出しを許可するカスタムポリシー' },
  passGroup: { en: '{heads}: {what}', ja: '{heads}: {what}' },
  manage: { en: '{endpoints} → select {id} → {manage}', ja: '{endpoints}→ {id} を選択 →{manage}' },
  stepReset: {
    en: "{manage} → {full} → {save} (this restores the default policy; to keep a custom policy, edit it so it no longer denies the agent's calls)",
    ja: '{manage}→{full}を選択して{save}(デフォルトのポリシーに戻ります。カスタムポリシーを残す場合は、エージェントの呼び出しを拒否しないように編集します)',
  },
  stepNarrow: {
    en: "{manage}: {stmt} denies the agent's calls: narrow it, or choose {full} → {save} to restore the default policy",
    ja: '{manage}: {stmt} がエージェントの呼び出しを拒否しています。対象を絞るか、{full}を選んで{save}し、デフォルトのポリシーに戻します',
  },
  stepAllow: {
    en: '{manage} → {custom}: add a statement that allows {actions} to {who} (Resource *) → {save}',
    ja: '{manage}→{custom}で、{who} に {actions} を許可するステートメント (Resource は *) を追加して{save}',
  },
  instanceRole: { en: 'the instance role', ja: 'インスタンスのロール' },
});

const list = (xs: readonly string[]): Text => ({ en: xs.join(', '), ja: xs.join('、') });
const join = (parts: readonly Text[]): Text => joinText(parts, '; ', '。');
const statementName = (r: Ref) => (r.sid ? M('stmtSid', { n: r.index + 1, sid: r.sid }) : M('stmt', { n: r.index + 1 }));

type Outcome =
  | { kind: 'ok'; text: Text; why: 'absent' | 'full' | 'custom' }
  | { kind: 'blocked'; text: Text; deny?: Ref; actions: string[] }
  | { kind: 'conditional'; text: Text; by: Ref }
  | { kind: 'unreadable'; text: Text };

/** What the agent's calls through this endpoint carry, for the policy's conditions. */
function contextOf(ctx: CheckContext, endpoint: Endpoint, w: Who): Record<string, string> {
  // The agent always calls over TLS, through this endpoint, from this VPC.
  const context: Record<string, string> = { 'aws:SourceVpce': endpoint.endpointId, 'aws:SecureTransport': 'true' };
  if (ctx.instance.vpcId) context['aws:SourceVpc'] = ctx.instance.vpcId;
  if (w.roleArn) context['aws:PrincipalArn'] = w.roleArn;
  if (w.account) context['aws:PrincipalAccount'] = w.account;
  if (w.sessionArn && w.instanceArn) context['ec2:SourceInstanceARN'] = w.instanceArn;
  return context;
}

/** The verdict of a custom policy on the agent's calls through the endpoint. */
function verdictOn(ctx: CheckContext, endpoint: Endpoint, service: SsmService, parsed: Parsed, w: Who): Outcome {
  const head = M('head', { endpoint: endpoint.endpointId, service });
  const context = contextOf(ctx, endpoint, w);
  const decisions = AGENT_ACTIONS[service].map((action) => {
    const resource = action === 'ssm:UpdateInstanceInformation' ? w.instanceArn : '*';
    return { action, d: decideOn(parsed, { action, resource, context }, w) };
  });
  for (const { d } of decisions) {
    if (d.decision !== 'deny') continue;
    const actions = decisions.filter((x) => x.d.decision === 'deny' || x.d.decision === 'implicit').map((x) => x.action);
    return {
      kind: 'blocked',
      deny: d.by,
      actions,
      text: M('denied', { head, actions: list(actions), who: w.text, stmt: statementName(d.by) }),
    };
  }
  const implicit = decisions.filter((x) => x.d.decision === 'implicit').map((x) => x.action);
  if (implicit.length) {
    return {
      kind: 'blocked',
      actions: implicit,
      text: M(implicit.length > 1 ? 'noAllowThem' : 'noAllowIt', { head, actions: list(implicit), who: w.text }),
    };
  }
  for (const { action, d } of decisions) {
    if (d.decision !== 'conditional') continue;
    const by = d.by;
    const what = by.keys.length ? M('condKeys', { keys: list(by.keys) }) : M('condMatch', { who: w.text });
    return { kind: 'conditional', by, text: M('hangs', { head, who: w.text, action, stmt: statementName(by), effect: by.effect, what }) };
  }
  return { kind: 'ok', why: 'custom', text: head };
}

function judge(ctx: CheckContext, endpoint: Endpoint, service: SsmService, who: () => Who): { outcome: Outcome; parsed?: Parsed } {
  const head = M('head', { endpoint: endpoint.endpointId, service });
  if (!endpoint.policy?.trim()) return { outcome: { kind: 'ok', why: 'absent', text: head } };
  let parsed: Parsed;
  try {
    parsed = parse(endpoint.policy);
  } catch (e) {
    const why = e instanceof PolicyError ? e.message : 'it is not valid JSON';
    return { outcome: { kind: 'unreadable', text: M('unreadable', { head, why }) } };
  }
  if (isFullAccess(parsed)) return { outcome: { kind: 'ok', why: 'full', text: head }, parsed };
  return { outcome: verdictOn(ctx, endpoint, service, parsed, who()), parsed };
}

type Judged = { endpoint: Endpoint; service: SsmService; outcome: Outcome; parsed?: Parsed };

function passMessage(judged: readonly Judged[], who: Who): Text {
  const heads = (why: string) => judged.flatMap((j) => (j.outcome.kind === 'ok' && j.outcome.why === why ? [j.outcome.text] : []));
  const groups: [string, Text][] = [
    ['absent', M('absent')],
    ['full', M('full')],
    ['custom', M('custom', { who: who.text })],
  ];
  return join(
    groups.filter(([why]) => heads(why).length).map(([why, what]) => M('passGroup', { heads: joinText(heads(why), ', ', '、'), what })),
  );
}

/** A custom policy on the ssm, ssmmessages and ec2messages endpoints lets the instance's role make the agent's calls; the endpoint refuses what its policy does not allow, whatever IAM says. */
export const endpointPolicy: Check = {
  id: 'endpoint-policy',
  severity: 'critical',
  title: M('title'),
  messages: { ...M.table, ...WHO_MESSAGES },
  evaluate(ctx) {
    const net = networkOf(ctx);
    const live = liveSsmEndpoints(net);
    if (!live.length) return { status: 'skip', message: M('noEndpoint', { vpc: net.vpcId }) };
    let cached: Who | undefined;
    const who = () => (cached ??= whoOf(ctx));
    const judged: Judged[] = live.map(({ endpoint, service }) => ({ endpoint, service, ...judge(ctx, endpoint, service, who) }));
    const bad = judged.filter((j) => j.outcome.kind !== 'ok');
    if (!bad.length) return { status: 'pass', message: passMessage(judged, who()) };
    const blocked = new Set(bad.filter((j) => j.outcome.kind === 'blocked').map((j) => j.service));
    const { status, notes } = blockedServicesVerdict(ctx.facts, ctx.instanceId, blocked);
    return { status, message: join([...bad.map((j) => j.outcome.text), ...notes]), fix: fixOf(ctx.region, bad, who) };
  },
};

/** The statement a fix adds to a custom policy, and the whole document with it. */
function allowFix(
  region: string,
  endpoint: Endpoint,
  service: SsmService,
  parsed: Parsed,
  w: Who,
  manage: Text,
): { step: FixStep; command: string } {
  const id = endpoint.endpointId;
  const statement = {
    Sid: `AllowSsmAgent${service.charAt(0).toUpperCase()}${service.slice(1)}`,
    Effect: 'Allow',
    Principal: w.roleArn ? { AWS: w.roleArn } : '*',
    Action: FIX_ACTIONS[service],
    Resource: '*',
  };
  const document = { ...parsed.document, Version: parsed.document.Version ?? '2012-10-17', Statement: [...parsed.raw, statement] };
  const who = w.roleArn ? { en: w.roleArn, ja: w.roleArn } : M('instanceRole');
  return {
    step: {
      key: `endpoint-policy-allow:${id}`,
      text: M('stepAllow', { manage, custom: label('custom'), actions: list(FIX_ACTIONS[service]), who, save: label('save') }),
    },
    command: aws(region, 'ec2', 'modify-vpc-endpoint', '--vpc-endpoint-id', id, '--policy-document', JSON.stringify(document)),
  };
}

function fixOf(region: string, bad: readonly Judged[], who: () => Who): Fix {
  const steps: FixStep[] = [];
  const commands: string[] = [];
  const full = label('fullAccess');
  const save = label('save');
  for (const { endpoint, service, outcome, parsed } of bad) {
    const id = endpoint.endpointId;
    const manage = M('manage', { endpoints: consolePath('vpc', 'endpoints'), id, manage: consolePath('actions', 'managePolicy') });
    const key = `endpoint-policy-reset:${id}`;
    if (outcome.kind === 'unreadable') {
      steps.push({ key, text: M('stepReset', { manage, full, save }) });
      continue;
    }
    const denyingDeny =
      (outcome.kind === 'blocked' && outcome.deny) ||
      (outcome.kind === 'conditional' && outcome.by.effect === 'Deny' ? outcome.by : undefined);
    if (denyingDeny) {
      steps.push({ key, text: M('stepNarrow', { manage, stmt: statementName(denyingDeny), full, save }) });
      // A Deny that only might apply is left to the owner; one that does apply is removed with the custom policy.
      if (outcome.kind === 'blocked') commands.push(aws(region, 'ec2', 'modify-vpc-endpoint', '--vpc-endpoint-id', id, '--reset-policy'));
      continue;
    }
    if (!parsed) continue;
    const allow = allowFix(region, endpoint, service, parsed, who(), manage);
    steps.push(allow.step);
    commands.push(allow.command);
  }
  return { steps, commands };
}
