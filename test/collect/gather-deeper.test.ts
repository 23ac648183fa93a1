import 'aws-sdk-client-mock-jest';
import {
  DescribeInstancesCommand,
  DescribeNetworkAclsCommand,
  DescribeSecurityGroupsCommand,
  DescribeVpcEndpointsCommand,
  GetConsoleOutputCommand,
  GetManagedPrefixListEntriesCommand,
  type IpPermission,
} from '@aws-sdk/client-ec2';
import {
  GetRoleCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  SimulatePrincipalPolicyCommand,
} from '@aws-sdk/client-iam';
import { ListHostedZonesByVPCCommand } from '@aws-sdk/client-route-53';
import { DescribeInstanceInformationCommand, GetConnectionStatusCommand, GetDocumentCommand } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { gather } from '../../src/collect/gather';
import { LOGS_ACTIONS } from '../../src/aws/session-preferences';
import { AGENT_ACTIONS } from '../../src/aws/agent';
import { factsSchema, known } from '../../src/facts/schema';
import { IDS, healthyFacts } from '../helpers/facts';
import { allowed, answerHealthy, awsError, mockedAws, rawInformation, rawInstance, type MockedAws } from './helpers/aws';
import { at } from '../helpers/only';

const run = (m: MockedAws, ids: string[] = [IDS.instance]) => gather(m.clients, ids, () => new Date(0), { PATH: '' });
const stats = (m: MockedAws) => m.clients.recorder.stats();
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const INSTANCE_ARN = `arn:aws:ec2:${IDS.region}:${IDS.account}:instance/${IDS.instance}`;
const DOCUMENT_ARN = `arn:aws:ssm:${IDS.region}:${IDS.account}:document/SSM-SessionManagerRunShell`;

let m: MockedAws;
beforeEach(async () => {
  m = await mockedAws();
  answerHealthy(m);
});
afterEach(() => m.clients.destroy());

describe('gather: network ACLs, hosted zones, prefix lists', () => {
  it('reads the network ACLs with the vpc-id filter, beside the other VPC reads', async () => {
    const facts = await run(m);
    expect(m.ec2).toHaveReceivedCommandWith(DescribeNetworkAclsCommand, { Filters: [{ Name: 'vpc-id', Values: [IDS.vpc] }] });
    expect(facts.vpcs[IDS.vpc]?.networkAcls).toEqual(healthyFacts().vpcs[IDS.vpc]!.networkAcls);
  });

  it('does not read hosted zones when the VPC has its own ssm and ssmmessages endpoints', async () => {
    const facts = await run(m);
    expect(m.route53).not.toHaveReceivedCommand(ListHostedZonesByVPCCommand);
    expect('hostedZones' in facts.vpcs[IDS.vpc]!).toBe(false);
  });

  it('reads the hosted zones of a VPC without local Systems Manager endpoints, across pages, in round 3', async () => {
    m.ec2.on(DescribeVpcEndpointsCommand).resolves({
      VpcEndpoints: [
        // Only ec2messages, and an ssm endpoint that is still pending: neither keeps ssm and ssmmessages local.
        {
          VpcEndpointId: IDS.vpce.ec2messages,
          VpcEndpointType: 'Interface',
          VpcId: IDS.vpc,
          ServiceName: `com.amazonaws.${IDS.region}.ec2messages`,
          State: 'available' as never,
        },
        {
          VpcEndpointId: IDS.vpce.ssm,
          VpcEndpointType: 'Interface',
          VpcId: IDS.vpc,
          ServiceName: `com.amazonaws.${IDS.region}.ssm`,
          State: 'pending' as never,
        },
      ],
    });
    m.route53
      .on(ListHostedZonesByVPCCommand)
      .resolves({
        HostedZoneSummaries: [
          { HostedZoneId: 'Z0111111111111111111A', Name: `ssm.${IDS.region}.amazonaws.com.`, Owner: { OwningAccount: '111122223333' } },
        ],
        MaxItems: 100,
        NextToken: 'z-2',
      })
      .on(ListHostedZonesByVPCCommand, { NextToken: 'z-2' })
      .resolves({
        HostedZoneSummaries: [
          {
            HostedZoneId: '/hostedzone/Z0222222222222222222B',
            Name: 'corp.internal.',
            Owner: { OwningService: 'servicediscovery.amazonaws.com' },
          },
        ],
        MaxItems: 100,
      });
    const facts = await run(m);
    expect(m.route53).toHaveReceivedCommandWith(ListHostedZonesByVPCCommand, { VPCId: IDS.vpc, VPCRegion: IDS.region as never });
    expect(m.route53).toHaveReceivedCommandTimes(ListHostedZonesByVPCCommand, 2);
    expect(facts.vpcs[IDS.vpc]?.hostedZones).toEqual(
      known([
        { name: `ssm.${IDS.region}.amazonaws.com.`, hostedZoneId: 'Z0111111111111111111A', owningAccount: '111122223333' },
        { name: 'corp.internal.', hostedZoneId: 'Z0222222222222222222B', owningService: 'servicediscovery.amazonaws.com' },
      ]),
    );
    // Two pages in a row after round 2's endpoints: the zones' second page is the one round that exceeds 3.
    expect(stats(m).rounds).toBe(4);
  });

  it('makes the hosted zones unknown when route53:ListHostedZonesByVPC is denied', async () => {
    m.ec2.on(DescribeVpcEndpointsCommand).resolves({ VpcEndpoints: [] });
    m.route53.on(ListHostedZonesByVPCCommand).rejects(awsError('route53', 'AccessDenied'));
    const facts = await run(m);
    expect(facts.vpcs[IDS.vpc]?.hostedZones).toMatchObject({ known: false, call: 'route53:ListHostedZonesByVPC', code: 'AccessDenied' });
    expect(stats(m).rounds).toBe(3);
  });

  it('resolves the prefix lists the instance and endpoint groups name (and only those), in round 3', async () => {
    const rule = (p: Partial<IpPermission>): IpPermission => ({
      IpRanges: [],
      Ipv6Ranges: [],
      PrefixListIds: [],
      UserIdGroupPairs: [],
      ...p,
    });
    m.ec2.on(DescribeSecurityGroupsCommand).resolves({
      SecurityGroups: [
        {
          GroupId: IDS.instanceSg,
          GroupName: 'test-ec2-sg',
          VpcId: IDS.vpc,
          IpPermissionsEgress: [rule({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, PrefixListIds: [{ PrefixListId: 'pl-0out' }] })],
        },
        {
          GroupId: IDS.endpointSg,
          GroupName: 'ssm-endpoints',
          VpcId: IDS.vpc,
          IpPermissions: [
            rule({
              IpProtocol: 'tcp',
              FromPort: 443,
              ToPort: 443,
              PrefixListIds: [{ PrefixListId: 'pl-0in' }, { PrefixListId: 'pl-0out' }],
            }),
          ],
        },
        {
          GroupId: IDS.defaultSg,
          GroupName: 'default',
          VpcId: IDS.vpc,
          IpPermissions: [rule({ IpProtocol: '-1', PrefixListIds: [{ PrefixListId: 'pl-0unrelated' }] })],
        },
      ],
    });
    m.ec2
      .on(GetManagedPrefixListEntriesCommand, { PrefixListId: 'pl-0out' })
      .resolves({ Entries: [{ Cidr: '10.0.1.0/24' }], NextToken: 'p-2' })
      .on(GetManagedPrefixListEntriesCommand, { PrefixListId: 'pl-0out', NextToken: 'p-2' })
      .resolves({ Entries: [{ Cidr: '10.0.2.0/24' }] })
      .on(GetManagedPrefixListEntriesCommand, { PrefixListId: 'pl-0in' })
      .rejects(awsError('ec2', 'UnauthorizedOperation'));
    const facts = await run(m);
    expect(facts.prefixLists).toEqual({
      'pl-0out': known(['10.0.1.0/24', '10.0.2.0/24']),
      'pl-0in': expect.objectContaining({ known: false, call: 'ec2:GetManagedPrefixListEntries', code: 'UnauthorizedOperation' }),
    });
    expect(m.ec2).toHaveReceivedCommandWith(GetManagedPrefixListEntriesCommand, { PrefixListId: 'pl-0out', MaxResults: 100 });
    expect(m.ec2).not.toHaveReceivedCommandWith(GetManagedPrefixListEntriesCommand, { PrefixListId: 'pl-0unrelated' });
    expect(factsSchema.parse(JSON.parse(JSON.stringify(facts)))).toBeTruthy();
  });
});

describe('gather: connection status and console output', () => {
  const A = IDS.instance;
  const B = 'i-0bbbbbbbbbbbbbbb1';
  const C = 'i-0ccccccccccccccc2';

  beforeEach(() => {
    m.ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [
        { OwnerId: IDS.account, Instances: [rawInstance(A), rawInstance(B), rawInstance(C, { State: { Code: 80, Name: 'stopped' } })] },
      ],
    });
    // Only A is registered.
    m.ssm.on(DescribeInstanceInformationCommand).resolves({ InstanceInformationList: [rawInformation(A)] });
    m.ssm
      .on(GetConnectionStatusCommand, { Target: B })
      .resolves({ Target: B, Status: 'notconnected' })
      .on(GetConnectionStatusCommand, { Target: C })
      .rejects(awsError('ssm', 'AccessDeniedException'));
  });

  it('asks GetConnectionStatus once per instance, in round 1, and keeps each answer or failure apart', async () => {
    const facts = await run(m, [A, B, C]);
    for (const id of [A, B, C]) expect(m.ssm).toHaveReceivedCommandWith(GetConnectionStatusCommand, { Target: id });
    expect(facts.connections).toEqual({
      [A]: known('connected'),
      [B]: known('notconnected'),
      [C]: expect.objectContaining({ known: false, call: 'ssm:GetConnectionStatus', code: 'AccessDeniedException' }),
    });
  });

  it('reads the console output (latest) only of running instances that Systems Manager does not list, keeping the agent lines', async () => {
    const boot = [
      '[    0.000000] Linux version 6.1.0 (builder@amazon)',
      '\x1b[0;32m  OK  \x1b[0m] Started amazon-ssm-agent.service - amazon-ssm-agent.',
      'cloud-init[1234]: Cloud-init v. 22.2.2 finished',
      ...Array.from(
        { length: 25 },
        (_, i) => `amazon-ssm-agent[2011]: ERROR [CredentialRefresher] attempt ${i} ${'x'.repeat(i === 24 ? 400 : 0)}`,
      ),
      'snap.amazon-ssm-agent.amazon-ssm-agent[900]: Agent will take identity from EC2',
    ].join('\r\n');
    m.ec2.on(GetConsoleOutputCommand, { InstanceId: B }).resolves({ InstanceId: B, Output: b64(boot) });
    const facts = await run(m, [A, B, C]);
    expect(m.ec2).toHaveReceivedCommandTimes(GetConsoleOutputCommand, 1);
    expect(m.ec2).toHaveReceivedCommandWith(GetConsoleOutputCommand, { InstanceId: B, Latest: true });
    const out = facts.consoleOutput?.[B];
    if (!out?.known) throw new Error('console output not read');
    expect(out.value.hasOutput).toBe(true);
    expect(out.value.agentLines).toHaveLength(20);
    expect(out.value.agentLines[19]).toBe('snap.amazon-ssm-agent.amazon-ssm-agent[900]: Agent will take identity from EC2');
    expect(out.value.agentLines[0]).toBe('amazon-ssm-agent[2011]: ERROR [CredentialRefresher] attempt 6');
    expect(out.value.agentLines[18]).toHaveLength(300);
    expect(out.value.agentLines.every((l) => !l.includes('\x1b') && !l.includes('\r'))).toBe(true);
    expect(Object.keys(facts.consoleOutput ?? {})).toEqual([B]);
    expect(stats(m).rounds).toBe(3);
  });

  it('says when there was no output, and asks again without Latest when the instance type refuses it', async () => {
    m.ec2.on(GetConsoleOutputCommand).callsFake((input: { InstanceId: string; Latest?: boolean }) => {
      if (input.Latest) throw awsError('ec2', 'UnsupportedOperation', 'The latest console output is only available on Nitro instances.');
      return { InstanceId: input.InstanceId };
    });
    const facts = await run(m, [A, B, C]);
    expect(m.ec2).toHaveReceivedCommandTimes(GetConsoleOutputCommand, 2);
    expect(at(at(m.ec2.commandCalls(GetConsoleOutputCommand), 1).args, 0).input.Latest).toBeUndefined();
    expect(facts.consoleOutput).toEqual({ [B]: known({ hasOutput: false, agentLines: [] }) });
  });

  it('makes the console output unknown when it is denied, and reads none when registration is unknown', async () => {
    m.ec2.on(GetConsoleOutputCommand).rejects(awsError('ec2', 'UnauthorizedOperation'));
    expect((await run(m, [A, B, C])).consoleOutput).toEqual({
      [B]: expect.objectContaining({ known: false, call: 'ec2:GetConsoleOutput', code: 'UnauthorizedOperation' }),
    });

    const blind = await mockedAws();
    answerHealthy(blind);
    blind.ssm.on(DescribeInstanceInformationCommand).rejects(awsError('ssm', 'AccessDeniedException'));
    expect((await run(blind)).consoleOutput).toEqual({});
    expect(blind.ec2).not.toHaveReceivedCommand(GetConsoleOutputCommand);
    blind.clients.destroy();
  });
});

describe('gather: session preferences', () => {
  const KEY = `arn:aws:kms:${IDS.region}:${IDS.account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
  const content = {
    schemaVersion: '1.0',
    description: 'Document to hold regional settings for Session Manager',
    sessionType: 'Standard_Stream',
    inputs: {
      s3BucketName: 'session-logs-123456789012',
      s3KeyPrefix: 'ssm/',
      s3EncryptionEnabled: 'true',
      cloudWatchLogGroupName: '/ssm/sessions',
      cloudWatchEncryptionEnabled: false,
      cloudWatchStreamingEnabled: true,
      kmsKeyId: '1234abcd-12ab-34cd-56ef-1234567890ab',
      runAsEnabled: 'false',
      runAsDefaultUser: '',
      idleSessionTimeout: '20',
      shellProfile: { windows: '', linux: '' },
    },
  };

  it('treats a missing SSM-SessionManagerRunShell document as preferences never saved', async () => {
    const facts = await run(m);
    expect(m.ssm).toHaveReceivedCommandWith(GetDocumentCommand, { Name: 'SSM-SessionManagerRunShell', DocumentFormat: 'JSON' });
    expect(facts.sessionPreferences).toEqual(known(null));
  });

  it('parses the inputs (booleans as the console saves them) and simulates what they make the role and the caller do', async () => {
    m.ssm.on(GetDocumentCommand).resolves({ Name: 'SSM-SessionManagerRunShell', Content: JSON.stringify(content), DocumentFormat: 'JSON' });
    const roleAnswer = (input: { ActionNames: string[]; ResourceArns?: string[] }) => ({
      EvaluationResults: input.ActionNames.flatMap((a) => (input.ResourceArns ?? ['*']).map((r) => allowed(a, r, 'SessionLogging'))),
    });
    m.iam.on(SimulatePrincipalPolicyCommand, { PolicySourceArn: IDS.roleArn }).callsFake(roleAnswer);
    const facts = await run(m);
    expect(facts.sessionPreferences).toEqual(
      known({
        documentName: 'SSM-SessionManagerRunShell',
        kmsKeyId: '1234abcd-12ab-34cd-56ef-1234567890ab',
        s3BucketName: 'session-logs-123456789012',
        s3KeyPrefix: 'ssm/',
        s3EncryptionEnabled: true,
        cloudWatchLogGroupName: '/ssm/sessions',
        cloudWatchEncryptionEnabled: false,
        cloudWatchStreamingEnabled: true,
        runAsEnabled: false,
      }),
    );

    const bucket = 'arn:aws:s3:::session-logs-123456789012';
    // The stream actions on the group's streams, DescribeLogGroups on every group: the requests session-preferences judges.
    const groups = `arn:aws:logs:${IDS.region}:${IDS.account}:log-group:*`;
    const streams = `arn:aws:logs:${IDS.region}:${IDS.account}:log-group:/ssm/sessions:log-stream:*`;
    const roleInput = at(m.iam.commandCalls(SimulatePrincipalPolicyCommand, { PolicySourceArn: IDS.roleArn }), 0).args[0].input;
    expect(roleInput.ResourceArns).toEqual(['*', KEY, `${bucket}/ssm/*`, bucket, streams, groups]);
    // One result per pair asked for: no action judged on a resource it never touches.
    const sim = facts.roles[IDS.role]?.simulation;
    if (!sim?.known) throw new Error('no simulation');
    expect(sim.value.map((r) => `${r.action} ${r.resource}`).sort()).toEqual(
      [
        ...AGENT_ACTIONS.map((a) => `${a} *`),
        `kms:Decrypt ${KEY}`,
        `s3:PutObject ${bucket}/ssm/*`,
        `s3:GetEncryptionConfiguration ${bucket}`,
        ...LOGS_ACTIONS.map((a) => `${a} ${a === 'logs:DescribeLogGroups' ? groups : streams}`),
      ].sort(),
    );

    const callerInput = at(m.iam.commandCalls(SimulatePrincipalPolicyCommand, { PolicySourceArn: IDS.callerPrincipal }), 0).args[0].input;
    expect(callerInput.ActionNames).toEqual(['ssm:StartSession', 'kms:GenerateDataKey']);
    expect(callerInput.ResourceArns).toEqual([INSTANCE_ARN, DOCUMENT_ARN, KEY]);
    expect(facts.callerSimulation?.known && facts.callerSimulation.value.map((r) => `${r.action} ${r.resource}`)).toEqual([
      `ssm:StartSession ${INSTANCE_ARN}`,
      `ssm:StartSession ${DOCUMENT_ARN}`,
      `kms:GenerateDataKey ${KEY}`,
    ]);
    expect(stats(m).rounds).toBe(3);
  });

  it('makes the preferences unknown when ssm:GetDocument is denied or the content is not JSON, and then simulates only the agent', async () => {
    m.ssm.on(GetDocumentCommand).rejects(awsError('ssm', 'AccessDeniedException'));
    const facts = await run(m);
    expect(facts.sessionPreferences).toMatchObject({ known: false, call: 'ssm:GetDocument', code: 'AccessDeniedException' });
    expect(m.iam.commandCalls(SimulatePrincipalPolicyCommand, { PolicySourceArn: IDS.roleArn })[0]?.args[0]?.input).toMatchObject({
      ActionNames: [...AGENT_ACTIONS],
      ResourceArns: undefined,
    });

    const broken = await mockedAws();
    answerHealthy(broken);
    broken.ssm.on(GetDocumentCommand).resolves({ Content: 'schemaVersion: "1.0"' });
    expect((await run(broken)).sessionPreferences).toMatchObject({ known: false, call: 'ssm:GetDocument', code: 'MalformedDocument' });
    broken.clients.destroy();
  });
});

describe('gather: the role (GetRole and the simulator)', () => {
  it('reads the trust policy (URL-decoded) and the permissions boundary', async () => {
    const trust = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'ssm.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    };
    const boundary = `arn:aws:iam::${IDS.account}:policy/boundary`;
    m.iam.on(GetRoleCommand).resolves({
      Role: {
        RoleName: IDS.role,
        Arn: IDS.roleArn,
        Path: '/',
        RoleId: 'AROAEXAMPLEROLE00001',
        CreateDate: new Date(0),
        AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(trust)),
        PermissionsBoundary: { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: boundary },
      },
    });
    const facts = await run(m);
    expect(m.iam).toHaveReceivedCommandWith(GetRoleCommand, { RoleName: IDS.role });
    expect(facts.roles[IDS.role]?.role).toEqual(known({ arn: IDS.roleArn, trustPolicy: trust, permissionsBoundaryArn: boundary }));
  });

  it('simulates the agent actions on the role ARN that GetInstanceProfile names, with ResourceArns left to IAM (*)', async () => {
    await run(m);
    const input = at(m.iam.commandCalls(SimulatePrincipalPolicyCommand, { PolicySourceArn: IDS.roleArn }), 0).args[0].input;
    expect(input).toMatchObject({ ActionNames: [...AGENT_ACTIONS], MaxItems: 1000 });
    expect(input.ResourceArns).toBeUndefined();
    expect(m.iam).not.toHaveReceivedCommand(ListAttachedRolePoliciesCommand);
  });

  it('falls back to the policy lists when the simulation is denied (one more round), and makes the simulation unknown', async () => {
    m.iam.on(SimulatePrincipalPolicyCommand, { PolicySourceArn: IDS.roleArn }).rejects(awsError('iam', 'AccessDenied'));
    const facts = await run(m);
    const role = facts.roles[IDS.role]!;
    expect(role.simulation).toMatchObject({ known: false, call: 'iam:SimulatePrincipalPolicy', code: 'AccessDenied' });
    expect(role.attachedPolicies).toEqual(healthyFacts().roles[IDS.role]!.attachedPolicies);
    expect(role.inlinePolicies).toEqual(known([]));
    expect(role.role?.known).toBe(true);
    const s = stats(m);
    expect(s.rounds).toBe(4);
    expect(s.byOperation).toMatchObject({
      'iam:SimulatePrincipalPolicy': 2,
      'iam:GetRole': 1,
      'iam:ListAttachedRolePolicies': 1,
      'iam:ListRolePolicies': 1,
    });
    expect(s.calls).toBe(27);
  });

  it('reads the policy lists when the simulator does not allow every action, so a check can name the statement', async () => {
    m.iam.on(SimulatePrincipalPolicyCommand, { PolicySourceArn: IDS.roleArn }).resolves({
      EvaluationResults: AGENT_ACTIONS.map((a) =>
        a.startsWith('ssmmessages:')
          ? {
              EvalActionName: a,
              EvalResourceName: '*',
              EvalDecision: 'explicitDeny',
              MatchedStatements: [{ SourcePolicyId: 'no-sessions', SourcePolicyType: 'role' }],
              MissingContextValues: [],
              OrganizationsDecisionDetail: { AllowedByOrganizations: true },
              PermissionsBoundaryDecisionDetail: { AllowedByPermissionsBoundary: true },
            }
          : allowed(a, '*', 'AmazonSSMManagedInstanceCore', true),
      ),
    });
    m.iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: [] });
    const facts = await run(m);
    const sim = facts.roles[IDS.role]?.simulation;
    expect(sim?.known && sim.value.find((r) => r.action === 'ssmmessages:OpenDataChannel')).toEqual({
      action: 'ssmmessages:OpenDataChannel',
      resource: '*',
      decision: 'explicitDeny',
      matchedStatements: [{ sourcePolicyId: 'no-sessions', sourcePolicyType: 'role' }],
      allowedByOrganizations: true,
      allowedByPermissionsBoundary: true,
      missingContextValues: [],
    });
    expect(m.iam).toHaveReceivedCommandTimes(ListAttachedRolePoliciesCommand, 1);
    expect(facts.roles[IDS.role]?.attachedPolicies.known).toBe(true);
  });

  it('makes only the role fact unknown when iam:GetRole is denied', async () => {
    m.iam.on(GetRoleCommand).rejects(awsError('iam', 'AccessDenied'));
    const facts = await run(m);
    expect(facts.roles[IDS.role]?.role).toMatchObject({ known: false, call: 'iam:GetRole', code: 'AccessDenied' });
    expect(facts.roles[IDS.role]?.simulation?.known).toBe(true);
  });
});

describe('gather: the caller', () => {
  it('turns an assumed-role ARN into the role ARN and simulates ssm:StartSession on the instance and the document', async () => {
    const facts = await run(m);
    expect(m.sts).toHaveReceivedCommand(GetCallerIdentityCommand);
    expect(facts.caller).toEqual(known({ arn: IDS.caller, accountId: IDS.account, principalArn: IDS.callerPrincipal }));
    expect(m.iam).toHaveReceivedCommandWith(SimulatePrincipalPolicyCommand, {
      PolicySourceArn: IDS.callerPrincipal,
      ActionNames: ['ssm:StartSession'],
      ResourceArns: [INSTANCE_ARN, DOCUMENT_ARN],
    });
  });

  it("finds a role's path with iam:GetRole when the path-less ARN is unknown to IAM, and simulates again", async () => {
    const real = `arn:aws:iam::${IDS.account}:role/teams/ops/Admin`;
    m.iam
      .on(SimulatePrincipalPolicyCommand, { PolicySourceArn: IDS.callerPrincipal })
      .rejects(awsError('iam', 'NoSuchEntity', 'The role with name Admin cannot be found.'));
    m.iam
      .on(GetRoleCommand, { RoleName: 'Admin' })
      .resolves({ Role: { RoleName: 'Admin', Arn: real, Path: '/teams/ops/', RoleId: 'AROAEXAMPLEADMIN0001', CreateDate: new Date(0) } });
    m.iam
      .on(SimulatePrincipalPolicyCommand, { PolicySourceArn: real })
      .resolves({ EvaluationResults: [allowed('ssm:StartSession', INSTANCE_ARN, 'ops')] });
    const facts = await run(m);
    expect(facts.caller).toEqual(known({ arn: IDS.caller, accountId: IDS.account, principalArn: real }));
    expect(facts.callerSimulation).toEqual(
      known([
        {
          action: 'ssm:StartSession',
          resource: INSTANCE_ARN,
          decision: 'allowed',
          matchedStatements: [{ sourcePolicyId: 'ops', sourcePolicyType: 'aws-managed' }],
          missingContextValues: [],
        },
      ]),
    );
  });

  it('asks iam:GetRole first for an IAM Identity Center role, whose path-less ARN never exists, and stays within 3 rounds', async () => {
    const sso = 'AWSReservedSSO_AdministratorAccess_0123456789abcdef';
    const real = `arn:aws:iam::${IDS.account}:role/aws-reserved/sso.amazonaws.com/${IDS.region}/${sso}`;
    m.sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: IDS.account, Arn: `arn:aws:sts::${IDS.account}:assumed-role/${sso}/alice@example.com` });
    m.iam
      .on(GetRoleCommand, { RoleName: sso })
      .resolves({ Role: { RoleName: sso, Arn: real, Path: '/x/', RoleId: 'AROAEXAMPLESSO000001', CreateDate: new Date(0) } });
    m.iam
      .on(SimulatePrincipalPolicyCommand, { PolicySourceArn: real })
      .resolves({ EvaluationResults: [allowed('ssm:StartSession', INSTANCE_ARN, 'AdministratorAccess')] });
    const facts = await run(m);
    expect(facts.caller).toMatchObject(known({ principalArn: real }));
    expect(m.iam).not.toHaveReceivedCommandWith(SimulatePrincipalPolicyCommand, {
      PolicySourceArn: `arn:aws:iam::${IDS.account}:role/${sso}`,
    });
    expect(facts.callerSimulation?.known).toBe(true);
    expect(stats(m).rounds).toBe(3);
    expect(stats(m).calls).toBe(26);
  });

  it('simulates an IAM user as is, and not the root user (who may do anything)', async () => {
    const user = `arn:aws:iam::${IDS.account}:user/admins/bob`;
    m.sts.on(GetCallerIdentityCommand).resolves({ Account: IDS.account, Arn: user });
    m.iam.on(SimulatePrincipalPolicyCommand, { PolicySourceArn: user }).resolves({ EvaluationResults: [] });
    const facts = await run(m);
    expect(facts.caller).toEqual(known({ arn: user, accountId: IDS.account, principalArn: user }));
    expect(m.iam).toHaveReceivedCommandWith(SimulatePrincipalPolicyCommand, { PolicySourceArn: user });

    const root = await mockedAws();
    answerHealthy(root);
    root.sts.on(GetCallerIdentityCommand).resolves({ Account: IDS.account, Arn: `arn:aws:iam::${IDS.account}:root` });
    const rootFacts = await run(root);
    expect(rootFacts.caller).toEqual(known({ arn: `arn:aws:iam::${IDS.account}:root`, accountId: IDS.account }));
    expect('callerSimulation' in rootFacts).toBe(false);
    expect(root.iam).toHaveReceivedCommandTimes(SimulatePrincipalPolicyCommand, 1); // the role's only
    root.clients.destroy();
  });

  it('says why a federated user cannot be simulated, and makes both caller facts unknown when STS fails', async () => {
    m.sts.on(GetCallerIdentityCommand).resolves({ Account: IDS.account, Arn: `arn:aws:sts::${IDS.account}:federated-user/carol` });
    expect((await run(m)).callerSimulation).toMatchObject({
      known: false,
      call: 'iam:SimulatePrincipalPolicy',
      code: 'UnsupportedPrincipal',
    });

    const denied = await mockedAws();
    answerHealthy(denied);
    denied.sts.on(GetCallerIdentityCommand).rejects(awsError('sts', 'AccessDenied'));
    const facts = await run(denied);
    expect(facts.caller).toMatchObject({ known: false, call: 'sts:GetCallerIdentity', code: 'AccessDenied' });
    expect(facts.callerSimulation).toEqual(facts.caller);
    denied.clients.destroy();
  });

  it('makes the caller simulation unknown when iam:SimulatePrincipalPolicy is denied for it', async () => {
    m.iam.on(SimulatePrincipalPolicyCommand, { PolicySourceArn: IDS.callerPrincipal }).rejects(awsError('iam', 'AccessDenied'));
    const facts = await run(m);
    expect(facts.callerSimulation).toMatchObject({ known: false, call: 'iam:SimulatePrincipalPolicy', code: 'AccessDenied' });
    expect(facts.caller).toEqual(known({ arn: IDS.caller, accountId: IDS.account, principalArn: IDS.callerPrincipal }));
  });
});
