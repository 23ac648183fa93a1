import * as EC2 from '@aws-sdk/client-ec2';
import * as IAM from '@aws-sdk/client-iam';
import * as Route53 from '@aws-sdk/client-route-53';
import * as STS from '@aws-sdk/client-sts';
import type { AwsStub, ManagedNode, PreferenceInputs } from './aws-stub';

/** Resources for the scenarios, built in moto with the SDK (the tests write; the tool under test only reads). */

export const REGION = 'ap-northeast-1';
export const AZ = { a: `${REGION}a`, c: `${REGION}c` } as const;
export const SERVICES = ['ssm', 'ssmmessages', 'ec2messages'] as const;
export type Service = (typeof SERVICES)[number];
export const serviceName = (svc: Service, region = REGION) => `com.amazonaws.${region}.${svc}`;
export const CORE_POLICY_ARN = 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore';
/** The hub VPC's range, where shared endpoints live in a centralised design (not built: only routed to). */
export const HUB_CIDR = '10.100.0.0/16';

export interface EndpointSpec {
  /** Default: all three. */
  services?: Service[];
  /** Default true. */
  privateDns?: boolean;
  /** The endpoint security group allows TCP 443 from the instance security group. Default true. */
  https?: boolean;
  /** The endpoints' subnet: the instance's AZ (`a`) or the other private subnet's (`c`). Default `a`. */
  az?: 'a' | 'c';
  /** A custom endpoint policy per service (default: none given, so the full-access default applies). */
  policies?: Partial<Record<Service, unknown>>;
}

/** One network ACL entry; protocol default tcp, cidr default 0.0.0.0/0. */
export interface NaclRule {
  rule: number;
  action: 'allow' | 'deny';
  protocol?: 'tcp' | 'all';
  ports?: [number, number];
  cidr?: string;
}

/** A custom network ACL replacing the default one on a subnet (`public`: where the scenario's NAT gateway sits). */
export interface NaclSpec {
  subnet: 'private' | 'otherPrivate' | 'public';
  inbound: NaclRule[];
  outbound: NaclRule[];
}

/** The identity the CLI runs as (its credentials are moto's, so sts:GetCallerIdentity names it). */
export interface CallerSpec {
  /** An IAM user with an access key, or a role the tests assume (an `assumed-role/…` caller). Default user. */
  as?: 'user' | 'role';
  /** Allowed ssm:StartSession on instances and the session document. Default true. */
  startSession?: boolean;
  /** Allowed kms:GenerateDataKey. Default true. */
  generateDataKey?: boolean;
}

export interface InstanceSpec {
  /** A private subnet (no public IP; no route out) or the public one (public IP, 0.0.0.0/0 to the IGW). Default private. */
  subnet?: 'private' | 'public';
  /** Attach the scenario's instance profile. Default: when the scenario has a role. */
  profile?: boolean;
  /** Default running. A stopped instance is never listed by SSM. */
  state?: 'running' | 'stopped';
  /** How SSM lists the instance; false: not registered. Default Online, agent 3.3.1957.0 on Amazon Linux 2023. */
  agent?: Partial<Omit<ManagedNode, 'instanceId'>> | false;
  /** RunInstances MetadataOptions. Default: moto's (enabled, tokens optional, hop limit 1). */
  metadata?: { httpEndpoint?: 'enabled' | 'disabled'; httpTokens?: 'optional' | 'required'; hopLimit?: number };
}

export interface ScenarioSpec extends InstanceSpec {
  /** Default true for both (the console's "VPC and more" turns both on; moto starts with hostnames off). */
  dnsSupport?: boolean;
  dnsHostnames?: boolean;
  /** The private subnet's route table: its own (`explicit`) or none, so the VPC's main table applies. Default explicit. */
  privateRouteTable?: 'explicit' | 'main';
  /** A NAT gateway in the public subnet and 0.0.0.0/0 to it from the private route table. Default false. */
  nat?: boolean;
  /** Where that NAT gateway is created: the public subnet, or (a common mistake) the other private one. Default public. */
  natSubnet?: 'public' | 'private';
  /** `managed`: AmazonSSMManagedInstanceCore attached; `inline`: its statements as an inline policy; `none`: no role. Default managed. */
  role?: 'managed' | 'inline' | 'none';
  /** Interface endpoints for ssm, ssmmessages, ec2messages. Default none. */
  endpoints?: EndpointSpec | false;
  /** Default Host Management Configuration on: its role exists and the SSM setting names it. Default false. */
  dhmc?: boolean;
  /** The service the instance role trusts. Default ec2.amazonaws.com. */
  trustService?: string;
  /**
   * The instance security group's egress: `open` (the default all-traffic rule), `closed` (no rule),
   * `https-to-endpoints` (only TCP 443 to the endpoint security group). Default open.
   */
  instanceEgress?: 'open' | 'closed' | 'https-to-endpoints';
  /** A custom network ACL on one of the subnets. Default: the VPC's default ACL (allow all). */
  nacl?: NaclSpec;
  /** Session Manager preferences saved (the stub's GetDocument answers them). Default: never saved. */
  preferences?: PreferenceInputs;
  /** Private hosted zones for the three Systems Manager names associated with the VPC (shared endpoints in another VPC). */
  sharedEndpointZones?: boolean;
  /** A transit gateway attached to the VPC, and a route to the hub VPC (HUB_CIDR) through it from the private route table. */
  transitGateway?: boolean;
  /** Who runs the CLI. Default: a user allowed to start sessions; false: moto's default identity (no IAM principal). */
  caller?: CallerSpec | false;
}

export interface World {
  region: string;
  vpcId: string;
  subnets: { private: string; otherPrivate: string; public: string };
  routeTables: { main: string; private?: string; public: string };
  igwId: string;
  natId?: string;
  tgwId?: string;
  instanceSg: string;
  /** The endpoints' security group (only when the scenario has endpoints). */
  endpointSg?: string;
  role?: { roleName: string; profileName: string; profileArn: string };
  /** The DHMC role's name, when the scenario turns DHMC on. */
  dhmcRole?: string;
  /** The custom network ACL, when the scenario has one. */
  naclId?: string;
  /** The identity the CLI runs as: `arn` as sts:GetCallerIdentity says it, `principalArn` the IAM user or role. */
  caller?: { arn: string; principalArn: string; env: Record<string, string> };
  endpoints: Partial<Record<Service, string>>;
  /** The scenario's instance (the first one launched). */
  instance: LaunchedInstance;
}

export interface LaunchedInstance {
  instanceId: string;
  privateIp: string;
  publicIp?: string;
  subnetId: string;
}

const ROLE = 'SSMDoctorE2ERole';
const PROFILE = 'SSMDoctorE2EProfile';
const CALLER = 'ssm-doctor-e2e-operator';

/** The policy the quick start gives a Session Manager user, with the parts a CallerSpec turns off left out. */
function callerPolicy(spec: CallerSpec): unknown {
  const statements: unknown[] = [
    { Effect: 'Allow', Action: ['ssm:DescribeInstanceInformation', 'ssm:GetConnectionStatus', 'ec2:DescribeInstances'], Resource: '*' },
    { Effect: 'Allow', Action: ['ssm:TerminateSession', 'ssm:ResumeSession'], Resource: 'arn:aws:ssm:*:*:session/${aws:username}-*' },
  ];
  if (spec.startSession ?? true) {
    statements.push({
      Effect: 'Allow',
      Action: 'ssm:StartSession',
      Resource: ['arn:aws:ec2:*:*:instance/*', 'arn:aws:ssm:*:*:document/SSM-SessionManagerRunShell'],
    });
  }
  if (spec.generateDataKey ?? true) statements.push({ Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: '*' });
  return { Version: '2012-10-17', Statement: statements };
}

export class Scenarios {
  private readonly ec2: EC2.EC2Client;
  private readonly iam: IAM.IAMClient;
  private readonly sts: STS.STSClient;
  private readonly route53: Route53.Route53Client;
  private imageId?: string;
  private noise = 0;
  /** Credentials of the last built world's caller, for the CLI's environment (empty: moto's default identity). */
  callerEnv: Record<string, string> = {};

  constructor(
    motoUrl: string,
    private readonly stub: AwsStub,
  ) {
    const config = {
      region: REGION,
      endpoint: motoUrl,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    };
    this.ec2 = new EC2.EC2Client(config);
    this.iam = new IAM.IAMClient(config);
    this.sts = new STS.STSClient(config);
    this.route53 = new Route53.Route53Client({ ...config, region: 'us-east-1' });
  }

  close(): void {
    this.ec2.destroy();
    this.iam.destroy();
    this.sts.destroy();
    this.route53.destroy();
  }

  async build(spec: ScenarioSpec = {}): Promise<World> {
    const vpcId = (await this.ec2.send(new EC2.CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc!.VpcId!;
    // ModifyVpcAttribute takes one attribute per call.
    await this.ec2.send(new EC2.ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsSupport: { Value: spec.dnsSupport ?? true } }));
    await this.ec2.send(new EC2.ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: spec.dnsHostnames ?? true } }));

    const subnet = async (cidr: string, az: string) =>
      (await this.ec2.send(new EC2.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr, AvailabilityZone: az }))).Subnet!.SubnetId!;
    const subnets = {
      public: await subnet('10.0.0.0/24', AZ.a),
      private: await subnet('10.0.1.0/24', AZ.a),
      otherPrivate: await subnet('10.0.2.0/24', AZ.c),
    };
    await this.ec2.send(new EC2.ModifySubnetAttributeCommand({ SubnetId: subnets.public, MapPublicIpOnLaunch: { Value: true } }));

    const igwId = (await this.ec2.send(new EC2.CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
    await this.ec2.send(new EC2.AttachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId }));

    const tables = await this.ec2.send(new EC2.DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }));
    const main = tables.RouteTables!.find((rt) => rt.Associations?.some((a) => a.Main))!.RouteTableId!;
    const publicRt = await this.routeTable(vpcId, [subnets.public]);
    await this.ec2.send(new EC2.CreateRouteCommand({ RouteTableId: publicRt, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igwId }));
    const privateRt =
      (spec.privateRouteTable ?? 'explicit') === 'explicit'
        ? await this.routeTable(vpcId, [subnets.private, subnets.otherPrivate])
        : undefined;

    let natId: string | undefined;
    if (spec.nat) {
      const eip = await this.ec2.send(new EC2.AllocateAddressCommand({ Domain: 'vpc' }));
      natId = (
        await this.ec2.send(
          new EC2.CreateNatGatewayCommand({
            SubnetId: spec.natSubnet === 'private' ? subnets.otherPrivate : subnets.public,
            AllocationId: eip.AllocationId,
          }),
        )
      ).NatGateway!.NatGatewayId!;
      await this.ec2.send(
        new EC2.CreateRouteCommand({ RouteTableId: privateRt ?? main, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: natId }),
      );
    }

    let tgwId: string | undefined;
    if (spec.transitGateway) {
      tgwId = (await this.ec2.send(new EC2.CreateTransitGatewayCommand({ Description: 'hub' }))).TransitGateway!.TransitGatewayId!;
      await this.ec2.send(
        new EC2.CreateTransitGatewayVpcAttachmentCommand({ TransitGatewayId: tgwId, VpcId: vpcId, SubnetIds: [subnets.private] }),
      );
      await this.ec2.send(
        new EC2.CreateRouteCommand({ RouteTableId: privateRt ?? main, DestinationCidrBlock: HUB_CIDR, TransitGatewayId: tgwId }),
      );
    }

    // The guide's instance security group: no inbound rules (moto, like AWS, adds allow-all egress).
    const instanceSg = await this.securityGroup(vpcId, 'ssm-doctor-e2e-instance');
    if ((spec.instanceEgress ?? 'open') !== 'open') {
      await this.ec2.send(
        new EC2.RevokeSecurityGroupEgressCommand({
          GroupId: instanceSg,
          IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
        }),
      );
    }

    const endpoints: World['endpoints'] = {};
    let endpointSg: string | undefined;
    if (spec.endpoints) {
      const e = spec.endpoints;
      endpointSg = await this.securityGroup(vpcId, 'ssm-doctor-e2e-endpoints');
      if (e.https ?? true) {
        await this.ec2.send(
          new EC2.AuthorizeSecurityGroupIngressCommand({
            GroupId: endpointSg,
            IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, UserIdGroupPairs: [{ GroupId: instanceSg }] }],
          }),
        );
      }
      for (const svc of e.services ?? SERVICES) {
        const policy = e.policies?.[svc];
        const res = await this.ec2.send(
          new EC2.CreateVpcEndpointCommand({
            VpcId: vpcId,
            VpcEndpointType: 'Interface',
            ServiceName: serviceName(svc),
            SubnetIds: [(e.az ?? 'a') === 'a' ? subnets.private : subnets.otherPrivate],
            SecurityGroupIds: [endpointSg],
            PrivateDnsEnabled: e.privateDns ?? true,
            ...(policy === undefined ? {} : { PolicyDocument: JSON.stringify(policy) }),
          }),
        );
        endpoints[svc] = res.VpcEndpoint!.VpcEndpointId!;
      }
    }
    if (spec.instanceEgress === 'https-to-endpoints') {
      if (!endpointSg) throw new Error('scenario: instanceEgress https-to-endpoints needs endpoints');
      await this.ec2.send(
        new EC2.AuthorizeSecurityGroupEgressCommand({
          GroupId: instanceSg,
          IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, UserIdGroupPairs: [{ GroupId: endpointSg }] }],
        }),
      );
    }

    const naclId = spec.nacl ? await this.networkAcl(vpcId, subnets[spec.nacl.subnet], spec.nacl) : undefined;
    if (spec.sharedEndpointZones) {
      for (const svc of SERVICES) {
        await this.route53.send(
          new Route53.CreateHostedZoneCommand({
            Name: `${svc}.${REGION}.amazonaws.com`,
            CallerReference: `ssm-doctor-e2e-${svc}-${vpcId}`,
            VPC: { VPCId: vpcId, VPCRegion: REGION },
            HostedZoneConfig: { PrivateZone: true, Comment: 'Systems Manager endpoints shared from the hub VPC' },
          }),
        );
      }
    }
    this.stub.preferences = spec.preferences;

    const roleKind = spec.role ?? 'managed';
    const role = roleKind === 'none' ? undefined : await this.role(roleKind, spec.trustService ?? 'ec2.amazonaws.com');

    const dhmcRole = spec.dhmc ? await this.dhmcRole() : undefined;
    const caller = spec.caller === false ? undefined : await this.caller(spec.caller ?? {});
    this.callerEnv = caller?.env ?? {};

    const partial = {
      region: REGION,
      vpcId,
      subnets,
      routeTables: { main, private: privateRt, public: publicRt },
      igwId,
      natId,
      tgwId,
      instanceSg,
      endpointSg,
      role,
      dhmcRole,
      naclId,
      caller,
      endpoints,
    };
    const instance = await this.launch(partial, spec);
    return { ...partial, instance };
  }

  /** Launches an instance in the world's VPC and registers it with the SSM stub as the spec says. */
  async launch(world: Omit<World, 'instance'>, spec: InstanceSpec = {}): Promise<LaunchedInstance> {
    const subnetId = spec.subnet === 'public' ? world.subnets.public : world.subnets.private;
    const withProfile = spec.profile ?? world.role !== undefined;
    if (withProfile && !world.role) throw new Error('scenario: profile: true needs a role');
    const run = await this.ec2.send(
      new EC2.RunInstancesCommand({
        ImageId: await this.image(),
        InstanceType: 't3.micro',
        MinCount: 1,
        MaxCount: 1,
        SubnetId: subnetId,
        SecurityGroupIds: [world.instanceSg],
        ...(withProfile ? { IamInstanceProfile: { Arn: world.role!.profileArn } } : {}),
        ...(spec.metadata
          ? {
              MetadataOptions: {
                HttpEndpoint: spec.metadata.httpEndpoint,
                HttpTokens: spec.metadata.httpTokens,
                HttpPutResponseHopLimit: spec.metadata.hopLimit,
              },
            }
          : {}),
      }),
    );
    const instanceId = run.Instances![0]!.InstanceId!;
    if (spec.state === 'stopped') {
      await this.ec2.send(new EC2.StopInstancesCommand({ InstanceIds: [instanceId] }));
    }
    const described = await this.ec2.send(new EC2.DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    const inst = described.Reservations![0]!.Instances![0]!;
    const launched = { instanceId, privateIp: inst.PrivateIpAddress!, publicIp: inst.PublicIpAddress, subnetId };

    if (spec.agent !== false && spec.state !== 'stopped') {
      this.addNoise();
      this.stub.register({
        instanceId,
        pingStatus: 'Online',
        agentVersion: '3.3.1957.0',
        platformType: 'Linux',
        platformName: 'Amazon Linux',
        platformVersion: '2023',
        ipAddress: launched.privateIp,
        ...(withProfile ? { iamRole: world.role!.roleName } : world.dhmcRole ? { iamRole: world.dhmcRole } : {}),
        ...spec.agent,
      });
    }
    return launched;
  }

  /** Other managed nodes listed before ours: more than one default page (10), so ignoring NextToken loses the instance. */
  private addNoise(): void {
    for (let i = 0; i < 12; i++) {
      const n = ++this.noise;
      this.stub.register({
        instanceId: `i-0e2e${n.toString(16).padStart(13, '0')}`,
        pingStatus: n % 3 ? 'Online' : 'ConnectionLost',
        agentVersion: '3.2.582.0',
        platformType: 'Linux',
        platformName: 'Ubuntu',
        platformVersion: '22.04',
      });
    }
  }

  /** Call after moto's reset: ids of noise nodes restart too, and the caller's credentials are gone. */
  resetNoise(): void {
    this.noise = 0;
    this.callerEnv = {};
  }

  private async routeTable(vpcId: string, subnetIds: string[]): Promise<string> {
    const id = (await this.ec2.send(new EC2.CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable!.RouteTableId!;
    for (const SubnetId of subnetIds) await this.ec2.send(new EC2.AssociateRouteTableCommand({ RouteTableId: id, SubnetId }));
    return id;
  }

  private async securityGroup(vpcId: string, name: string): Promise<string> {
    const res = await this.ec2.send(new EC2.CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: name, Description: name }));
    return res.GroupId!;
  }

  /** A custom network ACL with the spec's entries, associated with the subnet in place of the default one. */
  private async networkAcl(vpcId: string, subnetId: string, spec: NaclSpec): Promise<string> {
    const aclId = (await this.ec2.send(new EC2.CreateNetworkAclCommand({ VpcId: vpcId }))).NetworkAcl!.NetworkAclId!;
    for (const [egress, rules] of [
      [false, spec.inbound],
      [true, spec.outbound],
    ] as const) {
      for (const r of rules) {
        await this.ec2.send(
          new EC2.CreateNetworkAclEntryCommand({
            NetworkAclId: aclId,
            RuleNumber: r.rule,
            Egress: egress,
            RuleAction: r.action,
            Protocol: (r.protocol ?? 'tcp') === 'tcp' ? '6' : '-1',
            CidrBlock: r.cidr ?? '0.0.0.0/0',
            ...(r.ports ? { PortRange: { From: r.ports[0], To: r.ports[1] } } : {}),
          }),
        );
      }
    }
    const acls = await this.ec2.send(
      new EC2.DescribeNetworkAclsCommand({ Filters: [{ Name: 'association.subnet-id', Values: [subnetId] }] }),
    );
    const association = acls.NetworkAcls!.flatMap((a) => a.Associations ?? []).find((a) => a.SubnetId === subnetId)!;
    await this.ec2.send(
      new EC2.ReplaceNetworkAclAssociationCommand({ AssociationId: association.NetworkAclAssociationId, NetworkAclId: aclId }),
    );
    return aclId;
  }

  /** The CLI's identity: a user with an access key, or an assumed role; moto's GetCallerIdentity answers for these credentials. */
  private async caller(spec: CallerSpec): Promise<NonNullable<World['caller']>> {
    const document = JSON.stringify(callerPolicy(spec));
    if ((spec.as ?? 'user') === 'user') {
      const user = (await this.iam.send(new IAM.CreateUserCommand({ UserName: CALLER }))).User!;
      await this.iam.send(new IAM.PutUserPolicyCommand({ UserName: CALLER, PolicyName: 'SessionManagerUser', PolicyDocument: document }));
      const key = (await this.iam.send(new IAM.CreateAccessKeyCommand({ UserName: CALLER }))).AccessKey!;
      return {
        arn: user.Arn!,
        principalArn: user.Arn!,
        env: { AWS_ACCESS_KEY_ID: key.AccessKeyId!, AWS_SECRET_ACCESS_KEY: key.SecretAccessKey! },
      };
    }
    const trust = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'sts:AssumeRole' }],
    };
    // A path, as SSO roles have one: the assumed-role ARN loses it, so the collector must look it up.
    const role = (
      await this.iam.send(
        new IAM.CreateRoleCommand({ RoleName: CALLER, Path: '/operators/', AssumeRolePolicyDocument: JSON.stringify(trust) }),
      )
    ).Role!;
    await this.iam.send(new IAM.PutRolePolicyCommand({ RoleName: CALLER, PolicyName: 'SessionManagerUser', PolicyDocument: document }));
    const assumed = await this.sts.send(new STS.AssumeRoleCommand({ RoleArn: role.Arn, RoleSessionName: 'alice' }));
    const c = assumed.Credentials!;
    return {
      arn: assumed.AssumedRoleUser!.Arn!,
      principalArn: role.Arn!,
      env: { AWS_ACCESS_KEY_ID: c.AccessKeyId!, AWS_SECRET_ACCESS_KEY: c.SecretAccessKey!, AWS_SESSION_TOKEN: c.SessionToken! },
    };
  }

  private async role(kind: 'managed' | 'inline', trustService: string): Promise<NonNullable<World['role']>> {
    const trust = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: trustService }, Action: 'sts:AssumeRole' }],
    };
    await this.iam.send(new IAM.CreateRoleCommand({ RoleName: ROLE, AssumeRolePolicyDocument: JSON.stringify(trust) }));
    if (kind === 'managed') {
      await this.iam.send(new IAM.AttachRolePolicyCommand({ RoleName: ROLE, PolicyArn: CORE_POLICY_ARN }));
    } else {
      // The managed policy's own statements, copied from moto's copy of it.
      const policy = await this.iam.send(new IAM.GetPolicyCommand({ PolicyArn: CORE_POLICY_ARN }));
      const version = await this.iam.send(
        new IAM.GetPolicyVersionCommand({ PolicyArn: CORE_POLICY_ARN, VersionId: policy.Policy!.DefaultVersionId }),
      );
      const document = decodeURIComponent(version.PolicyVersion!.Document!);
      await this.iam.send(new IAM.PutRolePolicyCommand({ RoleName: ROLE, PolicyName: 'SessionManagerCore', PolicyDocument: document }));
    }
    const profile = await this.iam.send(new IAM.CreateInstanceProfileCommand({ InstanceProfileName: PROFILE }));
    await this.iam.send(new IAM.AddRoleToInstanceProfileCommand({ InstanceProfileName: PROFILE, RoleName: ROLE }));
    return { roleName: ROLE, profileName: PROFILE, profileArn: profile.InstanceProfile!.Arn! };
  }

  /** The role the console's DHMC setup creates, and the SSM setting pointing at it. */
  private async dhmcRole(): Promise<string> {
    const name = 'AWSSystemsManagerDefaultEC2InstanceManagementRole';
    const trust = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'ssm.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    };
    await this.iam.send(
      new IAM.CreateRoleCommand({ RoleName: name, Path: '/service-role/', AssumeRolePolicyDocument: JSON.stringify(trust) }),
    );
    await this.iam.send(
      new IAM.AttachRolePolicyCommand({ RoleName: name, PolicyArn: 'arn:aws:iam::aws:policy/AmazonSSMManagedEC2InstanceDefaultPolicy' }),
    );
    this.stub.dhmcSetting = `service-role/${name}`;
    return name;
  }

  /** An Amazon Linux AMI from moto's catalogue, as the guide launches (the catalogue lists Windows AMIs first). */
  private async image(): Promise<string> {
    if (!this.imageId) {
      const res = await this.ec2.send(
        new EC2.DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['amzn-ami-hvm-*'] }] }),
      );
      const image = res.Images?.find((i) => !i.Platform);
      if (!image?.ImageId) throw new Error('moto lists no Amazon Linux AMI');
      this.imageId = image.ImageId;
    }
    return this.imageId;
  }
}
