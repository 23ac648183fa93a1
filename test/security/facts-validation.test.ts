import { join } from 'node:path';
import { FactsFileError, loadFactsFrom } from '../../src/facts/file';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { ROOT } from '../helpers/fixtures';

// A facts file is someone else's data: every id and the region must have the form AWS gives them,
// so a file that would smuggle shell code into a printed command is refused at the door, naming the field.

const demo = JSON.parse(readFileSync(join(ROOT, 'examples', 'guide-start.facts.json'), 'utf8')) as Record<string, any>;
const ID = Object.keys(demo.instances)[0]!;

async function load(mutate: (f: Record<string, any>) => void): Promise<FactsFileError | undefined> {
  const f = structuredClone(demo);
  mutate(f);
  try {
    await loadFactsFrom(Readable.from([JSON.stringify(f)]), 'hostile.json');
    return undefined;
  } catch (e) {
    if (e instanceof FactsFileError) return e;
    throw e;
  }
}

describe('a facts file with shell code where an AWS id belongs is refused, naming the field', () => {
  it.each<[string, (f: Record<string, any>) => void, string]>([
    ['the region', (f) => (f.region = 'ap-northeast-1 $(touch /tmp/x)'), 'region: not a region'],
    ['a VPC id', (f) => (f.instances[ID].value.vpcId = 'vpc-1$(touch /tmp/x)'), `instances.${ID}.value.vpcId: not a VPC id`],
    [
      'a security group id',
      (f) => (f.instances[ID].value.primaryEniGroupIds[0] = 'sg-`touch /tmp/x`'),
      'primaryEniGroupIds.0: not a security group id',
    ],
    [
      'an instance key',
      (f) => {
        f.instances['i-0a1b2c3d4e5f67890;touch /tmp/x;'] = f.instances[ID];
      },
      'instances.i-0a1b2c3d4e5f67890;touch /tmp/x;: not an instance id',
    ],
    ['a key that is no instance id', (f) => (f.instances['web-server'] = f.instances[ID]), 'instances.web-server: not an instance id'],
    ['a subnet id', (f) => (f.instances[ID].value.subnetId = "subnet-1'; rm -rf ~; '"), 'subnetId: not a subnet id'],
    [
      'a role name',
      (f) => (f.roles['role name with spaces'] = Object.values(f.roles)[0] ?? {}),
      'roles.role name with spaces: not an IAM name',
    ],
  ])('%s', async (_what, mutate, message) => {
    const e = await load(mutate);
    expect(e).toBeInstanceOf(FactsFileError);
    expect(e!.message).toContain(message);
    expect(e!.message).toMatch(/^hostile\.json is not a valid facts file: /);
  });

  it('and the demo as it is loads', async () => {
    expect(await load(() => {})).toBeUndefined();
  });
});
