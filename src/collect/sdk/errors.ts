import type { Unknown } from '../../facts/schema.js';
import { printable, scrub } from '../../redact.js';

export { printable, scrub } from '../../redact.js';

/** A problem with the whole run (credentials, region, profile): one line that says how to fix it. */
export class CollectError extends Error {
  override name = 'CollectError';
}

interface ErrorLike {
  name?: unknown;
  Code?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  $response?: { statusCode?: unknown };
  $fault?: unknown;
}

const asErrorLike = (e: unknown): ErrorLike => (typeof e === 'object' && e !== null ? e : {}) as ErrorLike;

/** The SDK could not parse the answer: the error carries the raw response but no `$fault`, which every parsed AWS error has. */
const isMalformed = (err: ErrorLike) => err.$response !== undefined && err.$fault === undefined;

/** An HTTP error whose body named no AWS error (an HTML page from a proxy or load balancer): the SDK calls it Unknown. */
const unnamedHttpStatus = (err: ErrorLike, code: string): number | undefined => {
  const status = err.$metadata?.httpStatusCode;
  return (code === 'Unknown' || code === 'UnknownError') && typeof status === 'number' ? status : undefined;
};

/**
 * The AWS error code (`AccessDenied`), else the Node code (`ECONNREFUSED`), else the error's name.
 * An answer the SDK could not parse is `MalformedResponse`; an HTTP error without an AWS code is `HTTP502` and the like.
 */
export function codeOf(e: unknown): string {
  const err = asErrorLike(e);
  if (isMalformed(err)) return 'MalformedResponse';
  for (const c of [err.Code, err.name]) {
    if (typeof c === 'string' && c && c !== 'Error' && c !== 'TypeError') {
      const status = unnamedHttpStatus(err, c);
      return status === undefined ? c : `HTTP${status}`;
    }
  }
  return typeof err.code === 'string' && err.code ? err.code : 'Error';
}

/** One line of the error's message, scrubbed of credentials and control characters, at most 300 characters. */
export function messageOf(e: unknown): string {
  const raw = e instanceof Error ? e.message : typeof e === 'object' && e && 'message' in e ? String(e.message) : String(e);
  const err = asErrorLike(e);
  const first = (raw.split('\n')[0] ?? '').trim();
  let line: string;
  if (isMalformed(err) && err.name !== 'MalformedResponse') {
    const status = err.$response?.statusCode;
    line = `the answer${typeof status === 'number' ? ` (HTTP ${status})` : ''} could not be parsed: ${first}`;
  } else {
    const status = unnamedHttpStatus(err, typeof err.name === 'string' ? err.name : '');
    line = status === undefined ? first : `HTTP ${status} with no AWS error in the body (a proxy or load balancer answered?)`;
  }
  line = printable(scrub(line));
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}

export function unknownOf(call: string, e: unknown): Unknown {
  return { known: false, call, code: codeOf(e), message: messageOf(e) };
}

const EXPIRED = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'AuthFailure',
  'SignatureDoesNotMatch',
  'InvalidSignatureException',
  'IncompleteSignature',
  'TokenProviderError',
  'UnauthorizedException',
  'InvalidAccessKeyId',
]);
const NETWORK = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'TimeoutError',
]);
/** A certificate Node does not trust: a TLS-inspecting proxy, or an endpoint with a private CA. */
const UNTRUSTED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
]);
const PROFILE_MISSING = /(could not resolve credentials using profile|profile .*(could not be found|was not found))/i;

type Kind = 'no-credentials' | 'expired' | 'no-profile' | 'network' | 'untrusted';

function kindOf(u: Unknown): Kind | undefined {
  if (PROFILE_MISSING.test(u.message)) return 'no-profile';
  if (u.code === 'CredentialsProviderError') return /\b(sso|expired|token|login)\b/i.test(u.message) ? 'expired' : 'no-credentials';
  if (EXPIRED.has(u.code)) return 'expired';
  if (NETWORK.has(u.code)) return 'network';
  if (UNTRUSTED.has(u.code)) return 'untrusted';
  return undefined;
}

/**
 * The run-level error, when every call of the first round failed the same run-level way (no
 * credentials, expired credentials, a missing profile, AWS unreachable); otherwise undefined and
 * each failure stays an Unknown in the facts it feeds.
 */
export function runLevelError(
  failures: readonly (Unknown | undefined)[],
  profile: string | undefined,
  region: string,
  settings: { credentialProcess?: string } = {},
): CollectError | undefined {
  if (failures.length === 0 || failures.some((f) => f === undefined)) return undefined;
  const kinds = new Set(failures.map((f) => kindOf(f!)));
  if (kinds.size !== 1) return undefined;
  const kind = [...kinds][0];
  const first = failures[0]!;
  const name = profile ?? 'NAME';
  switch (kind) {
    case 'no-credentials':
      // The SDK's chain says the same for a misspelt profile, for none at all, and for a
      // credential_process that failed: the profile's own settings tell them apart.
      if (settings.credentialProcess) {
        const program = settings.credentialProcess.trim().split(/\s+/)[0] ?? '';
        return new CollectError(
          `the credential_process of profile ${profile ?? 'default'} (${program}) failed or gave no credentials: ` +
            'run that command yourself to see its error (an expired login, a missing tool)',
        );
      }
      return new CollectError(
        profile
          ? `no AWS credentials for profile ${profile}: check the name (aws configure list-profiles), ` +
              `or set it up with aws configure --profile ${profile} or aws sso login --profile ${profile}`
          : 'no AWS credentials: configure a profile (aws configure / aws sso login --profile NAME) or set AWS_ACCESS_KEY_ID',
      );
    case 'expired':
      return new CollectError(
        `AWS credentials expired or invalid (${first.code}): run aws sso login --profile ${name}` +
          (profile ? '' : ', or renew AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN'),
      );
    case 'no-profile':
      return new CollectError(
        `AWS profile ${profile ?? '(AWS_PROFILE)'} not found: ` +
          `check the name with aws configure list-profiles, or create it with aws configure --profile ${name}`,
      );
    case 'network':
      return new CollectError(
        `cannot reach AWS in ${region} (${first.code}: ${first.message}): check the region, the network or proxy, and AWS_ENDPOINT_URL`,
      );
    case 'untrusted':
      return new CollectError(
        `the certificate of AWS in ${region} is not trusted (${first.code}): behind a TLS-inspecting proxy, ` +
          `set AWS_CA_BUNDLE (or the profile's ca_bundle) to its CA's PEM file`,
      );
    default:
      return undefined;
  }
}
