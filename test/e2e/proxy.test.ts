import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeCa, startConnectProxy, startTlsFront, type Ca, type Proxy, type Server } from './helpers/corporate';
import { diagnose, HEALTHY } from './helpers/expect';
import { statuses } from './helpers/cli';
import { useE2E } from './helpers/suite';

// Behind a corporate network: every AWS call through a CONNECT proxy (HTTPS_PROXY, with a user and
// password that must never be printed) to an HTTPS endpoint whose certificate only the network's own
// CA vouches for (AWS_CA_BUNDLE, or the profile's ca_bundle), which forwards to the stub and moto.

const e2e = useE2E();
let ca: Ca;
let front: Server;
let proxy: Proxy;
const SECRET = 'pr0xy-s3cret';

beforeAll(async () => {
  ca = makeCa(e2e.dir);
  front = await startTlsFront(ca, e2e.stub.url);
  proxy = await startConnectProxy();
});
afterAll(async () => {
  await front?.close();
  await proxy?.close();
});
beforeEach(() => {
  proxy.connects.length = 0;
  proxy.auth.length = 0;
});

const frontUrl = () => `https://localhost:${front.port}`;
const proxyUrl = () => `http://alice:${SECRET}@127.0.0.1:${proxy.port}`;

describe('corporate networks', () => {
  it('a diagnosis succeeds through HTTPS_PROXY with AWS_CA_BUNDLE, every call through the tunnel', async () => {
    const w = await e2e.scenarios.build({ endpoints: {} });
    const id = w.instance.instanceId;
    const r = await diagnose(e2e, [id], [], {
      endpoints: { all: frontUrl() },
      env: { HTTPS_PROXY: proxyUrl(), AWS_CA_BUNDLE: ca.caFile },
    });
    expect(statuses(r.report, id)).toEqual(HEALTHY);
    expect(r.code).toBe(0);
    expect(proxy.connects.length).toBeGreaterThan(0);
    expect(new Set(proxy.connects)).toEqual(new Set([`localhost:${front.port}`]));
    expect(proxy.auth[0]).toBe(`Basic ${Buffer.from(`alice:${SECRET}`).toString('base64')}`);
    expect(e2e.stub.countsByOperation()['ssm:DescribeInstanceInformation']).toBeGreaterThanOrEqual(1);
  });

  it("the profile's ca_bundle does the same, and lower-case https_proxy is honoured", async () => {
    const w = await e2e.scenarios.build({ endpoints: {} });
    const id = w.instance.instanceId;
    const config = join(e2e.dir, 'corp-config');
    const key = e2e.scenarios.callerEnv.AWS_ACCESS_KEY_ID ?? 'testing';
    const secret = e2e.scenarios.callerEnv.AWS_SECRET_ACCESS_KEY ?? 'testing';
    writeFileSync(
      config,
      `[profile corp]\nregion = ap-northeast-1\naws_access_key_id = ${key}\naws_secret_access_key = ${secret}\nca_bundle = ${ca.caFile}\n`,
    );
    // The profile's own keys: no credential variable competes with it.
    const r = await diagnose(e2e, [id], [], {
      endpoints: { all: frontUrl() },
      env: { https_proxy: proxyUrl(), AWS_CONFIG_FILE: config, AWS_PROFILE: 'corp', AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' },
    });
    expect(statuses(r.report, id)).toEqual(HEALTHY);
    expect(proxy.connects.length).toBeGreaterThan(0);
  });

  it("an IAM Identity Center (SSO) profile's own credential request goes through the proxy too", async () => {
    const w = await e2e.scenarios.build({ endpoints: {} });
    const id = w.instance.instanceId;
    // The portal has an endpoint of its own (127.0.0.1, not localhost): a CONNECT to it shows the
    // credential request took the tunnel, where before it went straight to the endpoint.
    const portal = await startTlsFront(ca, e2e.stub.url);
    try {
      e2e.stub.ssoCredentials = {
        accessKeyId: e2e.scenarios.callerEnv.AWS_ACCESS_KEY_ID ?? 'testing',
        secretAccessKey: e2e.scenarios.callerEnv.AWS_SECRET_ACCESS_KEY ?? 'testing',
      };
      const home = join(e2e.dir, 'sso-home');
      mkdirSync(join(home, '.aws', 'sso', 'cache'), { recursive: true });
      const config = join(home, '.aws', 'config');
      writeFileSync(
        config,
        '[profile corp-sso]\nregion = ap-northeast-1\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = ReadOnly\n\n' +
          '[sso-session corp]\nsso_region = ap-northeast-1\nsso_start_url = https://corp.awsapps.com/start\n',
      );
      // What `aws sso login --sso-session corp` leaves: the token, cached under the SHA-1 of the session's name.
      writeFileSync(
        join(home, '.aws', 'sso', 'cache', `${createHash('sha1').update('corp').digest('hex')}.json`),
        JSON.stringify({
          accessToken: 'sso-access-token',
          expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
          region: 'ap-northeast-1',
          startUrl: 'https://corp.awsapps.com/start',
        }),
      );
      const r = await diagnose(e2e, [id], [], {
        endpoints: { all: frontUrl() },
        env: {
          HOME: home,
          AWS_CONFIG_FILE: config,
          AWS_PROFILE: 'corp-sso',
          AWS_ACCESS_KEY_ID: '',
          AWS_SECRET_ACCESS_KEY: '',
          AWS_SESSION_TOKEN: '',
          AWS_ENDPOINT_URL_SSO: `https://127.0.0.1:${portal.port}`,
          HTTPS_PROXY: proxyUrl(),
          AWS_CA_BUNDLE: ca.caFile,
        },
      });
      expect(statuses(r.report, id)).toEqual(HEALTHY);
      expect(e2e.stub.countsByOperation()['sso:GetRoleCredentials']).toBe(1);
      expect(e2e.stub.requests.find((x) => x.name === 'sso:GetRoleCredentials')?.params).toEqual({
        role_name: 'ReadOnly',
        account_id: '123456789012',
      });
      expect(new Set(proxy.connects)).toEqual(new Set([`localhost:${front.port}`, `127.0.0.1:${portal.port}`]));
    } finally {
      await portal.close();
    }
  });

  it('NO_PROXY sends the calls straight to the endpoint, still trusting the bundle', async () => {
    const w = await e2e.scenarios.build({ endpoints: {} });
    const id = w.instance.instanceId;
    const r = await diagnose(e2e, [id], [], {
      endpoints: { all: frontUrl() },
      env: { HTTPS_PROXY: proxyUrl(), NO_PROXY: 'example.com,localhost', AWS_CA_BUNDLE: ca.caFile },
    });
    expect(statuses(r.report, id)).toEqual(HEALTHY);
    expect(proxy.connects).toEqual([]);
  });

  it('AWS_CA_BUNDLE alone (no proxy) trusts the private endpoint', async () => {
    const w = await e2e.scenarios.build({ endpoints: {} });
    const id = w.instance.instanceId;
    const r = await diagnose(e2e, [id], [], { endpoints: { all: frontUrl() }, env: { AWS_CA_BUNDLE: ca.caFile } });
    expect(statuses(r.report, id)).toEqual(HEALTHY);
    expect(proxy.connects).toEqual([]);
  });

  it("without the network's CA the run ends with one clear line naming AWS_CA_BUNDLE, and no proxy password", async () => {
    const w = await e2e.scenarios.build({ endpoints: {} });
    const r = await e2e.run([w.instance.instanceId], { endpoints: { all: frontUrl() }, env: { HTTPS_PROXY: proxyUrl() } });
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/certificate of AWS in ap-northeast-1 is not trusted \([A-Z_]+\).*AWS_CA_BUNDLE/);
    expect(proxy.connects.length).toBeGreaterThan(0);
    expect(r.stderr).not.toContain(SECRET);
  });

  it('a CA bundle that cannot be read is one clear line', async () => {
    const r = await e2e.run(['i-0123456789abcdef0'], {
      endpoints: { all: frontUrl() },
      env: { AWS_CA_BUNDLE: join(e2e.dir, 'absent.pem') },
    });
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toMatch(/^ssm-doctor: cannot read the CA bundle .*absent\.pem \(ENOENT\)/);
  });
});
