/** Partitions and ARNs: how AWS names things, for the collectors and the checks alike. */

/** The partition of a region: aws, aws-cn, aws-us-gov, or an isolated one. */
export function partitionOfRegion(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  if (region.startsWith('eu-isoe-')) return 'aws-iso-e';
  if (region.startsWith('us-isof-')) return 'aws-iso-f';
  return 'aws';
}

export interface ArnParts {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

/** `arn:<partition>:<service>:<region>:<account>:…` → its parts; undefined for anything that is not an ARN. */
export function arnParts(arn: string): ArnParts | undefined {
  const m = /^arn:([^:]+):([^:]+):([^:]*):([^:]*):(.+)$/.exec(arn);
  return m ? { partition: m[1]!, service: m[2]!, region: m[3]!, account: m[4]!, resource: m[5]! } : undefined;
}

/** The 12-digit account of an ARN, when it has one. */
export function accountOfArn(arn: string): string | undefined {
  const account = arn.split(':')[4];
  return account && /^\d{12}$/.test(account) ? account : undefined;
}

/** The last path segment of an IAM ARN or of a name with a path (`service-role/X` → `X`). */
export function lastSegment(nameOrArn: string): string {
  return nameOrArn.slice(nameOrArn.lastIndexOf('/') + 1);
}

/** Where a resource lives: what every ARN built here is made of. */
export interface ArnScope {
  partition: string;
  region: string;
  account: string;
}

export const scopeOf = (region: string, account: string, partition = partitionOfRegion(region)): ArnScope => ({
  partition,
  region,
  account,
});

export const instanceArn = (id: string, s: ArnScope) => `arn:${s.partition}:ec2:${s.region}:${s.account}:instance/${id}`;

/** An AWS managed policy's ARN in the region's partition. */
export const awsManagedPolicyArn = (region: string, name: string) => `arn:${partitionOfRegion(region)}:iam::aws:policy/${name}`;

/** Whether an ARN names an AWS managed policy (which no account can edit). */
export const isAwsManagedPolicyArn = (arn: string) => /^arn:aws[a-z-]*:iam::aws:policy\//.test(arn);

/** The key ARN of a key id, alias name or ARN as the session preferences hold it. */
export function kmsKeyArn(kmsKeyId: string, s: ArnScope): string {
  if (kmsKeyId.startsWith('arn:')) return kmsKeyId;
  const resource = kmsKeyId.startsWith('alias/') ? kmsKeyId : `key/${kmsKeyId}`;
  return `arn:${s.partition}:kms:${s.region}:${s.account}:${resource}`;
}
