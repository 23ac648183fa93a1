import * as IAM from '@aws-sdk/client-iam';
import { check, statuses } from './helpers/cli';
import { commandsOf, diagnose } from './helpers/expect';
import { ACCOUNT } from './helpers/aws-stub';
import { REGION } from './helpers/scenarios';
import { useE2E } from './helpers/suite';

// A permissions boundary that leaves out ssmmessages, judged without IAM's simulator: the role's
// documents alone allow everything, so only reading the boundary's document shows that no session can open.

const e2e = useE2E();
const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/DevBoundary`;

it('AmazonSSMManagedInstanceCore with a boundary without ssmmessages, simulation denied: iam-core-policy fails naming the boundary', async () => {
  const w = await e2e.scenarios.build({ endpoints: {} });
  const id = w.instance.instanceId;
  const iam = new IAM.IAMClient({
    region: REGION,
    endpoint: e2e.moto.url,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  try {
    const document = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['ssm:*', 'ec2messages:*'], Resource: '*' }] };
    await iam.send(new IAM.CreatePolicyCommand({ PolicyName: 'DevBoundary', PolicyDocument: JSON.stringify(document) }));
    await iam.send(new IAM.PutRolePermissionsBoundaryCommand({ RoleName: w.role!.roleName, PermissionsBoundary: BOUNDARY }));
  } finally {
    iam.destroy();
  }
  e2e.stub.denied.add('iam:SimulatePrincipalPolicy');
  const { report, code } = await diagnose(e2e, [id]);

  expect(statuses(report, id)['iam-core-policy']).toBe('fail');
  const message = check(report, id, 'iam-core-policy').message;
  expect(message).toContain(`the permissions boundary ${BOUNDARY} of ${w.role!.roleName} does not allow ssmmessages:CreateControlChannel`);
  expect(message).toMatch(/decided from the role's documents; iam:SimulatePrincipalPolicy was denied/);
  expect(commandsOf(report, id, 'iam-core-policy').join('\n')).toContain(`create-policy-version --policy-arn ${BOUNDARY}`);
  expect(e2e.stub.counts.get('iam:GetPolicyVersion')).toBe(1);
  expect(code).toBe(2);
});
