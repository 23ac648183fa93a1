import { DescribeVpcAttributeCommand } from '@aws-sdk/client-ec2';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildClients } from '../../src/collect/sdk/clients';
import { CollectError } from '../../src/collect/sdk/errors';
import { GUARD_NAME } from '../../src/collect/sdk/guard';
import { withReader } from '../../src/collect/index';

/** Opens the region's clients and reads the facts of these ids, as a diagnosis does. */
const collect = (o: { instanceIds: string[]; region?: string; profile?: string }) =>
  withReader({ region: o.region, profile: o.profile }, (r) => r.facts({ ids: o.instanceIds }));

/** Each test gets an environment with no AWS settings and a HOME with no ~/.aws, restored afterwards. */
let saved: NodeJS.ProcessEnv;
let home: string;
beforeEach(() => {
  saved = process.env;
  home = mkdtempSync(join(tmpdir(), 'ssm-doctor-collect-'));
  const clean = Object.fromEntries(Object.entries(saved).filter(([k]) => !k.startsWith('AWS_')));
  process.env = {
    ...clean,
    HOME: home,
    AWS_CONFIG_FILE: join(home, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
  };
});
afterEach(() => {
  process.env = saved;
  rmSync(home, { recursive: true, force: true });
});

async function regionOf(opts: { region?: string; profile?: string }) {
  const c = await buildClients(opts);
  try {
    return [c.region, await c.iam.config.region(), await c.ssm.config.region()];
  } finally {
    c.destroy();
  }
}

describe('buildClients: region', () => {
  it('takes --region over AWS_REGION over AWS_DEFAULT_REGION, for all three clients', async () => {
    process.env.AWS_DEFAULT_REGION = 'eu-west-1';
    expect(await regionOf({})).toEqual(['eu-west-1', 'eu-west-1', 'eu-west-1']);
    process.env.AWS_REGION = 'us-east-2';
    expect(await regionOf({})).toEqual(['us-east-2', 'us-east-2', 'us-east-2']);
    expect(await regionOf({ region: 'ap-northeast-1' })).toEqual(['ap-northeast-1', 'ap-northeast-1', 'ap-northeast-1']);
  });

  it("falls back to the profile's region and exports --profile as AWS_PROFILE", async () => {
    writeFileSync(join(home, 'config'), '[profile dev]\nregion = ap-southeast-2\n');
    expect(await regionOf({ profile: 'dev' })).toEqual(['ap-southeast-2', 'ap-southeast-2', 'ap-southeast-2']);
    expect(process.env.AWS_PROFILE).toBe('dev');
  });

  it('throws a CollectError with the fix when no region is set anywhere', async () => {
    await expect(buildClients({})).rejects.toThrow(
      new CollectError('no AWS region: pass --region, set AWS_REGION, or give your default profile one (aws configure set region REGION)'),
    );
    await expect(buildClients({ profile: 'nope' })).rejects.toThrow(/^no AWS region: profile nope does not exist/);
  });

  it('puts the read-only guard on every client', async () => {
    const c = await buildClients({ region: 'ap-northeast-1' });
    for (const client of [c.ec2, c.iam, c.ssm]) expect(client.middlewareStack.identify().join('\n')).toContain(GUARD_NAME);
    c.destroy();
  });
});

describe('buildClients: endpoints', () => {
  let server: Server;
  const seen: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        seen.push(new URLSearchParams(body).get('Action') ?? '?');
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end(
          '<DescribeVpcAttributeResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r-1</requestId>' +
            '<vpcId>vpc-0a1b2c3d4e5f60718</vpcId><enableDnsSupport><value>true</value></enableDnsSupport></DescribeVpcAttributeResponse>',
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('honours AWS_ENDPOINT_URL_EC2 (no endpoint is hard-wired) and records the call', async () => {
    process.env.AWS_ENDPOINT_URL_EC2 = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    process.env.AWS_ACCESS_KEY_ID = 'testing';
    process.env.AWS_SECRET_ACCESS_KEY = 'testing';
    const c = await buildClients({ region: 'ap-northeast-1' });
    try {
      const o = await c.ec2.send(new DescribeVpcAttributeCommand({ VpcId: 'vpc-0a1b2c3d4e5f60718', Attribute: 'enableDnsSupport' }));
      expect(o.EnableDnsSupport?.Value).toBe(true);
      expect(seen).toEqual(['DescribeVpcAttribute']);
      expect(c.recorder.records).toEqual([
        { operation: 'ec2:DescribeVpcAttribute', start: expect.any(Number), end: expect.any(Number), outcome: 'ok' },
      ]);
    } finally {
      c.destroy();
    }
  });
});

describe('collect: run-level errors from the real credential chain', () => {
  it('no credentials anywhere → CollectError with the hint', async () => {
    await expect(collect({ instanceIds: ['i-0123456789abcdef0'], region: 'ap-northeast-1' })).rejects.toThrow(
      new CollectError('no AWS credentials: configure a profile (aws configure / aws sso login --profile NAME) or set AWS_ACCESS_KEY_ID'),
    );
  });

  it('a profile that does not exist → CollectError naming it', async () => {
    const err = await collect({ instanceIds: ['i-0123456789abcdef0'], region: 'ap-northeast-1', profile: 'nope' }).catch((e) => e);
    expect(err).toBeInstanceOf(CollectError);
    expect(err.message).toBe(
      'no AWS credentials for profile nope: check the name (aws configure list-profiles), or set it up with aws configure --profile nope or aws sso login --profile nope',
    );
  });

  it('an SSO profile that is not logged in → CollectError telling to run aws sso login for it', async () => {
    writeFileSync(
      join(home, 'config'),
      [
        '[profile sso-dev]',
        'sso_session = corp',
        'sso_account_id = 123456789012',
        'sso_role_name = ReadOnly',
        'region = ap-northeast-1',
        '[sso-session corp]',
        'sso_start_url = https://example.awsapps.com/start',
        'sso_region = ap-northeast-1',
        '',
      ].join('\n'),
    );
    const err = await collect({ instanceIds: ['i-0123456789abcdef0'], profile: 'sso-dev' }).catch((e) => e);
    expect(err).toBeInstanceOf(CollectError);
    expect(err.message).toMatch(/^AWS credentials expired or invalid \(CredentialsProviderError\): run aws sso login --profile sso-dev$/);
  });
});
