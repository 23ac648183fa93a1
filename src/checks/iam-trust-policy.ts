import type { Facts } from '../facts/schema.js';
import { defineMessages, joinText, NO_TEXT, type Text } from '../lang.js';
import { consolePath, label } from './lib/glossary.js';
import { aws } from './lib/cli.js';
import { credentialRole, lastSegment, type CredentialRole } from './lib/iam-role.js';
import { PolicyError } from './lib/policy.js';
import {
  correctedTrustPolicy,
  parseTrustPolicy,
  trustDecision,
  trustedPrincipals,
  type TrustDecision,
  type TrustPolicy,
  type TrustStatement,
} from './lib/trust.js';
import { FactUnknown, need, type Check, type Finding, type Fix } from './types.js';

/** The service that must be able to assume the role: EC2 hands an instance profile's role to IMDS, Systems Manager the DHMC role. */
const serviceFor = (cred: CredentialRole) => (cred.source === 'dhmc' ? 'ssm.amazonaws.com' : 'ec2.amazonaws.com');

interface Trust {
  cred: CredentialRole;
  service: string;
  policy: TrustPolicy;
  decision: TrustDecision;
}

function trustOf(facts: Facts, cred: CredentialRole, region: string): Trust {
  const role = need(facts.roles[cred.roleName]?.role, 'iam:GetRole');
  let policy: TrustPolicy;
  try {
    policy = parseTrustPolicy(role.trustPolicy);
  } catch (e) {
    if (!(e instanceof PolicyError)) throw e;
    throw new FactUnknown({
      known: false,
      call: 'iam:GetRole',
      code: 'MalformedPolicyDocument',
      message: `trust policy of ${cred.roleName}: ${e.message}`,
    });
  }
  const service = serviceFor(cred);
  return { cred, service, policy, decision: trustDecision(policy, service, region) };
}

const M = defineMessages({
  title: {
    en: "The role's trust policy lets EC2 (or, for DHMC, Systems Manager) assume it",
    ja: 'ロールの信頼ポリシーが EC2 (DHMC の場合は Systems Manager) による引き受けを許可している',
  },
  noRole: { en: 'the instance has no role to check', ja: 'チェックするロールがありません' },
  fallback: {
    en: '{message}; the agent falls back to the Default Host Management Configuration role {role}, which trusts ssm.amazonaws.com, but other software on the instance gets no credentials from the instance profile',
    ja: '{message}。エージェントは ssm.amazonaws.com を信頼する Default Host Management Configuration のロール {role} に切り替えますが、インスタンス上の他のソフトウェアはインスタンスプロファイルの認証情報を得られません',
  },
  stmtSid: { en: 'statement Sid {sid}', ja: 'ステートメント (Sid {sid})' },
  stmtIndex: { en: 'statement {n}', ja: '{n} 番目のステートメント' },
  dhmcCannot: {
    en: "Systems Manager cannot hand the role's credentials to the agent (Default Host Management Configuration)",
    ja: 'Systems Manager がロールの認証情報をエージェントに渡せません (Default Host Management Configuration)',
  },
  ec2Cannot: {
    en: "EC2 cannot deliver the role's credentials to the instance (IMDS), so the agent has none",
    ja: 'EC2 がロールの認証情報をインスタンス (IMDS) に渡せないため、エージェントは認証情報を得られません',
  },
  allowed: {
    en: 'the trust policy of {role} lets {service} assume it ({stmt})',
    ja: '{role} の信頼ポリシーは {service} による引き受けを許可しています ({stmt})',
  },
  denied: {
    en: '{stmt} of the trust policy of {role} denies sts:AssumeRole to {service}: {consequence}',
    ja: '{role} の信頼ポリシーの{stmt}が {service} の sts:AssumeRole を拒否しています。{consequence}',
  },
  onlyOthers: {
    en: 'lets only {trusted} assume it, not {service}',
    ja: ' {trusted} だけに引き受けを許可しており、{service} は含まれていません',
  },
  noOne: {
    en: 'lets no one assume it (no Allow for sts:AssumeRole)',
    ja: 'どのプリンシパルにも引き受け (sts:AssumeRole) を許可していません',
  },
  implicit: { en: 'the trust policy of {role} {instead}: {consequence}', ja: '{role} の信頼ポリシーは{instead}。{consequence}' },
  itsCondition: { en: 'its condition', ja: '不明なキー' },
  allowIf: {
    en: 'lets {service} assume it only under a condition on {keys}',
    ja: ' {keys} の条件付きでのみ {service} による引き受けを許可しています',
  },
  denyIf: { en: 'has a Deny for {service} under a condition on {keys}', ja: ' {keys} の条件付きで {service} を拒否する Deny があります' },
  conditional: {
    en: "the trust policy of {role} {what} ({stmt}); ssm-doctor cannot tell whether {service}'s request meets it: verify",
    ja: '{role} の信頼ポリシーは{what} ({stmt})。{service} のリクエストが条件を満たすかは ssm-doctor では判断できないため、確認してください',
  },
  stepReview: {
    en: '{path}: check that the condition of {stmt} holds when {service} assumes the role; if not, {edit} and remove or loosen it → {update}',
    ja: '{path}タブで、{service} がロールを引き受けるときに{stmt}の条件が満たされるか確認します。満たされない場合は{edit}で条件を削除または緩め、{update}をクリックします',
  },
  stepReplace: {
    en: '{path} → {edit}: allow "sts:AssumeRole" for the principal {"Service": "{service}"} → {update}.{drop}',
    ja: '{path}タブ →{edit}で、プリンシパル {"Service": "{service}"} に "sts:AssumeRole" を許可し、{update}をクリックします。{drop}',
  },
  drop: {
    en: ' The command below drops {stmt}; narrow it instead if it must stay.',
    ja: ' 下のコマンドは{stmt}を削除します。残す必要がある場合は、代わりに絞り込んでください。',
  },
});
/** The role the agent takes its credentials from trusts the service that delivers them: ec2.amazonaws.com for an instance profile, ssm.amazonaws.com for DHMC. */
export const iamTrustPolicy: Check = {
  id: 'iam-trust-policy',
  severity: 'critical',
  title: M('title'),
  messages: M.table,
  requires: ['iam-instance-profile'],
  evaluate({ facts, instance, region }) {
    const cred = credentialRole(facts, instance);
    if (!cred) return { status: 'skip', message: M('noRole') };
    const f = finding(trustOf(facts, cred, region), region);
    if (f.status !== 'fail' || cred.source !== 'profile' || !facts.dhmc.known || !facts.dhmc.value.roleName) return f;

    // Credentials the instance profile cannot deliver send the agent to Default Host Management Configuration.
    const dhmc: CredentialRole = { source: 'dhmc', roleName: lastSegment(facts.dhmc.value.roleName) };
    let fallback: Trust;
    try {
      fallback = trustOf(facts, dhmc, region);
    } catch (e) {
      if (e instanceof FactUnknown) return f;
      throw e;
    }
    if (fallback.decision.decision !== 'allow') return f;
    return { status: 'warn', message: M('fallback', { message: f.message, role: dhmc.roleName }), ...(f.fix ? { fix: f.fix } : {}) };
  },
};

const stmtText = (st: TrustStatement): Text => (st.sid ? M('stmtSid', { sid: st.sid }) : M('stmtIndex', { n: st.index + 1 }));

function finding({ cred, service, policy, decision }: Trust, region: string): Finding {
  const role = cred.roleName;
  const consequence = M(cred.source === 'dhmc' ? 'dhmcCannot' : 'ec2Cannot');
  switch (decision.decision) {
    case 'allow':
      return { status: 'pass', message: M('allowed', { role, service, stmt: stmtText(decision.by) }) };
    case 'deny':
      return {
        status: 'fail',
        message: M('denied', { stmt: stmtText(decision.by), role, service, consequence }),
        fix: replaceFix(role, service, policy, region, stmtText(decision.by)),
      };
    case 'implicit': {
      const trusted = trustedPrincipals(policy);
      const instead = trusted.length ? M('onlyOthers', { trusted: joinText(trusted.map(plain), ', ', '、'), service }) : M('noOne');
      return { status: 'fail', message: M('implicit', { role, instead, consequence }), fix: replaceFix(role, service, policy, region) };
    }
    case 'conditional':
      return conditionalFinding(role, service, decision, region);
  }
}

function conditionalFinding(
  role: string,
  service: string,
  decision: Extract<TrustDecision, { decision: 'conditional' }>,
  region: string,
): Finding {
  const keys = decision.keys.length ? decision.keys.join(', ') : M('itsCondition');
  const what = M(decision.by.effect === 'Allow' ? 'allowIf' : 'denyIf', { service, keys });
  const stmt = stmtText(decision.by);
  const step = M('stepReview', {
    path: consolePath('iam', 'roles', { id: role }, 'trustRelationships'),
    stmt,
    service,
    edit: label('editTrustPolicy'),
    update: label('updatePolicy'),
  });
  return {
    status: 'warn',
    message: M('conditional', { role, what, stmt, service }),
    fix: {
      steps: [{ key: `iam-trust-review:${role}`, text: step }],
      commands: [aws(region, 'iam', 'get-role', '--role-name', role, '--query', 'Role.AssumeRolePolicyDocument', '--output', 'json')],
    },
  };
}

const plain = (s: string): Text => ({ en: s, ja: s });

/** The whole trust policy, corrected, ready for update-assume-role-policy (the other statements kept). */
function replaceFix(role: string, service: string, policy: TrustPolicy, region: string, dropped?: Text): Fix {
  const doc = JSON.stringify(correctedTrustPolicy(policy, service, region));
  const step = M('stepReplace', {
    path: consolePath('iam', 'roles', { id: role }, 'trustRelationships'),
    edit: label('editTrustPolicy'),
    service,
    update: label('updatePolicy'),
    drop: dropped ? M('drop', { stmt: dropped }) : NO_TEXT,
  });
  return {
    steps: [{ key: `iam-trust:${role}`, text: step }],
    commands: [aws(region, 'iam', 'update-assume-role-policy', '--role-name', role, '--policy-document', doc)],
  };
}
