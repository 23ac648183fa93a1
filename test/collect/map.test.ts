import type { Route } from '@aws-sdk/client-ec2';
import {
  lastSegment,
  mapEndpoint,
  mapInstance,
  mapInternetGateway,
  mapManagedInstance,
  mapNatGateway,
  mapRouteTable,
  mapSecurityGroup,
  parsePolicyDocument,
} from '../../src/collect/map';
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
    const i = mapInstance(rawInstance(IDS.instance, { State: { Name: 'terminated', Code: 48 }, IamInstanceProfile: undefined }), IDS.account);
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
    expect(i).toMatchObject({ platform: 'windows', platformDetails: 'Windows', metadata: { httpEndpoint: 'disabled', httpTokens: 'optional', hopLimit: 1 } });
  });
});

describe('mapRouteTable', () => {
  const table = (routes: Route[]) => mapRouteTable({ RouteTableId: 'rtb-0a', Associations: [], Routes: routes });
  it.each<[string, Route, { destination: string; target: string; state: string }]>([
    ['local', { DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', State: 'active' }, { destination: '10.0.0.0/16', target: 'local', state: 'active' }],
    ['NAT', { DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-0a', State: 'active' }, { destination: '0.0.0.0/0', target: 'nat-0a', state: 'active' }],
    ['transit gateway', { DestinationCidrBlock: '0.0.0.0/0', TransitGatewayId: 'tgw-0a', State: 'blackhole' }, { destination: '0.0.0.0/0', target: 'tgw-0a', state: 'blackhole' }],
    ['IPv6 egress-only', { DestinationIpv6CidrBlock: '::/0', EgressOnlyInternetGatewayId: 'eigw-0a', State: 'active' }, { destination: '::/0', target: 'eigw-0a', state: 'active' }],
    ['gateway endpoint by prefix list', { DestinationPrefixListId: 'pl-61a54008', GatewayId: 'vpce-0s3', State: 'active' }, { destination: 'pl-61a54008', target: 'vpce-0s3', state: 'active' }],
    ['peering', { DestinationCidrBlock: '10.1.0.0/16', VpcPeeringConnectionId: 'pcx-0a', State: 'active' }, { destination: '10.1.0.0/16', target: 'pcx-0a', state: 'active' }],
    ['network interface', { DestinationCidrBlock: '0.0.0.0/0', NetworkInterfaceId: 'eni-0a', InstanceId: 'i-0a', State: 'active' }, { destination: '0.0.0.0/0', target: 'eni-0a', state: 'active' }],
    ['Cloud WAN', { DestinationCidrBlock: '0.0.0.0/0', CoreNetworkArn: 'arn:aws:networkmanager::1:core-network/cn-0a', State: 'active' }, { destination: '0.0.0.0/0', target: 'arn:aws:networkmanager::1:core-network/cn-0a', state: 'active' }],
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
    const igw = (State: string, VpcId: string = IDS.vpc) => ({ InternetGatewayId: IDS.igw, Attachments: [{ VpcId, State: State as never }] });
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
      ingress: [{ protocol: 'tcp', fromPort: 443, toPort: 443, cidrs: ['10.0.1.0/24'], ipv6Cidrs: ['2001:db8::/56'], groupIds: ['sg-0b'], prefixListIds: ['pl-0a'] }],
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
    expect(mapManagedInstance({ InstanceId: IDS.instance, PingStatus: 'ConnectionLost', LastPingDateTime: new Date('2026-11-28T09:00:00Z') })).toEqual({
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
  expect(lastSegment('service-role/AWSSystemsManagerDefaultEC2InstanceManagementRole')).toBe('AWSSystemsManagerDefaultEC2InstanceManagementRole');
});
