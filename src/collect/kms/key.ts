/** The KMS key the Session Manager preferences name: its state (kms:DescribeKey) and its key policy (kms:GetKeyPolicy). */
import { DescribeKeyCommand, GetKeyPolicyCommand } from '@aws-sdk/client-kms';
import { kmsAliasOf } from '../../aws/session-preferences.js';
import { known } from '../../facts/fact.js';
import type { Fact, KmsKey, SessionKey } from '../../facts/schema.js';
import type { Clients } from '../sdk/clients.js';
import { codeOf, unknownOf } from '../sdk/errors.js';
import { RefusedOperation } from '../sdk/guard.js';
import { attempt, compact, incomplete } from '../sdk/read.js';

/** The key, or null when KMS says the key (or the alias) does not exist. */
async function describeKey(c: Clients, kmsKeyId: string): Promise<Fact<KmsKey | null>> {
  try {
    const m = (await c.kms.send(new DescribeKeyCommand({ KeyId: kmsKeyId }))).KeyMetadata;
    if (!m?.KeyId || !m.Arn || !m.KeyState) throw incomplete('KeyMetadata (KeyId, Arn, KeyState)');
    return known(
      compact({
        keyId: m.KeyId,
        arn: m.Arn,
        keyState: m.KeyState,
        keyManager: m.KeyManager ?? 'CUSTOMER',
        keySpec: m.KeySpec,
        deletionDate: m.DeletionDate?.toISOString(),
      }),
    );
  } catch (e) {
    if (e instanceof RefusedOperation) throw e;
    if (codeOf(e) === 'NotFoundException') return known(null);
    return unknownOf('kms:DescribeKey', e);
  }
}

/** The key policy as an object (KMS returns it as JSON text, not URL-encoded as IAM does). */
function keyPolicy(c: Clients, keyId: string): Promise<Fact<unknown>> {
  return attempt('kms:GetKeyPolicy', async () => {
    const policy = (await c.kms.send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default' }))).Policy;
    if (!policy) throw incomplete('Policy');
    return JSON.parse(policy) as unknown;
  });
}

/**
 * Both reads side by side when the preferences name the key by id or ARN; GetKeyPolicy does not
 * take an alias, so an alias is resolved by DescribeKey first.
 */
export async function sessionKey(c: Clients, kmsKeyId: string): Promise<SessionKey> {
  if (!kmsAliasOf(kmsKeyId)) {
    const [key, policy] = await Promise.all([describeKey(c, kmsKeyId), keyPolicy(c, kmsKeyId)]);
    return { kmsKeyId, key, policy };
  }
  const key = await describeKey(c, kmsKeyId);
  if (key.known && key.value) return { kmsKeyId, key, policy: await keyPolicy(c, key.value.arn) };
  const why = key.known ? `${kmsKeyId} does not exist` : `kms:DescribeKey did not name the key behind ${kmsKeyId}`;
  return { kmsKeyId, key, policy: { known: false, call: 'kms:GetKeyPolicy', code: 'NotCollected', message: why } };
}
