import { parseArgs } from '../src/args';

const run = (...argv: string[]) => parseArgs(argv, {});
const options = (...argv: string[]) => {
  const p = run(...argv);
  if (p.kind !== 'run') throw new Error(JSON.stringify(p));
  return p.options;
};
const usage = (...argv: string[]) => {
  const p = run(...argv);
  return p.kind === 'usage' ? p.error : `not a usage error: ${p.kind}`;
};

describe('accounts on the command line', () => {
  it('--profile takes one profile, or several separated by commas', () => {
    expect(options('--all', '--profile', 'prod')).toMatchObject({ profile: 'prod', profiles: ['prod'], accounts: [] });
    expect(options('--all', '--profile', 'prod, stg,prod')).toMatchObject({ profile: 'prod', profiles: ['prod', 'stg'] });
    expect(options('--all').profiles).toEqual([]);
  });

  it('--org-role takes a role name (with a path), and --accounts chooses among the organisation', () => {
    expect(options('--all', '--org-role', 'SsmDoctorReadOnly')).toMatchObject({ orgRole: 'SsmDoctorReadOnly' });
    expect(options('--all', '--org-role', 'audit/Reader', '--accounts', '111122223333,444455556666')).toMatchObject({
      orgRole: 'audit/Reader',
      accounts: ['111122223333', '444455556666'],
    });
  });

  it.each([
    [['--all', '--org-role', 'arn:aws:iam::111122223333:role/X'], /--org-role .*: give a role name/],
    [['--all', '--org-role', 'a b'], /--org-role "a b": give a role name/],
    [['--all', '--org-role', 'R', '--accounts', '12345'], /not an account id: "12345" \(expected 12 digits\)/],
    [['--all', '--accounts', '111122223333'], /--accounts chooses accounts of an organisation: give --org-role too/],
    [['--all', '--org-role', 'R', '--profile', 'a,b'], /--org-role lists the accounts with one profile/],
    [['--demo', '--profile', 'a,b'], /cannot be used with --demo or --facts/],
    [['--demo', '--org-role', 'R'], /cannot be used with --demo or --facts/],
    [['--all', '--profile', 'a,b', '--save-facts', 'x.json'], /--save-facts holds one account/],
    [['--all', '--profile', 'a;touch x'], /not a profile name: "a;touch x"/],
    [['--all', '--profile', ','], /--profile needs a value/],
  ])('%j is a usage error', (argv, message) => {
    expect(usage(...argv)).toMatch(message);
  });
});
