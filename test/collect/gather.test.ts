import 'aws-sdk-client-mock-jest';
import {
  DescribeInstancesCommand,
  DescribeInternetGatewaysCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcAttributeCommand,
  DescribeVpcEndpointsCommand,
} from '@aws-sdk/client-ec2';
import {
  GetInstanceProfileCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  SimulatePrincipalPolicyCommand,
} from '@aws-sdk/client-iam';
import {
  DescribeInstanceInformationCommand,
  GetConnectionStatusCommand,
  GetDocumentCommand,
  GetServiceSettingCommand,
} from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAllowed } from '../../src/collect/sdk/allowlist';
import { CollectError } from '../../src/collect/sdk/errors';
import { gather } from '../../src/collect/gather';
import { AGENT_ACTIONS } from '../../src/aws/agent';
import { factsSchema, known, type Facts } from '../../src/facts/schema';
import { IDS, healthyFacts } from '../helpers/facts';
import { allowed, answerHealthy, awsError, mockedAws, rawInformation, rawInstance, type MockedAws } from './helpers/aws';
import { at } from '../helpers/only';

const NOW = new Date('2026-11-29T00:00:00.000Z');
let bin: string;
beforeAll(() => {
  bin = mkdtempSync(join(tmpdir(), 'ssm-doctor-bin-'));
  writeFileSync(join(bin, 'session-manager-plugin'), '#!/bin/sh\n');
  chmodSync(join(bin, 'session-manager-plugin'), 0o755);
});
afterAll(() => rmSync(bin, { recursive: true, force: true }));

const run = (m: MockedAws, ids: string[] = [IDS.instance]) => gather(m.clients, ids, () => NOW, { PATH: bin });

const INSTANCE_ARN = `arn:aws:ec2:${IDS.region}:${IDS.account}:instance/${IDS.instance}`;
const DOCUMENT_ARN = `arn:aws:ssm:${IDS.region}:${IDS.account}:document/SSM-SessionManagerRunShell`;
const notCollected = (call: string) => ({
  known: false,
  call,
  code: 'NotCollected',
  message: expect.stringContaining('SimulatePrincipalPolicy'),
});

/**
 * healthyFacts() as the collector stamps it. IAM answers for the six ec2messages actions too, and
 * names AWS managed policies "aws-managed"; the policy lists are not read when the simulator allowed everything.
 */
function expected(patch: (f: Facts) => void = () => {}): Facts {
  const f: Facts = { ...healthyFacts(), tool: { name: 'ssm-doctor', version: expect.any(String) }, collectedAt: NOW.toISOString() };
  const role = f.roles[IDS.role]!;
  role.attachedPolicies = notCollected('iam:ListAttachedRolePolicies') as never;
  role.inlinePolicies = notCollected('iam:ListRolePolicies') as never;
  role.simulation = known(
    AGENT_ACTIONS.map((action) => ({
      action,
      resource: '*',
      decision: 'allowed',
      matchedStatements: [{ sourcePolicyId: 'AmazonSSMManagedInstanceCore', sourcePolicyType: 'aws-managed' }],
      allowedByOrganizations: true,
      missingContextValues: [],
    })),
  );
  f.callerSimulation = known(
    [INSTANCE_ARN, DOCUMENT_ARN].map((resource) => ({
      action: 'ssm:StartSession',
      resource,
      decision: 'allowed',
      matchedStatements: [{ sourcePolicyId: 'AdministratorAccess', sourcePolicyType: 'aws-managed' }],
      missingContextValues: [],
    })),
  );
  f.client = { sessionManagerPlugin: { found: true, path: join(bin, 'session-manager-plugin') } };
  patch(f);
  return f;
}

/** The role's simulation denied, so the collector falls back to the role's policy lists. */
const denySimulation = (m: MockedAws) =>
  m.iam.on(SimulatePrincipalPolicyCommand, { PolicySourceArn: IDS.roleArn }).rejects(awsError('iam', 'AccessDenied'));

const OTHER = 'i-0fedcba9876543210';
const MISSING = 'i-0abcdefabcdefabc0';

describe('gather', () => {
  let m: MockedAws;
  beforeEach(async () => {
    m = await mockedAws();
    answerHealthy(m);
  });
  afterEach(() => m.clients.destroy());

  it('maps a healthy private-subnet instance to the expected facts in at most 3 rounds and 25 calls (two of them the DHCP options, two the Resolver rules, two VPC Block Public Access)', async () => {
    const facts = await run(m);
    expect(facts).toEqual(expected());
    expect(factsSchema.parse(JSON.parse(JSON.stringify(facts)))).toBeTruthy();

    const stats = m.clients.recorder.stats();
    expect(stats.calls).toBe(25);
    expect(stats.rounds).toBe(3); // instance → profile → role is a real chain
    expect(stats.byOperation).toEqual({
      // round 1
      'ec2:DescribeInstances': 1,
      'ssm:DescribeInstanceInformation': 1,
      'ssm:GetServiceSetting': 1,
      'ssm:GetConnectionStatus': 1,
      'ssm:GetDocument': 1,
      'sts:GetCallerIdentity': 1,
      // round 2
      'ec2:DescribeSubnets': 1,
      'ec2:DescribeRouteTables': 1,
      'ec2:DescribeVpcEndpoints': 1,
      'ec2:DescribeNatGateways': 1,
      'ec2:DescribeInternetGateways': 1,
      'ec2:DescribeSecurityGroups': 1,
      'ec2:DescribeNetworkAcls': 1,
      'ec2:DescribeVpcAttribute': 2,
      'ec2:DescribeVpcs': 1,
      'ec2:DescribeDhcpOptions': 1,
      'route53resolver:ListResolverRuleAssociations': 1,
      'route53resolver:ListResolverRules': 1,
      'ec2:DescribeVpcBlockPublicAccessOptions': 1,
      'ec2:DescribeVpcBlockPublicAccessExclusions': 1,
      'iam:GetInstanceProfile': 1,
      // round 2 (the caller) and round 3 (the role)
      'iam:SimulatePrincipalPolicy': 2,
      // round 3
      'iam:GetRole': 1,
    });
    expect(Object.keys(stats.byOperation).every(isAllowed)).toBe(true);
    expect(stats.calls).toBe(Object.values(stats.byOperation).reduce((a, b) => a + b, 0));
  });

  it('asks with the instance-id filter, the VPC filters and the profile name', async () => {
    await run(m);
    expect(m.ec2).toHaveReceivedCommandWith(DescribeInstancesCommand, { Filters: [{ Name: 'instance-id', Values: [IDS.instance] }] });
    expect(at(at(m.ec2.commandCalls(DescribeInstancesCommand), 0).args, 0).input.InstanceIds).toBeUndefined();
    expect(m.ssm).toHaveReceivedCommandWith(DescribeInstanceInformationCommand, {
      Filters: [{ Key: 'InstanceIds', Values: [IDS.instance] }],
      MaxResults: 50,
    });
    expect(m.ssm).toHaveReceivedCommandWith(GetServiceSettingCommand, {
      SettingId: '/ssm/managed-instance/default-ec2-instance-management-role',
    });
    for (const C of [DescribeSubnetsCommand, DescribeRouteTablesCommand, DescribeVpcEndpointsCommand, DescribeSecurityGroupsCommand]) {
      expect(m.ec2).toHaveReceivedCommandWith(C, { Filters: [{ Name: 'vpc-id', Values: [IDS.vpc] }] });
    }
    expect(m.ec2).toHaveReceivedCommandWith(DescribeNatGatewaysCommand, { Filter: [{ Name: 'vpc-id', Values: [IDS.vpc] }] });
    expect(m.ec2).toHaveReceivedCommandWith(DescribeInternetGatewaysCommand, {
      Filters: [{ Name: 'attachment.vpc-id', Values: [IDS.vpc] }],
    });
    expect(m.ec2).toHaveReceivedCommandWith(DescribeVpcAttributeCommand, { VpcId: IDS.vpc, Attribute: 'enableDnsSupport' });
    expect(m.ec2).toHaveReceivedCommandWith(DescribeVpcAttributeCommand, { VpcId: IDS.vpc, Attribute: 'enableDnsHostnames' });
    expect(m.iam).toHaveReceivedCommandWith(GetInstanceProfileCommand, { InstanceProfileName: IDS.profileName });
    expect(m.iam).not.toHaveReceivedCommand(GetRolePolicyCommand);
    expect(m.iam).not.toHaveReceivedCommand(GetPolicyCommand);
  });

  it('makes an id that does not exist known(null), and finds the others', async () => {
    m.ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ OwnerId: IDS.account, Instances: [rawInstance()] }] });
    // SSM rejects a filter naming a node it does not know; the collector then lists all nodes.
    m.ssm
      .on(DescribeInstanceInformationCommand, { Filters: [{ Key: 'InstanceIds', Values: [IDS.instance, MISSING] }] })
      .rejects(awsError('ssm', 'InvalidInstanceId', 'Instances [[i-0abcdefabcdefabc0]] not in a valid state for account 123456789012'));
    const facts = await run(m, [IDS.instance, MISSING]);
    expect(facts.instances[MISSING]).toEqual(known(null));
    expect(facts.instances[IDS.instance]).toEqual(expected().instances[IDS.instance]);
    expect(facts.managedInstances).toEqual(expected().managedInstances);
    expect(m.ssm).toHaveReceivedCommandTimes(DescribeInstanceInformationCommand, 2);
    expect(at(at(m.ssm.commandCalls(DescribeInstanceInformationCommand), 1).args, 0).input.Filters).toBeUndefined();
    expect(facts.vpcs).toEqual(expected().vpcs);
  });

  it('makes only that profile unknown when iam:GetInstanceProfile is denied', async () => {
    m.iam.on(GetInstanceProfileCommand).rejects(awsError('iam', 'AccessDenied'));
    const facts = await run(m);
    expect(facts.instanceProfiles[IDS.profileArn]).toEqual({
      known: false,
      call: 'iam:GetInstanceProfile',
      code: 'AccessDenied',
      message: expect.stringContaining('not authorized'),
    });
    expect(facts).toEqual(
      expected((f) => {
        f.instanceProfiles[IDS.profileArn] = facts.instanceProfiles[IDS.profileArn]!;
        f.roles = {};
      }),
    );
  });

  it('makes only the endpoints unknown when ec2:DescribeVpcEndpoints is denied', async () => {
    m.ec2
      .on(DescribeVpcEndpointsCommand)
      .rejects(awsError('ec2', 'UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    const facts = await run(m);
    const endpoints = facts.vpcs[IDS.vpc]!.endpoints;
    expect(endpoints).toEqual({
      known: false,
      call: 'ec2:DescribeVpcEndpoints',
      code: 'UnauthorizedOperation',
      message: 'You are not authorized to perform this operation.',
    });
    // Without the endpoints, whether DNS steers Systems Manager elsewhere is worth knowing: the hosted zones are read.
    expect(facts).toEqual(
      expected((f) => {
        f.vpcs[IDS.vpc]!.endpoints = endpoints;
        f.vpcs[IDS.vpc]!.hostedZones = known([]);
      }),
    );
  });

  it('makes every requested instance unknown when ec2:DescribeInstances is denied', async () => {
    m.ec2.on(DescribeInstancesCommand).rejects(awsError('ec2', 'UnauthorizedOperation'));
    const facts = await run(m, [IDS.instance, OTHER]);
    for (const id of [IDS.instance, OTHER]) {
      expect(facts.instances[id]).toMatchObject({ known: false, call: 'ec2:DescribeInstances', code: 'UnauthorizedOperation' });
    }
    expect(facts.vpcs).toEqual({});
    expect(facts.managedInstances.known).toBe(true);
  });

  it('names the real NoSuchEntity code: a deleted profile is known(null)', async () => {
    m.iam.on(GetInstanceProfileCommand).rejects(awsError('iam', 'NoSuchEntity', 'Instance Profile SSMInstanceProfile cannot be found.'));
    const facts = await run(m);
    expect(facts.instanceProfiles[IDS.profileArn]).toEqual(known(null));
    expect(facts.roles).toEqual({});
  });

  it('follows DescribeInstanceInformation across NextToken pages', async () => {
    m.ec2
      .on(DescribeInstancesCommand)
      .resolves({ Reservations: [{ OwnerId: IDS.account, Instances: [rawInstance(), rawInstance(OTHER)] }] });
    m.ssm
      .on(DescribeInstanceInformationCommand)
      .resolves({ InstanceInformationList: [rawInformation()], NextToken: 'page-2' })
      .on(DescribeInstanceInformationCommand, { NextToken: 'page-2' })
      .resolves({ InstanceInformationList: [rawInformation(OTHER)] });
    const facts = await run(m, [IDS.instance, OTHER]);
    expect(m.ssm).toHaveReceivedCommandTimes(DescribeInstanceInformationCommand, 2);
    expect(m.ssm).toHaveReceivedNthSpecificCommandWith(2, DescribeInstanceInformationCommand, { NextToken: 'page-2' });
    expect(facts.managedInstances.known && Object.keys(facts.managedInstances.value).sort()).toEqual([OTHER, IDS.instance].sort());
  });

  it('follows ListAttachedRolePolicies across Marker pages and reads the customer policy it finds', async () => {
    const custom = `arn:aws:iam::${IDS.account}:policy/ssm-minimal`;
    const document = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['ssm:UpdateInstanceInformation'], Resource: '*' }] };
    m.iam
      .on(ListAttachedRolePoliciesCommand)
      .resolves({
        AttachedPolicies: [{ PolicyName: 'AmazonSSMManagedInstanceCore', PolicyArn: IDS.coreArn }],
        IsTruncated: true,
        Marker: 'm-2',
      })
      .on(ListAttachedRolePoliciesCommand, { Marker: 'm-2' })
      .resolves({ AttachedPolicies: [{ PolicyName: 'ssm-minimal', PolicyArn: custom }], IsTruncated: false });
    m.iam.on(GetPolicyCommand).resolves({ Policy: { PolicyName: 'ssm-minimal', Arn: custom, DefaultVersionId: 'v3' } });
    m.iam
      .on(GetPolicyVersionCommand, { PolicyArn: custom, VersionId: 'v3' })
      .resolves({ PolicyVersion: { Document: encodeURIComponent(JSON.stringify(document)), VersionId: 'v3', IsDefaultVersion: true } });
    denySimulation(m);
    const facts = await run(m);
    const role = facts.roles[IDS.role]!;
    expect(role.attachedPolicies).toEqual(
      known([
        { policyName: 'AmazonSSMManagedInstanceCore', policyArn: IDS.coreArn },
        { policyName: 'ssm-minimal', policyArn: custom },
      ]),
    );
    expect(m.iam).toHaveReceivedNthSpecificCommandWith(2, ListAttachedRolePoliciesCommand, { RoleName: IDS.role, Marker: 'm-2' });
    expect(role.managedPolicyDocuments).toEqual({ [custom]: known(document) });
    expect(m.iam).toHaveReceivedCommandTimes(GetPolicyCommand, 1);
  });

  it('decodes a URL-encoded inline policy (real IAM) and reads a plain one (moto)', async () => {
    const encoded = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ssmmessages:*', Resource: '*' }] };
    const plain = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Deny', Action: 'ssm:*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }],
    };
    m.iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: ['encoded', 'plain'], IsTruncated: false });
    m.iam
      .on(GetRolePolicyCommand, { PolicyName: 'encoded' })
      .resolves({ RoleName: IDS.role, PolicyName: 'encoded', PolicyDocument: encodeURIComponent(JSON.stringify(encoded)) });
    m.iam
      .on(GetRolePolicyCommand, { PolicyName: 'plain' })
      .resolves({ RoleName: IDS.role, PolicyName: 'plain', PolicyDocument: JSON.stringify(plain) });
    denySimulation(m);
    const facts = await run(m);
    expect(facts.roles[IDS.role]?.inlinePolicies).toEqual(
      known([
        { policyName: 'encoded', document: encoded },
        { policyName: 'plain', document: plain },
      ]),
    );
  });

  it('makes the inline policies unknown when one of them cannot be read or parsed', async () => {
    m.iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: ['broken'], IsTruncated: false });
    m.iam.on(GetRolePolicyCommand).resolves({ RoleName: IDS.role, PolicyName: 'broken', PolicyDocument: '%7B%22Version' });
    denySimulation(m);
    const facts = await run(m);
    expect(facts.roles[IDS.role]?.inlinePolicies).toMatchObject({
      known: false,
      call: 'iam:GetRolePolicy',
      code: 'MalformedPolicyDocument',
    });
    expect(facts.roles[IDS.role]?.attachedPolicies.known).toBe(true);
  });

  it('shares calls: two instances in one VPC with one role cost no more VPC or IAM calls than one', async () => {
    await run(m);
    const one = m.clients.recorder.stats();

    const two = await mockedAws();
    answerHealthy(two, [rawInstance(), rawInstance(OTHER)]);
    const facts = await run(two, [IDS.instance, OTHER]);
    const stats = two.clients.recorder.stats();
    two.clients.destroy();

    expect(Object.keys(facts.instances)).toEqual([IDS.instance, OTHER]);
    expect(facts.instances[OTHER]).toMatchObject(known({ instanceId: OTHER, vpcId: IDS.vpc }));
    expect(Object.keys(facts.managedInstances.known ? facts.managedInstances.value : {})).toHaveLength(2);
    // GetConnectionStatus takes one instance per call; everything else is shared.
    expect(stats.byOperation).toEqual({ ...one.byOperation, 'ssm:GetConnectionStatus': 2 });
    expect(stats.rounds).toBe(one.rounds);
    expect(facts.connections).toEqual({ [IDS.instance]: known('connected'), [OTHER]: known('connected') });
    const callerSim = at(two.iam.commandCalls(SimulatePrincipalPolicyCommand, { PolicySourceArn: IDS.callerPrincipal }), 0).args[0].input;
    expect(callerSim.ResourceArns).toEqual([INSTANCE_ARN, INSTANCE_ARN.replace(IDS.instance, OTHER), DOCUMENT_ARN]);
  });

  it('starts each read when its own inputs are known: the VPC reads and the profile do not wait for a slow registration read', async () => {
    const information = rawInformation();
    m.ssm
      .on(DescribeInstanceInformationCommand)
      .callsFake(() => new Promise((resolve) => setTimeout(() => resolve({ InstanceInformationList: [information] }), 60)));
    await run(m);
    const records = m.clients.recorder.records;
    const one = (op: string) => {
      const found = records.filter((r) => r.operation === op);
      expect(found).toHaveLength(1);
      return found[0]!;
    };
    const registration = one('ssm:DescribeInstanceInformation');
    for (const op of [
      'ec2:DescribeVpcEndpoints',
      'ec2:DescribeSubnets',
      'ec2:DescribeRouteTables',
      'iam:GetInstanceProfile',
      'iam:GetRole',
    ]) {
      expect(one(op).start).toBeLessThan(registration.end);
    }
    // The console output is the one read that needs the registration (it is read for unregistered instances only).
    expect(m.clients.recorder.stats().rounds).toBe(3);
  });

  describe('the Default Host Management role', () => {
    const name = 'AWSSystemsManagerDefaultEC2InstanceManagementRole';
    const arn = `arn:aws:iam::${IDS.account}:role/service-role/${name}`;
    beforeEach(() => {
      m.ssm.on(GetServiceSettingCommand).resolves({ ServiceSetting: { SettingValue: `service-role/${name}`, Status: 'Customized' } });
      m.iam.on(GetRoleCommand, { RoleName: name }).resolves({
        Role: {
          RoleName: name,
          Arn: arn,
          Path: '/service-role/',
          RoleId: 'AROAEXAMPLEDHMC00001',
          CreateDate: NOW,
          AssumeRolePolicyDocument: '{}',
        },
      });
      m.iam.on(SimulatePrincipalPolicyCommand, { PolicySourceArn: arn }).resolves({
        EvaluationResults: AGENT_ACTIONS.map((a) => allowed(a, '*', 'AmazonSSMManagedEC2InstanceDefaultPolicy')),
      });
    });

    it('is read at once for an instance without a profile, simulated on the ARN the setting spells (with its path)', async () => {
      m.ec2
        .on(DescribeInstancesCommand)
        .resolves({ Reservations: [{ OwnerId: IDS.account, Instances: [rawInstance(IDS.instance, { IamInstanceProfile: undefined })] }] });
      const facts = await run(m);
      expect(facts.dhmc).toEqual(known({ roleName: name }));
      expect(Object.keys(facts.roles)).toEqual([name]);
      expect(m.iam).toHaveReceivedCommandWith(SimulatePrincipalPolicyCommand, { PolicySourceArn: arn });
      expect(facts.roles[name]?.role).toEqual(known({ arn, trustPolicy: {} }));
      expect(facts.roles[name]?.simulation).toMatchObject(
        known(expect.arrayContaining([expect.objectContaining({ decision: 'allowed' })])),
      );
      // GetRole and the simulation start beside the VPC reads: the setting named the role in round 1.
      expect(m.clients.recorder.stats().rounds).toBe(2);
    });

    it('is not read when the instance profile role is allowed ssm:UpdateInstanceInformation (the agent never falls back)', async () => {
      const facts = await run(m);
      expect(Object.keys(facts.roles)).toEqual([IDS.role]);
      expect(m.iam).not.toHaveReceivedCommandWith(GetRoleCommand, { RoleName: name });
      expect(m.clients.recorder.stats().calls).toBe(25);
    });

    it('is read after the profile role when that role may not be allowed ssm:UpdateInstanceInformation', async () => {
      denySimulation(m);
      const facts = await run(m);
      expect(Object.keys(facts.roles).sort()).toEqual([name, IDS.role].sort());
      expect(facts.roles[name]?.simulation?.known).toBe(true);
      expect(m.clients.recorder.stats().rounds).toBe(4);
    });

    it('is read beside the roles when a profile does not exist', async () => {
      m.iam.on(GetInstanceProfileCommand).rejects(awsError('iam', 'NoSuchEntity', 'Instance Profile SSMInstanceProfile cannot be found.'));
      const facts = await run(m);
      expect(Object.keys(facts.roles)).toEqual([name]);
      expect(m.clients.recorder.stats().rounds).toBe(3);
    });
  });

  it('treats a missing DHMC setting as off', async () => {
    m.ssm.on(GetServiceSettingCommand).rejects(awsError('ssm', 'ServiceSettingNotFound', 'setting not found'));
    expect((await run(m)).dhmc).toEqual(known({ roleName: null }));
  });

  it('makes dhmc unknown when ssm:GetServiceSetting is denied', async () => {
    m.ssm.on(GetServiceSettingCommand).rejects(awsError('ssm', 'AccessDeniedException'));
    const facts = await run(m);
    expect(facts.dhmc).toMatchObject({ known: false, call: 'ssm:GetServiceSetting', code: 'AccessDeniedException' });
    expect(facts.instances).toEqual(expected().instances);
  });

  it('throws a CollectError when every first-round call fails for want of credentials', async () => {
    const noCreds = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    m.ec2.on(DescribeInstancesCommand).rejects(noCreds);
    m.ssm.on(DescribeInstanceInformationCommand).rejects(noCreds);
    m.ssm.on(GetServiceSettingCommand).rejects(noCreds);
    m.ssm.on(GetConnectionStatusCommand).rejects(noCreds);
    m.ssm.on(GetDocumentCommand).rejects(noCreds);
    m.sts.on(GetCallerIdentityCommand).rejects(noCreds);
    await expect(run(m)).rejects.toThrow(
      new CollectError('no AWS credentials: configure a profile (aws configure / aws sso login --profile NAME) or set AWS_ACCESS_KEY_ID'),
    );
    // Nothing after the first round was attempted.
    expect(m.iam).not.toHaveReceivedCommand(GetInstanceProfileCommand);
  });

  it('keeps going when only some first-round calls fail', async () => {
    m.ssm
      .on(DescribeInstanceInformationCommand)
      .rejects(awsError('ssm', 'ExpiredTokenException', 'The security token included in the request is expired'));
    const facts = await run(m);
    expect(facts.managedInstances).toMatchObject({ known: false, code: 'ExpiredTokenException' });
    expect(facts.instances).toEqual(expected().instances);
  });
});
