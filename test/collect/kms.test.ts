import 'aws-sdk-client-mock-jest';
import { DescribeKeyCommand, GetKeyPolicyCommand } from '@aws-sdk/client-kms';
import { GetDocumentCommand } from '@aws-sdk/client-ssm';
import { gather } from '../../src/collect/gather';
import { factsSchema, known } from '../../src/facts/schema';
import { IDS } from '../helpers/facts';
import { answerHealthy, awsError, mockedAws, type MockedAws } from './helpers/aws';

const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const KEY = `arn:aws:kms:${IDS.region}:${IDS.account}:key/${KEY_ID}`;
const POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'Enable IAM User Permissions',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${IDS.account}:root` },
      Action: 'kms:*',
      Resource: '*',
    },
  ],
};

const run = (m: MockedAws) => gather(m.clients, [IDS.instance], () => new Date(0), { PATH: '' });
const stats = (m: MockedAws) => m.clients.recorder.stats();
const prefs = (m: MockedAws, kmsKeyId?: string) =>
  m.ssm.on(GetDocumentCommand).resolves({
    Name: 'SSM-SessionManagerRunShell',
    DocumentFormat: 'JSON',
    Content: JSON.stringify({
      schemaVersion: '1.0',
      sessionType: 'Standard_Stream',
      inputs: { kmsKeyId: kmsKeyId ?? '', s3BucketName: '', cloudWatchLogGroupName: '' },
    }),
  });
const metadata = (patch: object = {}) => ({
  KeyMetadata: {
    KeyId: KEY_ID,
    Arn: KEY,
    KeyState: 'Enabled' as const,
    KeyManager: 'CUSTOMER' as const,
    KeySpec: 'SYMMETRIC_DEFAULT' as const,
    ...patch,
  },
});

describe('gather: the KMS key of the session preferences', () => {
  let m: MockedAws;
  let baseline: number;
  beforeAll(async () => {
    const b = await mockedAws();
    answerHealthy(b);
    prefs(b);
    await run(b);
    baseline = stats(b).calls;
    b.clients.destroy();
  });
  beforeEach(async () => {
    m = await mockedAws();
    answerHealthy(m);
  });
  afterEach(() => m.clients.destroy());

  it('reads no key, and makes no KMS call, when the preferences name none', async () => {
    prefs(m);
    const facts = await run(m);
    expect(facts.sessionKey).toBeUndefined();
    expect(m.kms.calls()).toHaveLength(0);
    expect(Object.keys(stats(m).byOperation).filter((op) => op.startsWith('kms:'))).toEqual([]);
  });

  it('reads a key named by id or ARN with DescribeKey and GetKeyPolicy side by side: two calls more, no round more', async () => {
    prefs(m, KEY);
    m.kms.on(DescribeKeyCommand).resolves(metadata());
    m.kms.on(GetKeyPolicyCommand).resolves({ PolicyName: 'default', Policy: JSON.stringify(POLICY) });
    const facts = await run(m);
    expect(facts.sessionKey).toEqual({
      kmsKeyId: KEY,
      key: known({ keyId: KEY_ID, arn: KEY, keyState: 'Enabled', keyManager: 'CUSTOMER', keySpec: 'SYMMETRIC_DEFAULT' }),
      policy: known(POLICY),
    });
    expect(m.kms).toHaveReceivedCommandWith(DescribeKeyCommand, { KeyId: KEY });
    expect(m.kms).toHaveReceivedCommandWith(GetKeyPolicyCommand, { KeyId: KEY, PolicyName: 'default' });
    expect(factsSchema.parse(JSON.parse(JSON.stringify(facts)))).toBeTruthy();
    expect(stats(m).calls).toBe(baseline + 2);
    expect(stats(m).rounds).toBe(3);
  });

  it('resolves an alias with DescribeKey first, then reads the policy of the key behind it', async () => {
    prefs(m, 'alias/session');
    m.kms.on(DescribeKeyCommand).resolves(metadata({ KeyState: 'PendingDeletion', DeletionDate: new Date('2026-12-11T00:00:00Z') }));
    m.kms.on(GetKeyPolicyCommand).resolves({ Policy: JSON.stringify(POLICY) });
    const facts = await run(m);
    expect(m.kms).toHaveReceivedCommandWith(DescribeKeyCommand, { KeyId: 'alias/session' });
    expect(m.kms).toHaveReceivedCommandWith(GetKeyPolicyCommand, { KeyId: KEY, PolicyName: 'default' });
    expect(facts.sessionKey?.key).toEqual(
      known(expect.objectContaining({ keyState: 'PendingDeletion', deletionDate: '2026-12-11T00:00:00.000Z' })),
    );
  });

  it('a key that does not exist is null; for an alias no policy is asked', async () => {
    prefs(m, 'alias/gone');
    m.kms
      .on(DescribeKeyCommand)
      .rejects(awsError('kms', 'NotFoundException', 'Alias arn:aws:kms:ap-northeast-1:123456789012:alias/gone is not found.'));
    const facts = await run(m);
    expect(facts.sessionKey?.key).toEqual(known(null));
    expect(facts.sessionKey?.policy).toMatchObject({ known: false, call: 'kms:GetKeyPolicy', code: 'NotCollected' });
    expect(m.kms.commandCalls(GetKeyPolicyCommand)).toHaveLength(0);
  });

  it('denied reads are unknown, naming each call', async () => {
    prefs(m, KEY_ID);
    m.kms.on(DescribeKeyCommand).rejects(awsError('kms', 'AccessDeniedException'));
    m.kms.on(GetKeyPolicyCommand).rejects(awsError('kms', 'AccessDeniedException'));
    const facts = await run(m);
    expect(facts.sessionKey).toMatchObject({
      kmsKeyId: KEY_ID,
      key: { known: false, call: 'kms:DescribeKey', code: 'AccessDeniedException' },
      policy: { known: false, call: 'kms:GetKeyPolicy', code: 'AccessDeniedException' },
    });
  });

  it('an answer without the key metadata or the policy is unknown, not an empty key', async () => {
    prefs(m, KEY);
    const facts = await run(m);
    expect(facts.sessionKey?.key).toMatchObject({ known: false, call: 'kms:DescribeKey', code: 'IncompleteResponse' });
    expect(facts.sessionKey?.policy).toMatchObject({ known: false, call: 'kms:GetKeyPolicy', code: 'IncompleteResponse' });
  });
});
