import type { Facts } from '../facts/schema.js';
import { t, type Text } from '../lang.js';
import { aws, shq } from './lib/cli.js';
import { credentialRole, lastSegment, type CredentialRole } from './lib/iam-role.js';
import { PolicyError } from './lib/policy.js';
import { correctedTrustPolicy, parseTrustPolicy, trustDecision, trustedPrincipals, type TrustDecision, type TrustPolicy, type TrustStatement } from './lib/trust.js';
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
    throw new FactUnknown({ known: false, call: 'iam:GetRole', code: 'MalformedPolicyDocument', message: `trust policy of ${cred.roleName}: ${e.message}` });
  }
  const service = serviceFor(cred);
  return { cred, service, policy, decision: trustDecision(policy, service, region) };
}

/** The role the agent takes its credentials from trusts the service that delivers them: ec2.amazonaws.com for an instance profile, ssm.amazonaws.com for DHMC. */
export const iamTrustPolicy: Check = {
  id: 'iam-trust-policy',
  severity: 'critical',
  title: t(
    "The role's trust policy lets EC2 (or, for DHMC, Systems Manager) assume it",
    'ロールの信頼ポリシーが EC2 (DHMC の場合は Systems Manager) による引き受けを許可している',
  ),
  requires: ['iam-instance-profile'],
  evaluate({ facts, instance, region }) {
    const cred = credentialRole(facts, instance);
    if (!cred) return { status: 'skip', message: t('the instance has no role to check', 'チェックするロールがありません') };
    const trust = trustOf(facts, cred, region);
    const f = finding(trust, region);
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
    return {
      status: 'warn',
      message: t(
        `${f.message.en}; the agent falls back to the Default Host Management Configuration role ${dhmc.roleName}, which trusts ssm.amazonaws.com, but other software on the instance gets no credentials from the instance profile`,
        `${f.message.ja}。エージェントは ssm.amazonaws.com を信頼する Default Host Management Configuration のロール ${dhmc.roleName} に切り替えますが、インスタンス上の他のソフトウェアはインスタンスプロファイルの認証情報を得られません`,
      ),
      fix: f.fix,
    };
  },
};

function stmtText(st: TrustStatement): Text {
  return st.sid ? t(`statement Sid ${st.sid}`, `ステートメント (Sid ${st.sid})`) : t(`statement ${st.index + 1}`, `${st.index + 1} 番目のステートメント`);
}

function finding({ cred, service, policy, decision }: Trust, region: string): Finding {
  const role = cred.roleName;
  const who = cred.source === 'dhmc' ? t('Systems Manager cannot', 'Systems Manager が') : t('EC2 cannot', 'EC2 が');
  const consequence =
    cred.source === 'dhmc'
      ? t(`${who.en} hand the role's credentials to the agent (Default Host Management Configuration)`, `${who.ja}ロールの認証情報をエージェントに渡せません (Default Host Management Configuration)`)
      : t(`${who.en} deliver the role's credentials to the instance (IMDS), so the agent has none`, `${who.ja}ロールの認証情報をインスタンス (IMDS) に渡せないため、エージェントは認証情報を得られません`);
  switch (decision.decision) {
    case 'allow':
      return {
        status: 'pass',
        message: t(
          `the trust policy of ${role} lets ${service} assume it (${stmtText(decision.by).en})`,
          `${role} の信頼ポリシーは ${service} による引き受けを許可しています (${stmtText(decision.by).ja})`,
        ),
      };
    case 'deny':
      return {
        status: 'fail',
        message: t(
          `${stmtText(decision.by).en} of the trust policy of ${role} denies sts:AssumeRole to ${service}: ${consequence.en}`,
          `${role} の信頼ポリシーの${stmtText(decision.by).ja}が ${service} の sts:AssumeRole を拒否しています。${consequence.ja}`,
        ),
        fix: replaceFix(role, service, policy, region, stmtText(decision.by)),
      };
    case 'implicit': {
      const trusted = trustedPrincipals(policy);
      const instead = trusted.length
        ? t(`lets only ${trusted.join(', ')} assume it, not ${service}`, ` ${trusted.join('、')} だけに引き受けを許可しており、${service} は含まれていません`)
        : t(`lets no one assume it (no Allow for sts:AssumeRole)`, `どのプリンシパルにも引き受け (sts:AssumeRole) を許可していません`);
      return {
        status: 'fail',
        message: t(`the trust policy of ${role} ${instead.en}: ${consequence.en}`, `${role} の信頼ポリシーは${instead.ja}。${consequence.ja}`),
        fix: replaceFix(role, service, policy, region),
      };
    }
    case 'conditional': {
      const keys = decision.keys.join(', ') || 'its condition';
      const what =
        decision.by.effect === 'Allow'
          ? t(`lets ${service} assume it only under a condition on ${keys}`, ` ${keys} の条件付きでのみ ${service} による引き受けを許可しています`)
          : t(`has a Deny for ${service} under a condition on ${keys}`, ` ${keys} の条件付きで ${service} を拒否する Deny があります`);
      return {
        status: 'warn',
        message: t(
          `the trust policy of ${role} ${what.en} (${stmtText(decision.by).en}); ssm-doctor cannot tell whether ${service}'s request meets it: verify`,
          `${role} の信頼ポリシーは${what.ja} (${stmtText(decision.by).ja})。${service} のリクエストが条件を満たすかは ssm-doctor では判断できないため、確認してください`,
        ),
        fix: {
          steps: [
            {
              key: `iam-trust-review:${role}`,
              text: t(
                `IAM → Roles → ${role} → Trust relationships: check that the condition of ${stmtText(decision.by).en} holds when ${service} assumes the role; if not, Edit trust policy and remove or loosen it → Update policy`,
                `「IAM」→「ロール」→「${role}」→「信頼関係」タブで、${service} がロールを引き受けるときに${stmtText(decision.by).ja}の条件が満たされるか確認します。満たされない場合は「信頼ポリシーを編集」で条件を削除または緩め、「ポリシーを更新」をクリックします`,
              ),
            },
          ],
          commands: [aws(region, 'iam', 'get-role', '--role-name', shq(role), '--query', 'Role.AssumeRolePolicyDocument', '--output', 'json')],
        },
      };
    }
  }
}

/** The whole trust policy, corrected, ready for update-assume-role-policy (the other statements kept). */
function replaceFix(role: string, service: string, policy: TrustPolicy, region: string, dropped?: Text): Fix {
  const doc = JSON.stringify(correctedTrustPolicy(policy, service, region));
  const drop = dropped
    ? t(` The command below drops ${dropped.en}; narrow it instead if it must stay.`, ` 下のコマンドは${dropped.ja}を削除します。残す必要がある場合は、代わりに絞り込んでください。`)
    : t('', '');
  return {
    steps: [
      {
        key: `iam-trust:${role}`,
        text: t(
          `IAM → Roles → ${role} → Trust relationships → Edit trust policy: allow "sts:AssumeRole" for the principal {"Service": "${service}"} → Update policy.${drop.en}`,
          `「IAM」→「ロール」→「${role}」→「信頼関係」タブ →「信頼ポリシーを編集」で、プリンシパル {"Service": "${service}"} に "sts:AssumeRole" を許可し、「ポリシーを更新」をクリックします。${drop.ja}`,
        ),
      },
    ],
    commands: [aws(region, 'iam', 'update-assume-role-policy', '--role-name', shq(role), '--policy-document', shq(doc))],
  };
}
