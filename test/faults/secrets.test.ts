import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORLD, type FakeAws } from './helpers/fake-aws';
import { FAKE_CREDENTIALS, faultEnv, requireBuiltCli, runCli, scratch, withFake } from './helpers/run';

// Credentials never leave the process except, signed, to AWS: not on stdout or stderr (with
// --debug), not in a saved facts file, whatever AWS answers — even an endpoint that echoes the
// request's credential headers back in its error message.

jest.setTimeout(120_000);

beforeAll(requireBuiltCli);

const SECRETS = Object.values(FAKE_CREDENTIALS);

const scenarios: [string, (f: FakeAws) => void, string[]][] = [
  ['a healthy account', () => {}, []],
  ['every read denied', (f) => f.fail('*', { kind: 'deny' }), []],
  ['an endpoint echoing the credential headers in its errors', (f) => f.fail('*', { kind: 'echo-credentials' }), []],
  ['echoed headers in one read only (the report is printed)', (f) => f.fail('ec2:DescribeVpcEndpoints', { kind: 'echo-credentials' }), []],
  ['credentials rejected', (f) => f.fail('*', { kind: 'bad-credentials' }), []],
  ['server errors', (f) => f.fail('*', { kind: '5xx', times: 1000 }), []],
  ['malformed answers', (f) => f.fail('*', { kind: 'malformed' }), []],
  ['every call hanging', (f) => f.fail('*', { kind: 'hang' }), ['--timeout', '2s']],
];

describe.each(['json', 'table', 'junit'])('--output %s --debug --save-facts', (output) => {
  it.concurrent.each(scenarios)('%s: no credential in stdout, stderr or the facts file', async (_name, setup, args) => {
    const home = scratch();
    try {
      const facts = join(home.path, 'facts.json');
      const r = await withFake(setup, (fake) =>
        runCli([WORLD.instance, '--output', output, '--debug', '--save-facts', facts, ...args], faultEnv(home.path, fake.url)),
      );
      expect(r.code).not.toBeNull();
      const saved = existsSync(facts) ? readFileSync(facts, 'utf8') : '';
      for (const secret of SECRETS) {
        expect(r.stdout).not.toContain(secret);
        expect(r.stderr).not.toContain(secret);
        expect(saved).not.toContain(secret);
      }
      // The access key id is not secret on its own, but it is redacted everywhere too, as any AKIA/ASIA id is.
      expect(`${r.stdout}${r.stderr}${saved}`).not.toMatch(/\b(AKIA|ASIA)[A-Z0-9]{12,}/);
    } finally {
      home.remove();
    }
  });
});
