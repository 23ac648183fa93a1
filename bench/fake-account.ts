import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ec2Error,
  ec2Xml,
  escapeXml,
  filterValues,
  identify,
  json,
  jsonError,
  members,
  queryXml,
  readBody,
  serverError,
  xml,
  type Reply,
} from '../test/helpers/aws-wire';

/**
 * A synthetic AWS account on loopback for the benchmark: N instances spread over V VPCs and R
 * roles, a few of them broken the way real fleets are (no instance profile, a role without the
 * Systems Manager policy, a VPC missing the ssmmessages endpoint, an endpoint security group that
 * does not open 443, an agent that never registered, a stopped instance). It answers every
 * operation the collector calls in the protocol the SDK expects, pages as AWS does (MaxResults or
 * MaxItems honoured, NextToken or Marker), refuses what AWS refuses (more than 200 values in an
 * EC2 filter, SSM page sizes past their limit), and waits `latencyMs` before every answer.
 */

export const REGION = 'ap-northeast-1';
/** Every VPC's DHCP options set: the Amazon-provided DNS, as in most accounts. */
const DHCP_OPTIONS = 'dopt-0b3e5c7a9d1f24680';
export const ACCOUNT = '123456789012';
const CALLER = `arn:aws:sts::${ACCOUNT}:assumed-role/Admin/bench`;
const CORE = 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore';
/** What a role without the core policy has instead: an AWS managed policy ssm-doctor does not know by name, so its document is read. */
const OTHER = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';
const OTHER_DOCUMENT = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:Get*', 's3:List*'], Resource: '*' }] };
const attachedXml = (r: { core: boolean }) =>
  r.core
    ? `<PolicyName>AmazonSSMManagedInstanceCore</PolicyName><PolicyArn>${CORE}</PolicyArn>`
    : `<PolicyName>AmazonS3ReadOnlyAccess</PolicyName><PolicyArn>${OTHER}</PolicyArn>`;

export interface Shape {
  instances: number;
  vpcs: number;
  roles: number;
}

interface BenchVpc {
  id: string;
  subnet: string;
  cidr: string;
  instanceSg: string;
  endpointSg: string;
  routeTable: string;
  mainRouteTable: string;
  nacl: string;
  /** The VPC lacks its ssmmessages endpoint. */
  missingEndpoint: boolean;
  /** The endpoints' security group has no HTTPS rule. */
  closedSg: boolean;
}

interface BenchRole {
  name: string;
  profile: string;
  /** The role has AmazonSSMManagedInstanceCore attached. */
  core: boolean;
}

interface BenchInstance {
  id: string;
  vpc: BenchVpc;
  /** Undefined: launched without an instance profile. */
  role?: BenchRole;
  state: 'running' | 'stopped';
  ip: string;
  /** The agent never registered although nothing else is wrong (a stuck agent). */
  stuckAgent: boolean;
}

/** What was planted, to compare with what the report finds. */
export interface Planted {
  noProfile: number;
  roleWithoutPolicy: number;
  missingEndpoint: number;
  closedSg: number;
  stuckAgent: number;
  stopped: number;
  healthy: number;
}

const hex = (seed: string, n: number) => createHash('sha256').update(seed).digest('hex').slice(0, n);

/** The account, generated the same way every time for the same shape. */
export class Account {
  readonly vpcs: BenchVpc[];
  readonly roles: BenchRole[];
  /** Sorted by id, as EC2 and SSM list them. */
  readonly instances: BenchInstance[];

  constructor(readonly shape: Shape) {
    this.vpcs = Array.from({ length: shape.vpcs }, (_, v) => ({
      id: `vpc-0${hex(`vpc${v}`, 16)}`,
      subnet: `subnet-0${hex(`subnet${v}`, 16)}`,
      cidr: `10.${v % 256}.0.0/16`,
      instanceSg: `sg-0${hex(`isg${v}`, 16)}`,
      endpointSg: `sg-0${hex(`esg${v}`, 16)}`,
      routeTable: `rtb-0${hex(`rtb${v}`, 16)}`,
      mainRouteTable: `rtb-0${hex(`main${v}`, 16)}`,
      nacl: `acl-0${hex(`acl${v}`, 16)}`,
      missingEndpoint: v % 10 === 3,
      closedSg: v % 10 === 7,
    }));
    this.roles = Array.from({ length: shape.roles }, (_, r) => ({
      name: `bench-role-${r}`,
      profile: `bench-profile-${r}`,
      // One role in ten lacks the core policy (the second, so that a two-role fleet has one).
      core: r % 10 !== 1,
    }));
    this.instances = Array.from({ length: shape.instances }, (_, k): BenchInstance => {
      const vpc = this.vpcs[k % shape.vpcs]!;
      return {
        id: `i-0${hex(`instance${k}`, 16)}`,
        vpc,
        role: k % 50 === 11 ? undefined : this.roles[k % shape.roles],
        state: k % 100 === 37 ? 'stopped' : 'running',
        ip: `10.${vpc.cidr.split('.')[1]}.${1 + (Math.floor(k / 250) % 250)}.${4 + (k % 250)}`,
        stuckAgent: k % 50 === 23,
      };
    }).sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  /** SSM lists the node: it runs, has a role with the policy, and reaches all three endpoints. */
  registered(i: BenchInstance): boolean {
    return i.state === 'running' && !!i.role?.core && !i.vpc.missingEndpoint && !i.vpc.closedSg && !i.stuckAgent;
  }

  planted(): Planted {
    const count = (f: (i: BenchInstance) => boolean) => this.instances.filter(f).length;
    return {
      noProfile: count((i) => !i.role),
      roleWithoutPolicy: count((i) => !!i.role && !i.role.core),
      missingEndpoint: count((i) => i.vpc.missingEndpoint),
      closedSg: count((i) => i.vpc.closedSg),
      stuckAgent: count((i) => i.stuckAgent),
      stopped: count((i) => i.state === 'stopped'),
      healthy: count((i) => this.registered(i)),
    };
  }
}

/** One page of `items`: MaxResults (within AWS's bounds for the operation) and an offset token. */
function page<T>(
  items: readonly T[],
  max: number | undefined,
  token: string | undefined,
  bounds: [number, number, number],
): { items: T[]; next?: string } | string {
  const [min, limit, dflt] = bounds;
  if (max !== undefined && (max < min || max > limit)) return `MaxResults must be between ${min} and ${limit}`;
  const start = token ? Number(/^bench-(\d+)$/.exec(token)?.[1] ?? NaN) : 0;
  if (!Number.isInteger(start)) return `invalid NextToken ${token}`;
  const end = start + (max ?? dflt);
  return { items: items.slice(start, end), next: end < items.length ? `bench-${end}` : undefined };
}

/** An EC2 filter value with `*` and `?` wildcards, as EC2 matches them. */
function matcher(values: string[]): (v: string) => boolean {
  const res = values.map(
    (v) =>
      new RegExp(
        `^${v
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '.*')
          .replace(/\?/g, '.')}$`,
      ),
  );
  return (v) => res.some((re) => re.test(v));
}

/** Every `Filter.N` of an EC2 query request, by name. */
function ec2Filters(form: URLSearchParams): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (let i = 1; form.has(`Filter.${i}.Name`); i++)
    out.set(form.get(`Filter.${i}.Name`)!, filterValues(form, form.get(`Filter.${i}.Name`)!));
  return out;
}

const item = (s: string) => `<item>${s}</item>`;
const member = (s: string) => `<member>${s}</member>`;
const encoded = (doc: unknown) => encodeURIComponent(JSON.stringify(doc));
const TRUST = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};

/** Answers by account shape, operation and request body: the same request is answered the same way every run. */
const ANSWERS = new Map<string, Reply>();

export class FakeAccount {
  /** Requests by `service:Operation`, retries included. */
  readonly counts = new Map<string, number>();
  /**
   * Every request as the fake saw it: when its headers arrived and when the answer was written, in
   * ms of this process's clock. Rounds counted from this are rounds as AWS would see them, whatever
   * the client's own counters say (a request queued in the client, or issued late, shows here).
   */
  readonly timeline: { operation: string; arrived: number; answered: number }[] = [];
  private readonly byId: Map<string, BenchInstance>;
  private readonly vpcById: Map<string, BenchVpc>;
  private readonly roleByName: Map<string, BenchRole>;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly account: Account,
    readonly latencyMs: number,
  ) {
    this.byId = new Map(account.instances.map((i) => [i.id, i]));
    this.vpcById = new Map(account.vpcs.map((v) => [v.id, v]));
    this.roleByName = new Map(account.roles.map((r) => [r.name, r]));
  }

  static async start(account: Account, latencyMs: number): Promise<FakeAccount> {
    let fake: FakeAccount | undefined;
    const server = createServer((req, res) => {
      fake!.handle(req, res).catch((e: Error) => {
        if (!res.headersSent) res.writeHead(599, { 'content-type': 'text/plain' });
        res.end(`bench fake: ${e.message}`);
      });
    });
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fake = new FakeAccount(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, account, latencyMs);
    return fake;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const arrived = performance.now();
    const body = await readBody(req);
    const seen = identify(req, body);
    this.counts.set(seen.operation, (this.counts.get(seen.operation) ?? 0) + 1);
    res.on('finish', () => this.timeline.push({ operation: seen.operation, arrived, answered: performance.now() }));
    const [service, operation] = seen.operation.split(':');
    // Building a large answer (625 instances, a simulation of 500 ARNs) takes the fake tens of
    // milliseconds, and a request that reaches the socket meanwhile is stamped as arriving late, as
    // if the CLI had sent it late. So the answer is built after this turn of the event loop, and
    // each is built once per account shape: the runs that are measured, after the first, find
    // theirs ready, and the timeline shows the CLI rather than the fake.
    await new Promise((r) => setImmediate(r));
    const key = `${JSON.stringify(this.account.shape)}\n${seen.operation}\n${body.toString()}`;
    const reply = ANSWERS.get(key) ?? this.answer(service!, operation!, body);
    ANSWERS.set(key, reply);
    await new Promise((r) => setTimeout(r, this.latencyMs));
    res.writeHead(reply.status, {
      'x-amzn-requestid': randomUUID(),
      'content-length': String(Buffer.byteLength(reply.body)),
      ...reply.headers,
    });
    res.end(reply.body);
  }

  private answer(service: string, operation: string, body: Buffer): Reply {
    if (service === 'ec2') return this.ec2(operation, new URLSearchParams(body.toString()));
    if (service === 'iam') return this.iam(operation, new URLSearchParams(body.toString()));
    if (service === 'ssm') return this.ssm(operation, body.length ? (JSON.parse(body.toString()) as Record<string, unknown>) : {});
    if (service === 'sts' && operation === 'GetCallerIdentity') {
      return queryXml('sts', operation, `<Arn>${CALLER}</Arn><UserId>AROABENCH:bench</UserId><Account>${ACCOUNT}</Account>`);
    }
    // No Route 53 Resolver rule is associated with any VPC: lookups stay with the Amazon-provided DNS.
    if (service === 'route53resolver' && operation === 'ListResolverRuleAssociations') return json({ ResolverRuleAssociations: [] });
    if (service === 'route53resolver' && operation === 'ListResolverRules') return json({ ResolverRules: [] });
    if (service === 'route53' && operation === 'ListHostedZonesByVPC') {
      return xml(
        200,
        `<?xml version="1.0"?>\n<ListHostedZonesByVPCResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><HostedZoneSummaries/><MaxItems>100</MaxItems></ListHostedZonesByVPCResponse>`,
      );
    }
    return serverError(service, 'query', 501, `the bench fake does not implement ${service}:${operation}`);
  }

  // ---- EC2 ----

  private ec2(operation: string, form: URLSearchParams): Reply {
    const filters = ec2Filters(form);
    const tooMany = [...filters].find(([, values]) => values.length > 200);
    if (tooMany) return xml(400, ec2Error('FilterLimitExceeded', `The maximum number of filter values specified on a single call is 200`));
    const max = form.has('MaxResults') ? Number(form.get('MaxResults')) : undefined;
    const token = form.get('NextToken') ?? undefined;
    const listed = <T>(items: T[], bounds: [number, number, number], set: string, render: (t: T) => string): Reply => {
      const p = page(items, max, token, bounds);
      if (typeof p === 'string') return xml(400, ec2Error('InvalidParameterValue', p));
      return ec2Xml(
        operation,
        `<${set}>${p.items.map((t) => item(render(t))).join('')}</${set}>${p.next ? `<nextToken>${p.next}</nextToken>` : ''}`,
      );
    };
    const vpcsIn = (name: string) => {
      const wanted = filters.get(name);
      return this.account.vpcs.filter((v) => !wanted || wanted.includes(v.id));
    };
    switch (operation) {
      case 'DescribeInstances': {
        const known = new Set(['instance-id', 'instance-state-name', 'vpc-id']);
        const odd = [...filters.keys()].find((k) => !known.has(k));
        if (odd) return xml(400, ec2Error('InvalidParameterValue', `The bench fake does not know the filter '${odd}'`));
        const tests = [...filters].map(([name, values]) => {
          const match = matcher(values);
          return (i: BenchInstance) => match(name === 'instance-id' ? i.id : name === 'vpc-id' ? i.vpc.id : i.state);
        });
        const found = this.account.instances.filter((i) => tests.every((t) => t(i)));
        return listed(found, [5, 1000, 1000], 'reservationSet', (i) => this.reservation(i));
      }
      case 'DescribeSubnets':
        return listed(
          vpcsIn('vpc-id'),
          [5, 1000, 1000],
          'subnetSet',
          (v) =>
            `<subnetId>${v.subnet}</subnetId><state>available</state><vpcId>${v.id}</vpcId><cidrBlock>${v.cidr.replace('.0.0/16', '.0.0/18')}</cidrBlock><availabilityZone>${REGION}a</availabilityZone>`,
        );
      case 'DescribeRouteTables':
        return listed(
          vpcsIn('vpc-id').flatMap((v) => [
            [
              v,
              v.mainRouteTable,
              `<routeTableAssociationId>rtbassoc-0m${v.id.slice(5)}</routeTableAssociationId><routeTableId>${v.mainRouteTable}</routeTableId><main>true</main><associationState><state>associated</state></associationState>`,
            ] as const,
            [
              v,
              v.routeTable,
              `<routeTableAssociationId>rtbassoc-0p${v.id.slice(5)}</routeTableAssociationId><routeTableId>${v.routeTable}</routeTableId><subnetId>${v.subnet}</subnetId><main>false</main><associationState><state>associated</state></associationState>`,
            ] as const,
          ]),
          [5, 100, 100],
          'routeTableSet',
          ([v, id, association]) =>
            `<routeTableId>${id}</routeTableId><vpcId>${v.id}</vpcId><routeSet>${item(`<destinationCidrBlock>${v.cidr}</destinationCidrBlock><gatewayId>local</gatewayId><state>active</state><origin>CreateRouteTable</origin>`)}</routeSet><associationSet>${item(association)}</associationSet><tagSet/>`,
        );
      case 'DescribeVpcEndpoints': {
        const endpoints = vpcsIn('vpc-id').flatMap((v) =>
          (['ssm', 'ssmmessages', 'ec2messages'] as const)
            .filter((s) => !(s === 'ssmmessages' && v.missingEndpoint))
            .map((s) => [v, s] as const),
        );
        return listed(
          endpoints,
          [5, 1000, 1000],
          'vpcEndpointSet',
          ([v, s]) =>
            `<vpcEndpointId>vpce-0${hex(`${v.id}${s}`, 16)}</vpcEndpointId><vpcEndpointType>Interface</vpcEndpointType><vpcId>${v.id}</vpcId>` +
            `<serviceName>com.amazonaws.${REGION}.${s}</serviceName><state>available</state>` +
            `<policyDocument>${escapeXml(JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] }))}</policyDocument>` +
            `<subnetIdSet>${item(v.subnet)}</subnetIdSet><groupSet>${item(`<groupId>${v.endpointSg}</groupId><groupName>ssm-endpoints</groupName>`)}</groupSet>` +
            `<privateDnsEnabled>true</privateDnsEnabled><requesterManaged>false</requesterManaged>`,
        );
      }
      case 'DescribeVpcs': {
        const ids = [...form].filter(([k]) => /^VpcId\.\d+$/.test(k)).map(([, v]) => v);
        const vpcs = this.account.vpcs.filter((v) => ids.length === 0 || ids.includes(v.id));
        return listed(
          vpcs,
          [5, 1000, 1000],
          'vpcSet',
          (v) =>
            `<vpcId>${v.id}</vpcId><state>available</state><cidrBlock>${v.cidr}</cidrBlock><dhcpOptionsId>${DHCP_OPTIONS}</dhcpOptionsId>`,
        );
      }
      case 'DescribeDhcpOptions':
        return listed(
          [DHCP_OPTIONS],
          [5, 1000, 1000],
          'dhcpOptionsSet',
          (id) =>
            `<dhcpOptionsId>${id}</dhcpOptionsId><ownerId>${ACCOUNT}</ownerId><dhcpConfigurationSet>${item(
              `<key>domain-name-servers</key><valueSet>${item('<value>AmazonProvidedDNS</value>')}</valueSet>`,
            )}</dhcpConfigurationSet>`,
        );
      case 'DescribeVpcBlockPublicAccessOptions':
        return ec2Xml(
          operation,
          `<vpcBlockPublicAccessOptions><awsAccountId>${ACCOUNT}</awsAccountId><internetGatewayBlockMode>off</internetGatewayBlockMode><state>default-state</state><exclusionsAllowed>allowed</exclusionsAllowed><managedBy>account</managedBy></vpcBlockPublicAccessOptions>`,
        );
      case 'DescribeVpcBlockPublicAccessExclusions':
        return listed([], [5, 1000, 1000], 'vpcBlockPublicAccessExclusionSet', () => '');
      case 'DescribeNatGateways':
        return listed([], [5, 1000, 1000], 'natGatewaySet', () => '');
      case 'DescribeInternetGateways':
        return listed([], [5, 1000, 1000], 'internetGatewaySet', () => '');
      case 'DescribeSecurityGroups': {
        const allOut = item(
          `<ipProtocol>-1</ipProtocol><ipRanges>${item('<cidrIp>0.0.0.0/0</cidrIp>')}</ipRanges><groups/><ipv6Ranges/><prefixListIds/>`,
        );
        const groups = vpcsIn('vpc-id').flatMap((v) => {
          const https = v.closedSg
            ? ''
            : item(
                `<ipProtocol>tcp</ipProtocol><fromPort>443</fromPort><toPort>443</toPort><groups/><ipRanges>${item(`<cidrIp>${v.cidr}</cidrIp>`)}</ipRanges><ipv6Ranges/><prefixListIds/>`,
              );
          return [
            [v, v.instanceSg, 'instances', ''],
            [v, v.endpointSg, 'ssm-endpoints', https],
          ] as const;
        });
        return listed(
          groups,
          [5, 1000, 1000],
          'securityGroupInfo',
          ([v, id, name, ingress]) =>
            `<ownerId>${ACCOUNT}</ownerId><groupId>${id}</groupId><groupName>${name}</groupName><groupDescription>${name}</groupDescription><vpcId>${v.id}</vpcId><ipPermissions>${ingress}</ipPermissions><ipPermissionsEgress>${allOut}</ipPermissionsEgress>`,
        );
      }
      case 'DescribeNetworkAcls': {
        const entry = (egress: boolean, rule: number, action: string) =>
          item(
            `<ruleNumber>${rule}</ruleNumber><protocol>-1</protocol><ruleAction>${action}</ruleAction><egress>${egress}</egress><cidrBlock>0.0.0.0/0</cidrBlock>`,
          );
        return listed(
          vpcsIn('vpc-id'),
          [5, 1000, 1000],
          'networkAclSet',
          (v) =>
            `<networkAclId>${v.nacl}</networkAclId><vpcId>${v.id}</vpcId><default>true</default>` +
            `<entrySet>${entry(false, 100, 'allow')}${entry(false, 32767, 'deny')}${entry(true, 100, 'allow')}${entry(true, 32767, 'deny')}</entrySet>` +
            `<associationSet>${item(`<networkAclAssociationId>aclassoc-0${v.id.slice(5)}</networkAclAssociationId><networkAclId>${v.nacl}</networkAclId><subnetId>${v.subnet}</subnetId>`)}</associationSet><tagSet/>`,
        );
      }
      case 'DescribeVpcAttribute': {
        const vpc = this.vpcById.get(form.get('VpcId') ?? '');
        if (!vpc) return xml(400, ec2Error('InvalidVpcID.NotFound', `The vpc ID '${form.get('VpcId')}' does not exist`));
        const attribute = form.get('Attribute') ?? 'enableDnsSupport';
        return ec2Xml(operation, `<vpcId>${vpc.id}</vpcId><${attribute}><value>true</value></${attribute}>`);
      }
      case 'GetConsoleOutput': {
        const id = form.get('InstanceId') ?? '';
        if (!this.byId.has(id)) return xml(400, ec2Error('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`));
        const text = 'amazon-ssm-agent[1234]: ERROR EC2RoleProvider Failed to connect to Systems Manager\n';
        return ec2Xml(
          operation,
          `<instanceId>${id}</instanceId><timestamp>2026-01-01T00:00:00.000Z</timestamp><output>${Buffer.from(text).toString('base64')}</output>`,
        );
      }
      case 'GetManagedPrefixListEntries':
        return ec2Xml(operation, '<entrySet/>');
      default:
        return serverError('ec2', 'ec2', 501, `the bench fake does not implement ec2:${operation}`);
    }
  }

  private reservation(i: BenchInstance): string {
    const sg = item(`<groupId>${i.vpc.instanceSg}</groupId><groupName>instances</groupName>`);
    const profile = i.role
      ? `<iamInstanceProfile><arn>arn:aws:iam::${ACCOUNT}:instance-profile/${i.role.profile}</arn><id>AIPA${hex(i.role.profile, 12).toUpperCase()}</id></iamInstanceProfile>`
      : '';
    const code = i.state === 'running' ? 16 : 80;
    const instance =
      `<instanceId>${i.id}</instanceId><imageId>ami-0123456789abcdef0</imageId><instanceState><code>${code}</code><name>${i.state}</name></instanceState>` +
      `<privateIpAddress>${i.ip}</privateIpAddress><subnetId>${i.vpc.subnet}</subnetId><vpcId>${i.vpc.id}</vpcId>` +
      `<placement><availabilityZone>${REGION}a</availabilityZone></placement>${profile}<platformDetails>Linux/UNIX</platformDetails>` +
      `<metadataOptions><state>applied</state><httpTokens>required</httpTokens><httpPutResponseHopLimit>2</httpPutResponseHopLimit><httpEndpoint>enabled</httpEndpoint></metadataOptions>` +
      `<groupSet>${sg}</groupSet><tagSet>${item(`<key>Name</key><value>bench-${i.id.slice(-6)}</value>`)}</tagSet>` +
      `<networkInterfaceSet>${item(
        `<networkInterfaceId>eni-0${i.id.slice(3)}</networkInterfaceId><subnetId>${i.vpc.subnet}</subnetId><vpcId>${i.vpc.id}</vpcId>` +
          `<attachment><attachmentId>eni-attach-0${i.id.slice(3)}</attachmentId><deviceIndex>0</deviceIndex><status>attached</status></attachment>` +
          `<groupSet>${sg}</groupSet><privateIpAddress>${i.ip}</privateIpAddress>`,
      )}</networkInterfaceSet>`;
    return `<reservationId>r-0${i.id.slice(3)}</reservationId><ownerId>${ACCOUNT}</ownerId><groupSet/><instancesSet>${item(instance)}</instancesSet>`;
  }

  // ---- IAM ----

  private roleXml(r: BenchRole): string {
    return `<Path>/</Path><RoleName>${r.name}</RoleName><RoleId>AROA${hex(r.name, 16).toUpperCase()}</RoleId><Arn>arn:aws:iam::${ACCOUNT}:role/${r.name}</Arn><CreateDate>2026-01-01T00:00:00Z</CreateDate><AssumeRolePolicyDocument>${encoded(TRUST)}</AssumeRolePolicyDocument>`;
  }

  private profileXml(r: BenchRole): string {
    return `<Path>/</Path><InstanceProfileName>${r.profile}</InstanceProfileName><InstanceProfileId>AIPA${hex(r.profile, 12).toUpperCase()}</InstanceProfileId><Arn>arn:aws:iam::${ACCOUNT}:instance-profile/${r.profile}</Arn><CreateDate>2026-01-01T00:00:00Z</CreateDate><Roles>${member(this.roleXml(r))}</Roles>`;
  }

  private iam(operation: string, form: URLSearchParams): Reply {
    const noSuch = (what: string) =>
      xml(
        404,
        `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>${escapeXml(what)} cannot be found.</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
      );
    const max = form.has('MaxItems') ? Number(form.get('MaxItems')) : undefined;
    const marker = form.get('Marker') ?? undefined;
    const paged = <T>(items: T[], render: (t: T) => string, set: string, extra = ''): Reply => {
      const p = page(items, max, marker, [1, 1000, 100]);
      if (typeof p === 'string')
        return xml(
          400,
          `<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code><Message>${p}</Message></Error></ErrorResponse>`,
        );
      return queryXml(
        'iam',
        operation,
        `<${set}>${p.items.map((t) => member(render(t))).join('')}</${set}>${extra}<IsTruncated>${!!p.next}</IsTruncated>${p.next ? `<Marker>${p.next}</Marker>` : ''}`,
      );
    };
    const role = this.roleByName.get(form.get('RoleName') ?? '');
    switch (operation) {
      case 'GetAccountAuthorizationDetails':
        return paged(
          this.account.roles,
          (r) =>
            this.roleXml(r) +
            `<InstanceProfileList>${member(this.profileXml(r))}</InstanceProfileList><RolePolicyList/>` +
            `<AttachedManagedPolicies>${member(attachedXml(r))}</AttachedManagedPolicies><Tags/>`,
          'RoleDetailList',
          '<GroupDetailList/><UserDetailList/><Policies/>',
        );
      case 'GetInstanceProfile': {
        const r = this.account.roles.find((x) => x.profile === form.get('InstanceProfileName'));
        return r
          ? queryXml('iam', operation, `<InstanceProfile>${this.profileXml(r)}</InstanceProfile>`)
          : noSuch(`Instance Profile ${form.get('InstanceProfileName')}`);
      }
      case 'GetRole':
        return role
          ? queryXml('iam', operation, `<Role>${this.roleXml(role)}</Role>`)
          : noSuch(`The role with name ${form.get('RoleName')}`);
      case 'ListAttachedRolePolicies':
        if (!role) return noSuch(`The role with name ${form.get('RoleName')}`);
        return paged([role], attachedXml, 'AttachedPolicies');
      case 'GetPolicy':
        return form.get('PolicyArn') === OTHER
          ? queryXml(
              'iam',
              operation,
              `<Policy><PolicyName>AmazonS3ReadOnlyAccess</PolicyName><Arn>${OTHER}</Arn><DefaultVersionId>v3</DefaultVersionId></Policy>`,
            )
          : noSuch(`Policy ${form.get('PolicyArn')}`);
      case 'GetPolicyVersion':
        return form.get('PolicyArn') === OTHER && form.get('VersionId') === 'v3'
          ? queryXml(
              'iam',
              operation,
              `<PolicyVersion><Document>${encodeURIComponent(JSON.stringify(OTHER_DOCUMENT))}</Document><VersionId>v3</VersionId><IsDefaultVersion>true</IsDefaultVersion></PolicyVersion>`,
            )
          : noSuch(`Policy version ${form.get('VersionId')} of ${form.get('PolicyArn')}`);
      case 'ListRolePolicies':
        if (!role) return noSuch(`The role with name ${form.get('RoleName')}`);
        return paged([] as string[], (n) => n, 'PolicyNames');
      case 'SimulatePrincipalPolicy': {
        const source = form.get('PolicySourceArn') ?? '';
        const simulated = /:role\/(.+)$/.exec(source)?.[1];
        const allowed = simulated === 'Admin' || !!this.roleByName.get(simulated ?? '')?.core;
        if (simulated !== 'Admin' && !this.roleByName.has(simulated ?? '')) return noSuch(`The role with name ${simulated}`);
        const resources = members(form, 'ResourceArns');
        const pairs = members(form, 'ActionNames').flatMap((a) => (resources.length ? resources : ['*']).map((r) => [a, r] as const));
        return paged(
          pairs,
          ([action, resource]) =>
            `<EvalActionName>${action}</EvalActionName><EvalResourceName>${escapeXml(resource)}</EvalResourceName><EvalDecision>${allowed ? 'allowed' : 'implicitDeny'}</EvalDecision>` +
            (allowed
              ? `<MatchedStatements>${member('<SourcePolicyId>AmazonSSMManagedInstanceCore</SourcePolicyId><SourcePolicyType>aws managed</SourcePolicyType>')}</MatchedStatements>`
              : '<MatchedStatements/>') +
            `<MissingContextValues/><OrganizationsDecisionDetail><AllowedByOrganizations>true</AllowedByOrganizations></OrganizationsDecisionDetail>`,
          'EvaluationResults',
        );
      }
      default:
        return serverError('iam', 'query', 501, `the bench fake does not implement iam:${operation}`);
    }
  }

  // ---- SSM ----

  private node(i: BenchInstance): Record<string, unknown> {
    return {
      InstanceId: i.id,
      PingStatus: 'Online',
      LastPingDateTime: Date.now() / 1000 - 60,
      AgentVersion: '3.3.1802.0',
      PlatformType: 'Linux',
      PlatformName: 'Amazon Linux',
      PlatformVersion: '2023',
      ResourceType: 'EC2Instance',
      IPAddress: i.ip,
      IamRole: i.role?.name,
    };
  }

  private ssm(operation: string, input: Record<string, unknown>): Reply {
    const nodes = () => this.account.instances.filter((i) => this.account.registered(i));
    const listed = (key: string, items: BenchInstance[], bounds: [number, number, number]): Reply => {
      const p = page(items, input.MaxResults as number | undefined, input.NextToken as string | undefined, bounds);
      if (typeof p === 'string') return jsonError(400, 'ValidationException', p);
      return json({ [key]: p.items.map((i) => this.node(i)), ...(p.next ? { NextToken: p.next } : {}) });
    };
    switch (operation) {
      case 'DescribeInstanceInformation': {
        const filters = (input.Filters ?? []) as { Key: string; Values: string[] }[];
        const ids = filters.find((f) => f.Key === 'InstanceIds')?.Values;
        if (ids && ids.length > 50) return jsonError(400, 'ValidationException', 'InstanceIds filter takes at most 50 values');
        const unknownId = ids?.find((id) => !this.byId.has(id));
        if (unknownId) return jsonError(400, 'InvalidInstanceId', `Instance ${unknownId} is not valid`);
        const wanted = ids && new Set(ids);
        return listed(
          'InstanceInformationList',
          nodes().filter((i) => !wanted || wanted.has(i.id)),
          [5, 50, 50],
        );
      }
      case 'DescribeInstanceProperties': {
        const filters = (input.FiltersWithOperator ?? []) as { Key: string; Operator: string; Values: string[] }[];
        const prefixes = filters.find((f) => f.Key === 'InstanceIds' && f.Operator === 'BeginWith')?.Values;
        return listed(
          'InstanceProperties',
          nodes().filter((i) => !prefixes || prefixes.some((p) => i.id.startsWith(p))),
          [1, 1000, 50],
        );
      }
      case 'GetServiceSetting':
        return json({ ServiceSetting: { SettingId: String(input.SettingId ?? ''), SettingValue: '$None', Status: 'Default' } });
      case 'GetConnectionStatus': {
        const i = this.byId.get(String(input.Target ?? ''));
        return json({ Target: String(input.Target ?? ''), Status: i && this.account.registered(i) ? 'connected' : 'notconnected' });
      }
      case 'GetDocument':
        return jsonError(400, 'InvalidDocument', `Document with name ${String(input.Name)} does not exist.`);
      default:
        return jsonError(400, 'UnknownOperationException', `the bench fake does not implement ssm:${operation}`);
    }
  }
}
