import {
  DescribeInstancesCommand,
  DescribeInternetGatewaysCommand,
  DescribeNatGatewaysCommand,
  DescribeNetworkAclsCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcAttributeCommand,
  DescribeVpcsCommand,
  DescribeDhcpOptionsCommand,
  DescribeVpcBlockPublicAccessExclusionsCommand,
  DescribeVpcBlockPublicAccessOptionsCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
  EC2ServiceException,
  type Instance as Ec2Instance,
  type IpPermission,
} from '@aws-sdk/client-ec2';
import {
  GetInstanceProfileCommand,
  GetRoleCommand,
  IAMClient,
  IAMServiceException,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  SimulatePrincipalPolicyCommand,
  type EvaluationResult,
} from '@aws-sdk/client-iam';
import { KMSClient, KMSServiceException } from '@aws-sdk/client-kms';
import { Route53ResolverClient } from '@aws-sdk/client-route53resolver';
import { Route53Client, Route53ServiceException } from '@aws-sdk/client-route-53';
import {
  DescribeInstanceInformationCommand,
  GetConnectionStatusCommand,
  GetDocumentCommand,
  GetServiceSettingCommand,
  SSMClient,
  type InstanceInformation,
} from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { buildClients } from '../../../src/collect/sdk/clients';
import { AGENT_ACTIONS } from '../../../src/aws/agent';
import { IDS } from '../../helpers/facts';

/**
 * The collector's own clients (guard and recorder included), answered by aws-sdk-client-mock stubs.
 * A last `initialize` middleware hands each command to a stubbed client instead of serializing
 * it, so the guard middleware runs and the call statistics are real.
 */
export async function mockedAws() {
  const clients = await buildClients({ region: IDS.region }, {});
  const ec2 = mockClient(new EC2Client({ region: IDS.region }));
  const iam = mockClient(new IAMClient({ region: IDS.region }));
  const ssm = mockClient(new SSMClient({ region: IDS.region }));
  const sts = mockClient(new STSClient({ region: IDS.region }));
  const route53 = mockClient(new Route53Client({ region: IDS.region }));
  const kms = mockClient(new KMSClient({ region: IDS.region }));
  // The registry's Route 53 Resolver client is an older release, with another copy of @smithy/types.
  const resolver = mockClient(new Route53ResolverClient({ region: IDS.region }) as unknown as Route53Client);
  answer(clients.ec2, (cmd) => ec2.send(cmd as never));
  answer(clients.iam, (cmd) => iam.send(cmd as never));
  answer(clients.ssm, (cmd) => ssm.send(cmd as never));
  answer(clients.sts, (cmd) => sts.send(cmd as never));
  answer(clients.route53, (cmd) => route53.send(cmd as never));
  answer(clients.kms, (cmd) => kms.send(cmd as never));
  answer(clients.route53resolver, (cmd) => resolver.send(cmd as never));
  ec2.onAnyCommand().resolves({});
  iam.onAnyCommand().resolves({});
  ssm.onAnyCommand().resolves({});
  sts.onAnyCommand().resolves({});
  route53.onAnyCommand().resolves({});
  kms.onAnyCommand().resolves({});
  resolver.onAnyCommand().resolves({});
  return { clients, ec2, iam, ssm, sts, route53, kms, resolver };
}
export type MockedAws = Awaited<ReturnType<typeof mockedAws>>;

interface Stack {
  add(middleware: unknown, options: { step: 'initialize'; priority: 'low'; name: string }): void;
}

/** Each answer takes this long, as a network call would, so the recorded rounds follow the reads' dependencies rather than microtask order. */
const LATENCY_MS = 3;

function answer(client: { middlewareStack: unknown }, send: (command: unknown) => Promise<unknown>): void {
  (client.middlewareStack as Stack).add(
    (_next: unknown, context: Record<string, { commandInstance?: unknown }>) => async () => {
      await new Promise((resolve) => setTimeout(resolve, LATENCY_MS));
      return { output: await send(context.__smithy_context!.commandInstance), response: {} };
    },
    { step: 'initialize', priority: 'low', name: 'testAnswer' },
  );
}

/** An error shaped as the SDK throws it for a real AWS error answer (name and Code both carry the code). */
export function awsError(
  service: 'ec2' | 'iam' | 'ssm' | 'sts' | 'route53' | 'kms',
  code: string,
  message = `User is not authorized to perform this action (${code})`,
) {
  const Base = {
    ec2: EC2ServiceException,
    iam: IAMServiceException,
    sts: STSServiceException,
    route53: Route53ServiceException,
    kms: KMSServiceException,
    ssm: Error,
  }[service];
  const e =
    Base === Error
      ? Object.assign(new Error(message), { name: code, $fault: 'client', $metadata: { httpStatusCode: 400 } })
      : new (Base as typeof EC2ServiceException)({ name: code, $fault: 'client', $metadata: { httpStatusCode: 403 }, message });
  return service === 'ssm' ? e : Object.assign(e, { Code: code });
}

const rule = (p: Partial<IpPermission>): IpPermission => ({ IpRanges: [], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [], ...p });
const allOut = rule({ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] });

export function rawInstance(id: string = IDS.instance, patch: Partial<Ec2Instance> = {}): Ec2Instance {
  return {
    InstanceId: id,
    State: { Code: 16, Name: 'running' },
    VpcId: IDS.vpc,
    SubnetId: IDS.subnet,
    Placement: { AvailabilityZone: IDS.az },
    PrivateIpAddress: IDS.privateIp,
    IamInstanceProfile: { Arn: IDS.profileArn, Id: 'AIPAEXAMPLEPROFILE01' },
    PlatformDetails: 'Linux/UNIX',
    ImageId: 'ami-0123456789abcdef0',
    MetadataOptions: { State: 'applied', HttpEndpoint: 'enabled', HttpTokens: 'required', HttpPutResponseHopLimit: 2 },
    SecurityGroups: [{ GroupId: IDS.instanceSg, GroupName: 'test-ec2-sg' }],
    NetworkInterfaces: [
      {
        NetworkInterfaceId: 'eni-0aaaa00000000001',
        Attachment: { DeviceIndex: 0 },
        Groups: [{ GroupId: IDS.instanceSg, GroupName: 'test-ec2-sg' }],
      },
    ],
    ...patch,
  };
}

export function rawInformation(id: string = IDS.instance): InstanceInformation {
  return {
    InstanceId: id,
    PingStatus: 'Online',
    LastPingDateTime: new Date('2026-11-28T10:00:00.000Z'),
    AgentVersion: '3.3.1802.0',
    PlatformType: 'Linux',
    PlatformName: 'Amazon Linux',
    PlatformVersion: '2023',
    IamRole: IDS.role,
    ResourceType: 'EC2Instance',
  };
}

const sn = (svc: string) => `com.amazonaws.${IDS.region}.${svc}`;

/** The AWS answers behind test/helpers/facts.ts healthyFacts(): the guide's finished private-subnet setup. */
export function answerHealthy(m: MockedAws, instances: Ec2Instance[] = [rawInstance()]): void {
  m.ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ ReservationId: 'r-0aaa', OwnerId: IDS.account, Instances: instances }] });
  m.ssm.on(DescribeInstanceInformationCommand).resolves({ InstanceInformationList: instances.map((i) => rawInformation(i.InstanceId)) });
  m.ssm.on(GetServiceSettingCommand).resolves({
    ServiceSetting: { SettingId: '/ssm/managed-instance/default-ec2-instance-management-role', SettingValue: '$None', Status: 'Default' },
  });
  m.ec2.on(DescribeSubnetsCommand).resolves({
    Subnets: [
      { SubnetId: IDS.subnet, VpcId: IDS.vpc, AvailabilityZone: IDS.az, CidrBlock: '10.0.1.0/24' },
      { SubnetId: IDS.otherSubnet, VpcId: IDS.vpc, AvailabilityZone: IDS.otherAz, CidrBlock: '10.0.2.0/24' },
      { SubnetId: IDS.publicSubnet, VpcId: IDS.vpc, AvailabilityZone: IDS.az, CidrBlock: '10.0.0.0/24' },
    ],
  });
  const local = { DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', State: 'active', Origin: 'CreateRouteTable' } as const;
  m.ec2.on(DescribeRouteTablesCommand).resolves({
    RouteTables: [
      {
        RouteTableId: IDS.mainRt,
        VpcId: IDS.vpc,
        Associations: [{ Main: true, RouteTableId: IDS.mainRt, AssociationState: { State: 'associated' } }],
        Routes: [local],
      },
      {
        RouteTableId: IDS.privateRt,
        VpcId: IDS.vpc,
        Associations: [
          { Main: false, RouteTableId: IDS.privateRt, SubnetId: IDS.subnet, AssociationState: { State: 'associated' } },
          { Main: false, RouteTableId: IDS.privateRt, SubnetId: IDS.otherSubnet, AssociationState: { State: 'associated' } },
        ],
        Routes: [local],
      },
      {
        RouteTableId: IDS.publicRt,
        VpcId: IDS.vpc,
        Associations: [{ Main: false, RouteTableId: IDS.publicRt, SubnetId: IDS.publicSubnet }],
        Routes: [local, { DestinationCidrBlock: '0.0.0.0/0', GatewayId: IDS.igw, State: 'active', Origin: 'CreateRoute' }],
      },
    ],
  });
  m.ec2.on(DescribeVpcEndpointsCommand).resolves({
    VpcEndpoints: (['ssm', 'ssmmessages', 'ec2messages'] as const).map((svc) => ({
      VpcEndpointId: IDS.vpce[svc],
      VpcEndpointType: 'Interface',
      VpcId: IDS.vpc,
      ServiceName: sn(svc),
      // The wire value; the SDK's enum says "Available".
      State: 'available' as never,
      SubnetIds: [IDS.subnet],
      Groups: [{ GroupId: IDS.endpointSg, GroupName: 'ssm-endpoints' }],
      PrivateDnsEnabled: true,
    })),
  });
  m.ec2.on(DescribeNatGatewaysCommand).resolves({ NatGateways: [] });
  m.ec2.on(DescribeInternetGatewaysCommand).resolves({
    // The wire value for an attached internet gateway; the SDK's AttachmentStatus enum lacks it.
    InternetGateways: [{ InternetGatewayId: IDS.igw, Attachments: [{ VpcId: IDS.vpc, State: 'available' as never }] }],
  });
  m.ec2.on(DescribeSecurityGroupsCommand).resolves({
    SecurityGroups: [
      { GroupId: IDS.instanceSg, GroupName: 'test-ec2-sg', VpcId: IDS.vpc, IpPermissions: [], IpPermissionsEgress: [allOut] },
      {
        GroupId: IDS.endpointSg,
        GroupName: 'ssm-endpoints',
        VpcId: IDS.vpc,
        IpPermissions: [
          rule({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, UserIdGroupPairs: [{ GroupId: IDS.instanceSg, UserId: IDS.account }] }),
        ],
        IpPermissionsEgress: [allOut],
      },
      {
        GroupId: IDS.defaultSg,
        GroupName: 'default',
        VpcId: IDS.vpc,
        IpPermissions: [rule({ IpProtocol: '-1', UserIdGroupPairs: [{ GroupId: IDS.defaultSg, UserId: IDS.account }] })],
        IpPermissionsEgress: [allOut],
      },
    ],
  });
  // The VPC has no DHCP options set of its own: the Amazon-provided DNS.
  m.ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: IDS.vpc, DhcpOptionsId: 'default' }] });
  m.ec2.on(DescribeDhcpOptionsCommand).resolves({ DhcpOptions: [] });
  // VPC Block Public Access as every account starts: off, no exclusions.
  m.ec2.on(DescribeVpcBlockPublicAccessOptionsCommand).resolves({
    VpcBlockPublicAccessOptions: {
      InternetGatewayBlockMode: 'off',
      State: 'default-state',
      ExclusionsAllowed: 'allowed',
      ManagedBy: 'account',
    },
  });
  m.ec2.on(DescribeVpcBlockPublicAccessExclusionsCommand).resolves({ VpcBlockPublicAccessExclusions: [] });
  m.ec2.on(DescribeVpcAttributeCommand, { Attribute: 'enableDnsSupport' }).resolves({ VpcId: IDS.vpc, EnableDnsSupport: { Value: true } });
  m.ec2
    .on(DescribeVpcAttributeCommand, { Attribute: 'enableDnsHostnames' })
    .resolves({ VpcId: IDS.vpc, EnableDnsHostnames: { Value: true } });
  m.iam.on(GetInstanceProfileCommand).resolves({
    InstanceProfile: {
      Path: '/',
      InstanceProfileName: IDS.profileName,
      InstanceProfileId: 'AIPAEXAMPLEPROFILE01',
      Arn: IDS.profileArn,
      CreateDate: new Date('2026-11-01T00:00:00Z'),
      Roles: [
        { Path: '/', RoleName: IDS.role, RoleId: 'AROAEXAMPLEROLE00001', Arn: IDS.roleArn, CreateDate: new Date('2026-11-01T00:00:00Z') },
      ],
    },
  });
  m.iam.on(ListAttachedRolePoliciesCommand).resolves({
    AttachedPolicies: [{ PolicyName: 'AmazonSSMManagedInstanceCore', PolicyArn: IDS.coreArn }],
    IsTruncated: false,
  });
  m.iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: [], IsTruncated: false });
  m.ec2.on(DescribeNetworkAclsCommand).resolves({
    NetworkAcls: [
      {
        NetworkAclId: IDS.nacl,
        VpcId: IDS.vpc,
        IsDefault: true,
        Associations: [IDS.subnet, IDS.otherSubnet, IDS.publicSubnet].map((SubnetId, i) => ({
          NetworkAclAssociationId: `aclassoc-0000000000000000${i}`,
          NetworkAclId: IDS.nacl,
          SubnetId,
        })),
        Entries: [
          { RuleNumber: 100, Egress: false, Protocol: '-1', RuleAction: 'allow', CidrBlock: '0.0.0.0/0' },
          { RuleNumber: 32767, Egress: false, Protocol: '-1', RuleAction: 'deny', CidrBlock: '0.0.0.0/0' },
          { RuleNumber: 100, Egress: true, Protocol: '-1', RuleAction: 'allow', CidrBlock: '0.0.0.0/0' },
          { RuleNumber: 32767, Egress: true, Protocol: '-1', RuleAction: 'deny', CidrBlock: '0.0.0.0/0' },
        ],
      },
    ],
  });
  m.ssm.on(GetConnectionStatusCommand).callsFake((input: { Target: string }) => ({ Target: input.Target, Status: 'connected' }));
  // Session Manager preferences never saved: the document does not exist.
  m.ssm.on(GetDocumentCommand).rejects(awsError('ssm', 'InvalidDocument', 'Document with name SSM-SessionManagerRunShell does not exist.'));
  m.sts.on(GetCallerIdentityCommand).resolves({ UserId: 'AROAEXAMPLECALLER0001:alice', Account: IDS.account, Arn: IDS.caller });
  m.iam.on(GetRoleCommand, { RoleName: IDS.role }).resolves({
    Role: {
      Path: '/',
      RoleName: IDS.role,
      RoleId: 'AROAEXAMPLEROLE00001',
      Arn: IDS.roleArn,
      CreateDate: new Date('2026-11-01T00:00:00Z'),
      AssumeRolePolicyDocument: encodeURIComponent(
        JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        }),
      ),
    },
  });
  m.iam.on(SimulatePrincipalPolicyCommand, { PolicySourceArn: IDS.roleArn }).resolves({
    EvaluationResults: AGENT_ACTIONS.map((action) => allowed(action, '*', 'AmazonSSMManagedInstanceCore', true)),
    IsTruncated: false,
  });
  m.iam
    .on(SimulatePrincipalPolicyCommand, { PolicySourceArn: IDS.callerPrincipal })
    .callsFake((input: { ResourceArns?: string[]; ActionNames: string[] }) => ({
      EvaluationResults: input.ActionNames.flatMap((action) =>
        (input.ResourceArns ?? ['*']).map((r) => allowed(action, r, 'AdministratorAccess')),
      ),
      IsTruncated: false,
    }));
}

/** An `allowed` evaluation result as IAM words it. */
export function allowed(action: string, resource: string, policy: string, organizations?: boolean): EvaluationResult {
  return {
    EvalActionName: action,
    EvalResourceName: resource,
    EvalDecision: 'allowed',
    MatchedStatements: [
      {
        SourcePolicyId: policy,
        SourcePolicyType: 'aws-managed',
        StartPosition: { Line: 1, Column: 1 },
        EndPosition: { Line: 1, Column: 99 },
      },
    ],
    MissingContextValues: [],
    ...(organizations === undefined ? {} : { OrganizationsDecisionDetail: { AllowedByOrganizations: organizations } }),
  };
}
