import type { Route } from '@aws-sdk/client-ec2';
import { lastSegment } from '../../src/aws/arn';
import {
  mapEndpoint,
  mapHostedZone,
  mapInstance,
  mapInternetGateway,
  mapNatGateway,
  mapNetworkAcl,
  mapRouteTable,
  mapSecurityGroup,
  mapSubnet,
} from '../../src/collect/ec2/map';
import { mapSimulation, parsePolicyDocument } from '../../src/collect/iam/map';
import { agentLines, mapManagedInstance, parseSessionPreferences } from '../../src/collect/ssm/map';
import { IDS } from '../helpers/facts';
import { rawInstance } from './helpers/aws';

describe('mapInstance', () => {
  it('takes the groups of the interface at device index 0, not of the instance as a whole', () => {
    const i = mapInstance(
      rawInstance(IDS.instance, {
        SecurityGroups: [{ GroupId: 'sg-0aaa' }, { GroupId: 'sg-0bbb' }],
        NetworkInterfaces: [
          { Attachment: { DeviceIndex: 1 }, Groups: [{ GroupId: 'sg-0bbb' }] },
          { Attachment: { DeviceIndex: 0 }, Groups: [{ GroupId: 'sg-0aaa' }], Association: { PublicIp: '203.0.113.10' } },
        ],
        PublicIpAddress: undefined,
      }),
      IDS.account,
    );
    expect(i.primaryEniGroupIds).toEqual(['sg-0aaa']);
    expect(i.publicIp).toBe('203.0.113.10');
    expect(i.accountId).toBe(IDS.account);
  });

  it('falls back to SecurityGroups without network interfaces, and prefers PublicIpAddress', () => {
    const i = mapInstance(rawInstance(IDS.instance, { NetworkInterfaces: undefined, PublicIpAddress: '198.51.100.7' }), undefined);
    expect(i.primaryEniGroupIds).toEqual([IDS.instanceSg]);
    expect(i.publicIp).toBe('198.51.100.7');
    expect('accountId' in i).toBe(false);
  });

  it('leaves out vpcId and subnetId of a terminated instance, and maps no profile to null', () => {
    const i = mapInstance(
      rawInstance(IDS.instance, { State: { Name: 'terminated', Code: 48 }, IamInstanceProfile: undefined }),
      IDS.account,
    );
    expect(i.state).toBe('terminated');
    expect('vpcId' in i || 'subnetId' in i).toBe(false);
    expect(i.instanceProfileArn).toBeNull();
  });

  it('maps platform and metadata options', () => {
    const i = mapInstance(
      rawInstance(IDS.instance, {
        Platform: 'windows' as never, // the wire value; the SDK's enum says "Windows"
        PlatformDetails: 'Windows',
        MetadataOptions: { HttpEndpoint: 'disabled', HttpTokens: 'optional', HttpPutResponseHopLimit: 1 },
      }),
      IDS.account,
    );
    expect(i).toMatchObject({
      platform: 'windows',
      platformDetails: 'Windows',
      metadata: { httpEndpoint: 'disabled', httpTokens: 'optional', hopLimit: 1 },
    });
  });
});

describe('IPv6 addresses and blocks', () => {
  it("reads the primary interface's IPv6 addresses, and an IPv6 address an emulator puts in PrivateIpAddress is not a private IPv4", () => {
    const dual = mapInstance(
      rawInstance(IDS.instance, {
        NetworkInterfaces: [{ Attachment: { DeviceIndex: 0 }, Ipv6Addresses: [{ Ipv6Address: '2600:1f18:1:100::5' }] }],
      }),
      IDS.account,
    );
    expect(dual).toMatchObject({ privateIp: IDS.privateIp, ipv6Addresses: ['2600:1f18:1:100::5'] });
    const only = mapInstance(rawInstance(IDS.instance, { PrivateIpAddress: '2600:1f18:1:100::6', NetworkInterfaces: [] }), IDS.account);
    expect('privateIp' in only).toBe(false);
    expect(only.ipv6Addresses).toEqual(['2600:1f18:1:100::6']);
  });

  it("reads a subnet's associated IPv6 blocks, not the ones being taken away", () => {
    const s = mapSubnet({
      SubnetId: IDS.subnet,
      AvailabilityZone: IDS.az,
      Ipv6Native: true,
      Ipv6CidrBlockAssociationSet: [
        { Ipv6CidrBlock: '2600:1f18:1:100::/64', Ipv6CidrBlockState: { State: 'associated' } },
        { Ipv6CidrBlock: '2600:1f18:1:101::/64', Ipv6CidrBlockState: { State: 'disassociated' } },
      ],
    });
    expect(s).toEqual({ subnetId: IDS.subnet, availabilityZone: IDS.az, ipv6Cidrs: ['2600:1f18:1:100::/64'], ipv6Native: true });
  });
});

describe('mapRouteTable', () => {
  const table = (routes: Route[]) => mapRouteTable({ RouteTableId: 'rtb-0a', Associations: [], Routes: routes });
  it.each<[string, Route, { destination: string; target: string; state: string }]>([
    [
      'local',
      { DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', State: 'active' },
      { destination: '10.0.0.0/16', target: 'local', state: 'active' },
    ],
    [
      'NAT',
      { DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-0a', State: 'active' },
      { destination: '0.0.0.0/0', target: 'nat-0a', state: 'active' },
    ],
    [
      'transit gateway',
      { DestinationCidrBlock: '0.0.0.0/0', TransitGatewayId: 'tgw-0a', State: 'blackhole' },
      { destination: '0.0.0.0/0', target: 'tgw-0a', state: 'blackhole' },
    ],
    [
      'IPv6 egress-only',
      { DestinationIpv6CidrBlock: '::/0', EgressOnlyInternetGatewayId: 'eigw-0a', State: 'active' },
      { destination: '::/0', target: 'eigw-0a', state: 'active' },
    ],
    [
      'gateway endpoint by prefix list',
      { DestinationPrefixListId: 'pl-61a54008', GatewayId: 'vpce-0s3', State: 'active' },
      { destination: 'pl-61a54008', target: 'vpce-0s3', state: 'active' },
    ],
    [
      'peering',
      { DestinationCidrBlock: '10.1.0.0/16', VpcPeeringConnectionId: 'pcx-0a', State: 'active' },
      { destination: '10.1.0.0/16', target: 'pcx-0a', state: 'active' },
    ],
    [
      'network interface',
      { DestinationCidrBlock: '0.0.0.0/0', NetworkInterfaceId: 'eni-0a', InstanceId: 'i-0a', State: 'active' },
      { destination: '0.0.0.0/0', target: 'eni-0a', state: 'active' },
    ],
    [
      'Cloud WAN',
      { DestinationCidrBlock: '0.0.0.0/0', CoreNetworkArn: 'arn:aws:networkmanager::1:core-network/cn-0a', State: 'active' },
      { destination: '0.0.0.0/0', target: 'arn:aws:networkmanager::1:core-network/cn-0a', state: 'active' },
    ],
  ])('%s route', (_name, raw, route) => {
    expect(table([raw]).routes).toEqual([route]);
  });

  it('reads main from the associations and the explicit subnets, ignoring ones that are gone', () => {
    const rt = mapRouteTable({
      RouteTableId: 'rtb-0a',
      Associations: [
        { Main: true, AssociationState: { State: 'associated' } },
        { Main: false, SubnetId: 'subnet-0a', AssociationState: { State: 'associated' } },
        { Main: false, SubnetId: 'subnet-0b', AssociationState: { State: 'disassociated' } },
        { Main: false, GatewayId: 'igw-0a' },
      ],
      Routes: [],
    });
    expect(rt).toEqual({ routeTableId: 'rtb-0a', main: true, subnetIds: ['subnet-0a'], routes: [] });
  });
});

describe('other EC2 shapes', () => {
  it('an internet gateway is attached only to its VPC and only when available (moto: attached)', () => {
    const igw = (State: string, VpcId: string = IDS.vpc) => ({
      InternetGatewayId: IDS.igw,
      Attachments: [{ VpcId, State: State as never }],
    });
    expect(mapInternetGateway(igw('available'), IDS.vpc).attached).toBe(true);
    expect(mapInternetGateway(igw('attached'), IDS.vpc).attached).toBe(true);
    expect(mapInternetGateway(igw('detaching'), IDS.vpc).attached).toBe(false);
    expect(mapInternetGateway(igw('available', 'vpc-0other'), IDS.vpc).attached).toBe(false);
    expect(mapInternetGateway({ InternetGatewayId: IDS.igw }, IDS.vpc)).toEqual({ internetGatewayId: IDS.igw, attached: false });
  });

  it('an endpoint keeps its policy text and says its state as the API does', () => {
    const policy = '{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}';
    expect(
      mapEndpoint({
        VpcEndpointId: 'vpce-0a',
        VpcEndpointType: 'Interface',
        ServiceName: 'com.amazonaws.ap-northeast-1.ssm',
        State: 'PendingAcceptance',
        SubnetIds: ['subnet-0a', 'subnet-0b'],
        Groups: [{ GroupId: 'sg-0a' }],
        PolicyDocument: policy,
      }),
    ).toEqual({
      endpointId: 'vpce-0a',
      serviceName: 'com.amazonaws.ap-northeast-1.ssm',
      type: 'Interface',
      state: 'pendingAcceptance',
      subnetIds: ['subnet-0a', 'subnet-0b'],
      groupIds: ['sg-0a'],
      privateDnsEnabled: false,
      policy,
    });
  });

  it('security group rules keep every kind of source', () => {
    const sg = mapSecurityGroup({
      GroupId: 'sg-0a',
      GroupName: 'mixed',
      IpPermissions: [
        {
          IpProtocol: 'tcp',
          FromPort: 443,
          ToPort: 443,
          IpRanges: [{ CidrIp: '10.0.1.0/24' }],
          Ipv6Ranges: [{ CidrIpv6: '2001:db8::/56' }],
          UserIdGroupPairs: [{ GroupId: 'sg-0b', UserId: '123456789012' }],
          PrefixListIds: [{ PrefixListId: 'pl-0a' }],
        },
      ],
      IpPermissionsEgress: [{ IpProtocol: '-1' }],
    });
    expect(sg).toEqual({
      groupId: 'sg-0a',
      groupName: 'mixed',
      ingress: [
        {
          protocol: 'tcp',
          fromPort: 443,
          toPort: 443,
          cidrs: ['10.0.1.0/24'],
          ipv6Cidrs: ['2001:db8::/56'],
          groupIds: ['sg-0b'],
          prefixListIds: ['pl-0a'],
        },
      ],
      egress: [{ protocol: '-1', cidrs: [], ipv6Cidrs: [], groupIds: [], prefixListIds: [] }],
    });
  });

  it('a NAT gateway keeps its connectivity type', () => {
    expect(mapNatGateway({ NatGatewayId: 'nat-0a', State: 'available', ConnectivityType: 'private', SubnetId: 'subnet-0a' })).toEqual({
      natGatewayId: 'nat-0a',
      state: 'available',
      connectivityType: 'private',
      subnetId: 'subnet-0a',
    });
  });

  it('a managed instance keeps its ping time as ISO text', () => {
    expect(
      mapManagedInstance({ InstanceId: IDS.instance, PingStatus: 'ConnectionLost', LastPingDateTime: new Date('2026-11-28T09:00:00Z') }),
    ).toEqual({
      pingStatus: 'ConnectionLost',
      lastPingDateTime: '2026-11-28T09:00:00.000Z',
    });
  });
});

describe('parsePolicyDocument', () => {
  const doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ssm:*', Resource: 'arn:aws:ssm:*:*:document/100%' }] };
  it('reads plain JSON (moto) and URL-encoded JSON (IAM)', () => {
    expect(parsePolicyDocument(JSON.stringify(doc))).toEqual(doc);
    expect(parsePolicyDocument(encodeURIComponent(JSON.stringify(doc)))).toEqual(doc);
  });
  it('refuses anything else', () => {
    expect(() => parsePolicyDocument('%7B%22Version')).toThrow(/neither JSON nor URL-encoded JSON/);
    expect(() => parsePolicyDocument(undefined)).toThrow(/empty/);
  });
});

it('lastSegment takes the name out of an ARN with a path', () => {
  expect(lastSegment('arn:aws:iam::123456789012:instance-profile/team/app/SSMInstanceProfile')).toBe('SSMInstanceProfile');
  expect(lastSegment('service-role/AWSSystemsManagerDefaultEC2InstanceManagementRole')).toBe(
    'AWSSystemsManagerDefaultEC2InstanceManagementRole',
  );
});

describe('mapInstance: tags', () => {
  it('keeps the tags as a record, and has none when EC2 sent none', () => {
    const tagged = mapInstance(
      rawInstance(IDS.instance, {
        Tags: [
          { Key: 'Name', Value: 'web-1' },
          { Key: 'env', Value: '' },
        ],
      }),
      IDS.account,
    );
    expect(tagged.tags).toEqual({ Name: 'web-1', env: '' });
    expect('tags' in mapInstance(rawInstance(), IDS.account)).toBe(false);
  });
});

describe('mapEndpoint: route tables', () => {
  it('keeps the route tables of a Gateway endpoint only', () => {
    const gateway = mapEndpoint({
      VpcEndpointId: 'vpce-0s3',
      VpcEndpointType: 'Gateway',
      ServiceName: `com.amazonaws.${IDS.region}.s3`,
      State: 'available' as never,
      RouteTableIds: [IDS.privateRt],
    });
    expect(gateway.routeTableIds).toEqual([IDS.privateRt]);
    const iface = mapEndpoint({
      VpcEndpointId: 'vpce-0ssm',
      VpcEndpointType: 'Interface',
      ServiceName: `com.amazonaws.${IDS.region}.ssm`,
      RouteTableIds: [],
    });
    expect('routeTableIds' in iface).toBe(false);
  });
});

describe('mapNetworkAcl', () => {
  it('maps entries with their port ranges, IPv6 CIDRs and associations', () => {
    const acl = mapNetworkAcl({
      NetworkAclId: 'acl-0custom',
      IsDefault: false,
      Associations: [{ SubnetId: IDS.subnet }, { SubnetId: undefined }],
      Entries: [
        { RuleNumber: 90, Egress: false, Protocol: '6', RuleAction: 'deny', CidrBlock: '0.0.0.0/0', PortRange: { From: 1024, To: 65535 } },
        { RuleNumber: 101, Egress: true, Protocol: '-1', RuleAction: 'allow', Ipv6CidrBlock: '::/0' },
      ],
    });
    expect(acl).toEqual({
      networkAclId: 'acl-0custom',
      isDefault: false,
      subnetIds: [IDS.subnet],
      entries: [
        { ruleNumber: 90, egress: false, protocol: '6', action: 'deny', cidr: '0.0.0.0/0', fromPort: 1024, toPort: 65535 },
        { ruleNumber: 101, egress: true, protocol: '-1', action: 'allow', ipv6Cidr: '::/0' },
      ],
    });
  });
});

describe('mapHostedZone', () => {
  it('drops the /hostedzone/ prefix and keeps the owner', () => {
    expect(
      mapHostedZone({
        HostedZoneId: '/hostedzone/Z0ABC',
        Name: 'ssm.ap-northeast-1.amazonaws.com.',
        Owner: { OwningAccount: '111122223333' },
      }),
    ).toEqual({
      hostedZoneId: 'Z0ABC',
      name: 'ssm.ap-northeast-1.amazonaws.com.',
      owningAccount: '111122223333',
    });
  });
});

describe('mapSimulation', () => {
  it('maps the decision, the matched policies, the SCP and boundary verdicts and the missing context keys', () => {
    expect(
      mapSimulation({
        EvalActionName: 'ssm:UpdateInstanceInformation',
        EvalResourceName: '*',
        EvalDecision: 'implicitDeny',
        MatchedStatements: [],
        MissingContextValues: ['aws:SourceVpce'],
        OrganizationsDecisionDetail: { AllowedByOrganizations: false },
        PermissionsBoundaryDecisionDetail: { AllowedByPermissionsBoundary: true },
      }),
    ).toEqual([
      {
        action: 'ssm:UpdateInstanceInformation',
        resource: '*',
        decision: 'implicitDeny',
        matchedStatements: [],
        missingContextValues: ['aws:SourceVpce'],
        allowedByOrganizations: false,
        allowedByPermissionsBoundary: true,
      },
    ]);
  });

  it('spreads per-resource results, each keeping the action and its organizations verdict', () => {
    const out = mapSimulation({
      EvalActionName: 'ssm:StartSession',
      EvalResourceName: 'arn:aws:ec2:ap-northeast-1:123456789012:instance/i-1',
      EvalDecision: 'allowed',
      OrganizationsDecisionDetail: { AllowedByOrganizations: true },
      ResourceSpecificResults: [
        {
          EvalResourceName: 'arn:aws:ec2:ap-northeast-1:123456789012:instance/i-1',
          EvalResourceDecision: 'allowed',
          MatchedStatements: [{ SourcePolicyId: 'ops', SourcePolicyType: 'role' }],
        },
        {
          EvalResourceName: 'arn:aws:ec2:ap-northeast-1:123456789012:instance/i-2',
          EvalResourceDecision: 'explicitDeny',
          MissingContextValues: ['ssm:resourceTag/env'],
        },
      ],
    });
    expect(out).toEqual([
      {
        action: 'ssm:StartSession',
        resource: 'arn:aws:ec2:ap-northeast-1:123456789012:instance/i-1',
        decision: 'allowed',
        matchedStatements: [{ sourcePolicyId: 'ops', sourcePolicyType: 'role' }],
        allowedByOrganizations: true,
        missingContextValues: [],
      },
      {
        action: 'ssm:StartSession',
        resource: 'arn:aws:ec2:ap-northeast-1:123456789012:instance/i-2',
        decision: 'explicitDeny',
        matchedStatements: [],
        allowedByOrganizations: true,
        missingContextValues: ['ssm:resourceTag/env'],
      },
    ]);
  });
});

describe('parseSessionPreferences', () => {
  it('reads booleans saved as strings or booleans and drops empty strings', () => {
    const prefs = parseSessionPreferences(
      JSON.stringify({
        inputs: {
          kmsKeyId: '',
          s3BucketName: ' logs ',
          s3EncryptionEnabled: 'TRUE',
          cloudWatchStreamingEnabled: false,
          runAsEnabled: 'maybe',
        },
      }),
    );
    expect(prefs).toEqual({
      documentName: 'SSM-SessionManagerRunShell',
      s3BucketName: 'logs',
      s3EncryptionEnabled: true,
      cloudWatchStreamingEnabled: false,
    });
  });

  it('has only the name when the document has no inputs, and throws MalformedDocument for text that is not JSON', () => {
    expect(parseSessionPreferences('{"schemaVersion":"1.0"}')).toEqual({ documentName: 'SSM-SessionManagerRunShell' });
    expect(() => parseSessionPreferences('inputs: {}')).toThrow(expect.objectContaining({ name: 'MalformedDocument' }));
    expect(() => parseSessionPreferences(undefined)).toThrow(expect.objectContaining({ name: 'MalformedDocument' }));
  });
});

describe('agentLines', () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');

  it('keeps the lines about the agent, on Linux (systemd, snap) and Windows', () => {
    const text = [
      'Booting',
      '[  OK  ] Started snap.amazon-ssm-agent.amazon-ssm-agent.service.',
      'ssm-agent-worker: starting',
      '2026/11/28 10:00:00Z: AmazonSSMAgent service is running',
      'unrelated line',
    ].join('\n');
    expect(agentLines(b64(text))).toEqual({
      hasOutput: true,
      agentLines: [
        '[  OK  ] Started snap.amazon-ssm-agent.amazon-ssm-agent.service.',
        'ssm-agent-worker: starting',
        '2026/11/28 10:00:00Z: AmazonSSMAgent service is running',
      ],
    });
  });

  it('tells no output from output without agent lines', () => {
    expect(agentLines(undefined)).toEqual({ hasOutput: false, agentLines: [] });
    expect(agentLines(b64('  \n'))).toEqual({ hasOutput: false, agentLines: [] });
    expect(agentLines(b64('kernel: hello\n'))).toEqual({ hasOutput: true, agentLines: [] });
  });
});
