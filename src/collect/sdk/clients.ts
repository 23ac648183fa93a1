import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { Route53Client } from '@aws-sdk/client-route-53';
import { Route53ResolverClient } from '@aws-sdk/client-route53resolver';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsCredentialIdentity, MetadataBearer, MiddlewareStack } from '@smithy/types';
import { ANSWER_OPTIONS, answerMiddleware } from './answer.js';
import { limitSends, type Deadline } from './deadline.js';
import { CollectError } from './errors.js';
import { GUARD_OPTIONS, Recorder, guardMiddleware } from './guard.js';
import { limitConcurrency, MAX_IN_FLIGHT } from './limit.js';
import { profileSettings, type ProfileSettings } from './profile.js';
import { agents } from './network.js';
import { turnToWrite } from './turns.js';

export interface ClientOptions {
  region?: string;
  profile?: string;
  /** The run's deadline (--timeout): calls still running then end as DeadlineExceeded. */
  deadline?: Deadline;
  /**
   * Several profiles or accounts are read side by side: the profile goes to each client, not into
   * AWS_PROFILE, which every client of the process would share (a profile's `endpoint_url` is then
   * not read; AWS_ENDPOINT_URL_<SERVICE> still is).
   */
  sideBySide?: boolean;
  /** Credentials to read with (an assumed role in organisation mode) instead of the profile's own. */
  credentials?: AwsCredentialIdentity;
}

export interface Clients {
  ec2: EC2Client;
  iam: IAMClient;
  ssm: SSMClient;
  sts: STSClient;
  /** Route 53 is global; its client still takes the region (it picks the partition's endpoint). */
  route53: Route53Client;
  /** Read only when the Session Manager preferences name a KMS key. */
  kms: KMSClient;
  route53resolver: Route53ResolverClient;
  region: string;
  /** The profile in effect (`--profile`, else AWS_PROFILE), for hints. */
  profile?: string;
  /** What the shared config says of that profile (credential_process, region), for hints. */
  settings?: ProfileSettings;
  recorder: Recorder;
  destroy(): void;
}

/**
 * Sends each request at the end of the event-loop turn in which it was made, not the moment the
 * SDK has signed it, and before any answer still waiting to be parsed (./turns.ts). A round's
 * requests are made in one burst (a fleet's VPC reads, attributes and simulations: about 200 of
 * them); written as each is built, the first are answered before the last leave, and AWS sees one
 * round as several.
 */
class RoundHandler extends NodeHttpHandler {
  override async handle(...args: Parameters<NodeHttpHandler['handle']>): ReturnType<NodeHttpHandler['handle']> {
    await turnToWrite();
    return super.handle(...args);
  }
}

/**
 * Per attempt: 3 s to connect, 10 s without an answer; the retry strategy then tries again (5
 * attempts in all). As many sockets as calls in flight, so none waits for a socket unseen.
 */
const handler = (profileCaBundle: string | undefined, env: NodeJS.ProcessEnv) =>
  new RoundHandler({
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
    throwOnRequestTimeout: true,
    // HTTPS_PROXY / NO_PROXY and the CA bundle, as the AWS CLI honours them (./network.ts).
    ...agents({ keepAlive: true, maxSockets: MAX_IN_FLIGHT }, profileCaBundle, env),
  });

/**
 * The clients, guarded and recorded. Region: --region, AWS_REGION, AWS_DEFAULT_REGION (as
 * the AWS CLI does), then the profile's. No `endpoint` is ever passed, so AWS_ENDPOINT_URL and
 * AWS_ENDPOINT_URL_<SERVICE> keep working.
 */
export async function buildClients(opts: ClientOptions, env: NodeJS.ProcessEnv = process.env): Promise<Clients> {
  // A `profile` client option would ignore the profile's endpoint_url; AWS_PROFILE does not.
  if (opts.profile && !opts.sideBySide) env.AWS_PROFILE = opts.profile;
  quietSdk();
  const profile = opts.profile || env.AWS_PROFILE || undefined;
  const explicit = opts.region || env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined;
  const recorder = new Recorder();
  const settings = await profileSettings(profile, env);
  const common = retries(opts);
  // EC2's handler also carries the credential chain's own calls; the other clients share its credentials.
  const ec2Handler = handler(settings.caBundle, env);
  const ec2 = new EC2Client({
    ...common,
    region: explicit,
    requestHandler: ec2Handler,
    ...(opts.credentials ? { credentials: opts.credentials } : viaNetwork(ec2Handler)),
  });
  const destroyAll = (...cs: { destroy(): void }[]) => cs.forEach((c) => c.destroy());
  let region: string | undefined;
  try {
    region = await ec2.config.region();
  } catch {
    region = undefined;
  }
  if (!region) {
    destroyAll(ec2);
    throw new CollectError(noRegion(profile, settings));
  }
  // One credential provider for all the clients: an SSO or IMDS lookup happens once, not once per client.
  const shared = () => ({ ...common, region, credentials: ec2.config.credentials, requestHandler: handler(settings.caBundle, env) });
  const guard = <C extends { middlewareStack: MiddlewareStack<object, MetadataBearer> }>(c: C) => guardedClient(c, recorder, opts.deadline);
  guard(ec2);
  const iam = guard(new IAMClient(shared()));
  const ssm = guard(new SSMClient(shared()));
  const sts = guard(new STSClient(shared()));
  const route53 = guard(new Route53Client(shared()));
  const kms = guard(new KMSClient(shared()));
  // The registry's one Route 53 Resolver client is an older release: its @smithy/types are another copy of the same shapes.
  const route53resolver = new Route53ResolverClient(shared());
  guard(route53resolver as unknown as { middlewareStack: MiddlewareStack<object, MetadataBearer> });
  return {
    ec2,
    iam,
    ssm,
    sts,
    route53,
    kms,
    route53resolver,
    region,
    profile,
    settings,
    recorder,
    destroy: () => destroyAll(ec2, iam, ssm, sts, route53, kms, route53resolver),
  };
}

/**
 * One more client outside a region's set (Organizations, or STS to assume a role), guarded and
 * bounded like the others: only allowlisted operations, the run's deadline, the same handler.
 */
export function guardedClient<I extends object, O extends MetadataBearer, C extends { middlewareStack: MiddlewareStack<I, O> }>(
  client: C,
  recorder: Recorder,
  deadline?: Deadline,
): C {
  client.middlewareStack.add(guardMiddleware<I, O>(recorder), GUARD_OPTIONS);
  client.middlewareStack.add(answerMiddleware<I, O>(), ANSWER_OPTIONS);
  if (deadline) limitSends(client, deadline);
  return limitConcurrency(client);
}

/**
 * The SDK's multi-line notice about its own future Node support is for ssm-doctor's developers
 * (package.json `engines` states what the tool needs); it would break the one-line stderr contract.
 */
function quietSdk(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}

/**
 * Retries, and the profile when several are read side by side: what every client is made with.
 * Standard mode: each call backs off on its own (exponential, with full jitter) for up to 5
 * attempts, and the calls stay side by side. Adaptive mode's client-side rate limiter made a
 * throttled account's whole run queue behind one token bucket, one call every two seconds.
 */
function retries(opts: Pick<ClientOptions, 'profile' | 'sideBySide'>) {
  return { retryMode: 'standard', maxAttempts: 5, ...(opts.sideBySide && opts.profile ? { profile: opts.profile } : {}) } as const;
}

/** The settings of a region's clients, for one more client: retries, the profile, the HTTP handler. */
export async function clientSettings(opts: Pick<ClientOptions, 'profile' | 'sideBySide'>, env: NodeJS.ProcessEnv = process.env) {
  quietSdk();
  const requestHandler = handler((await profileSettings(opts.profile, env)).caBundle, env);
  return { ...retries(opts), requestHandler, ...viaNetwork(requestHandler) };
}

/**
 * The SDK's own credential chain, with one change: the clients it makes for itself (IAM Identity
 * Center's sso and sso-oidc, STS for a role to assume or a web identity) send through the client's
 * own handler (destroyed with it), so a corporate proxy and CA bundle reach them too. Left alone,
 * IAM Identity Center's clients connected directly, and an SSO profile behind a proxy could not
 * get credentials at all.
 */
function viaNetwork(requestHandler: NodeHttpHandler) {
  return {
    credentialDefaultProvider: (input: object) => defaultProvider({ ...input, clientConfig: { requestHandler } }),
  };
}

/** "No region", with where to set one: the profile's own region when there is a profile. */
function noRegion(profile: string | undefined, settings: ProfileSettings): string {
  if (profile && !settings.exists)
    return `no AWS region: profile ${profile} does not exist (aws configure list-profiles), and neither --region nor AWS_REGION is set`;
  if (profile)
    return `no AWS region: profile ${profile} has no region; set it with aws configure set region REGION --profile ${profile}, or pass --region or set AWS_REGION`;
  return 'no AWS region: pass --region, set AWS_REGION, or give your default profile one (aws configure set region REGION)';
}
