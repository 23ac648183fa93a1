import * as EC2 from '@aws-sdk/client-ec2';
import * as IAM from '@aws-sdk/client-iam';
import * as Route53 from '@aws-sdk/client-route-53';
import * as SSM from '@aws-sdk/client-ssm';
import * as STS from '@aws-sdk/client-sts';
import { AwsStub, DHMC_SETTING_ID, PREFERENCES_DOCUMENT } from './helpers/aws-stub';
import { startMoto, type Moto } from './helpers/moto';
import { CORE_POLICY_ARN, REGION, Scenarios, serviceName } from './helpers/scenarios';
import { at } from '../helpers/only';

// The harness the CLI tests stand on, checked with the SDK itself: if the stub or a scenario
// drifts from what AWS (or moto) does, this file says so before the CLI tests mislead anyone.

jest.setTimeout(60_000);

let moto: Moto;
let stub: AwsStub;
let scenarios: Scenarios;

const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const clients = {
  ec2: (endpoint: string) => new EC2.EC2Client({ region: REGION, endpoint, credentials }),
  iam: (endpoint: string) => new IAM.IAMClient({ region: REGION, endpoint, credentials }),
  ssm: (endpoint: string) => new SSM.SSMClient({ region: REGION, endpoint, credentials }),
  sts: (endpoint: string, creds: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } = credentials) =>
    new STS.STSClient({ region: REGION, endpoint, credentials: creds }),
  route53: (endpoint: string) => new Route53.Route53Client({ region: REGION, endpoint, credentials }),
};

beforeAll(async () => {
  moto = await startMoto();
  stub = await AwsStub.start(moto.url);
  scenarios = new Scenarios(moto.url, stub);
});

afterAll(async () => {
  scenarios?.close();
  await stub?.stop();
  await moto?.stop();
});

beforeEach(() => {
  stub.reset();
  scenarios.resetNoise();
});

// A moto reset costs over a second (it reloads the managed policies): only tests that use moto pay it.
const resetMoto = () => beforeEach(() => moto.reset());

async function errorOf(p: Promise<unknown>): Promise<{ name: string; status?: number; message: string }> {
  try {
    await p;
  } catch (e) {
    const err = e as Error & { $metadata?: { httpStatusCode?: number } };
    return { name: err.name, status: err.$metadata?.httpStatusCode, message: err.message };
  }
  throw new Error('expected the call to fail');
}

describe('SSM stub', () => {
  const ids = Array.from({ length: 23 }, (_, i) => `i-0${(i + 1).toString(16).padStart(16, '0')}`);

  beforeEach(() => {
    for (const instanceId of ids) stub.register({ instanceId, pingStatus: 'Online', agentVersion: '3.3.1957.0', platformType: 'Linux' });
  });

  it('pages DescribeInstanceInformation 10 at a time by default and the SDK paginator gets every node', async () => {
    const ssm = clients.ssm(stub.url);
    const first = await ssm.send(new SSM.DescribeInstanceInformationCommand({}));
    expect(first.InstanceInformationList).toHaveLength(10);
    expect(first.NextToken).toBeDefined();

    const seen: string[] = [];
    for await (const page of SSM.paginateDescribeInstanceInformation({ client: ssm, pageSize: 50 }, {})) {
      seen.push(...page.InstanceInformationList!.map((n) => n.InstanceId!));
    }
    expect(seen).toEqual(ids);
    expect(stub.countsByOperation()).toEqual({ 'ssm:DescribeInstanceInformation': 2 });
    ssm.destroy();
  });

  it('honours the InstanceIds filter and parses fields the way the SDK expects', async () => {
    const ssm = clients.ssm(stub.url);
    const res = await ssm.send(
      new SSM.DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: [ids[20]!, 'i-0fffffffffffffff0'] }] }),
    );
    expect(res.InstanceInformationList).toHaveLength(1);
    expect(res.InstanceInformationList![0]).toMatchObject({ InstanceId: ids[20], PingStatus: 'Online', AgentVersion: '3.3.1957.0' });
    expect(res.InstanceInformationList![0]?.LastPingDateTime).toBeInstanceOf(Date);
    expect(res.NextToken).toBeUndefined();
    ssm.destroy();
  });

  it('rejects a page size outside 5–50 like SSM does', async () => {
    const ssm = clients.ssm(stub.url);
    const err = await errorOf(ssm.send(new SSM.DescribeInstanceInformationCommand({ MaxResults: 100 })));
    expect(err).toMatchObject({ name: 'ValidationException', status: 400 });
    ssm.destroy();
  });

  it('answers GetServiceSetting for DHMC, off by default', async () => {
    const ssm = clients.ssm(stub.url);
    const off = await ssm.send(new SSM.GetServiceSettingCommand({ SettingId: DHMC_SETTING_ID }));
    expect(off.ServiceSetting).toMatchObject({ SettingValue: '$None', Status: 'Default' });
    stub.dhmcSetting = 'service-role/AWSSystemsManagerDefaultEC2InstanceManagementRole';
    const on = await ssm.send(new SSM.GetServiceSettingCommand({ SettingId: DHMC_SETTING_ID }));
    expect(on.ServiceSetting).toMatchObject({ SettingValue: stub.dhmcSetting, Status: 'Customized' });
    ssm.destroy();
  });

  it('answers an operation it does not model with a JSON error, not a guess', async () => {
    const ssm = clients.ssm(stub.url);
    const err = await errorOf(ssm.send(new SSM.GetParameterCommand({ Name: '/x' })));
    expect(err).toMatchObject({ name: 'UnknownOperationException', status: 400 });
    ssm.destroy();
  });
});

describe('SSM stub: connection status and the preferences document', () => {
  it('GetConnectionStatus: connected for an Online node, notconnected otherwise, or what the test sets', async () => {
    const ssm = clients.ssm(stub.url);
    stub.register({ instanceId: 'i-0aaaaaaaaaaaaaaa1', pingStatus: 'Online' });
    stub.register({ instanceId: 'i-0aaaaaaaaaaaaaaa2', pingStatus: 'ConnectionLost' });
    const status = async (Target: string) => (await ssm.send(new SSM.GetConnectionStatusCommand({ Target }))).Status;
    expect(await status('i-0aaaaaaaaaaaaaaa1')).toBe('connected');
    expect(await status('i-0aaaaaaaaaaaaaaa2')).toBe('notconnected');
    expect(await status('i-0aaaaaaaaaaaaaaa3')).toBe('notconnected');
    stub.connections.set('i-0aaaaaaaaaaaaaaa1', 'notconnected');
    expect(await status('i-0aaaaaaaaaaaaaaa1')).toBe('notconnected');
    expect(stub.requests.map((r) => r.params.Target)).toEqual([
      'i-0aaaaaaaaaaaaaaa1',
      'i-0aaaaaaaaaaaaaaa2',
      'i-0aaaaaaaaaaaaaaa3',
      'i-0aaaaaaaaaaaaaaa1',
    ]);
    ssm.destroy();
  });

  it('GetDocument SSM-SessionManagerRunShell: InvalidDocument until saved, then the console’s Content with every input', async () => {
    const ssm = clients.ssm(stub.url);
    const err = await errorOf(ssm.send(new SSM.GetDocumentCommand({ Name: PREFERENCES_DOCUMENT, DocumentFormat: 'JSON' })));
    expect(err).toMatchObject({ name: 'InvalidDocument', status: 400 });

    stub.preferences = { kmsKeyId: 'arn:aws:kms:ap-northeast-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab' };
    const doc = await ssm.send(new SSM.GetDocumentCommand({ Name: PREFERENCES_DOCUMENT, DocumentFormat: 'JSON' }));
    expect(doc).toMatchObject({ Name: PREFERENCES_DOCUMENT, DocumentType: 'Session', DocumentFormat: 'JSON', Status: 'Active' });
    const content = JSON.parse(doc.Content!) as { sessionType: string; inputs: Record<string, unknown> };
    expect(content.sessionType).toBe('Standard_Stream');
    expect(content.inputs).toMatchObject({
      kmsKeyId: stub.preferences.kmsKeyId,
      s3BucketName: '',
      cloudWatchLogGroupName: '',
      // The console's defaults: the encryption switches are on even with no bucket or log group.
      s3EncryptionEnabled: true,
      runAsEnabled: false,
    });
    ssm.destroy();
  });
});

describe('IAM SimulatePrincipalPolicy stand-in (evaluated from the policies in moto)', () => {
  resetMoto();
  const ROLE_ARN = 'arn:aws:iam::123456789012:role/sim';

  async function role(iam: IAM.IAMClient, extra: { boundary?: unknown; inline?: unknown } = {}) {
    const trust = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    };
    let boundaryArn: string | undefined;
    if (extra.boundary) {
      const p = await iam.send(new IAM.CreatePolicyCommand({ PolicyName: 'boundary', PolicyDocument: JSON.stringify(extra.boundary) }));
      boundaryArn = p.Policy!.Arn;
    }
    await iam.send(
      new IAM.CreateRoleCommand({ RoleName: 'sim', AssumeRolePolicyDocument: JSON.stringify(trust), PermissionsBoundary: boundaryArn }),
    );
    await iam.send(new IAM.AttachRolePolicyCommand({ RoleName: 'sim', PolicyArn: CORE_POLICY_ARN }));
    if (extra.inline) {
      await iam.send(new IAM.PutRolePolicyCommand({ RoleName: 'sim', PolicyName: 'extra', PolicyDocument: JSON.stringify(extra.inline) }));
    }
  }

  const simulate = (iam: IAM.IAMClient, ActionNames: string[], more: Partial<IAM.SimulatePrincipalPolicyCommandInput> = {}) =>
    iam.send(new IAM.SimulatePrincipalPolicyCommand({ PolicySourceArn: ROLE_ARN, ActionNames, ...more }));

  it('allows what AmazonSSMManagedInstanceCore allows, naming it, and implicitly denies the rest; the SDK parses every field', async () => {
    const iam = clients.iam(stub.url);
    await role(clients.iam(moto.url));
    const res = await simulate(iam, ['ssmmessages:OpenDataChannel', 'ssm:UpdateInstanceInformation', 'kms:Decrypt']);
    expect(res.IsTruncated).toBe(false);
    expect(res.EvaluationResults).toEqual([
      expect.objectContaining({
        EvalActionName: 'ssmmessages:OpenDataChannel',
        EvalResourceName: '*',
        EvalDecision: 'allowed',
        MatchedStatements: [expect.objectContaining({ SourcePolicyId: 'AmazonSSMManagedInstanceCore', SourcePolicyType: 'aws-managed' })],
        MissingContextValues: [],
      }),
      expect.objectContaining({ EvalActionName: 'ssm:UpdateInstanceInformation', EvalDecision: 'allowed' }),
      expect.objectContaining({ EvalActionName: 'kms:Decrypt', EvalDecision: 'implicitDeny', MatchedStatements: [] }),
    ]);
    expect(at(res.EvaluationResults!, 0).OrganizationsDecisionDetail).toBeUndefined();
    expect(at(res.EvaluationResults!, 0).PermissionsBoundaryDecisionDetail).toBeUndefined();
    // Its own reads of moto are not the tool's: only the simulation is counted.
    expect(stub.countsByOperation()).toEqual({ 'iam:SimulatePrincipalPolicy': 1 });
    iam.destroy();
  });

  it('a Deny statement wins; a conditional statement reports its keys as missing context', async () => {
    const iam = clients.iam(stub.url);
    await role(clients.iam(moto.url), {
      inline: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Deny', Action: 'ssmmessages:*', Resource: '*' },
          { Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-1' } } },
        ],
      },
    });
    const res = await simulate(iam, ['ssmmessages:CreateControlChannel', 'kms:Decrypt']);
    expect(res.EvaluationResults).toEqual([
      expect.objectContaining({
        EvalDecision: 'explicitDeny',
        MatchedStatements: [expect.objectContaining({ SourcePolicyId: 'extra', SourcePolicyType: 'role' })],
      }),
      expect.objectContaining({ EvalDecision: 'implicitDeny', MissingContextValues: ['aws:SourceVpce'] }),
    ]);
    iam.destroy();
  });

  it('a permissions boundary caps the role; an override plays an SCP; resources are evaluated one by one', async () => {
    const iam = clients.iam(stub.url);
    await role(clients.iam(moto.url), {
      boundary: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ssm:*', Resource: '*' }] },
    });
    const capped = await simulate(iam, ['ssm:UpdateInstanceInformation', 'ssmmessages:OpenControlChannel']);
    expect(
      capped.EvaluationResults!.map((r) => [r.EvalDecision, r.PermissionsBoundaryDecisionDetail?.AllowedByPermissionsBoundary]),
    ).toEqual([
      ['allowed', true],
      ['implicitDeny', false],
    ]);

    stub.simulationOverrides.set(ROLE_ARN, (action) =>
      action.startsWith('ssm:') ? { decision: 'implicitDeny', allowedByOrganizations: false } : undefined,
    );
    const scp = await simulate(iam, ['ssm:UpdateInstanceInformation'], {
      ResourceArns: ['arn:aws:ec2:ap-northeast-1:123456789012:instance/i-0aaaaaaaaaaaaaaa1', '*'],
    });
    expect(
      scp.EvaluationResults!.map((r) => [r.EvalResourceName, r.EvalDecision, r.OrganizationsDecisionDetail?.AllowedByOrganizations]),
    ).toEqual([
      ['arn:aws:ec2:ap-northeast-1:123456789012:instance/i-0aaaaaaaaaaaaaaa1', 'implicitDeny', false],
      ['*', 'implicitDeny', false],
    ]);
    iam.destroy();
  });

  it('pages by MaxItems and Marker (the SDK paginator follows), and answers NoSuchEntity for a role that does not exist', async () => {
    const iam = clients.iam(stub.url);
    await role(clients.iam(moto.url));
    const actions = ['ssm:UpdateInstanceInformation', 'ssmmessages:CreateControlChannel', 'ssmmessages:CreateDataChannel'];
    const first = await simulate(iam, actions, { MaxItems: 2 });
    expect(first).toMatchObject({ IsTruncated: true, Marker: '2' });
    const seen: string[] = [];
    for await (const page of IAM.paginateSimulatePrincipalPolicy(
      { client: iam, pageSize: 2 },
      { PolicySourceArn: ROLE_ARN, ActionNames: actions },
    )) {
      seen.push(...page.EvaluationResults!.map((r) => r.EvalActionName!));
    }
    expect(seen).toEqual(actions);

    const missing = await errorOf(
      iam.send(new IAM.SimulatePrincipalPolicyCommand({ PolicySourceArn: 'arn:aws:iam::123456789012:role/nope', ActionNames: actions })),
    );
    expect(missing).toMatchObject({ name: 'NoSuchEntityException', status: 404 });
    // The right name on the wrong path is another role.
    const wrongPath = await errorOf(
      iam.send(
        new IAM.SimulatePrincipalPolicyCommand({ PolicySourceArn: 'arn:aws:iam::123456789012:role/team/sim', ActionNames: actions }),
      ),
    );
    expect(wrongPath).toMatchObject({ name: 'NoSuchEntityException', status: 404 });
    iam.destroy();
  });
});

describe('proxy in front of moto', () => {
  resetMoto();

  it('forwards unchanged and counts by service:Operation', async () => {
    const iam = clients.iam(stub.url);
    const ec2 = clients.ec2(stub.url);
    await iam.send(new IAM.CreateInstanceProfileCommand({ InstanceProfileName: 'p' }));
    const got = await iam.send(new IAM.GetInstanceProfileCommand({ InstanceProfileName: 'p' }));
    expect(got.InstanceProfile?.Arn).toBe('arn:aws:iam::123456789012:instance-profile/p');
    const vpcs = await ec2.send(new EC2.DescribeVpcsCommand({}));
    expect(vpcs.Vpcs?.length).toBeGreaterThan(0);
    expect(stub.countsByOperation()).toEqual({
      'iam:CreateInstanceProfile': 1,
      'iam:GetInstanceProfile': 1,
      'ec2:DescribeVpcs': 1,
    });
    iam.destroy();
    ec2.destroy();
  });

  it('answers denied operations with each protocol’s AccessDenied shape, which the SDK parses', async () => {
    stub.denied.add('iam:GetInstanceProfile');
    stub.denied.add('ec2:DescribeVpcEndpoints');
    stub.denied.add('ssm:DescribeInstanceInformation');
    const iam = clients.iam(stub.url);
    const ec2 = clients.ec2(stub.url);
    const ssm = clients.ssm(stub.url);

    const iamErr = await errorOf(iam.send(new IAM.GetInstanceProfileCommand({ InstanceProfileName: 'p' })));
    expect(iamErr).toMatchObject({ name: 'AccessDenied', status: 403 });
    expect(iamErr.message).toContain('iam:GetInstanceProfile');
    const ec2Err = await errorOf(ec2.send(new EC2.DescribeVpcEndpointsCommand({})));
    expect(ec2Err).toMatchObject({ name: 'UnauthorizedOperation', status: 403 });
    const ssmErr = await errorOf(ssm.send(new SSM.DescribeInstanceInformationCommand({})));
    expect(ssmErr).toMatchObject({ name: 'AccessDeniedException', status: 400 });

    // Denied calls are not retried (the SDK retries only throttling and 5xx), so each counts once.
    expect(stub.countsByOperation()).toEqual({
      'iam:GetInstanceProfile': 1,
      'ec2:DescribeVpcEndpoints': 1,
      'ssm:DescribeInstanceInformation': 1,
    });
    // Operations not denied still reach moto.
    await expect(ec2.send(new EC2.DescribeVpcsCommand({}))).resolves.toBeDefined();
    iam.destroy();
    ec2.destroy();
    ssm.destroy();
  });

  it('names Route 53’s REST operations and denies them in its XML shape; STS and console output pass through or are replaced', async () => {
    const r53 = clients.route53(stub.url);
    const sts = clients.sts(stub.url);
    const ec2 = clients.ec2(stub.url);
    const vpcId = (await ec2.send(new EC2.CreateVpcCommand({ CidrBlock: '10.9.0.0/16' }))).Vpc!.VpcId!;
    const zones = await r53.send(new Route53.ListHostedZonesByVPCCommand({ VPCId: vpcId, VPCRegion: REGION }));
    expect(zones.HostedZoneSummaries).toEqual([]);
    stub.denied.add('route53:ListHostedZonesByVPC');
    const denied = await errorOf(r53.send(new Route53.ListHostedZonesByVPCCommand({ VPCId: vpcId, VPCRegion: REGION })));
    expect(denied).toMatchObject({ name: 'AccessDenied', status: 403 });
    // moto's own answer for credentials it did not issue.
    expect((await sts.send(new STS.GetCallerIdentityCommand({}))).Arn).toBe('arn:aws:sts::123456789012:user/moto');

    const image = (await ec2.send(new EC2.DescribeImagesCommand({ Owners: ['amazon'] }))).Images![0]!.ImageId;
    const instanceId = (await ec2.send(new EC2.RunInstancesCommand({ ImageId: image, MinCount: 1, MaxCount: 1 }))).Instances![0]!
      .InstanceId!;
    const motoOutput = await ec2.send(new EC2.GetConsoleOutputCommand({ InstanceId: instanceId, Latest: true }));
    expect(Buffer.from(motoOutput.Output!, 'base64').toString()).not.toMatch(/amazon-ssm-agent/);
    stub.consoleOutput.set(instanceId, 'Starting amazon-ssm-agent.service\nERROR EC2RoleProvider Failed to connect to Systems Manager\n');
    const ours = await ec2.send(new EC2.GetConsoleOutputCommand({ InstanceId: instanceId, Latest: true }));
    expect(ours.InstanceId).toBe(instanceId);
    expect(Buffer.from(ours.Output!, 'base64').toString()).toContain('Starting amazon-ssm-agent.service');

    expect(stub.countsByOperation()).toMatchObject({
      'route53:ListHostedZonesByVPC': 2,
      'sts:GetCallerIdentity': 1,
      'ec2:GetConsoleOutput': 2,
    });
    r53.destroy();
    sts.destroy();
    ec2.destroy();
  });
});

describe('scenarios in moto', () => {
  resetMoto();

  it('builds the guide’s finished setup: private subnet, role, three endpoints with private DNS and 443 from the instance SG', async () => {
    const w = await scenarios.build({ endpoints: {} });
    const ec2 = clients.ec2(moto.url);

    const inst = (await ec2.send(new EC2.DescribeInstancesCommand({ InstanceIds: [w.instance.instanceId] }))).Reservations![0]!
      .Instances![0]!;
    expect(inst).toMatchObject({ State: { Name: 'running' }, SubnetId: w.subnets.private, VpcId: w.vpcId });
    expect(inst.IamInstanceProfile?.Arn).toBe(w.role!.profileArn);
    expect(inst.PublicIpAddress).toBeUndefined();
    expect(inst.Placement?.AvailabilityZone).toBe('ap-northeast-1a');
    expect(inst.NetworkInterfaces?.[0]?.Groups?.map((g) => g.GroupId)).toEqual([w.instanceSg]);

    for (const attr of ['enableDnsSupport', 'enableDnsHostnames'] as const) {
      const res = await ec2.send(new EC2.DescribeVpcAttributeCommand({ VpcId: w.vpcId, Attribute: attr }));
      expect((res.EnableDnsSupport ?? res.EnableDnsHostnames)?.Value).toBe(true);
    }

    const eps = (await ec2.send(new EC2.DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-id', Values: [w.vpcId] }] }))).VpcEndpoints!;
    expect(eps.map((e) => e.ServiceName).sort()).toEqual(['ec2messages', 'ssm', 'ssmmessages'].map((s) => serviceName(s as never)));
    for (const e of eps) {
      expect(e).toMatchObject({ VpcEndpointType: 'Interface', PrivateDnsEnabled: true, SubnetIds: [w.subnets.private] });
      expect(e.Groups?.map((g) => g.GroupId)).toEqual([w.endpointSg]);
    }

    const sg = (await ec2.send(new EC2.DescribeSecurityGroupsCommand({ GroupIds: [w.endpointSg!, w.instanceSg] }))).SecurityGroups!;
    const endpointSg = sg.find((g) => g.GroupId === w.endpointSg)!;
    expect(endpointSg.IpPermissions).toEqual([
      expect.objectContaining({
        IpProtocol: 'tcp',
        FromPort: 443,
        ToPort: 443,
        UserIdGroupPairs: [expect.objectContaining({ GroupId: w.instanceSg })],
      }),
    ]);
    expect(sg.find((g) => g.GroupId === w.instanceSg)!.IpPermissions).toEqual([]);

    const tables = (await ec2.send(new EC2.DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [w.vpcId] }] }))).RouteTables!;
    const privateRt = tables.find((t) => t.Associations?.some((a) => a.SubnetId === w.subnets.private))!;
    expect(privateRt.RouteTableId).toBe(w.routeTables.private);
    expect(privateRt.Routes?.map((r) => r.DestinationCidrBlock)).toEqual(['10.0.0.0/16']);

    const iam = clients.iam(moto.url);
    const attached = await iam.send(new IAM.ListAttachedRolePoliciesCommand({ RoleName: w.role!.roleName }));
    expect(attached.AttachedPolicies?.map((p) => p.PolicyName)).toEqual(['AmazonSSMManagedInstanceCore']);

    expect(stub.nodes.get(w.instance.instanceId)).toMatchObject({ pingStatus: 'Online', agentVersion: '3.3.1957.0' });
    // Registered after a dozen other nodes, so it is on page 2 of an unfiltered listing.
    expect([...stub.nodes.keys()].indexOf(w.instance.instanceId)).toBeGreaterThanOrEqual(10);
    ec2.destroy();
    iam.destroy();
  });

  it('builds the guide’s starting point: main route table only, no role, no endpoints, not registered', async () => {
    const w = await scenarios.build({ role: 'none', privateRouteTable: 'main', agent: false });
    const ec2 = clients.ec2(moto.url);
    const inst = (await ec2.send(new EC2.DescribeInstancesCommand({ InstanceIds: [w.instance.instanceId] }))).Reservations![0]!
      .Instances![0]!;
    expect(inst.IamInstanceProfile).toBeUndefined();
    const tables = (await ec2.send(new EC2.DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [w.vpcId] }] }))).RouteTables!;
    expect(tables.some((t) => t.Associations?.some((a) => a.SubnetId === w.subnets.private))).toBe(false);
    expect(w.endpoints).toEqual({});
    expect(stub.nodes.size).toBe(0);
    ec2.destroy();
  });

  it('builds a public-subnet instance with a public IP and a route to the attached IGW, and a stopped one', async () => {
    const w = await scenarios.build({ subnet: 'public' });
    expect(w.instance.subnetId).toBe(w.subnets.public);
    expect(w.instance.publicIp).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const stopped = await scenarios.launch(w, { state: 'stopped' });
    const ec2 = clients.ec2(moto.url);
    const inst = (await ec2.send(new EC2.DescribeInstancesCommand({ InstanceIds: [stopped.instanceId] }))).Reservations![0]!.Instances![0]!;
    expect(inst.State?.Name).toBe('stopped');
    expect(stub.nodes.has(stopped.instanceId)).toBe(false);
    ec2.destroy();
  });

  it('documents the moto behaviour the collector meets (a change here explains a CLI test failure)', async () => {
    const w = await scenarios.build({ role: 'inline', nat: true, endpoints: { privateDns: false } });
    const ec2 = clients.ec2(moto.url);
    const iam = clients.iam(moto.url);
    // The instance-id filter works, and an unknown id is an empty result with the filter, an error without.
    const byFilter = await ec2.send(
      new EC2.DescribeInstancesCommand({ Filters: [{ Name: 'instance-id', Values: [w.instance.instanceId] }] }),
    );
    expect(byFilter.Reservations?.[0]?.Instances?.[0]?.InstanceId).toBe(w.instance.instanceId);
    const missing = await ec2.send(
      new EC2.DescribeInstancesCommand({ Filters: [{ Name: 'instance-id', Values: ['i-0123456789abcdef0'] }] }),
    );
    expect(missing.Reservations).toEqual([]);
    expect((await errorOf(ec2.send(new EC2.DescribeInstancesCommand({ InstanceIds: ['i-0123456789abcdef0'] })))).name).toBe(
      'InvalidInstanceID.NotFound',
    );
    // PrivateDnsEnabled is stored as given; endpoints are always available.
    const eps = (await ec2.send(new EC2.DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-id', Values: [w.vpcId] }] }))).VpcEndpoints!;
    expect(eps.map((e) => [e.PrivateDnsEnabled, e.State])).toEqual([
      [false, 'available'],
      [false, 'available'],
      [false, 'available'],
    ]);
    // moto leaves ConnectivityType of a NAT gateway empty (AWS says "public").
    const nats = (await ec2.send(new EC2.DescribeNatGatewaysCommand({ Filter: [{ Name: 'vpc-id', Values: [w.vpcId] }] }))).NatGateways!;
    expect(nats.map((n) => [n.NatGatewayId, n.State, n.ConnectivityType])).toEqual([[w.natId, 'available', undefined]]);
    // Inline policy documents come back URL-encoded (as from AWS); managed policy versions do not (AWS encodes them).
    const inline = await iam.send(new IAM.GetRolePolicyCommand({ RoleName: w.role!.roleName, PolicyName: 'SessionManagerCore' }));
    expect(inline.PolicyDocument).toMatch(/^%7B/);
    const policy = await iam.send(new IAM.GetPolicyCommand({ PolicyArn: CORE_POLICY_ARN }));
    const version = await iam.send(
      new IAM.GetPolicyVersionCommand({ PolicyArn: CORE_POLICY_ARN, VersionId: policy.Policy!.DefaultVersionId }),
    );
    expect(version.PolicyVersion?.Document).toMatch(/^\{/);
    ec2.destroy();
    iam.destroy();
  });

  it('builds the deeper settings: closed egress, a custom NACL, a trust, IMDS options, an endpoint policy, saved preferences', async () => {
    const denySsmmessages = { Statement: [{ Effect: 'Deny', Principal: '*', Action: 'ssmmessages:*', Resource: '*' }] };
    const w = await scenarios.build({
      endpoints: { az: 'c', policies: { ssmmessages: denySsmmessages } },
      instanceEgress: 'closed',
      trustService: 'lambda.amazonaws.com',
      metadata: { httpEndpoint: 'disabled' },
      nacl: {
        subnet: 'private',
        inbound: [
          { rule: 100, action: 'deny', ports: [1024, 65535] },
          { rule: 200, action: 'allow', protocol: 'all' },
        ],
        outbound: [{ rule: 100, action: 'allow', protocol: 'all' }],
      },
      preferences: { kmsKeyId: 'alias/session' },
    });
    const ec2 = clients.ec2(moto.url);
    const iam = clients.iam(moto.url);

    const sg = (await ec2.send(new EC2.DescribeSecurityGroupsCommand({ GroupIds: [w.instanceSg] }))).SecurityGroups![0]!;
    expect(sg.IpPermissionsEgress).toEqual([]);

    const acls = (await ec2.send(new EC2.DescribeNetworkAclsCommand({ Filters: [{ Name: 'vpc-id', Values: [w.vpcId] }] }))).NetworkAcls!;
    const custom = acls.find((a) => a.NetworkAclId === w.naclId)!;
    expect(custom.Associations?.map((a) => a.SubnetId)).toEqual([w.subnets.private]);
    // moto stores exactly the entries given (AWS adds the `*` deny rules too; both deny what no rule allows).
    expect(custom.Entries?.map((e) => [e.Egress, e.RuleNumber, e.RuleAction, e.Protocol, e.PortRange?.From])).toEqual([
      [false, 100, 'deny', '6', 1024],
      [false, 200, 'allow', '-1', undefined],
      [true, 100, 'allow', '-1', undefined],
    ]);
    const defaultAcl = acls.find((a) => a.IsDefault)!;
    expect(defaultAcl.Associations?.map((a) => a.SubnetId)).not.toContain(w.subnets.private);
    expect(defaultAcl.Associations?.map((a) => a.SubnetId)).toContain(w.subnets.otherPrivate);

    const role = (await iam.send(new IAM.GetRoleCommand({ RoleName: w.role!.roleName }))).Role!;
    expect(decodeURIComponent(role.AssumeRolePolicyDocument!)).toContain('lambda.amazonaws.com');

    const inst = (await ec2.send(new EC2.DescribeInstancesCommand({ InstanceIds: [w.instance.instanceId] }))).Reservations![0]!
      .Instances![0]!;
    expect(inst.MetadataOptions).toMatchObject({ HttpEndpoint: 'disabled' });

    const eps = (await ec2.send(new EC2.DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-id', Values: [w.vpcId] }] }))).VpcEndpoints!;
    const ssmmessages = eps.find((e) => e.VpcEndpointId === w.endpoints.ssmmessages)!;
    expect(JSON.parse(ssmmessages.PolicyDocument!)).toEqual(denySsmmessages);
    expect(ssmmessages.SubnetIds).toEqual([w.subnets.otherPrivate]);
    expect(stub.preferences).toEqual({ kmsKeyId: 'alias/session' });
    ec2.destroy();
    iam.destroy();
  });

  it('builds the caller: a user whose keys moto names, or an assumed role on a path; and private hosted zones for shared endpoints', async () => {
    const w = await scenarios.build({ sharedEndpointZones: true });
    expect(w.caller!.arn).toBe('arn:aws:iam::123456789012:user/ssm-doctor-e2e-operator');
    expect(scenarios.callerEnv.AWS_ACCESS_KEY_ID).toBeDefined();
    const asUser = clients.sts(stub.url, {
      accessKeyId: scenarios.callerEnv.AWS_ACCESS_KEY_ID!,
      secretAccessKey: scenarios.callerEnv.AWS_SECRET_ACCESS_KEY!,
    });
    expect((await asUser.send(new STS.GetCallerIdentityCommand({}))).Arn).toBe(w.caller!.arn);

    const iam = clients.iam(stub.url);
    const allowed = await iam.send(
      new IAM.SimulatePrincipalPolicyCommand({
        PolicySourceArn: w.caller!.principalArn,
        ActionNames: ['ssm:StartSession'],
        ResourceArns: [
          `arn:aws:ec2:${REGION}:123456789012:instance/${w.instance.instanceId}`,
          `arn:aws:ssm:${REGION}:123456789012:document/SSM-SessionManagerRunShell`,
        ],
      }),
    );
    expect(allowed.EvaluationResults!.map((r) => r.EvalDecision)).toEqual(['allowed', 'allowed']);

    const r53 = clients.route53(moto.url);
    const zones = await r53.send(new Route53.ListHostedZonesByVPCCommand({ VPCId: w.vpcId, VPCRegion: REGION }));
    expect(zones.HostedZoneSummaries!.map((z) => z.Name).sort()).toEqual(
      ['ec2messages', 'ssm', 'ssmmessages'].map((svc) => `${svc}.${REGION}.amazonaws.com.`),
    );

    await moto.reset();
    const v = await scenarios.build({ caller: { as: 'role', startSession: false } });
    expect(v.caller!.arn).toBe('arn:aws:sts::123456789012:assumed-role/ssm-doctor-e2e-operator/alice');
    expect(v.caller!.principalArn).toBe('arn:aws:iam::123456789012:role/operators/ssm-doctor-e2e-operator');
    const asRole = clients.sts(stub.url, {
      accessKeyId: scenarios.callerEnv.AWS_ACCESS_KEY_ID!,
      secretAccessKey: scenarios.callerEnv.AWS_SECRET_ACCESS_KEY!,
      sessionToken: scenarios.callerEnv.AWS_SESSION_TOKEN,
    });
    expect((await asRole.send(new STS.GetCallerIdentityCommand({}))).Arn).toBe(v.caller!.arn);
    const denied = await iam.send(
      new IAM.SimulatePrincipalPolicyCommand({
        PolicySourceArn: v.caller!.principalArn,
        ActionNames: ['ssm:StartSession', 'kms:GenerateDataKey'],
      }),
    );
    expect(denied.EvaluationResults!.map((r) => r.EvalDecision)).toEqual(['implicitDeny', 'allowed']);
    // The ARN the assumed-role ARN suggests lacks the role's path: IAM does not find it.
    const pathless = await errorOf(
      iam.send(
        new IAM.SimulatePrincipalPolicyCommand({
          PolicySourceArn: 'arn:aws:iam::123456789012:role/ssm-doctor-e2e-operator',
          ActionNames: ['ssm:StartSession'],
        }),
      ),
    );
    expect(pathless).toMatchObject({ name: 'NoSuchEntityException', status: 404 });
    asUser.destroy();
    asRole.destroy();
    iam.destroy();
    r53.destroy();
  });
});
