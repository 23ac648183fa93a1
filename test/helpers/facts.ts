import type { Facts, Instance, Unknown, Vpc } from '../../src/facts/schema';
import { known } from '../../src/facts/schema';

/** Ids shared by the test facts, so tests can name them. */
export const IDS = {
  region: 'ap-northeast-1',
  account: '123456789012',
  instance: 'i-0123456789abcdef0',
  vpc: 'vpc-0a1b2c3d4e5f60718',
  subnet: 'subnet-0aaa1111bbbb2222c',
  otherSubnet: 'subnet-0ddd3333eeee4444f',
  publicSubnet: 'subnet-0fff5555aaaa6666b',
  az: 'ap-northeast-1a',
  otherAz: 'ap-northeast-1c',
  instanceSg: 'sg-0inst0000000000001',
  endpointSg: 'sg-0vpce000000000001',
  defaultSg: 'sg-0default000000001',
  privateRt: 'rtb-0private00000001',
  mainRt: 'rtb-0main00000000001',
  publicRt: 'rtb-0public000000001',
  igw: 'igw-0aaaa00000000001',
  nat: 'nat-0aaaa00000000001',
  profileArn: 'arn:aws:iam::123456789012:instance-profile/SSMInstanceProfile',
  profileName: 'SSMInstanceProfile',
  role: 'SSMInstanceRole',
  roleArn: 'arn:aws:iam::123456789012:role/SSMInstanceRole',
  coreArn: 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
  vpce: { ssm: 'vpce-0ssm000000000001', ssmmessages: 'vpce-0ssmmsg00000001', ec2messages: 'vpce-0ec2msg00000001' },
  privateIp: '10.0.1.12',
  nacl: 'acl-0default00000001',
  caller: 'arn:aws:sts::123456789012:assumed-role/Admin/alice',
  callerPrincipal: 'arn:aws:iam::123456789012:role/Admin',
} as const;

/** The agent's core actions, as iam:SimulatePrincipalPolicy answers them for a healthy role. */
export const CORE_ACTIONS = [
  'ssm:UpdateInstanceInformation',
  'ssmmessages:CreateControlChannel',
  'ssmmessages:CreateDataChannel',
  'ssmmessages:OpenControlChannel',
  'ssmmessages:OpenDataChannel',
] as const;

export const denied = (call: string, code = 'AccessDenied'): Unknown => ({
  known: false,
  call,
  code,
  message: `User is not authorized to perform: ${call}`,
});

const sn = (svc: string) => `com.amazonaws.${IDS.region}.${svc}`;

export function healthyInstance(): Instance {
  return {
    instanceId: IDS.instance,
    state: 'running',
    accountId: IDS.account,
    vpcId: IDS.vpc,
    subnetId: IDS.subnet,
    availabilityZone: IDS.az,
    privateIp: IDS.privateIp,
    ipv6Addresses: [],
    primaryEniGroupIds: [IDS.instanceSg],
    instanceProfileArn: IDS.profileArn,
    platformDetails: 'Linux/UNIX',
    imageId: 'ami-0123456789abcdef0',
    metadata: { httpEndpoint: 'enabled', httpTokens: 'required', hopLimit: 2 },
  };
}

export function healthyVpc(): Vpc {
  const endpoint = (svc: 'ssm' | 'ssmmessages' | 'ec2messages') => ({
    endpointId: IDS.vpce[svc],
    serviceName: sn(svc),
    type: 'Interface',
    state: 'available',
    subnetIds: [IDS.subnet],
    groupIds: [IDS.endpointSg],
    privateDnsEnabled: true,
  });
  return {
    dnsSupport: known(true),
    dnsHostnames: known(true),
    dhcp: known({ domainNameServers: [] }),
    resolverRules: known([]),
    subnets: known([
      { subnetId: IDS.subnet, availabilityZone: IDS.az, cidr: '10.0.1.0/24', ipv6Cidrs: [] },
      { subnetId: IDS.otherSubnet, availabilityZone: IDS.otherAz, cidr: '10.0.2.0/24', ipv6Cidrs: [] },
      { subnetId: IDS.publicSubnet, availabilityZone: IDS.az, cidr: '10.0.0.0/24', ipv6Cidrs: [] },
    ]),
    routeTables: known([
      { routeTableId: IDS.mainRt, main: true, subnetIds: [], routes: [{ destination: '10.0.0.0/16', target: 'local', state: 'active' }] },
      {
        routeTableId: IDS.privateRt,
        main: false,
        subnetIds: [IDS.subnet, IDS.otherSubnet],
        routes: [{ destination: '10.0.0.0/16', target: 'local', state: 'active' }],
      },
      {
        routeTableId: IDS.publicRt,
        main: false,
        subnetIds: [IDS.publicSubnet],
        routes: [
          { destination: '10.0.0.0/16', target: 'local', state: 'active' },
          { destination: '0.0.0.0/0', target: IDS.igw, state: 'active' },
        ],
      },
    ]),
    endpoints: known([endpoint('ssm'), endpoint('ssmmessages'), endpoint('ec2messages')]),
    natGateways: known([]),
    internetGateways: known([{ internetGatewayId: IDS.igw, attached: true }]),
    networkAcls: known([
      {
        networkAclId: IDS.nacl,
        isDefault: true,
        subnetIds: [IDS.subnet, IDS.otherSubnet, IDS.publicSubnet],
        entries: [
          { ruleNumber: 100, egress: false, protocol: '-1', action: 'allow', cidr: '0.0.0.0/0' },
          { ruleNumber: 32767, egress: false, protocol: '-1', action: 'deny', cidr: '0.0.0.0/0' },
          { ruleNumber: 100, egress: true, protocol: '-1', action: 'allow', cidr: '0.0.0.0/0' },
          { ruleNumber: 32767, egress: true, protocol: '-1', action: 'deny', cidr: '0.0.0.0/0' },
        ],
      },
    ]),
    securityGroups: known([
      {
        groupId: IDS.instanceSg,
        groupName: 'test-ec2-sg',
        ingress: [],
        egress: [{ protocol: '-1', cidrs: ['0.0.0.0/0'], ipv6Cidrs: [], groupIds: [], prefixListIds: [] }],
      },
      {
        groupId: IDS.endpointSg,
        groupName: 'ssm-endpoints',
        ingress: [{ protocol: 'tcp', fromPort: 443, toPort: 443, cidrs: [], ipv6Cidrs: [], groupIds: [IDS.instanceSg], prefixListIds: [] }],
        egress: [{ protocol: '-1', cidrs: ['0.0.0.0/0'], ipv6Cidrs: [], groupIds: [], prefixListIds: [] }],
      },
      {
        groupId: IDS.defaultSg,
        groupName: 'default',
        ingress: [{ protocol: '-1', cidrs: [], ipv6Cidrs: [], groupIds: [IDS.defaultSg], prefixListIds: [] }],
        egress: [{ protocol: '-1', cidrs: ['0.0.0.0/0'], ipv6Cidrs: [], groupIds: [], prefixListIds: [] }],
      },
    ]),
  };
}

/**
 * A healthy private-subnet instance as the guide ends it: role with AmazonSSMManagedInstanceCore,
 * the three interface endpoints in its subnet with private DNS and an HTTPS security group, Online.
 */
export function healthyFacts(): Facts {
  return {
    factsVersion: 1,
    region: IDS.region,
    instances: { [IDS.instance]: known(healthyInstance()) },
    vpcs: { [IDS.vpc]: healthyVpc() },
    instanceProfiles: {
      [IDS.profileArn]: known({ name: IDS.profileName, arn: IDS.profileArn, roles: [{ roleName: IDS.role, arn: IDS.roleArn }] }),
    },
    roles: {
      [IDS.role]: {
        attachedPolicies: known([{ policyName: 'AmazonSSMManagedInstanceCore', policyArn: IDS.coreArn }]),
        inlinePolicies: known([]),
        managedPolicyDocuments: {},
        role: known({
          arn: IDS.roleArn,
          trustPolicy: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
          },
        }),
        simulation: known(
          CORE_ACTIONS.map((action) => ({
            action,
            resource: '*',
            decision: 'allowed',
            matchedStatements: [{ sourcePolicyId: 'AmazonSSMManagedInstanceCore', sourcePolicyType: 'aws-managed' }],
            allowedByOrganizations: true,
            missingContextValues: [],
          })),
        ),
      },
    },
    prefixLists: {},
    connections: { [IDS.instance]: known('connected') },
    consoleOutput: {},
    blockPublicAccess: {
      options: known({ mode: 'off', state: 'default-state', exclusionsAllowed: 'allowed', managedBy: 'account' }),
      exclusions: known([]),
    },
    sessionPreferences: known(null),
    caller: known({ arn: IDS.caller, accountId: IDS.account, principalArn: IDS.callerPrincipal }),
    callerSimulation: known(
      [
        `arn:aws:ec2:${IDS.region}:${IDS.account}:instance/${IDS.instance}`,
        `arn:aws:ssm:${IDS.region}:${IDS.account}:document/SSM-SessionManagerRunShell`,
      ].map((resource) => ({
        action: 'ssm:StartSession',
        resource,
        decision: 'allowed',
        matchedStatements: [{ sourcePolicyId: 'AdministratorAccess', sourcePolicyType: 'aws-managed' }],
        missingContextValues: [],
      })),
    ),
    client: { sessionManagerPlugin: { found: true, path: '/usr/local/bin/session-manager-plugin' } },
    dhmc: known({ roleName: null }),
    managedInstances: known({
      [IDS.instance]: {
        pingStatus: 'Online',
        lastPingDateTime: '2026-11-28T10:00:00.000Z',
        agentVersion: '3.3.1802.0',
        platformType: 'Linux',
        platformName: 'Amazon Linux',
        platformVersion: '2023',
        iamRole: IDS.role,
      },
    }),
  };
}

/** Structured clone of the healthy facts with a patch applied by the caller. */
export function factsWith(patch: (f: Facts) => void): Facts {
  const f = healthyFacts();
  patch(f);
  return f;
}

export const vpcOf = (f: Facts): Vpc => {
  const v = f.vpcs[IDS.vpc];
  if (!v) throw new Error('test facts have no vpc');
  return v;
};

/**
 * The private subnet's 0.0.0.0/0 to an available public NAT gateway in the public subnet (whose
 * table routes on to the internet gateway): a working NAT way out beside whatever else is there.
 */
export function natRoute(f: Facts): void {
  const v = vpcOf(f);
  if (!v.routeTables.known) throw new Error('test facts have no route tables');
  v.routeTables.value
    .find((rt) => rt.routeTableId === IDS.privateRt)!
    .routes.push({ destination: '0.0.0.0/0', target: IDS.nat, state: 'active' });
  v.natGateways = known([{ natGatewayId: IDS.nat, state: 'available', connectivityType: 'public', subnetId: IDS.publicSubnet }]);
}
export const instanceOf = (f: Facts): Instance => {
  const i = f.instances[IDS.instance];
  if (!i?.known || !i.value) throw new Error('test facts have no instance');
  return i.value;
};

/** A permissions boundary on a role: its ARN, and its document when `statements` is given (else the document was not read). */
export function boundaryOn(f: Facts, arn: string, statements?: object[], role: string = IDS.role): void {
  const r = f.roles[role];
  if (!r?.role?.known) throw new Error(`test facts have no readable role ${role}`);
  r.role.value.permissionsBoundaryArn = arn;
  if (statements) r.permissionsBoundary = known({ Version: '2012-10-17', Statement: statements });
}

export const V6 = {
  instance: '2600:1f18:1:100::12',
  subnet: '2600:1f18:1:100::/64',
  otherSubnet: '2600:1f18:1:101::/64',
  vpc: '2600:1f18:1:100::/56',
};

/**
 * The instance in an IPv6-only subnet (no private IPv4 address), the endpoints dual-stack in the other subnet, which has
 * both an IPv4 and an IPv6 block; every group lets IPv6 out and the ACL lets IPv6 through, as AWS's defaults do in a VPC
 * with an IPv6 block.
 */
export function ipv6Only(f: Facts): void {
  const i = instanceOf(f);
  delete i.privateIp;
  i.ipv6Addresses = [V6.instance];
  const v = vpcOf(f);
  if (!v.subnets.known || !v.endpoints.known || !v.securityGroups.known || !v.networkAcls?.known || !v.routeTables.known)
    throw new Error('test facts have no network');
  v.subnets.value = v.subnets.value.map((s) =>
    s.subnetId === IDS.subnet
      ? { subnetId: s.subnetId, availabilityZone: s.availabilityZone, ipv6Cidrs: [V6.subnet], ipv6Native: true }
      : s.subnetId === IDS.otherSubnet
        ? { ...s, ipv6Cidrs: [V6.otherSubnet] }
        : s,
  );
  for (const e of v.endpoints.value)
    Object.assign(e, { subnetIds: [IDS.otherSubnet], ipAddressType: 'dualstack', dnsRecordIpType: 'dualstack' });
  for (const g of v.securityGroups.value) for (const r of g.egress) if (r.cidrs.includes('0.0.0.0/0')) r.ipv6Cidrs = ['::/0'];
  for (const acl of v.networkAcls.value)
    acl.entries.push(
      { ruleNumber: 101, egress: false, protocol: '-1', action: 'allow', ipv6Cidr: '::/0' },
      { ruleNumber: 32768, egress: false, protocol: '-1', action: 'deny', ipv6Cidr: '::/0' },
      { ruleNumber: 101, egress: true, protocol: '-1', action: 'allow', ipv6Cidr: '::/0' },
      { ruleNumber: 32768, egress: true, protocol: '-1', action: 'deny', ipv6Cidr: '::/0' },
    );
  for (const rt of v.routeTables.value) rt.routes.push({ destination: V6.vpc, target: 'local', state: 'active' });
}
