import { DescribeVpcBlockPublicAccessExclusionsCommand, DescribeVpcBlockPublicAccessOptionsCommand } from '@aws-sdk/client-ec2';
import { lastSegment } from '../../aws/arn.js';
import { resourceId as idOf } from '../../aws/ids.js';
import { known } from '../../facts/fact.js';
import type { BlockPublicAccess, BpaExclusion, BpaOptions, Fact } from '../../facts/schema.js';
import type { Clients } from '../sdk/clients.js';
import { attempt, compact, incomplete, pages } from '../sdk/read.js';
import { answerLate } from '../sdk/turns.js';

/**
 * The codes EC2 answers with where an action does not exist (a region or partition that does not
 * offer VPC Block Public Access yet): nothing there can block, so the mode is read as off.
 */
const NOT_OFFERED = new Set(['InvalidAction', 'UnsupportedOperation', 'UnknownOperation', 'NotImplemented']);

const notOffered = <T>(f: Fact<T>): string | undefined => (!f.known && NOT_OFFERED.has(f.code) ? f.code : undefined);

/**
 * The region's VPC Block Public Access: its mode (ec2:DescribeVpcBlockPublicAccessOptions) and
 * every exclusion (ec2:DescribeVpcBlockPublicAccessExclusions), side by side: two calls a region,
 * in the same round as the VPC reads. Exclusions name their VPC or subnet by ARN; the facts keep
 * the id.
 */
export async function blockPublicAccess(c: Clients): Promise<BlockPublicAccess> {
  const [options, exclusions] = await Promise.all([
    attempt('ec2:DescribeVpcBlockPublicAccessOptions', async (): Promise<BpaOptions> => {
      const o = (await c.ec2.send(answerLate(new DescribeVpcBlockPublicAccessOptionsCommand({})))).VpcBlockPublicAccessOptions;
      if (!o?.InternetGatewayBlockMode) throw incomplete('InternetGatewayBlockMode');
      return compact({
        mode: o.InternetGatewayBlockMode,
        state: o.State,
        exclusionsAllowed: o.ExclusionsAllowed,
        managedBy: o.ManagedBy,
      });
    }),
    attempt('ec2:DescribeVpcBlockPublicAccessExclusions', () =>
      pages(
        (NextToken) => c.ec2.send(answerLate(new DescribeVpcBlockPublicAccessExclusionsCommand({ MaxResults: 1000, NextToken }))),
        (o) => o.VpcBlockPublicAccessExclusions,
        (o) => o.NextToken,
      ),
    ),
  ]);
  const unavailable = notOffered(options);
  if (unavailable) return { options: known({ mode: 'off', unavailable }), exclusions: known([]) };
  return {
    options,
    exclusions: exclusions.known ? known(exclusions.value.flatMap(mapExclusion)) : exclusions,
  };
}

const EXCLUSION_ID = idOf('vpcbpa-exclude');
const EXCLUDED = idOf('vpc', 'subnet');

/** An exclusion of a VPC or subnet (`arn:aws:ec2:<region>:<account>:subnet/subnet-…`); anything else names nothing a path crosses. */
function mapExclusion(raw: {
  ExclusionId?: string;
  ResourceArn?: string;
  InternetGatewayExclusionMode?: string;
  State?: string;
}): BpaExclusion[] {
  const resourceId = raw.ResourceArn ? lastSegment(raw.ResourceArn) : '';
  if (!raw.ExclusionId || !EXCLUSION_ID.test(raw.ExclusionId) || !EXCLUDED.test(resourceId)) return [];
  return [{ exclusionId: raw.ExclusionId, resourceId, mode: raw.InternetGatewayExclusionMode ?? '', state: raw.State ?? '' }];
}
