import type { Facts, Instance } from '../facts/schema.js';
import { defineMessages, joinText, NO_TEXT, type Text } from '../lang.js';
import { accountOfArn, partitionOfRegion } from '../aws/arn.js';
import { preferenceNeeds, type PreferenceNeed, type PreferenceService } from '../aws/session-preferences.js';
import { credentialRole, type CredentialRole } from './lib/iam-role.js';
import { networkOf, type Network } from './lib/path.js';
import { grantFix, judgePermissions, PERMISSION_MESSAGES } from './lib/prefs-permissions.js';
import { endpointGroupOf, reach, REACH_MESSAGES, type EndpointGroup, type FixParts } from './lib/prefs-reach.js';
import { FactUnknown, need, type Check, type Finding, type Fix } from './types.js';

const M = defineMessages({
  title: {
    en: 'The instance can reach and use what the Session Manager preferences turn on (KMS, S3, CloudWatch Logs)',
    ja: 'Session Manager の設定で有効な機能 (KMS、S3、CloudWatch Logs) にインスタンスが到達でき、使用を許可されている',
  },
  neverSaved: {
    en: 'Session Manager preferences were never saved in {region}: no KMS encryption and no session logging to check',
    ja: '{region} では Session Manager の設定が保存されていません。KMS 暗号化もセッションログ出力もないため、確認する項目はありません',
  },
  nothingOn: {
    en: 'the Session Manager preferences ({document}) turn on neither KMS encryption nor S3 or CloudWatch Logs output',
    ja: 'Session Manager の設定 ({document}) では KMS 暗号化も S3・CloudWatch Logs へのログ出力も有効になっていません',
  },
  kms: { en: 'KMS encryption with key {key}', ja: 'キー {key} による KMS 暗号化' },
  s3: { en: 'session logs to S3 bucket {bucket}', ja: 'S3 バケット {bucket} へのセッションログ出力' },
  s3Encrypted: {
    en: 'session logs to S3 bucket {bucket} (encrypted buckets only)',
    ja: 'S3 バケット {bucket} へのセッションログ出力 (暗号化されたバケットのみ)',
  },
  logs: { en: 'session logs to CloudWatch Logs group {group}', ja: 'CloudWatch Logs のロググループ {group} へのセッションログ出力' },
  logsEncrypted: {
    en: 'session logs to CloudWatch Logs group {group} (encrypted log groups only)',
    ja: 'CloudWatch Logs のロググループ {group} へのセッションログ出力 (暗号化されたロググループのみ)',
  },
  handshake: { en: 'the session handshake fails', ja: 'セッションのハンドシェイクが失敗します' },
  s3Blocks: {
    en: "sessions fail: the agent cannot validate the bucket's encryption",
    ja: 'エージェントがバケットの暗号化を確認できず、セッションが開始できません',
  },
  logsBlock: {
    en: "sessions fail: the agent cannot validate the log group's encryption",
    ja: 'エージェントがロググループの暗号化を確認できず、セッションが開始できません',
  },
  logsLost: {
    en: 'session logs are lost, and the session may show a blank screen',
    ja: 'セッションログが失われ、セッション画面が空白になることがあります',
  },
  sure: { en: '{issues}, so {consequence}', ja: '{issues}。そのため{consequence}' },
  unsure: { en: '{issues}; if this blocks it, {consequence}', ja: '{issues}。これが妨げになる場合、{consequence}' },
  // With one feature on, the head of the message already names it.
  forNeed: { en: 'for {what}, {problem}', ja: '{what}について: {problem}' },
  head: { en: 'the Session Manager preferences turn on {on}', ja: 'Session Manager の設定で{on}が有効です' },
  but: { en: '{head}, but {problems}', ja: '{head}が、{problems}' },
  pass: { en: '{head}: {ok}{keyNote}{noRole}', ja: '{head}: {ok}{keyNote}{noRole}' },
  keyNote: {
    en: '; the key policy must also let the role use the key (not checked)',
    ja: '。キーポリシーでもロールにキーの使用が許可されている必要があります (未確認)',
  },
  keyJudged: {
    en: '; the key and its key policy: see session-kms-key',
    ja: '。キーとキーポリシーについては session-kms-key を参照してください',
  },
  noRole: {
    en: '; the instance has no role to check (see iam-instance-profile)',
    ja: '。インスタンスにロールがないため権限は確認していません (iam-instance-profile を参照)',
  },
});

function whatOf(n: PreferenceNeed): Text {
  switch (n.service) {
    case 'kms':
      return M('kms', { key: n.key });
    case 's3':
      return M(n.encrypted ? 's3Encrypted' : 's3', { bucket: n.bucket });
    case 'logs':
      return M(n.encrypted ? 'logsEncrypted' : 'logs', { group: n.group });
  }
}

const CONSEQUENCE: Record<PreferenceService, (blocking: boolean) => Text> = {
  kms: () => M('handshake'),
  s3: (b) => M(b ? 's3Blocks' : 'logsLost'),
  logs: (b) => M(b ? 'logsBlock' : 'logsLost'),
};

interface Issue {
  status: 'fail' | 'warn';
  text: Text;
  /** A path that cannot be verified, or a condition that cannot be evaluated, may not break anything. */
  uncertain: boolean;
}

/** What the needs came to: issues by need, ok lines, one fix, and the facts that could not be read. */
class Findings {
  readonly issues = new Map<PreferenceNeed, Issue[]>();
  readonly ok: Text[] = [];
  readonly fix: Fix = { steps: [], commands: [] };
  readonly unknowns: FactUnknown[] = [];
  readonly lacking: PreferenceNeed[] = [];

  issue(n: PreferenceNeed, i: Issue, parts: FixParts) {
    this.issues.set(n, [...(this.issues.get(n) ?? []), i]);
    this.addFix(parts);
  }

  addFix(parts: FixParts) {
    for (const step of parts.steps) if (!this.fix.steps.some((x) => x.key === step.key)) this.fix.steps.push(step);
    for (const c of parts.commands) if (!this.fix.commands.includes(c)) this.fix.commands.push(c);
  }

  attempt(f: () => void) {
    try {
      f();
    } catch (e) {
      if (e instanceof FactUnknown) this.unknowns.push(e);
      else throw e;
    }
  }
}

function judgeNeeds(ctx: { facts: Facts; region: string; instance: Instance }, net: Network, needs: readonly PreferenceNeed[]) {
  const { facts, region, instance } = ctx;
  const out = new Findings();
  let group: EndpointGroup | undefined;
  const endpointGroup = () => (group ??= endpointGroupOf(net));
  let cred: CredentialRole | null | undefined;
  out.attempt(() => void (cred = credentialRole(facts, instance)));
  for (const n of needs) {
    out.attempt(() => {
      const r = reach(net, n, endpointGroup);
      if (r.ok) out.ok.push(r.text);
      else out.issue(n, { status: r.status, text: r.text, uncertain: r.uncertain === true }, r);
    });
    const role = cred;
    if (!role) continue;
    out.attempt(() => {
      const v = judgePermissions(facts, role, n, region, instance);
      if (v.ok) return void out.ok.push(v.text);
      out.issue(n, v, v.fix);
      if (v.lacking) out.lacking.push(n);
    });
  }
  if (out.lacking.length && cred) out.addFix(grantFix(region, cred.roleName, out.lacking));
  return { out, cred };
}

function problemOf(n: PreferenceNeed, list: readonly Issue[], many: boolean): Issue {
  const issues = joinText(
    list.map((i) => i.text),
    ', and ',
    '。',
  );
  const problem = M(list.some((i) => !i.uncertain) ? 'sure' : 'unsure', { issues, consequence: CONSEQUENCE[n.service](n.blocking) });
  return {
    status: list.some((i) => i.status === 'fail') ? 'fail' : 'warn',
    text: many ? M('forNeed', { what: whatOf(n), problem }) : problem,
    uncertain: false,
  };
}

/** When the Session Manager preferences turn on KMS encryption or session logging, the instance can reach kms, s3 and logs and its role may use them. */
export const sessionPreferences: Check = {
  id: 'session-preferences',
  severity: 'critical',
  title: M('title'),
  messages: { ...M.table, ...REACH_MESSAGES, ...PERMISSION_MESSAGES },
  evaluate(ctx): Finding {
    const { facts, region, instance } = ctx;
    const prefs = need(facts.sessionPreferences, 'ssm:GetDocument');
    if (prefs === null) return { status: 'skip', message: M('neverSaved', { region }) };
    const net = networkOf(ctx);
    const account = accountOf(facts, instance);
    const needs = preferenceNeeds(prefs, { partition: partitionOfRegion(region), region, ...(account ? { account } : {}) });
    if (!needs.length) return { status: 'skip', message: M('nothingOn', { document: prefs.documentName }) };

    const { out, cred } = judgeNeeds(ctx, net, needs);
    const problems = [...out.issues].map(([n, list]) => problemOf(n, list, needs.length > 1));
    const head = M('head', { on: joinText(needs.map(whatOf), ', ', '、') });
    const but = () =>
      M('but', {
        head,
        problems: joinText(
          problems.map((p) => p.text),
          '; ',
          '。',
        ),
      });
    if (problems.some((i) => i.status === 'fail')) return { status: 'fail', message: but(), fix: out.fix };
    if (out.unknowns[0]) throw out.unknowns[0];
    if (problems.length) return { status: 'warn', message: but(), fix: out.fix };
    return {
      status: 'pass',
      message: M('pass', {
        head,
        ok: joinText(out.ok, '; ', '。'),
        keyNote: needs.some((n) => n.service === 'kms')
          ? M(facts.sessionKey?.kmsKeyId === prefs.kmsKeyId ? 'keyJudged' : 'keyNote')
          : NO_TEXT,
        noRole: cred === null ? M('noRole') : NO_TEXT,
      }),
    };
  },
};

function accountOf(facts: Facts, instance: Instance): string | undefined {
  if (instance.accountId) return instance.accountId;
  const fromProfile = instance.instanceProfileArn ? accountOfArn(instance.instanceProfileArn) : undefined;
  if (fromProfile) return fromProfile;
  return facts.caller?.known ? facts.caller.value.accountId : undefined;
}
