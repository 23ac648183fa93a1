import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { SSMClient } from '@aws-sdk/client-ssm';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { CollectError } from './errors.js';
import { GUARD_OPTIONS, Recorder, guardMiddleware } from './guard.js';

export interface ClientOptions {
  region?: string;
  profile?: string;
}

export interface Clients {
  ec2: EC2Client;
  iam: IAMClient;
  ssm: SSMClient;
  region: string;
  /** The profile in effect (`--profile`, else AWS_PROFILE), for hints. */
  profile?: string;
  recorder: Recorder;
  destroy(): void;
}

const handler = () => new NodeHttpHandler({ connectionTimeout: 3_000, requestTimeout: 10_000, throwOnRequestTimeout: true });

/**
 * The three clients, guarded and recorded. Region: --region, AWS_REGION, AWS_DEFAULT_REGION (as
 * the AWS CLI does), then the profile's. No `endpoint` is ever passed, so AWS_ENDPOINT_URL and
 * AWS_ENDPOINT_URL_<SERVICE> keep working.
 */
export async function buildClients(opts: ClientOptions, env: NodeJS.ProcessEnv = process.env): Promise<Clients> {
  // A `profile` client option would ignore the profile's endpoint_url; AWS_PROFILE does not.
  if (opts.profile) env.AWS_PROFILE = opts.profile;
  const profile = opts.profile || env.AWS_PROFILE || undefined;
  const explicit = opts.region || env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined;
  const recorder = new Recorder();
  const common = { retryMode: 'adaptive', maxAttempts: 5 } as const;

  const ec2 = new EC2Client({ ...common, region: explicit, requestHandler: handler() });
  const destroyAll = (...cs: { destroy(): void }[]) => cs.forEach((c) => c.destroy());
  let region: string | undefined;
  try {
    region = await ec2.config.region();
  } catch {
    region = undefined;
  }
  if (!region) {
    destroyAll(ec2);
    const hint = profile ? ` (profile ${profile} names no region, or does not exist)` : '';
    throw new CollectError(`no AWS region: pass --region or set AWS_REGION${hint}`);
  }
  // One credential provider for all three clients: an SSO or IMDS lookup happens once, not three times.
  const shared = { ...common, region, credentials: ec2.config.credentials };
  const iam = new IAMClient({ ...shared, requestHandler: handler() });
  const ssm = new SSMClient({ ...shared, requestHandler: handler() });
  ec2.middlewareStack.add(guardMiddleware(recorder), GUARD_OPTIONS);
  iam.middlewareStack.add(guardMiddleware(recorder), GUARD_OPTIONS);
  ssm.middlewareStack.add(guardMiddleware(recorder), GUARD_OPTIONS);
  return { ec2, iam, ssm, region, profile, recorder, destroy: () => destroyAll(ec2, iam, ssm) };
}
