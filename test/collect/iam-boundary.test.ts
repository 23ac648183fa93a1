import 'aws-sdk-client-mock-jest';
import {
  GetAccountAuthorizationDetailsCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  SimulatePrincipalPolicyCommand,
} from '@aws-sdk/client-iam';
import { gather } from '../../src/collect/gather';
import { readIam, sweepIam } from '../../src/collect/iam/roles';
import { factsSchema, known } from '../../src/facts/schema';
import { IDS } from '../helpers/facts';
import { answerHealthy, awsError, mockedAws, type MockedAws } from './helpers/aws';

const run = (m: MockedAws) => gather(m.clients, [IDS.instance], () => new Date(0), { PATH: '' });
const BOUNDARY = `arn:aws:iam::${IDS.account}:policy/DevBoundary`;
const DOC = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ssm:*', Resource: '*' }] };
const TRUST = encodeURIComponent(
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
  }),
);

const withBoundary = (m: MockedAws, arn = BOUNDARY) =>
  m.iam.on(GetRoleCommand).resolves({
    Role: {
      RoleName: IDS.role,
      Arn: IDS.roleArn,
      Path: '/',
      RoleId: 'AROAEXAMPLEROLE00001',
      CreateDate: new Date(0),
      AssumeRolePolicyDocument: TRUST,
      PermissionsBoundary: { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: arn },
    },
  });
const denySimulation = (m: MockedAws) =>
  m.iam.on(SimulatePrincipalPolicyCommand, { PolicySourceArn: IDS.roleArn }).rejects(awsError('iam', 'AccessDenied'));
const boundaryDocument = (m: MockedAws) => {
  m.iam
    .on(GetPolicyCommand, { PolicyArn: BOUNDARY })
    .resolves({ Policy: { PolicyName: 'DevBoundary', Arn: BOUNDARY, DefaultVersionId: 'v2' } });
  m.iam
    .on(GetPolicyVersionCommand, { PolicyArn: BOUNDARY, VersionId: 'v2' })
    .resolves({ PolicyVersion: { Document: encodeURIComponent(JSON.stringify(DOC)), VersionId: 'v2', IsDefaultVersion: true } });
};

let m: MockedAws;
beforeEach(async () => {
  m = await mockedAws();
  answerHealthy(m);
});
afterEach(() => m.clients.destroy());

describe('collect: the permissions boundary document', () => {
  it('reads a customer managed boundary with GetPolicy and GetPolicyVersion when the simulation is denied', async () => {
    withBoundary(m);
    denySimulation(m);
    boundaryDocument(m);
    const facts = await run(m);
    expect(facts.roles[IDS.role]!.permissionsBoundary).toEqual(known(DOC));
    expect(m.iam).toHaveReceivedCommandTimes(GetPolicyCommand, 1);
    expect(factsSchema.safeParse(JSON.parse(JSON.stringify(facts))).success).toBe(true);
  });

  it('records a denied read of the boundary as unknown naming the call', async () => {
    withBoundary(m);
    denySimulation(m);
    m.iam.on(GetPolicyCommand, { PolicyArn: BOUNDARY }).rejects(awsError('iam', 'AccessDenied'));
    const facts = await run(m);
    expect(facts.roles[IDS.role]!.permissionsBoundary).toMatchObject({ known: false, call: 'iam:GetPolicy', code: 'AccessDenied' });
  });

  it('does not read the boundary when the simulator allowed everything', async () => {
    withBoundary(m);
    boundaryDocument(m);
    const facts = await run(m);
    expect(m.iam).not.toHaveReceivedCommand(GetPolicyCommand);
    expect('permissionsBoundary' in facts.roles[IDS.role]!).toBe(false);
  });

  it('does not read a built-in AWS managed policy used as the boundary', async () => {
    withBoundary(m, IDS.coreArn);
    denySimulation(m);
    const facts = await run(m);
    expect(m.iam).not.toHaveReceivedCommand(GetPolicyCommand);
    expect('permissionsBoundary' in facts.roles[IDS.role]!).toBe(false);
  });

  it('takes a customer managed boundary from the GetAccountAuthorizationDetails sweep without reading it again', async () => {
    m.iam.on(GetAccountAuthorizationDetailsCommand).resolves({
      RoleDetailList: [
        {
          RoleName: IDS.role,
          Arn: IDS.roleArn,
          AssumeRolePolicyDocument: TRUST,
          PermissionsBoundary: { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: BOUNDARY },
          InstanceProfileList: [
            {
              InstanceProfileName: IDS.profileName,
              Arn: IDS.profileArn,
              Path: '/',
              InstanceProfileId: 'x',
              CreateDate: new Date(0),
              Roles: [{ RoleName: IDS.role, Arn: IDS.roleArn, Path: '/', RoleId: 'x', CreateDate: new Date(0) }],
            },
          ],
          AttachedManagedPolicies: [{ PolicyName: 'AmazonSSMManagedInstanceCore', PolicyArn: IDS.coreArn }],
          RolePolicyList: [],
        },
      ],
      Policies: [
        {
          PolicyName: 'DevBoundary',
          Arn: BOUNDARY,
          DefaultVersionId: 'v1',
          PolicyVersionList: [{ VersionId: 'v1', IsDefaultVersion: true, Document: encodeURIComponent(JSON.stringify(DOC)) }],
        },
      ],
      IsTruncated: false,
    });
    denySimulation(m);
    const sweep = await sweepIam(m.clients);
    if (!sweep.known) throw new Error('sweep failed');
    const read = await readIam(m.clients, [IDS.profileArn], null, () => [{ action: 'ssm:UpdateInstanceInformation' }], sweep.value);
    expect(read.roles[IDS.role]!.permissionsBoundary).toEqual(known(DOC));
    expect(m.iam).not.toHaveReceivedCommand(GetPolicyCommand);
    expect(m.iam).not.toHaveReceivedCommand(GetRoleCommand);
  });
});
