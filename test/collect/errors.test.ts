import { CollectError, codeOf, messageOf, printable, runLevelError, scrub, unknownOf } from '../../src/collect/sdk/errors';
import type { Unknown } from '../../src/facts/schema';

const u = (code: string, message = 'x'): Unknown => ({ known: false, call: 'ec2:DescribeInstances', code, message });

describe('codeOf', () => {
  it('prefers the AWS code, then the error name, then the Node code', () => {
    expect(codeOf(Object.assign(new Error('m'), { name: 'NoSuchEntityException', Code: 'NoSuchEntity' }))).toBe('NoSuchEntity');
    expect(codeOf(Object.assign(new Error('m'), { name: 'AccessDeniedException' }))).toBe('AccessDeniedException');
    expect(codeOf(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }))).toBe('ECONNREFUSED');
    expect(codeOf('weird')).toBe('Error');
  });
});

describe('messages never carry credentials', () => {
  it('redacts access key ids and the values of the credential variables', () => {
    const env = { AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', AWS_SESSION_TOKEN: 'IQoJb3JpZ2luX2VjEXAMPLETOKEN' };
    const text = 'key AKIAIOSFODNN7EXAMPLE secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY token IQoJb3JpZ2luX2VjEXAMPLETOKEN';
    expect(scrub(text, env)).toBe('key [redacted] secret [redacted] token [redacted]');
  });
  it('keeps one line of the message', () => {
    expect(messageOf(new Error('first line\nsecond line'))).toBe('first line');
    expect(unknownOf('iam:GetRolePolicy', Object.assign(new Error('nope'), { name: 'AccessDenied' }))).toEqual({
      known: false,
      call: 'iam:GetRolePolicy',
      code: 'AccessDenied',
      message: 'nope',
    });
  });
});

describe('runLevelError', () => {
  it('is undefined when any first-round call succeeded or the failures differ', () => {
    expect(runLevelError([u('CredentialsProviderError'), undefined], undefined, 'ap-northeast-1')).toBeUndefined();
    expect(runLevelError([u('AccessDenied'), u('AccessDenied')], undefined, 'ap-northeast-1')).toBeUndefined();
    expect(runLevelError([u('ExpiredToken'), u('ECONNREFUSED')], undefined, 'ap-northeast-1')).toBeUndefined();
    expect(runLevelError([], undefined, 'ap-northeast-1')).toBeUndefined();
  });

  it('no credentials', () => {
    const e = runLevelError([u('CredentialsProviderError', 'Could not load credentials from any providers')], undefined, 'ap-northeast-1');
    expect(e).toBeInstanceOf(CollectError);
    expect(e?.message).toBe(
      'no AWS credentials: configure a profile (aws configure / aws sso login --profile NAME) or set AWS_ACCESS_KEY_ID',
    );
  });

  it.each([
    'ExpiredToken',
    'ExpiredTokenException',
    'InvalidClientTokenId',
    'UnrecognizedClientException',
    'AuthFailure',
    'TokenProviderError',
  ])('%s → expired or invalid, with the profile filled in', (code) => {
    const e = runLevelError([u(code), u(code), u(code)], 'dev', 'ap-northeast-1');
    expect(e?.message).toBe(`AWS credentials expired or invalid (${code}): run aws sso login --profile dev`);
  });

  it('expired SSO session reported by the credential chain, without a known profile', () => {
    const e = runLevelError(
      [u('CredentialsProviderError', 'The SSO session associated with this profile has expired.')],
      undefined,
      'ap-northeast-1',
    );
    expect(e?.message).toMatch(
      /^AWS credentials expired or invalid \(CredentialsProviderError\): run aws sso login --profile NAME, or renew AWS_ACCESS_KEY_ID/,
    );
  });

  it('a profile the SDK says is missing', () => {
    const e = runLevelError(
      [u('CredentialsProviderError', 'Profile nope could not be found in shared credentials file.')],
      'nope',
      'ap-northeast-1',
    );
    expect(e?.message).toMatch(/^AWS profile nope not found: /);
  });

  it('AWS unreachable', () => {
    const e = runLevelError([u('ENOTFOUND', 'getaddrinfo ENOTFOUND ec2.xx-nowhere-1.amazonaws.com')], undefined, 'xx-nowhere-1');
    expect(e?.message).toMatch(/^cannot reach AWS in xx-nowhere-1 \(ENOTFOUND: .*\): check the region/);
  });
});

describe('answers the SDK could not read, and answers without an AWS error code', () => {
  /** What the SDK throws when it cannot parse a body: the raw response attached, no `$fault`. */
  const parseError = (message: string, statusCode = 200) =>
    Object.assign(
      new Error(`${message}\n  Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object.`),
      {
        $response: { statusCode },
        $metadata: { httpStatusCode: statusCode, attempts: 1 },
      },
    );

  it('a body that does not parse is MalformedResponse, with the parser’s first line', () => {
    const xml = parseError('@aws-sdk XML parse error: unexpected end of input.');
    expect(codeOf(xml)).toBe('MalformedResponse');
    expect(unknownOf('ec2:DescribeSubnets', xml)).toEqual({
      known: false,
      call: 'ec2:DescribeSubnets',
      code: 'MalformedResponse',
      message: 'the answer (HTTP 200) could not be parsed: @aws-sdk XML parse error: unexpected end of input.',
    });
    const json = Object.assign(parseError('Unexpected end of JSON input'), { name: 'SyntaxError' });
    expect(codeOf(json)).toBe('MalformedResponse');
  });

  it('a parsed AWS error keeps its code although the SDK attached the response too', () => {
    const denied = Object.assign(new Error('no'), {
      name: 'UnauthorizedOperation',
      $fault: 'client',
      $response: { statusCode: 403 },
      $metadata: { httpStatusCode: 403 },
    });
    expect(codeOf(denied)).toBe('UnauthorizedOperation');
  });

  it('an HTTP error whose body named no AWS error (an HTML page from a proxy) is HTTP<status>', () => {
    const html = Object.assign(new Error('Unknown'), {
      name: 'Unknown',
      $fault: 'server',
      $response: { statusCode: 502 },
      $metadata: { httpStatusCode: 502 },
    });
    expect(codeOf(html)).toBe('HTTP502');
    expect(messageOf(html)).toBe('HTTP 502 with no AWS error in the body (a proxy or load balancer answered?)');
  });

  it('the deadline and a call’s timeout keep their names as codes', () => {
    expect(codeOf(Object.assign(new Error('x'), { name: 'DeadlineExceeded' }))).toBe('DeadlineExceeded');
    expect(codeOf(Object.assign(new Error('x'), { name: 'Timeout' }))).toBe('Timeout');
  });

  it('control characters in a message are escaped, not passed to the terminal', () => {
    expect(messageOf(new Error('bad \u001b[31mred\u0007 \r done'))).toBe('bad \\u001b[31mred\\u0007 \\u000d done');
    expect(printable('tab\there')).toBe('tab\\u0009here');
  });

  it('a credential in a long message is redacted before the message is cut short', () => {
    const env = { AWS_SESSION_TOKEN: 'IQoJb3JpZ2luX2VjEXAMPLETOKENthatislong' };
    const text = `${'x'.repeat(290)} IQoJb3JpZ2luX2VjEXAMPLETOKENthatislong`;
    expect(scrub(text, env)).not.toContain('IQoJ');
    const saved = process.env.AWS_SESSION_TOKEN;
    process.env.AWS_SESSION_TOKEN = env.AWS_SESSION_TOKEN;
    try {
      expect(messageOf(new Error(text))).not.toMatch(/IQoJ/);
    } finally {
      if (saved === undefined) delete process.env.AWS_SESSION_TOKEN;
      else process.env.AWS_SESSION_TOKEN = saved;
    }
  });
});
