import { malformation } from '../../src/collect/sdk/answer';

const bytes = (s: string) => new TextEncoder().encode(s);
const ec2 = (op: string, body: string) => malformation('EC2Client', `${op}Command`, bytes(body));
const ssm = (op: string, body: string) => malformation('SSMClient', `${op}Command`, bytes(body));

describe('malformation: a 2xx body that cannot be the answer', () => {
  it('accepts the answers AWS sends, empty lists included', () => {
    expect(
      ec2(
        'DescribeSubnets',
        '<?xml version="1.0" encoding="UTF-8"?>\n<DescribeSubnetsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>1</requestId><subnetSet/></DescribeSubnetsResponse>',
      ),
    ).toBeUndefined();
    expect(
      ec2('DescribeVpcAttribute', '<DescribeVpcAttributeResponse><vpcId>vpc-1</vpcId></DescribeVpcAttributeResponse>'),
    ).toBeUndefined();
    expect(
      malformation(
        'IAMClient',
        'GetRoleCommand',
        bytes('<GetRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetRoleResult/></GetRoleResponse>'),
      ),
    ).toBeUndefined();
    expect(
      malformation(
        'Route53Client',
        'ListHostedZonesByVPCCommand',
        bytes('<?xml version="1.0"?>\n<ListHostedZonesByVPCResponse><HostedZoneSummaries/></ListHostedZonesByVPCResponse>'),
      ),
    ).toBeUndefined();
    expect(ssm('DescribeInstanceInformation', '{"InstanceInformationList": []}')).toBeUndefined();
    expect(ssm('GetConnectionStatus', '{"Target":"i-1","Status":"connected"}')).toBeUndefined();
    expect(malformation('KMSClient', 'GetKeyPolicyCommand', bytes('{"PolicyName":"default","Policy":"{}"}'))).toBeUndefined();
    expect(
      ec2(
        'DescribeSubnets',
        '\uFEFF<?xml version="1.0"?><!-- hi --><DescribeSubnetsResponse><subnetSet>\n</subnetSet></DescribeSubnetsResponse>',
      ),
    ).toBeUndefined();
  });

  it.each([
    ['empty', () => ec2('DescribeSubnets', ''), 'it is empty'],
    ['blank', () => ssm('GetDocument', '  \n'), 'it is empty'],
    ['not XML', () => ec2('DescribeSubnets', 'hello'), 'it is not XML: it starts with "hello"'],
    [
      'another operation’s answer',
      () => ec2('DescribeVpcEndpoints', '<DescribeSubnetsResponse><subnetSet/></DescribeSubnetsResponse>'),
      'it is a <DescribeSubnetsResponse> document, not <DescribeVpcEndpointsResponse>',
    ],
    [
      'an HTML page',
      () => ec2('DescribeInstances', '<html><body>proxy</body></html>'),
      'it is a <html> document, not <DescribeInstancesResponse>',
    ],
    [
      'the list missing',
      () => ec2('DescribeVpcEndpoints', '<DescribeVpcEndpointsResponse><requestId>1</requestId></DescribeVpcEndpointsResponse>'),
      'it has no <vpcEndpointSet>',
    ],
    [
      'a longer element that merely starts like the list',
      () => ec2('DescribeSubnets', '<DescribeSubnetsResponse><subnetSetX/></DescribeSubnetsResponse>'),
      'it has no <subnetSet>',
    ],
    ['SSM not an object', () => ssm('DescribeInstanceInformation', 'null'), 'it is not a JSON object: it starts with "null"'],
    ['SSM without its list', () => ssm('DescribeInstanceInformation', '{}'), 'it has no InstanceInformationList'],
    [
      'KMS (JSON) answered with XML',
      () => malformation('KMSClient', 'DescribeKeyCommand', bytes('<DescribeKeyResponse/>')),
      'it is not a JSON object: it starts with "<DescribeKeyResponse/>"',
    ],
  ])('%s', (_n, run, why) => expect(run()).toBe(why));
});
