import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  ec2Error,
  ec2Xml,
  escapeXml,
  filterValues,
  identify,
  json,
  jsonError,
  members,
  queryError,
  queryXml,
  readBody,
  serverError,
  xml,
  type Protocol,
  type Reply,
  type SeenRequest,
} from '../../helpers/aws-wire';

export type { Protocol, SeenRequest } from '../../helpers/aws-wire';

/**
 * A loopback AWS of our own for the fault-injection suite: EC2 (EC2 query XML), IAM and STS (query
 * XML), SSM (JSON 1.1) and Route 53 (REST-XML). By default it answers as a healthy account in which
 * the guide's private-subnet instance has its role, the three interface endpoints and is Online.
 * Per operation (or for all of them with `*`) a test injects a fault: deny, throttle or fail with a
 * 5xx N times, hang (accept and never answer), answer a malformed body, or reject the credentials.
 * It records every request's operation as sent on the wire (the query Action, the JSON
 * X-Amz-Target, the REST method and path), so a test can prove the CLI only read.
 */

export const WORLD = {
  region: 'ap-northeast-1',
  account: '123456789012',
  instance: 'i-0123456789abcdef0',
  vpc: 'vpc-0a1b2c3d4e5f60718',
  subnet: 'subnet-0aaa1111bbbb2222c',
  az: 'ap-northeast-1a',
  instanceSg: 'sg-0inst0000000000001',
  endpointSg: 'sg-0vpce000000000001',
  routeTable: 'rtb-0private00000001',
  mainRouteTable: 'rtb-0main00000000001',
  nacl: 'acl-0default00000001',
  profileName: 'SSMInstanceProfile',
  role: 'SSMInstanceRole',
  privateIp: '10.0.1.12',
  vpce: { ssm: 'vpce-0ssm000000000001', ssmmessages: 'vpce-0ssmmsg00000001', ec2messages: 'vpce-0ec2msg00000001' },
} as const;

const profileArn = `arn:aws:iam::${WORLD.account}:instance-profile/${WORLD.profileName}`;
const roleArn = `arn:aws:iam::${WORLD.account}:role/${WORLD.role}`;
const callerArn = `arn:aws:sts::${WORLD.account}:assumed-role/Admin/alice`;

export type Fault =
  /** AccessDenied in the protocol's own words (EC2: UnauthorizedOperation). */
  | { kind: 'deny' }
  /** The service's throttling error, `times` times, then the normal answer. */
  | { kind: 'throttle'; times: number }
  /** An HTTP 5xx, `times` times, then the normal answer. */
  | { kind: '5xx'; times: number; status?: number }
  /** Accept the request and never answer. */
  | { kind: 'hang' }
  /** Send the status line and headers of a success, then never the body. */
  | { kind: 'hang-body' }
  /** HTTP 200 with a body the protocol's parser cannot read (`body` overrides the default garbage). */
  | { kind: 'malformed'; body?: string }
  /** The service's answer to a key it does not recognise or a token that expired. */
  | { kind: 'bad-credentials' }
  /** An HTML error page, as a proxy or a load balancer sends it. */
  | { kind: 'html'; status: number }
  /** A careless proxy: an error whose message repeats the request's credential headers. */
  | { kind: 'echo-credentials' };

export class FakeAws {
  readonly requests: SeenRequest[] = [];
  private readonly faults = new Map<string, Fault>();
  private readonly faulted = new Map<string, number>();
  private readonly sockets = new Set<Socket>();
  /** When false, SSM does not list the instance (so the collector also reads its console output). */
  registered = true;
  /** When false, the VPC has no interface endpoints (so the collector also reads the VPC's hosted zones). */
  endpoints = true;
  /** When true, the Session Manager preferences encrypt with a KMS key (so the collector also reads the key and its policy). */
  kmsKey = false;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  static async start(): Promise<FakeAws> {
    let fake: FakeAws | undefined;
    const server = createServer((req, res) => {
      fake!.handle(req, res).catch((e: Error) => {
        if (!res.headersSent) res.writeHead(599, { 'content-type': 'text/plain' });
        res.end(`fake-aws: ${e.message}`);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    fake = new FakeAws(server, `http://127.0.0.1:${port}`);
    return fake;
  }

  /** Injects a fault for one operation (`ec2:DescribeInstances`) or, with `*`, for every operation without its own. */
  fail(operation: string, fault: Fault): this {
    this.faults.set(operation, fault);
    return this;
  }

  /** Clears faults, records and state between tests; drops any connection a hang kept open. */
  reset(): void {
    this.faults.clear();
    this.faulted.clear();
    this.requests.length = 0;
    this.registered = true;
    this.endpoints = true;
    this.kmsKey = false;
    for (const s of this.sockets) s.destroy();
  }

  /** How many requests each operation received. */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.requests) out[r.operation] = (out[r.operation] ?? 0) + 1;
    return out;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const seen = identify(req, body);
    this.requests.push(seen);
    const [service = '', operation = ''] = seen.operation.split(':');
    const fault = this.faults.get(seen.operation) ?? this.faults.get('*');
    const count = (this.faulted.get(seen.operation) ?? 0) + 1;
    this.faulted.set(seen.operation, count);

    if (fault?.kind === 'hang') return; // the socket stays open, unanswered
    if (fault?.kind === 'hang-body') {
      res.writeHead(200, {
        'content-type': seen.protocol === 'json' ? 'application/x-amz-json-1.1' : 'text/xml',
        'content-length': '1000',
      });
      res.flushHeaders();
      return;
    }
    let reply: Reply | undefined;
    if (fault?.kind === 'deny') reply = denied(service, seen.protocol, seen.operation);
    else if (fault?.kind === 'bad-credentials') reply = badCredentials(service, seen.protocol);
    else if (fault?.kind === 'throttle' && count <= fault.times) reply = throttled(service, seen.protocol);
    else if (fault?.kind === '5xx' && count <= fault.times) reply = serverError(service, seen.protocol, fault.status ?? 500);
    else if (fault?.kind === 'echo-credentials') {
      const echoed = `token=${String(req.headers['x-amz-security-token'])} authorization=${String(req.headers.authorization)}`;
      reply =
        seen.protocol === 'json'
          ? jsonError(400, 'ValidationException', echoed)
          : xml(400, queryError(service, 'InvalidParameterValue', echoed));
    } else if (fault?.kind === 'html')
      reply = {
        status: fault.status,
        headers: { 'content-type': 'text/html' },
        body: '<html><body><h1>502 Bad Gateway</h1></body></html>',
      };
    else if (fault?.kind === 'malformed') {
      // Cut off mid-answer, as a dropped connection behind a proxy leaves it.
      const garbage =
        seen.protocol === 'json'
          ? '{"InstanceInformationList": [{"InstanceId": '
          : `<?xml version="1.0" encoding="UTF-8"?>\n<${operation}Response xmlns="x"><requestId>1</requestId><item attr="x>`;
      reply = {
        status: 200,
        headers: { 'content-type': seen.protocol === 'json' ? 'application/x-amz-json-1.1' : 'text/xml' },
        body: fault.body ?? garbage,
      };
    } else reply = this.answer(service, operation, seen.protocol, body);
    res.writeHead(reply.status, { 'x-amzn-requestid': randomUUID(), ...reply.headers });
    res.end(reply.body);
  }

  /** The healthy account's answer. */
  private answer(service: string, operation: string, protocol: Protocol, body: Buffer): Reply {
    const form = new URLSearchParams(body.toString());
    if (service === 'ec2') return ec2Answer(operation, form, this.registered, this.endpoints);
    if (service === 'iam') return iamAnswer(operation, form);
    if (service === 'sts' && operation === 'GetCallerIdentity') {
      return queryXml('sts', operation, `<Arn>${callerArn}</Arn><UserId>AROAEXAMPLE:alice</UserId><Account>${WORLD.account}</Account>`);
    }
    if (service === 'ssm')
      return ssmAnswer(
        operation,
        body.length ? (JSON.parse(body.toString()) as Record<string, unknown>) : {},
        this.registered,
        this.kmsKey,
      );
    if (service === 'kms') return kmsAnswer(operation);
    // No Route 53 Resolver rule is associated with the VPC: its lookups stay with the Amazon-provided DNS.
    if (service === 'route53resolver' && operation === 'ListResolverRuleAssociations') return json({ ResolverRuleAssociations: [] });
    if (service === 'route53resolver' && operation === 'ListResolverRules') return json({ ResolverRules: [] });
    if (service === 'route53' && operation === 'ListHostedZonesByVPC') {
      return xml(
        200,
        `<?xml version="1.0"?>\n<ListHostedZonesByVPCResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><HostedZoneSummaries/><MaxItems>100</MaxItems></ListHostedZonesByVPCResponse>`,
      );
    }
    return serverError(service, protocol, 501, `fake-aws does not implement ${service}:${operation}`);
  }
}

function ec2Answer(operation: string, form: URLSearchParams, registered: boolean, endpoints: boolean): Reply {
  const item = (s: string) => `<item>${s}</item>`;
  const sgRef = (id: string) =>
    item(`<groupId>${id}</groupId><groupName>${id === WORLD.instanceSg ? 'test-ec2-sg' : 'ssm-endpoints'}</groupName>`);
  switch (operation) {
    case 'DescribeInstances': {
      const wanted = filterValues(form, 'instance-id');
      const found = wanted.length === 0 || wanted.includes(WORLD.instance);
      const instance = item(
        `<instanceId>${WORLD.instance}</instanceId><imageId>ami-0123456789abcdef0</imageId>` +
          `<instanceState><code>16</code><name>running</name></instanceState>` +
          `<privateIpAddress>${WORLD.privateIp}</privateIpAddress><subnetId>${WORLD.subnet}</subnetId><vpcId>${WORLD.vpc}</vpcId>` +
          `<placement><availabilityZone>${WORLD.az}</availabilityZone></placement>` +
          `<iamInstanceProfile><arn>${profileArn}</arn><id>AIPAEXAMPLE</id></iamInstanceProfile>` +
          `<platformDetails>Linux/UNIX</platformDetails>` +
          `<metadataOptions><state>applied</state><httpTokens>required</httpTokens><httpPutResponseHopLimit>2</httpPutResponseHopLimit><httpEndpoint>enabled</httpEndpoint></metadataOptions>` +
          `<groupSet>${sgRef(WORLD.instanceSg)}</groupSet>` +
          `<networkInterfaceSet>${item(
            `<networkInterfaceId>eni-0123456789abcdef0</networkInterfaceId><subnetId>${WORLD.subnet}</subnetId><vpcId>${WORLD.vpc}</vpcId>` +
              `<attachment><attachmentId>eni-attach-0123</attachmentId><deviceIndex>0</deviceIndex><status>attached</status></attachment>` +
              `<groupSet>${sgRef(WORLD.instanceSg)}</groupSet><privateIpAddress>${WORLD.privateIp}</privateIpAddress>`,
          )}</networkInterfaceSet>`,
      );
      const reservations = found
        ? item(
            `<reservationId>r-0123456789abcdef0</reservationId><ownerId>${WORLD.account}</ownerId><groupSet/><instancesSet>${instance}</instancesSet>`,
          )
        : '';
      return ec2Xml(operation, `<reservationSet>${reservations}</reservationSet>`);
    }
    case 'DescribeSubnets':
      return ec2Xml(
        operation,
        `<subnetSet>${item(`<subnetId>${WORLD.subnet}</subnetId><state>available</state><vpcId>${WORLD.vpc}</vpcId><cidrBlock>10.0.1.0/24</cidrBlock><availabilityZone>${WORLD.az}</availabilityZone>`)}</subnetSet>`,
      );
    case 'DescribeRouteTables': {
      const local = item(
        `<destinationCidrBlock>10.0.0.0/16</destinationCidrBlock><gatewayId>local</gatewayId><state>active</state><origin>CreateRouteTable</origin>`,
      );
      const table = (id: string, association: string) =>
        item(
          `<routeTableId>${id}</routeTableId><vpcId>${WORLD.vpc}</vpcId><routeSet>${local}</routeSet><associationSet>${item(association)}</associationSet><tagSet/>`,
        );
      return ec2Xml(
        operation,
        `<routeTableSet>` +
          table(
            WORLD.mainRouteTable,
            `<routeTableAssociationId>rtbassoc-0main</routeTableAssociationId><routeTableId>${WORLD.mainRouteTable}</routeTableId><main>true</main><associationState><state>associated</state></associationState>`,
          ) +
          table(
            WORLD.routeTable,
            `<routeTableAssociationId>rtbassoc-0priv</routeTableAssociationId><routeTableId>${WORLD.routeTable}</routeTableId><subnetId>${WORLD.subnet}</subnetId><main>false</main><associationState><state>associated</state></associationState>`,
          ) +
          `</routeTableSet>`,
      );
    }
    case 'DescribeVpcEndpoints': {
      const endpoint = (svc: keyof typeof WORLD.vpce) =>
        item(
          `<vpcEndpointId>${WORLD.vpce[svc]}</vpcEndpointId><vpcEndpointType>Interface</vpcEndpointType><vpcId>${WORLD.vpc}</vpcId>` +
            `<serviceName>com.amazonaws.${WORLD.region}.${svc}</serviceName><state>available</state>` +
            `<policyDocument>${escapeXml(JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] }))}</policyDocument>` +
            `<subnetIdSet>${item(WORLD.subnet)}</subnetIdSet><groupSet>${sgRef(WORLD.endpointSg)}</groupSet>` +
            `<privateDnsEnabled>true</privateDnsEnabled><requesterManaged>false</requesterManaged>`,
        );
      const set = endpoints ? `${endpoint('ssm')}${endpoint('ssmmessages')}${endpoint('ec2messages')}` : '';
      return ec2Xml(operation, `<vpcEndpointSet>${set}</vpcEndpointSet>`);
    }
    case 'DescribeNatGateways':
      return ec2Xml(operation, '<natGatewaySet/>');
    case 'DescribeInternetGateways':
      return ec2Xml(operation, '<internetGatewaySet/>');
    case 'DescribeSecurityGroups': {
      const allOut = item(
        `<ipProtocol>-1</ipProtocol><ipRanges>${item('<cidrIp>0.0.0.0/0</cidrIp>')}</ipRanges><groups/><ipv6Ranges/><prefixListIds/>`,
      );
      const https = item(
        `<ipProtocol>tcp</ipProtocol><fromPort>443</fromPort><toPort>443</toPort><groups>${item(`<userId>${WORLD.account}</userId><groupId>${WORLD.instanceSg}</groupId>`)}</groups><ipRanges/><ipv6Ranges/><prefixListIds/>`,
      );
      const group = (id: string, name: string, ingress: string) =>
        item(
          `<ownerId>${WORLD.account}</ownerId><groupId>${id}</groupId><groupName>${name}</groupName><groupDescription>${name}</groupDescription><vpcId>${WORLD.vpc}</vpcId><ipPermissions>${ingress}</ipPermissions><ipPermissionsEgress>${allOut}</ipPermissionsEgress>`,
        );
      return ec2Xml(
        operation,
        `<securityGroupInfo>${group(WORLD.instanceSg, 'test-ec2-sg', '')}${group(WORLD.endpointSg, 'ssm-endpoints', https)}</securityGroupInfo>`,
      );
    }
    case 'DescribeVpcs':
      return ec2Xml(operation, `<vpcSet>${item(`<vpcId>${WORLD.vpc}</vpcId><dhcpOptionsId>default</dhcpOptionsId>`)}</vpcSet>`);
    case 'DescribeDhcpOptions':
      return ec2Xml(operation, '<dhcpOptionsSet/>');
    case 'DescribeVpcBlockPublicAccessOptions':
      return ec2Xml(
        operation,
        `<vpcBlockPublicAccessOptions><awsAccountId>${WORLD.account}</awsAccountId><internetGatewayBlockMode>off</internetGatewayBlockMode><state>default-state</state><exclusionsAllowed>allowed</exclusionsAllowed><managedBy>account</managedBy></vpcBlockPublicAccessOptions>`,
      );
    case 'DescribeVpcBlockPublicAccessExclusions':
      return ec2Xml(operation, '<vpcBlockPublicAccessExclusionSet/>');
    case 'DescribeVpcAttribute': {
      const attribute = form.get('Attribute') ?? 'enableDnsSupport';
      return ec2Xml(operation, `<vpcId>${WORLD.vpc}</vpcId><${attribute}><value>true</value></${attribute}>`);
    }
    case 'DescribeNetworkAcls': {
      const entry = (egress: boolean, rule: number, action: string) =>
        item(
          `<ruleNumber>${rule}</ruleNumber><protocol>-1</protocol><ruleAction>${action}</ruleAction><egress>${egress}</egress><cidrBlock>0.0.0.0/0</cidrBlock>`,
        );
      return ec2Xml(
        operation,
        `<networkAclSet>${item(
          `<networkAclId>${WORLD.nacl}</networkAclId><vpcId>${WORLD.vpc}</vpcId><default>true</default>` +
            `<entrySet>${entry(false, 100, 'allow')}${entry(false, 32767, 'deny')}${entry(true, 100, 'allow')}${entry(true, 32767, 'deny')}</entrySet>` +
            `<associationSet>${item(`<networkAclAssociationId>aclassoc-01</networkAclAssociationId><networkAclId>${WORLD.nacl}</networkAclId><subnetId>${WORLD.subnet}</subnetId>`)}</associationSet><tagSet/>`,
        )}</networkAclSet>`,
      );
    }
    case 'GetConsoleOutput': {
      const text = registered ? '' : 'amazon-ssm-agent[1234]: ERROR EC2RoleProvider Failed to connect to Systems Manager\n';
      return ec2Xml(
        operation,
        `<instanceId>${form.get('InstanceId') ?? ''}</instanceId><timestamp>2026-01-01T00:00:00.000Z</timestamp><output>${Buffer.from(text).toString('base64')}</output>`,
      );
    }
    case 'GetManagedPrefixListEntries':
      return ec2Xml(operation, '<entrySet/>');
    default:
      return serverError('ec2', 'ec2', 501, `fake-aws does not implement ec2:${operation}`);
  }
}

function iamAnswer(operation: string, form: URLSearchParams): Reply {
  const trust = encodeURIComponent(
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    }),
  );
  const role = `<Path>/</Path><RoleName>${WORLD.role}</RoleName><RoleId>AROAEXAMPLEROLE</RoleId><Arn>${roleArn}</Arn><CreateDate>2026-01-01T00:00:00Z</CreateDate><AssumeRolePolicyDocument>${trust}</AssumeRolePolicyDocument>`;
  switch (operation) {
    case 'GetInstanceProfile':
      return queryXml(
        'iam',
        operation,
        `<InstanceProfile><Path>/</Path><InstanceProfileName>${WORLD.profileName}</InstanceProfileName><InstanceProfileId>AIPAEXAMPLE</InstanceProfileId><Arn>${profileArn}</Arn><CreateDate>2026-01-01T00:00:00Z</CreateDate><Roles><member>${role}</member></Roles></InstanceProfile>`,
      );
    case 'GetRole':
      return queryXml('iam', operation, `<Role>${role}</Role>`);
    case 'SimulatePrincipalPolicy': {
      const actions = members(form, 'ActionNames');
      const resources = members(form, 'ResourceArns');
      const results = actions.flatMap((action) =>
        (resources.length ? resources : ['*']).map(
          (resource) =>
            `<member><EvalActionName>${action}</EvalActionName><EvalResourceName>${escapeXml(resource)}</EvalResourceName><EvalDecision>allowed</EvalDecision>` +
            `<MatchedStatements><member><SourcePolicyId>AmazonSSMManagedInstanceCore</SourcePolicyId><SourcePolicyType>aws managed</SourcePolicyType></member></MatchedStatements>` +
            `<MissingContextValues/><OrganizationsDecisionDetail><AllowedByOrganizations>true</AllowedByOrganizations></OrganizationsDecisionDetail></member>`,
        ),
      );
      return queryXml('iam', operation, `<EvaluationResults>${results.join('')}</EvaluationResults><IsTruncated>false</IsTruncated>`);
    }
    case 'ListAttachedRolePolicies':
      return queryXml(
        'iam',
        operation,
        `<AttachedPolicies><member><PolicyName>AmazonSSMManagedInstanceCore</PolicyName><PolicyArn>arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore</PolicyArn></member></AttachedPolicies><IsTruncated>false</IsTruncated>`,
      );
    case 'ListRolePolicies':
      return queryXml('iam', operation, '<PolicyNames/><IsTruncated>false</IsTruncated>');
    default:
      return serverError('iam', 'query', 501, `fake-aws does not implement iam:${operation}`);
  }
}

const keyId = '1234abcd-12ab-34cd-56ef-1234567890ab';
const keyArn = `arn:aws:kms:${WORLD.region}:${WORLD.account}:key/${keyId}`;

function kmsAnswer(operation: string): Reply {
  switch (operation) {
    case 'DescribeKey':
      return json({
        KeyMetadata: { KeyId: keyId, Arn: keyArn, KeyState: 'Enabled', KeyManager: 'CUSTOMER', KeySpec: 'SYMMETRIC_DEFAULT' },
      });
    case 'GetKeyPolicy':
      return json({
        PolicyName: 'default',
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${WORLD.account}:root` }, Action: 'kms:*', Resource: '*' }],
        }),
      });
    default:
      return jsonError(400, 'UnknownOperationException', `fake-aws does not implement kms:${operation}`);
  }
}

function ssmAnswer(operation: string, input: Record<string, unknown>, registered: boolean, kmsKey: boolean): Reply {
  switch (operation) {
    case 'DescribeInstanceInformation':
      return json({
        InstanceInformationList: registered
          ? [
              {
                InstanceId: WORLD.instance,
                PingStatus: 'Online',
                LastPingDateTime: Date.UTC(2026, 0, 1) / 1000,
                AgentVersion: '3.3.1802.0',
                PlatformType: 'Linux',
                PlatformName: 'Amazon Linux',
                PlatformVersion: '2023',
                ResourceType: 'EC2Instance',
                IPAddress: WORLD.privateIp,
                IamRole: WORLD.role,
              },
            ]
          : [],
      });
    case 'GetServiceSetting':
      return json({ ServiceSetting: { SettingId: String(input.SettingId ?? ''), SettingValue: '$None', Status: 'Default' } });
    case 'GetConnectionStatus':
      return json({ Target: String(input.Target ?? ''), Status: registered ? 'connected' : 'notconnected' });
    case 'GetDocument':
      if (kmsKey) {
        const content = {
          schemaVersion: '1.0',
          sessionType: 'Standard_Stream',
          inputs: { kmsKeyId: keyArn, s3BucketName: '', cloudWatchLogGroupName: '' },
        };
        return json({ Name: String(input.Name), DocumentFormat: 'JSON', Content: JSON.stringify(content) });
      }
      return jsonError(400, 'InvalidDocument', `Document with name ${String(input.Name)} does not exist.`);
    default:
      return jsonError(400, 'UnknownOperationException', `fake-aws does not implement ssm:${operation}`);
  }
}

function denied(service: string, protocol: Protocol, operation: string): Reply {
  const message = `User: ${callerArn} is not authorized to perform: ${operation} because no identity-based policy allows the ${operation} action`;
  switch (protocol) {
    case 'ec2':
      return xml(403, ec2Error('UnauthorizedOperation', `You are not authorized to perform this operation. ${message}`));
    case 'json':
      return jsonError(400, 'AccessDeniedException', message);
    default:
      return xml(403, queryError(service, 'AccessDenied', message));
  }
}

function throttled(service: string, protocol: Protocol): Reply {
  switch (protocol) {
    case 'ec2':
      return xml(503, ec2Error('RequestLimitExceeded', 'Request limit exceeded.'));
    case 'json':
      return jsonError(400, 'ThrottlingException', 'Rate exceeded');
    default:
      return xml(400, queryError(service, 'Throttling', 'Rate exceeded'));
  }
}

function badCredentials(service: string, protocol: Protocol): Reply {
  switch (protocol) {
    case 'ec2':
      return xml(401, ec2Error('AuthFailure', 'AWS was not able to validate the provided access credentials'));
    case 'json':
      return jsonError(400, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
    default:
      return xml(403, queryError(service, 'InvalidClientTokenId', 'The security token included in the request is invalid.'));
  }
}
