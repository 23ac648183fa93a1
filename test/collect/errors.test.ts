import { CollectError, codeOf, messageOf, runLevelError, scrub, unknownOf } from '../../src/collect/errors';
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
    expect(e?.message).toBe('no AWS credentials: configure a profile (aws configure / aws sso login --profile NAME) or set AWS_ACCESS_KEY_ID');
  });

  it.each(['ExpiredToken', 'ExpiredTokenException', 'InvalidClientTokenId', 'UnrecognizedClientException', 'AuthFailure', 'TokenProviderError'])(
    '%s → expired or invalid, with the profile filled in',
    (code) => {
      const e = runLevelError([u(code), u(code), u(code)], 'dev', 'ap-northeast-1');
      expect(e?.message).toBe(`AWS credentials expired or invalid (${code}): run aws sso login --profile dev`);
    },
  );

  it('expired SSO session reported by the credential chain, without a known profile', () => {
    const e = runLevelError([u('CredentialsProviderError', 'The SSO session associated with this profile has expired.')], undefined, 'ap-northeast-1');
    expect(e?.message).toMatch(/^AWS credentials expired or invalid \(CredentialsProviderError\): run aws sso login --profile NAME, or renew AWS_ACCESS_KEY_ID/);
  });

  it('a profile the SDK says is missing', () => {
    const e = runLevelError([u('CredentialsProviderError', 'Profile nope could not be found in shared credentials file.')], 'nope', 'ap-northeast-1');
    expect(e?.message).toMatch(/^AWS profile nope not found: /);
  });

  it('AWS unreachable', () => {
    const e = runLevelError([u('ENOTFOUND', 'getaddrinfo ENOTFOUND ec2.xx-nowhere-1.amazonaws.com')], undefined, 'xx-nowhere-1');
    expect(e?.message).toMatch(/^cannot reach AWS in xx-nowhere-1 \(ENOTFOUND: .*\): check the region/);
  });
});
