import * as EC2 from '@aws-sdk/client-ec2';
import * as IAM from '@aws-sdk/client-iam';
import * as SSM from '@aws-sdk/client-ssm';
import { AwsStub, DHMC_SETTING_ID } from './helpers/aws-stub';
import { startMoto, type Moto } from './helpers/moto';
import { CORE_POLICY_ARN, REGION, Scenarios, serviceName } from './helpers/scenarios';

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
      new SSM.DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: [ids[20], 'i-0fffffffffffffff0'] }] }),
    );
    expect(res.InstanceInformationList).toHaveLength(1);
    expect(res.InstanceInformationList![0]).toMatchObject({ InstanceId: ids[20], PingStatus: 'Online', AgentVersion: '3.3.1957.0' });
    expect(res.InstanceInformationList![0].LastPingDateTime).toBeInstanceOf(Date);
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
    const err = await errorOf(ssm.send(new SSM.GetConnectionStatusCommand({ Target: ids[0] })));
    expect(err).toMatchObject({ name: 'UnknownOperationException', status: 400 });
    ssm.destroy();
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
});

describe('scenarios in moto', () => {
  resetMoto();

  it('builds the guide’s finished setup: private subnet, role, three endpoints with private DNS and 443 from the instance SG', async () => {
    const w = await scenarios.build({ endpoints: {} });
    const ec2 = clients.ec2(moto.url);

    const inst = (await ec2.send(new EC2.DescribeInstancesCommand({ InstanceIds: [w.instance.instanceId] }))).Reservations![0].Instances![0];
    expect(inst).toMatchObject({ State: { Name: 'running' }, SubnetId: w.subnets.private, VpcId: w.vpcId });
    expect(inst.IamInstanceProfile?.Arn).toBe(w.role!.profileArn);
    expect(inst.PublicIpAddress).toBeUndefined();
    expect(inst.Placement?.AvailabilityZone).toBe('ap-northeast-1a');
    expect(inst.NetworkInterfaces?.[0].Groups?.map((g) => g.GroupId)).toEqual([w.instanceSg]);

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
      expect.objectContaining({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, UserIdGroupPairs: [expect.objectContaining({ GroupId: w.instanceSg })] }),
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
    const inst = (await ec2.send(new EC2.DescribeInstancesCommand({ InstanceIds: [w.instance.instanceId] }))).Reservations![0].Instances![0];
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
    const inst = (await ec2.send(new EC2.DescribeInstancesCommand({ InstanceIds: [stopped.instanceId] }))).Reservations![0].Instances![0];
    expect(inst.State?.Name).toBe('stopped');
    expect(stub.nodes.has(stopped.instanceId)).toBe(false);
    ec2.destroy();
  });

  it('documents the moto behaviour the collector meets (a change here explains a CLI test failure)', async () => {
    const w = await scenarios.build({ role: 'inline', nat: true, endpoints: { privateDns: false } });
    const ec2 = clients.ec2(moto.url);
    const iam = clients.iam(moto.url);
    // The instance-id filter works, and an unknown id is an empty result with the filter, an error without.
    const byFilter = await ec2.send(new EC2.DescribeInstancesCommand({ Filters: [{ Name: 'instance-id', Values: [w.instance.instanceId] }] }));
    expect(byFilter.Reservations?.[0].Instances?.[0].InstanceId).toBe(w.instance.instanceId);
    const missing = await ec2.send(new EC2.DescribeInstancesCommand({ Filters: [{ Name: 'instance-id', Values: ['i-0123456789abcdef0'] }] }));
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
    const version = await iam.send(new IAM.GetPolicyVersionCommand({ PolicyArn: CORE_POLICY_ARN, VersionId: policy.Policy!.DefaultVersionId }));
    expect(version.PolicyVersion?.Document).toMatch(/^\{/);
    ec2.destroy();
    iam.destroy();
  });
});
