/**
 * What each Session Manager preference requires of the instance and of the caller: the service it
 * reaches, the requests the instance role and the caller make (action and resource), and the inline
 * statements that grant the role's. One list for the collector, which asks IAM's simulator about
 * exactly these requests, and for the check, which judges them.
 */
import { instanceArn, kmsKeyArn, type ArnScope } from './arn.js';
import { SESSION_DOCUMENT } from './services.js';

export type PreferenceService = 'kms' | 's3' | 'logs';

/** The Session Manager preferences that ask something of the instance or the caller (fields of the SSM-SessionManagerRunShell inputs). */
export interface PreferenceSettings {
  kmsKeyId?: string;
  s3BucketName?: string;
  s3KeyPrefix?: string;
  s3EncryptionEnabled?: boolean;
  cloudWatchLogGroupName?: string;
  cloudWatchEncryptionEnabled?: boolean;
}

/** One action on one resource; no resource means the resource is not known (IAM's simulator is asked about `*`). */
export interface PreferenceRequest {
  action: string;
  resource?: string;
}

/** Where an ARN is built: the account may be unknown (a facts file without it), and then no ARN names it. */
export type PreferenceScope = Omit<ArnScope, 'account'> & { account?: string };

interface NeedBase {
  service: PreferenceService;
  /** Unmet, sessions fail (KMS, or logging with encryption enforced); otherwise only the logs are lost. */
  blocking: boolean;
  /** What the instance role asks for. */
  requests: PreferenceRequest[];
  /** What the caller asks for (session-manager-plugin generates the data key). */
  callerRequests: PreferenceRequest[];
  /** The inline policy statements that grant `requests`, for a fix. */
  statements: object[];
}

export type PreferenceNeed =
  | (NeedBase & { service: 'kms'; key: string })
  | (NeedBase & { service: 's3'; bucket: string; encrypted: boolean })
  | (NeedBase & { service: 'logs'; group: string; encrypted: boolean });

/** An alias (`alias/x` or its ARN): the key it names is not known here, so neither is the key ARN IAM authorises. */
export function kmsAliasOf(kmsKeyId: string): string | undefined {
  if (kmsKeyId.startsWith('alias/')) return kmsKeyId;
  const i = kmsKeyId.indexOf(':alias/');
  return i >= 0 ? kmsKeyId.slice(i + 1) : undefined;
}

/** The key ARN that kms:Decrypt and kms:GenerateDataKey are authorised against; undefined for an alias or an unknown account. */
export function kmsRequestArn(kmsKeyId: string, s: PreferenceScope): string | undefined {
  if (kmsAliasOf(kmsKeyId)) return undefined;
  if (kmsKeyId.startsWith('arn:')) return kmsKeyId;
  return s.account ? kmsKeyArn(kmsKeyId, { ...s, account: s.account }) : undefined;
}

/** The statement that grants `action` on the preferences' key: on the key ARN, or for an alias on the keys it names. */
export function kmsStatement(action: string, kmsKeyId: string, s: PreferenceScope): object {
  const alias = kmsAliasOf(kmsKeyId);
  if (!alias) return { Effect: 'Allow', Action: action, Resource: kmsRequestArn(kmsKeyId, s) ?? '*' };
  return {
    Effect: 'Allow',
    Action: action,
    Resource: `arn:${s.partition}:kms:${s.region}:${s.account ?? '*'}:key/*`,
    Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': alias } },
  };
}

function kmsNeed(key: string, s: PreferenceScope): PreferenceNeed {
  const resource = kmsRequestArn(key, s);
  return {
    service: 'kms',
    key,
    blocking: true,
    requests: [{ action: 'kms:Decrypt', ...(resource ? { resource } : {}) }],
    callerRequests: [{ action: 'kms:GenerateDataKey', ...(resource ? { resource } : {}) }],
    statements: [kmsStatement('kms:Decrypt', key, s)],
  };
}

/** The agent writes `<prefix>/<session>.log`: the request is on any object under the prefix, which is also what the fix grants. */
function s3Need(p: PreferenceSettings, bucket: string, s: PreferenceScope): PreferenceNeed {
  const prefix = (p.s3KeyPrefix ?? '').replace(/^\/+|\/+$/g, '');
  const bucketArn = `arn:${s.partition}:s3:::${bucket}`;
  const objects = `${bucketArn}/${prefix ? `${prefix}/` : ''}*`;
  return {
    service: 's3',
    bucket,
    encrypted: p.s3EncryptionEnabled === true,
    blocking: p.s3EncryptionEnabled === true,
    requests: [
      { action: 's3:PutObject', resource: objects },
      { action: 's3:GetEncryptionConfiguration', resource: bucketArn },
    ],
    callerRequests: [],
    statements: [
      { Effect: 'Allow', Action: 's3:PutObject', Resource: objects },
      { Effect: 'Allow', Action: 's3:GetEncryptionConfiguration', Resource: bucketArn },
    ],
  };
}

/** What the agent calls to write session logs to CloudWatch Logs (and to check the group's encryption). */
export const LOGS_ACTIONS = ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogGroups', 'logs:DescribeLogStreams'] as const;
const LOGS_STREAM_ACTIONS = LOGS_ACTIONS.filter((a) => a !== 'logs:DescribeLogGroups');

/**
 * The stream actions are on the group's streams (`log-group:<g>:log-stream:*`, which `log-group:<g>:*`
 * and `*` grant); DescribeLogGroups lists by name prefix, so it is on every group of the account.
 */
function logsNeed(p: PreferenceSettings, group: string, s: PreferenceScope): PreferenceNeed {
  const groups = s.account ? `arn:${s.partition}:logs:${s.region}:${s.account}:log-group:` : undefined;
  const streams = groups && `${groups}${group}:log-stream:*`;
  return {
    service: 'logs',
    group,
    encrypted: p.cloudWatchEncryptionEnabled === true,
    blocking: p.cloudWatchEncryptionEnabled === true,
    requests: LOGS_ACTIONS.map((action) => {
      const resource = action === 'logs:DescribeLogGroups' ? groups && `${groups}*` : streams;
      return { action, ...(resource ? { resource } : {}) };
    }),
    callerRequests: [],
    statements: [
      {
        Effect: 'Allow',
        Action: [...LOGS_STREAM_ACTIONS],
        Resource: `arn:${s.partition}:logs:${s.region}:${s.account ?? '*'}:log-group:${group}:*`,
      },
      { Effect: 'Allow', Action: 'logs:DescribeLogGroups', Resource: '*' },
    ],
  };
}

/** The preferences that are on, in the order KMS, S3, CloudWatch Logs, with what each needs. */
export function preferenceNeeds(p: PreferenceSettings | null, s: PreferenceScope): PreferenceNeed[] {
  if (!p) return [];
  const needs: PreferenceNeed[] = [];
  if (p.kmsKeyId) needs.push(kmsNeed(p.kmsKeyId, s));
  if (p.s3BucketName) needs.push(s3Need(p, p.s3BucketName, s));
  if (p.cloudWatchLogGroupName) needs.push(logsNeed(p, p.cloudWatchLogGroupName, s));
  return needs;
}

/** The session document's ARN, which ssm:StartSession is authorised against beside the instance. */
export const sessionDocumentArn = (s: ArnScope) => `arn:${s.partition}:ssm:${s.region}:${s.account}:document/${SESSION_DOCUMENT}`;

/** What the caller asks to start a session on one instance: ssm:StartSession on the instance and on the session document. */
export function startSessionRequests(instanceId: string, s: ArnScope): { instance: PreferenceRequest; document: PreferenceRequest } {
  return {
    instance: { action: 'ssm:StartSession', resource: instanceArn(instanceId, s) },
    document: { action: 'ssm:StartSession', resource: sessionDocumentArn(s) },
  };
}
