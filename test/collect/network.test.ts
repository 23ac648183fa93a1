import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { runLevelError, scrub } from '../../src/collect/sdk/errors';
import { agents, caBundlePath, proxyConfigured, proxyFor, trustedRoots } from '../../src/collect/sdk/network';
import { profileSettings } from '../../src/collect/sdk/profile';

const VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy'];
const saved = Object.fromEntries(VARIABLES.map((v) => [v, process.env[v]]));
const setEnv = (vars: Record<string, string>) => {
  for (const v of VARIABLES) delete process.env[v];
  Object.assign(process.env, vars);
};
afterEach(() => {
  for (const v of VARIABLES) {
    if (saved[v] === undefined) delete process.env[v];
    else process.env[v] = saved[v];
  }
});

const EC2 = 'https://ec2.ap-northeast-1.amazonaws.com:443';

describe('the proxy for a URL', () => {
  it('takes HTTPS_PROXY for https and HTTP_PROXY for http, in either case', () => {
    setEnv({ HTTPS_PROXY: 'http://proxy.example:3128', http_proxy: 'http://plain.example:8080' });
    expect(proxyFor(EC2)).toBe('http://proxy.example:3128');
    expect(proxyFor('http://169.254.169.254:80')).toBe('http://plain.example:8080');
    setEnv({ https_proxy: 'http://lower.example:3128' });
    expect(proxyFor(EC2)).toBe('http://lower.example:3128');
    expect(proxyFor('http://ec2.amazonaws.com:80')).toBe('');
  });

  it.each([
    ['amazonaws.com', ''],
    ['.amazonaws.com', ''],
    ['ap-northeast-1.amazonaws.com', ''],
    ['*', ''],
    ['ec2.ap-northeast-1.amazonaws.com:443', ''],
    ['ec2.ap-northeast-1.amazonaws.com:8443', 'http://proxy.example:3128'],
    ['example.com, internal', 'http://proxy.example:3128'],
    ['mazonaws.com', 'http://proxy.example:3128'],
  ])('NO_PROXY=%s', (noProxy, expected) => {
    setEnv({ HTTPS_PROXY: 'http://proxy.example:3128', NO_PROXY: noProxy });
    expect(proxyFor(EC2)).toBe(expected);
    setEnv({ https_proxy: 'http://proxy.example:3128', no_proxy: noProxy });
    expect(proxyFor(EC2)).toBe(expected);
  });

  it('knows whether any proxy is configured', () => {
    expect(proxyConfigured({})).toBe(false);
    expect(proxyConfigured({ NO_PROXY: '*' })).toBe(false);
    expect(proxyConfigured({ https_proxy: 'http://p:1' })).toBe(true);
    expect(proxyConfigured({ HTTP_PROXY: 'http://p:1' })).toBe(true);
  });
});

describe('the CA bundle', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ssm-doctor-ca-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const config = (text: string) => {
    const file = join(dir, 'config');
    writeFileSync(file, text);
    return { AWS_CONFIG_FILE: file } as NodeJS.ProcessEnv;
  };

  it("reads the profile's ca_bundle from the shared config file, and AWS_CA_BUNDLE first", async () => {
    const env = config(
      [
        '[default]',
        'ca_bundle = /default.pem',
        '',
        '[profile corp]',
        '# comment',
        'region = ap-northeast-1',
        'ca_bundle=/corp.pem',
        '[profile other]',
        'ca_bundle = /other.pem',
      ].join('\n'),
    );
    const bundle = async (profile: string | undefined, e: NodeJS.ProcessEnv) =>
      caBundlePath((await profileSettings(profile, e)).caBundle, e);
    expect(await bundle('corp', env)).toBe('/corp.pem');
    expect(await bundle(undefined, env)).toBe('/default.pem');
    expect(await bundle(undefined, { ...env, AWS_PROFILE: 'other' })).toBe('/other.pem');
    expect(await bundle('missing', env)).toBeUndefined();
    expect(await bundle('corp', { ...env, AWS_CA_BUNDLE: '/env.pem' })).toBe('/env.pem');
    expect(await bundle('corp', { AWS_CONFIG_FILE: join(dir, 'none') })).toBeUndefined();
  });

  it("adds the bundle to Node's roots, and a bundle that cannot be read is one clear error", () => {
    const pem = join(dir, 'ca.pem');
    writeFileSync(pem, tls.rootCertificates[0]!);
    const roots = trustedRoots(pem)!;
    expect(roots.length).toBe(tls.rootCertificates.length + 1);
    expect(trustedRoots(undefined)).toBeUndefined();
    expect(() => trustedRoots(join(dir, 'absent.pem'))).toThrow(/cannot read the CA bundle .*absent\.pem \(ENOENT\)/);
    writeFileSync(join(dir, 'junk.pem'), 'not a certificate');
    expect(() => trustedRoots(join(dir, 'junk.pem'))).toThrow(/holds no PEM certificate/);
  });

  it("keeps Node's own agents when neither a proxy nor a bundle is set", () => {
    // The routing agents (ES modules, which jest cannot require) are exercised end to end: test/e2e/proxy.test.ts.
    const plain = agents({ keepAlive: true, maxSockets: 7 }, undefined, { AWS_CONFIG_FILE: join(dir, 'none') });
    expect(plain).toEqual({ httpAgent: { keepAlive: true, maxSockets: 7 }, httpsAgent: { keepAlive: true, maxSockets: 7 } });
    // A bundle without a proxy: still Node's agent, trusting Node's roots and the bundle.
    const pem = join(dir, 'ca.pem');
    writeFileSync(pem, tls.rootCertificates[0]!);
    const trusting = agents({ keepAlive: true, maxSockets: 7 }, undefined, { AWS_CONFIG_FILE: join(dir, 'none'), AWS_CA_BUNDLE: pem });
    expect(trusting.httpsAgent).toMatchObject({ keepAlive: true, maxSockets: 7 });
    expect((trusting.httpsAgent as { ca: string[] }).ca).toHaveLength(tls.rootCertificates.length + 1);
  });
});

describe('proxy credentials never show', () => {
  it('removes the user and password of any URL and of the proxy variables', () => {
    const env = { HTTPS_PROXY: 'http://alice:s%3Acret-pw@proxy.example:3128' };
    expect(scrub('connect to http://alice:s%3Acret-pw@proxy.example:3128 failed', env)).toBe(
      'connect to http://[redacted]@proxy.example:3128 failed',
    );
    expect(scrub('auth s:cret-pw rejected; s%3Acret-pw', env)).toBe('auth [redacted] rejected; [redacted]');
    expect(scrub('https://ec2.amazonaws.com/ is fine', env)).toBe('https://ec2.amazonaws.com/ is fine');
  });
});

describe('an untrusted certificate', () => {
  it('is one run-level line that names AWS_CA_BUNDLE', () => {
    const u = {
      known: false as const,
      call: 'ec2:DescribeInstances',
      code: 'SELF_SIGNED_CERT_IN_CHAIN',
      message: 'self-signed certificate in certificate chain',
    };
    const e = runLevelError([u, u], undefined, 'ap-northeast-1');
    expect(e?.message).toMatch(/not trusted \(SELF_SIGNED_CERT_IN_CHAIN\).*AWS_CA_BUNDLE/);
    expect(e?.message).not.toContain('\n');
  });
});
