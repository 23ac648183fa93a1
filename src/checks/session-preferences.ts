import type { Endpoint, Facts, Instance, SessionPreferences } from '../facts/schema.js';
import { t, type Text } from '../lang.js';
import { partitionOfRegion } from '../aws/arn.js';
import { aws, shq } from './lib/cli.js';
import { instanceSourceArgs, instanceSourceText } from './lib/endpoint-fix.js';
import { credentialRole, type CredentialRole } from './lib/iam-role.js';
import { effectiveRouteTable, internetPath, isAvailable, liveSsmEndpoints, networkOf, type Network } from './lib/path.js';
import { evaluate } from './lib/policy.js';
import { roleView, type RoleView } from './lib/role-policies.js';
import { ingressOn } from './lib/sg.js';
import { simFor, type SimKind } from './lib/simulation.js';
import { FactUnknown, need, type Check, type Fix, type FixStep } from './types.js';

type Service = 'kms' | 's3' | 'logs';

/** What one preference asks of the instance: a way to a service, and actions on its resources. */
interface Need {
  service: Service;
  /** Unmet, sessions fail (KMS, or logging with encryption enforced); otherwise only the logs are lost. */
  blocking: boolean;
  what: Text;
  requests: { action: string; resource: string | undefined }[];
  /** The inline policy statements that grant the requests, for the fix. */
  statements: object[];
}

/** The preferences that are on, with what each needs. */
function needsOf(p: SessionPreferences, region: string, account: string | undefined): Need[] {
  const part = partitionOfRegion(region);
  const needs: Need[] = [];
  if (p.kmsKeyId) {
    const key = p.kmsKeyId;
    const alias = key.startsWith('alias/') ? key : /:alias\//.test(key) ? key.slice(key.indexOf('alias/')) : undefined;
    const keyArn = key.startsWith('arn:') && !alias ? key : !alias && account ? `arn:${part}:kms:${region}:${account}:key/${key}` : undefined;
    needs.push({
      service: 'kms',
      blocking: true,
      what: t(`KMS encryption with key ${key}`, `キー ${key} による KMS 暗号化`),
      requests: [{ action: 'kms:Decrypt', resource: keyArn }],
      statements: [
        alias
          ? {
              Effect: 'Allow',
              Action: 'kms:Decrypt',
              Resource: `arn:${part}:kms:${region}:${account ?? '*'}:key/*`,
              Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': alias } },
            }
          : { Effect: 'Allow', Action: 'kms:Decrypt', Resource: keyArn ?? '*' },
      ],
    });
  }
  if (p.s3BucketName) {
    const bucket = p.s3BucketName;
    const prefix = p.s3KeyPrefix ? `${p.s3KeyPrefix.replace(/\/+$/, '')}/` : '';
    needs.push({
      service: 's3',
      blocking: p.s3EncryptionEnabled === true,
      what: t(`session logs to S3 bucket ${bucket}${p.s3EncryptionEnabled ? ' (encrypted buckets only)' : ''}`, `S3 バケット ${bucket} へのセッションログ出力${p.s3EncryptionEnabled ? ' (暗号化されたバケットのみ)' : ''}`),
      requests: [
        { action: 's3:PutObject', resource: `arn:${part}:s3:::${bucket}/${prefix}session.log` },
        { action: 's3:GetEncryptionConfiguration', resource: `arn:${part}:s3:::${bucket}` },
      ],
      statements: [
        { Effect: 'Allow', Action: 's3:PutObject', Resource: `arn:${part}:s3:::${bucket}/${prefix}*` },
        { Effect: 'Allow', Action: 's3:GetEncryptionConfiguration', Resource: `arn:${part}:s3:::${bucket}` },
      ],
    });
  }
  if (p.cloudWatchLogGroupName) {
    const group = p.cloudWatchLogGroupName;
    const acct = account ?? '*';
    const groupArn = account ? `arn:${part}:logs:${region}:${account}:log-group:${group}` : undefined;
    needs.push({
      service: 'logs',
      blocking: p.cloudWatchEncryptionEnabled === true,
      what: t(
        `session logs to CloudWatch Logs group ${group}${p.cloudWatchEncryptionEnabled ? ' (encrypted log groups only)' : ''}`,
        `CloudWatch Logs のロググループ ${group} へのセッションログ出力${p.cloudWatchEncryptionEnabled ? ' (暗号化されたロググループのみ)' : ''}`,
      ),
      requests: [
        { action: 'logs:CreateLogStream', resource: groupArn && `${groupArn}:*` },
        { action: 'logs:PutLogEvents', resource: groupArn && `${groupArn}:log-stream:session` },
        { action: 'logs:DescribeLogGroups', resource: account ? `arn:${part}:logs:${region}:${account}:log-group:*` : undefined },
        { action: 'logs:DescribeLogStreams', resource: groupArn && `${groupArn}:*` },
      ],
      statements: [
        {
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
          Resource: `arn:${part}:logs:${region}:${acct}:log-group:${group}:*`,
        },
        { Effect: 'Allow', Action: 'logs:DescribeLogGroups', Resource: '*' },
      ],
    });
  }
  return needs;
}

interface FixParts {
  steps: FixStep[];
  commands: string[];
}

const serviceName = (region: string, service: Service) => `com.amazonaws.${region}.${service}`;

function endpointsFor(endpoints: readonly Endpoint[], region: string, service: Service): Endpoint[] {
  const names = [serviceName(region, service), `cn.${serviceName(region, service)}`];
  return endpoints.filter((e) => names.includes(e.serviceName) && isAvailable(e));
}

/** The private hosted zone that steers a service's name to centralised endpoints, if the VPC has one. */
function steeringZone(net: Network, service: Service): string | undefined {
  const zones = net.vpc.hostedZones?.known ? net.vpc.hostedZones.value : [];
  const host = `${service}.${net.region}.amazonaws.com.`;
  const names = [host, `${net.region}.amazonaws.com.`, 'amazonaws.com.'];
  const zone = zones.find((z) => names.includes((z.name.endsWith('.') ? z.name : `${z.name}.`).toLowerCase()));
  return zone && `${zone.name} (${zone.hostedZoneId})`;
}

type Reach = { ok: true; text: Text } | ({ ok: false; status: 'fail' | 'warn'; text: Text; uncertain?: boolean } & FixParts);

/** How the instance reaches one service: its interface endpoint (private DNS), an S3 gateway endpoint on its route table, centralised endpoints, or the internet. */
function reach(net: Network, need_: Need, endpointGroup: () => { arg: string; text: Text; steps: FixStep[]; commands: string[] }): Reach {
  const { region, vpcId, subnetId, instance } = net;
  const id = instance.instanceId;
  const svc = need_.service;
  const severity = need_.blocking ? 'fail' : 'warn';
  const endpoints = endpointsFor(need(net.vpc.endpoints, 'ec2:DescribeVpcEndpoints'), region, svc);

  const iface = endpoints.filter((e) => e.type.toLowerCase() === 'interface' && e.privateDnsEnabled);
  if (iface.length) {
    const groups = need(net.vpc.securityGroups, 'ec2:DescribeSecurityGroups');
    const client = { groupIds: instance.primaryEniGroupIds, addresses: instance.privateIp ? [instance.privateIp] : [] };
    const open = iface.find((e) => e.groupIds.some((g) => {
      const sg = groups.find((x) => x.groupId === g);
      return sg !== undefined && ingressOn(sg, 443, client).admittedBy !== undefined;
    }));
    if (open) return { ok: true, text: t(`${svc} through ${open.endpointId} (private DNS)`, `${svc} は ${open.endpointId} (プライベート DNS) 経由`) };
    const e = iface[0];
    const sg = e.groupIds[0];
    return {
      ok: false,
      status: severity,
      text: t(
        `the ${svc} endpoint ${e.endpointId} does not admit HTTPS from ${id} (security groups ${e.groupIds.join(', ') || 'none'})`,
        `${svc} のエンドポイント ${e.endpointId} のセキュリティグループ (${e.groupIds.join('、') || 'なし'}) が ${id} からの HTTPS を許可していません`,
      ),
      ...(sg
        ? {
            steps: [
              {
                key: `endpoint-sg-rule:${sg}`,
                text: t(
                  `VPC → Security groups → ${sg} → Inbound rules → Edit inbound rules → Add rule: Type HTTPS, Source ${instanceSourceText(net)} → Save rules`,
                  `「VPC」→「セキュリティグループ」→ ${sg} →「インバウンドルール」→「インバウンドのルールを編集」→「ルールを追加」でタイプ「HTTPS」、ソース ${instanceSourceText(net)} を指定し「ルールを保存」をクリックします`,
                ),
              },
            ],
            commands: [aws(region, 'ec2', 'authorize-security-group-ingress', '--group-id', sg, '--protocol', 'tcp', '--port', '443', ...instanceSourceArgs(net))],
          }
        : { steps: [], commands: [] }),
    };
  }

  const table = effectiveRouteTable(need(net.vpc.routeTables, 'ec2:DescribeRouteTables'), subnetId);
  if (svc === 's3' && table) {
    const gateway = endpoints.find((e) => e.type.toLowerCase() === 'gateway' && (e.routeTableIds ?? []).includes(table.table.routeTableId));
    if (gateway) {
      return { ok: true, text: t(`s3 through gateway endpoint ${gateway.endpointId} on ${table.table.routeTableId}`, `s3 は ${table.table.routeTableId} のゲートウェイエンドポイント ${gateway.endpointId} 経由`) };
    }
  }

  const zone = steeringZone(net, svc);
  if (zone) return { ok: true, text: t(`${svc} through centralised endpoints (private hosted zone ${zone})`, `${svc} は集約されたエンドポイント経由 (プライベートホストゾーン ${zone})`) };

  const path = internetPath(net);
  if (path.kind === 'ok') return { ok: true, text: t(`${svc} over the internet (${path.text.en})`, `${svc} はインターネット経由 (${path.text.ja})`) };
  const plainIface = endpoints.find((e) => e.type.toLowerCase() === 'interface');
  const dnsNote = plainIface
    ? t(` (${plainIface.endpointId} has private DNS off, so the agent does not use it)`, ` (${plainIface.endpointId} はプライベート DNS が無効なため、エージェントは使いません)`)
    : t('', '');
  if (path.kind === 'unverifiable') {
    return {
      ok: false,
      status: 'warn',
      uncertain: true,
      text: t(`${id} may reach ${svc} another way, which cannot be verified from here (${path.text.en})${dnsNote.en}`, `${id} は別の経路で ${svc} に到達できるかもしれませんが、ここからは確認できません (${path.text.ja})${dnsNote.ja}`),
      ...createEndpoint(net, svc, table?.table.routeTableId, endpointGroup),
    };
  }
  return {
    ok: false,
    status: severity,
    text: t(
      `${id} has no way to ${svc}: no ${serviceName(region, svc)} endpoint in ${vpcId}${dnsNote.en}, and no way out to the internet (${path.text.en})`,
      `${id} から ${svc} への経路がありません (${vpcId} に ${serviceName(region, svc)} のエンドポイントがなく${dnsNote.ja}、インターネットへの経路もありません: ${path.text.ja})`,
    ),
    ...createEndpoint(net, svc, table?.table.routeTableId, endpointGroup),
  };
}

function createEndpoint(
  net: Network,
  svc: Service,
  routeTableId: string | undefined,
  endpointGroup: () => { arg: string; text: Text; steps: FixStep[]; commands: string[] },
): FixParts {
  const { region, vpcId, subnetId, instance } = net;
  const name = serviceName(region, svc);
  if (svc === 's3' && routeTableId) {
    return {
      steps: [
        {
          key: 'endpoint-create:s3',
          text: t(
            `VPC → Endpoints → Create endpoint: Type AWS services, service ${name} of type Gateway, VPC ${vpcId}; Route tables: ${routeTableId} (the one ${subnetId} uses) → Create endpoint (gateway endpoints are free)`,
            `「VPC」→「エンドポイント」→「エンドポイントを作成」: タイプ「AWS のサービス」でタイプが Gateway の ${name} を選び、VPC に ${vpcId} を選択します。ルートテーブルに ${subnetId} が使う ${routeTableId} を選び「エンドポイントを作成」をクリックします (ゲートウェイエンドポイントは無料です)`,
          ),
        },
      ],
      commands: [aws(region, 'ec2', 'create-vpc-endpoint', '--vpc-id', vpcId, '--vpc-endpoint-type', 'Gateway', '--service-name', name, '--route-table-ids', routeTableId)],
    };
  }
  const group = endpointGroup();
  const az = instance.availabilityZone ? ` (${instance.availabilityZone})` : '';
  return {
    steps: [
      ...group.steps,
      {
        key: `endpoint-create:${svc}`,
        text: t(
          `VPC → Endpoints → Create endpoint: Type AWS services, service ${name}, VPC ${vpcId}; Subnets: ${subnetId}${az}, the instance's subnet; Security groups: ${group.text.en}; keep Enable DNS name (Additional settings) on → Create endpoint`,
          `「VPC」→「エンドポイント」→「エンドポイントを作成」: タイプ「AWS のサービス」でサービス ${name} を選び、VPC に ${vpcId} を選択します。サブネットはインスタンスのサブネット ${subnetId}${az} を選び、セキュリティグループに ${group.text.ja} を選んで、「追加設定」の「DNS 名を有効化」をオンのまま「エンドポイントを作成」をクリックします`,
        ),
      },
    ],
    commands: [
      ...group.commands,
      aws(region, 'ec2', 'create-vpc-endpoint', '--vpc-id', vpcId, '--vpc-endpoint-type', 'Interface', '--service-name', name, '--subnet-ids', subnetId, '--security-group-ids', group.arg, '--private-dns-enabled'),
    ],
  };
}

/**
 * The security group for a new kms/logs endpoint: the one the Systems Manager endpoints already use, else the same new
 * group the endpoint fix of vpc-endpoints creates (identical commands, so a plan prints them once).
 */
function endpointGroupOf(net: Network): { arg: string; text: Text; steps: FixStep[]; commands: string[] } {
  let live: ReturnType<typeof liveSsmEndpoints> = [];
  try {
    live = liveSsmEndpoints(net);
  } catch (e) {
    if (!(e instanceof FactUnknown)) throw e;
  }
  const groups = net.vpc.securityGroups.known ? net.vpc.securityGroups.value : [];
  for (const { endpoint } of live) {
    for (const g of endpoint.groupIds) {
      if (groups.find((x) => x.groupId === g && x.groupName !== 'default')) {
        return { arg: g, text: t(`${g} (the group of ${endpoint.endpointId}; it must admit HTTPS from ${instanceSourceText(net)})`, `${g} (${endpoint.endpointId} のグループ。${instanceSourceText(net)} からの HTTPS を許可している必要があります)`), steps: [], commands: [] };
      }
    }
  }
  const { region, vpcId } = net;
  const name = `ssm-endpoints-${vpcId}`;
  return {
    arg: '"$SG_ID"',
    text: t(`${name} (created above)`, `${name} (先ほど作成したもの)`),
    steps: [
      {
        key: 'endpoint-sg-create',
        text: t(
          `VPC → Security groups → Create security group: name ${name}, VPC ${vpcId}; Inbound rules → Add rule: Type HTTPS (TCP 443), Source ${instanceSourceText(net)} (the instance's security group) → Create security group`,
          `「VPC」→「セキュリティグループ」→「セキュリティグループを作成」: 名前を ${name}、VPC を ${vpcId} にし、「インバウンドルール」→「ルールを追加」でタイプ「HTTPS」(TCP 443)、ソースにインスタンスのセキュリティグループ ${instanceSourceText(net)} を指定して「セキュリティグループを作成」をクリックします`,
        ),
      },
    ],
    commands: [
      `SG_ID=$(${aws(region, 'ec2', 'create-security-group', '--group-name', name, '--description', shq('HTTPS from instances to the Systems Manager endpoints'), '--vpc-id', vpcId, '--query', 'GroupId', '--output', 'text')})`,
      aws(region, 'ec2', 'authorize-security-group-ingress', '--group-id', '"$SG_ID"', '--protocol', 'tcp', '--port', '443', ...instanceSourceArgs(net)),
    ],
  };
}

type Kind = 'allow' | 'deny' | 'implicit' | 'conditional';

interface Permission {
  action: string;
  kind: Kind;
  /** "IAM's policy simulator" or "the role's documents", and for a deny what denied it. */
  detail: Text;
}

const SIM_KIND: Record<SimKind, Kind> = { allow: 'allow', explicit: 'deny', scp: 'deny', boundary: 'deny', implicit: 'implicit', conditional: 'conditional' };
const SIM_WHY: Partial<Record<SimKind, Text>> = {
  explicit: t('an explicit Deny', '明示的な Deny'),
  scp: t('an organization SCP', '組織の SCP'),
  boundary: t('the permissions boundary', 'アクセス許可の境界'),
};

/** The role's decision on each request: IAM's simulator when it answered for the action, else the role's documents. */
function permissions(facts: Facts, cred: CredentialRole, requests: Need['requests'], region: string): Permission[] {
  const sim = facts.roles[cred.roleName]?.simulation;
  let view: RoleView | undefined;
  return requests.map(({ action, resource }) => {
    const s = sim?.known ? simFor(sim.value, action) : undefined;
    if (s) {
      const why = SIM_WHY[s.kind];
      return {
        action,
        kind: SIM_KIND[s.kind],
        detail: why ? t(`IAM's policy simulator: ${why.en}`, `IAM のポリシーシミュレーター: ${why.ja}`) : t("IAM's policy simulator", 'IAM のポリシーシミュレーター'),
      };
    }
    view ??= roleView(facts, cred.roleName);
    const d = evaluate(view.sources, { action, resource, context: { 'aws:RequestedRegion': region } });
    const kind: Kind = d.decision;
    const by = d.decision === 'deny' || d.decision === 'conditional' ? view.sources[d.by.source] : undefined;
    return {
      action,
      kind,
      detail: by
        ? t(`the role's documents: ${by.kind === 'inline' ? 'inline policy' : 'policy'} ${by.name}`, `ロールのポリシー文書: ${by.kind === 'inline' ? 'インラインポリシー' : 'ポリシー'} ${by.name}`)
        : t("the role's documents", 'ロールのポリシー文書'),
    };
  });
}

const CONSEQUENCE: Record<Service, (blocking: boolean) => Text> = {
  kms: () => t('the session handshake fails', 'セッションのハンドシェイクが失敗します'),
  s3: (b) =>
    b
      ? t("sessions fail: the agent cannot validate the bucket's encryption", 'エージェントがバケットの暗号化を確認できず、セッションが開始できません')
      : t('session logs are lost, and the session may show a blank screen', 'セッションログが失われ、セッション画面が空白になることがあります'),
  logs: (b) =>
    b
      ? t("sessions fail: the agent cannot validate the log group's encryption", 'エージェントがロググループの暗号化を確認できず、セッションが開始できません')
      : t('session logs are lost, and the session may show a blank screen', 'セッションログが失われ、セッション画面が空白になることがあります'),
};

/** When the Session Manager preferences turn on KMS encryption or session logging, the instance can reach kms, s3 and logs and its role may use them. */
export const sessionPreferences: Check = {
  id: 'session-preferences',
  severity: 'critical',
  title: t(
    'The instance can reach and use what the Session Manager preferences turn on (KMS, S3, CloudWatch Logs)',
    'Session Manager の設定で有効な機能 (KMS、S3、CloudWatch Logs) にインスタンスが到達でき、使用を許可されている',
  ),
  evaluate(ctx) {
    const { facts, region, instance } = ctx;
    const prefs = need(facts.sessionPreferences, 'ssm:GetDocument');
    if (prefs === null) {
      return {
        status: 'skip',
        message: t(
          `Session Manager preferences were never saved in ${region}: no KMS encryption and no session logging to check`,
          `${region} では Session Manager の設定が保存されていません。KMS 暗号化もセッションログ出力もないため、確認する項目はありません`,
        ),
      };
    }
    const net = networkOf(ctx);
    const account = accountOf(facts, instance);
    const needs = needsOf(prefs, region, account);
    if (!needs.length) {
      return {
        status: 'skip',
        message: t(
          `the Session Manager preferences (${prefs.documentName}) turn on neither KMS encryption nor S3 or CloudWatch Logs output`,
          `Session Manager の設定 (${prefs.documentName}) では KMS 暗号化も S3・CloudWatch Logs へのログ出力も有効になっていません`,
        ),
      };
    }

    const problems: { status: 'fail' | 'warn'; text: Text }[] = [];
    // An uncertain issue (a path that cannot be verified, a condition that cannot be evaluated) may not break anything.
    const issuesOf = new Map<Need, { status: 'fail' | 'warn'; text: Text; uncertain: boolean }[]>();
    const issue = (n: Need, status: 'fail' | 'warn', text: Text, uncertain = false) => issuesOf.set(n, [...(issuesOf.get(n) ?? []), { status, text, uncertain }]);
    const fix: Fix = { steps: [], commands: [] };
    const addFix = (parts: FixParts) => {
      for (const step of parts.steps) if (!fix.steps.some((x) => x.key === step.key)) fix.steps.push(step);
      for (const c of parts.commands) if (!fix.commands.includes(c)) fix.commands.push(c);
    };
    const ok: Text[] = [];
    const unknowns: FactUnknown[] = [];
    let group: ReturnType<typeof endpointGroupOf> | undefined;
    const endpointGroup = () => (group ??= endpointGroupOf(net));
    const attempt = (f: () => void) => {
      try {
        f();
      } catch (e) {
        if (e instanceof FactUnknown) unknowns.push(e);
        else throw e;
      }
    };

    let cred: CredentialRole | null | undefined;
    attempt(() => {
      cred = credentialRole(facts, instance);
    });

    const lacking: Need[] = [];
    for (const n of needs) {
      attempt(() => {
        const r = reach(net, n, endpointGroup);
        if (r.ok) {
          ok.push(r.text);
          return;
        }
        issue(n, r.status, r.text, r.uncertain);
        addFix(r);
      });
      const role = cred;
      if (!role) continue;
      attempt(() => {
        const perms = permissions(facts, role, n.requests, region);
        const bad = perms.filter((p) => p.kind !== 'allow');
        if (!bad.length) {
          ok.push(t(`${role.roleName} allows ${perms.map((p) => p.action).join(', ')} (${perms[0].detail.en})`, `${role.roleName} は ${perms.map((p) => p.action).join('、')} を許可しています (${perms[0].detail.ja})`));
          return;
        }
        const why = (p: Permission) =>
          p.kind === 'implicit' ? t('', '') : p.kind === 'deny' ? t(` (denied: ${p.detail.en})`, ` (拒否: ${p.detail.ja})`) : t(` (conditional: ${p.detail.en})`, ` (条件付き: ${p.detail.ja})`);
        const definite = bad.some((p) => p.kind !== 'conditional');
        issue(
          n,
          definite && n.blocking ? 'fail' : 'warn',
          t(
            `${role.roleName} does not allow ${bad.map((p) => `${p.action}${why(p).en}`).join(', ')}`,
            `${role.roleName} に ${bad.map((p) => `${p.action}${why(p).ja}`).join('、')} の権限がありません`,
          ),
          !definite,
        );
        const blockers = bad.filter((p) => p.kind !== 'implicit').map((p) => p.action);
        if (blockers.length) {
          addFix({
            steps: [
              {
                key: `iam-prefs-deny:${role.roleName}:${n.service}`,
                text: t(
                  `IAM → Roles → ${role.roleName} → Permissions (and its permissions boundary, and your organization's SCPs): find the statements that deny ${blockers.join(', ')} or put a condition on it, and make sure they do not apply to the agent's requests from ${instance.instanceId}; remove or narrow them if they do`,
                  `「IAM」→「ロール」→「${role.roleName}」→「許可」タブ (アクセス許可の境界、組織の SCP も) で ${blockers.join('、')} を拒否している、または条件を付けているステートメントを探し、${instance.instanceId} のエージェントのリクエストに当てはまらないことを確認します。当てはまる場合は削除するか絞り込みます`,
                ),
              },
            ],
            commands: [],
          });
        }
        if (bad.some((p) => p.kind === 'implicit')) lacking.push(n);
      });
    }
    if (lacking.length && cred) {
      const role = cred.roleName;
      const doc = JSON.stringify({ Version: '2012-10-17', Statement: lacking.flatMap((n) => n.statements) });
      addFix({
        steps: [
          {
            key: `iam-prefs-policy:${role}`,
            text: t(
              `IAM → Roles → ${role} → Add permissions → Create inline policy → JSON: paste the policy document of the command below → Next → Policy name: SessionManagerPreferences → Create policy`,
              `「IAM」→「ロール」→「${role}」→「許可を追加」→「インラインポリシーを作成」→「JSON」に下のコマンドのポリシー文書を貼り付けて「次へ」→ ポリシー名に「SessionManagerPreferences」と入力して「ポリシーの作成」をクリックします`,
            ),
          },
        ],
        commands: [aws(region, 'iam', 'put-role-policy', '--role-name', shq(role), '--policy-name', 'SessionManagerPreferences', '--policy-document', shq(doc))],
      });
    }

    for (const [n, list] of issuesOf) {
      const consequence = CONSEQUENCE[n.service](n.blocking);
      const sure = list.some((i) => !i.uncertain);
      problems.push({
        status: list.some((i) => i.status === 'fail') ? 'fail' : 'warn',
        text: t(
          // With one feature on, the head of the message already names it.
          `${needs.length > 1 ? `for ${n.what.en}, ` : ''}${list.map((i) => i.text.en).join(', and ')}${sure ? ', so ' : '; if this blocks it, '}${consequence.en}`,
          `${needs.length > 1 ? `${n.what.ja}について: ` : ''}${list.map((i) => i.text.ja).join('。')}。${sure ? 'そのため' : 'これが妨げになる場合、'}${consequence.ja}`,
        ),
      });
    }
    const on = needs.map((n) => n.what);
    const head = t(`the Session Manager preferences turn on ${on.map((w) => w.en).join(', ')}`, `Session Manager の設定で${on.map((w) => w.ja).join('、')}が有効です`);
    if (problems.some((i) => i.status === 'fail')) {
      return { status: 'fail', message: t(`${head.en}, but ${problems.map((p) => p.text.en).join('; ')}`, `${head.ja}が、${problems.map((p) => p.text.ja).join('。')}`), fix };
    }
    if (unknowns.length) throw unknowns[0];
    if (problems.length) {
      return { status: 'warn', message: t(`${head.en}, but ${problems.map((p) => p.text.en).join('; ')}`, `${head.ja}が、${problems.map((p) => p.text.ja).join('。')}`), fix };
    }
    const keyNote = needs.some((n) => n.service === 'kms')
      ? t('; the key policy must also let the role use the key (not checked)', '。キーポリシーでもロールにキーの使用が許可されている必要があります (未確認)')
      : t('', '');
    const noRole = cred === null ? t('; the instance has no role to check (see iam-instance-profile)', '。インスタンスにロールがないため権限は確認していません (iam-instance-profile を参照)') : t('', '');
    return {
      status: 'pass',
      message: t(`${head.en}: ${ok.map((o) => o.en).join('; ')}${keyNote.en}${noRole.en}`, `${head.ja}: ${ok.map((o) => o.ja).join('。')}${keyNote.ja}${noRole.ja}`),
    };
  },
};

function accountOf(facts: Facts, instance: Instance): string | undefined {
  if (instance.accountId) return instance.accountId;
  const m = /^arn:[^:]+:iam::(\d{12}):/.exec(instance.instanceProfileArn ?? '');
  if (m) return m[1];
  return facts.caller?.known ? facts.caller.value.accountId : undefined;
}

