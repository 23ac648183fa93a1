import 'aws-sdk-client-mock-jest';
import { SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { principalOf } from '../../src/collect/iam/caller';
import { arnParts, kmsKeyArn, partitionOfRegion } from '../../src/aws/arn';
import { callerPairs, rolePairs, simulate } from '../../src/collect/iam/simulate';
import { AGENT_ACTIONS } from '../../src/aws/agent';
import { IDS } from '../helpers/facts';
import { allowed, mockedAws } from './helpers/aws';

const scope = { partition: 'aws', region: IDS.region, account: IDS.account };

describe('principalOf', () => {
  it('maps a role session to its role, keeps an IAM user, and has nothing for root or a federated user', () => {
    expect(principalOf('arn:aws:sts::123456789012:assumed-role/Admin/alice')).toBe('arn:aws:iam::123456789012:role/Admin');
    expect(principalOf('arn:aws-cn:sts::123456789012:assumed-role/Ops/i-0abc')).toBe('arn:aws-cn:iam::123456789012:role/Ops');
    expect(principalOf('arn:aws:iam::123456789012:user/team/bob')).toBe('arn:aws:iam::123456789012:user/team/bob');
    expect(principalOf('arn:aws:iam::123456789012:root')).toBeUndefined();
    expect(principalOf('arn:aws:sts::123456789012:federated-user/carol')).toBeUndefined();
  });
});

describe('ARNs', () => {
  it('knows the partition of a region and the parts of an ARN', () => {
    expect(partitionOfRegion('ap-northeast-1')).toBe('aws');
    expect(partitionOfRegion('cn-north-1')).toBe('aws-cn');
    expect(partitionOfRegion('us-gov-west-1')).toBe('aws-us-gov');
    expect(arnParts('arn:aws:iam::123456789012:role/service-role/X')).toEqual({
      partition: 'aws',
      service: 'iam',
      region: '',
      account: '123456789012',
      resource: 'role/service-role/X',
    });
    expect(arnParts('not-an-arn')).toBeUndefined();
  });

  it('builds the key ARN from a key id or alias, and keeps an ARN', () => {
    expect(kmsKeyArn('1234abcd', scope)).toBe(`arn:aws:kms:${IDS.region}:${IDS.account}:key/1234abcd`);
    expect(kmsKeyArn('alias/ssm', scope)).toBe(`arn:aws:kms:${IDS.region}:${IDS.account}:alias/ssm`);
    expect(kmsKeyArn('arn:aws:kms:us-east-1:999999999999:key/x', scope)).toBe('arn:aws:kms:us-east-1:999999999999:key/x');
  });
});

describe('rolePairs and callerPairs', () => {
  it('asks only the agent actions when no preference needs more', () => {
    expect(rolePairs(null, scope)).toEqual(AGENT_ACTIONS.map((action) => ({ action })));
    expect(rolePairs({ documentName: 'SSM-SessionManagerRunShell', runAsEnabled: true }, scope)).toHaveLength(AGENT_ACTIONS.length);
  });

  it('puts the S3 actions on the object under the prefix and on the bucket', () => {
    const pairs = rolePairs({ documentName: 'd', s3BucketName: 'b', s3KeyPrefix: '/logs/x/' }, scope).slice(AGENT_ACTIONS.length);
    expect(pairs).toEqual([
      { action: 's3:PutObject', resource: 'arn:aws:s3:::b/logs/x/*' },
      { action: 's3:GetEncryptionConfiguration', resource: 'arn:aws:s3:::b' },
    ]);
    expect(rolePairs({ documentName: 'd', s3BucketName: 'b' }, scope)[AGENT_ACTIONS.length]?.resource).toBe('arn:aws:s3:::b/*');
  });

  it("puts the Logs stream actions on the group's streams and DescribeLogGroups on every group, as session-preferences judges them", () => {
    const pairs = rolePairs({ documentName: 'd', cloudWatchLogGroupName: '/ssm/s' }, scope).slice(AGENT_ACTIONS.length);
    const groups = `arn:aws:logs:${IDS.region}:${IDS.account}:log-group:`;
    expect(pairs).toEqual([
      { action: 'logs:CreateLogStream', resource: `${groups}/ssm/s:log-stream:*` },
      { action: 'logs:PutLogEvents', resource: `${groups}/ssm/s:log-stream:*` },
      { action: 'logs:DescribeLogGroups', resource: `${groups}*` },
      { action: 'logs:DescribeLogStreams', resource: `${groups}/ssm/s:log-stream:*` },
    ]);
  });

  it('asks kms:Decrypt on * for an alias, whose key IAM authorises but the preferences do not name', () => {
    expect(rolePairs({ documentName: 'd', kmsKeyId: 'alias/ssm' }, scope).slice(AGENT_ACTIONS.length)).toEqual([{ action: 'kms:Decrypt' }]);
    expect(callerPairs([], { documentName: 'd', kmsKeyId: `arn:aws:kms:${IDS.region}:${IDS.account}:alias/ssm` }, scope)).toContainEqual({
      action: 'kms:GenerateDataKey',
    });
  });

  it('asks ssm:StartSession on every instance and the document, and kms:GenerateDataKey only with a key', () => {
    expect(callerPairs(['i-1'], null, scope)).toEqual([
      { action: 'ssm:StartSession', resource: `arn:aws:ec2:${IDS.region}:${IDS.account}:instance/i-1` },
      { action: 'ssm:StartSession', resource: `arn:aws:ssm:${IDS.region}:${IDS.account}:document/SSM-SessionManagerRunShell` },
    ]);
    expect(callerPairs([], { documentName: 'd', kmsKeyId: 'k' }, scope)).toContainEqual({
      action: 'kms:GenerateDataKey',
      resource: `arn:aws:kms:${IDS.region}:${IDS.account}:key/k`,
    });
  });
});

describe('simulate', () => {
  it('asks once for every action on every resource, follows Marker pages, and keeps only the pairs asked for', async () => {
    const m = await mockedAws();
    m.iam
      .on(SimulatePrincipalPolicyCommand)
      .resolves({
        EvaluationResults: [
          allowed('kms:Decrypt', 'arn:k', 'p'),
          allowed('kms:Decrypt', '*', 'p'),
          allowed('ssm:UpdateInstanceInformation', '*', 'p'),
        ],
        IsTruncated: true,
        Marker: 'mk-2',
      })
      .on(SimulatePrincipalPolicyCommand, { Marker: 'mk-2' })
      .resolves({
        EvaluationResults: [
          allowed('ssm:UpdateInstanceInformation', 'arn:k', 'p'),
          allowed('ssm:UpdateInstanceInformation', 'arn:unasked', 'p'),
        ],
        IsTruncated: false,
      });
    const out = await simulate(m.clients, IDS.roleArn, [
      { action: 'ssm:UpdateInstanceInformation' },
      { action: 'kms:Decrypt', resource: 'arn:k' },
    ]);
    expect(m.iam).toHaveReceivedNthCommandWith(1, SimulatePrincipalPolicyCommand, {
      PolicySourceArn: IDS.roleArn,
      ActionNames: ['ssm:UpdateInstanceInformation', 'kms:Decrypt'],
      ResourceArns: ['*', 'arn:k'],
    });
    expect(m.iam).toHaveReceivedNthCommandWith(2, SimulatePrincipalPolicyCommand, { Marker: 'mk-2' });
    // kms:Decrypt on * and UpdateInstanceInformation on the key were not asked for; a resource IAM made up is kept.
    expect(out.map((r) => `${r.action} ${r.resource}`)).toEqual([
      'kms:Decrypt arn:k',
      'ssm:UpdateInstanceInformation *',
      'ssm:UpdateInstanceInformation arn:unasked',
    ]);
    m.clients.destroy();
  });
});
