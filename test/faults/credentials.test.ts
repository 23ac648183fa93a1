import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORLD } from './helpers/fake-aws';
import { faultEnv, requireBuiltCli, runCli, scratch, withFake, type Run } from './helpers/run';

// Problems with the whole run (credentials, profile, region) are one line on stderr that says how to
// fix them, exit 3, and nothing on stdout: not seventeen `unknown` checks.

jest.setTimeout(60_000);

beforeAll(requireBuiltCli);

function expectOneLine(r: Run, message: RegExp): void {
  expect(r.code).toBe(3);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toEqual([expect.stringMatching(message)]);
  expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
}

async function run(
  args: string[],
  extraEnv: Record<string, string | undefined>,
  setup: Parameters<typeof withFake>[0] = () => {},
  config?: string,
) {
  const home = scratch();
  try {
    if (config !== undefined) {
      mkdirSync(join(home.path, '.aws'));
      writeFileSync(join(home.path, '.aws', 'config'), config);
    }
    return await withFake(setup, async (fake) => ({
      ...(await runCli([WORLD.instance, ...args], faultEnv(home.path, fake.url, extraEnv))),
      fake,
    }));
  } finally {
    home.remove();
  }
}

const NO_KEYS = { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_SESSION_TOKEN: undefined };

describe('credentials', () => {
  it('rejected by every service (expired or invalid): the hint renews them', async () => {
    const r = await run([], {}, (f) => f.fail('*', { kind: 'bad-credentials' }));
    expectOneLine(
      r,
      /^ssm-doctor: AWS credentials expired or invalid \((AuthFailure|InvalidClientTokenId|UnrecognizedClientException)\): run aws sso login --profile NAME, or renew AWS_ACCESS_KEY_ID/,
    );
  });

  it('rejected for a named profile: the hint names it', async () => {
    const config =
      '[profile dev]\naws_access_key_id = AKIADEVPROFILE0EXAMPLE\naws_secret_access_key = devProfileSecretKeyEXAMPLE\nregion = ap-northeast-1\n';
    const r = await run(['--profile', 'dev'], NO_KEYS, (f) => f.fail('*', { kind: 'bad-credentials' }), config);
    expectOneLine(r, /^ssm-doctor: AWS credentials expired or invalid \(\w+\): run aws sso login --profile dev$/);
  });

  it('none at all', async () => {
    const r = await run([], NO_KEYS);
    expectOneLine(r, /^ssm-doctor: no AWS credentials: configure a profile/);
    expect(r.fake.requests).toHaveLength(0);
  });

  it('a profile that does not exist', async () => {
    const r = await run(['--profile', 'nope'], NO_KEYS, () => {}, '[profile dev]\nregion = ap-northeast-1\n');
    expectOneLine(r, /^ssm-doctor: (AWS profile nope not found|no AWS credentials for profile nope)/);
    expect(r.stderr).toMatch(/aws configure list-profiles/);
    expect(r.fake.requests).toHaveLength(0);
  });
});

describe('region', () => {
  it('none anywhere', async () => {
    const r = await run([], { AWS_REGION: undefined });
    expectOneLine(r, /^ssm-doctor: no AWS region: pass --region, set AWS_REGION, or give your default profile one/);
    expect(r.fake.requests).toHaveLength(0);
  });

  it('AWS_DEFAULT_REGION is honoured, as the AWS CLI does', async () => {
    const r = await run(['-o', 'json'], { AWS_REGION: undefined, AWS_DEFAULT_REGION: WORLD.region });
    expect(JSON.parse(r.stdout).region).toBe(WORLD.region);
  });
});

describe('AWS unreachable', () => {
  it('nothing listens at the endpoint: one line naming the region and what to check', async () => {
    const home = scratch();
    try {
      // A port that was just free: connection refused at once, on every attempt.
      const url = await withFake(
        () => {},
        async (fake) => fake.url,
      );
      const r = await runCli([WORLD.instance], faultEnv(home.path, url));
      expectOneLine(
        r,
        new RegExp(
          `^ssm-doctor: cannot reach AWS in ${WORLD.region} \\(ECONNREFUSED: .*\\): check the region, the network or proxy, and AWS_ENDPOINT_URL$`,
        ),
      );
    } finally {
      home.remove();
    }
  });
});
