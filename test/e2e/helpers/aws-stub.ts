import { randomUUID } from 'node:crypto';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { IAMClient } from '@aws-sdk/client-iam';
import { simulate, SimulationError, simulationXml, type EvalResult, type SimOverride } from './iam-sim';

/**
 * A loopback AWS endpoint for the end-to-end tests. It is two things:
 * - the operations moto lacks, answered from state the test sets: SSM's DescribeInstanceInformation,
 *   GetServiceSetting, GetConnectionStatus and GetDocument (AWS JSON 1.1; every other SSM operation
 *   a JSON error), IAM's SimulatePrincipalPolicy (evaluated from the principal's policies in moto,
 *   see iam-sim.ts), EC2's VPC Block Public Access options and exclusions and, when a test sets
 *   it, an instance's EC2 console output;
 * - a proxy in front of moto for every other service, forwarding requests unchanged except the
 *   operations a test denies, which get that protocol's real AccessDenied error.
 * It counts requests per `service:Operation`, so a test can cross-check the CLI's --stats.
 */

export interface ManagedNode {
  instanceId: string;
  pingStatus: 'Online' | 'ConnectionLost' | 'Inactive';
  agentVersion?: string;
  platformType?: 'Linux' | 'Windows' | 'MacOS';
  platformName?: string;
  platformVersion?: string;
  ipAddress?: string;
  iamRole?: string;
  lastPing?: Date;
}

export const DHMC_SETTING_ID = '/ssm/managed-instance/default-ec2-instance-management-role';

export const ACCOUNT = '123456789012';

/** The Session Manager preferences document (the console's Session Manager → Preferences). */
export const PREFERENCES_DOCUMENT = 'SSM-SessionManagerRunShell';

/** `inputs` of the preferences document, as the console saves them (all keys, empty when off). */
export interface PreferenceInputs {
  s3BucketName?: string;
  s3KeyPrefix?: string;
  s3EncryptionEnabled?: boolean;
  cloudWatchLogGroupName?: string;
  cloudWatchEncryptionEnabled?: boolean;
  cloudWatchStreamingEnabled?: boolean;
  kmsKeyId?: string;
  runAsEnabled?: boolean;
  runAsDefaultUser?: string;
  idleSessionTimeout?: string;
}

/** The region's VPC Block Public Access as the stub answers it. */
export interface BpaState {
  mode: 'off' | 'block-bidirectional' | 'block-ingress';
  exclusions: { resourceId: string; mode: 'allow-egress' | 'allow-bidirectional'; state?: string }[];
}

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export class AwsStub {
  /** Nodes SSM lists as managed, in the order it lists them. */
  readonly nodes = new Map<string, ManagedNode>();
  /** The DHMC service setting: `$None` (off) or the role path, e.g. `service-role/AWSSystemsManagerDefaultEC2InstanceManagementRole`. */
  dhmcSetting = '$None';
  /** `service:Operation` names answered with AccessDenied, e.g. `iam:GetInstanceProfile`. */
  readonly denied = new Set<string>();
  /** Requests seen, by `service:Operation`. */
  readonly counts = new Map<string, number>();
  /** ssm:GetConnectionStatus by instance id; default: `connected` when the node is registered and Online. */
  readonly connections = new Map<string, 'connected' | 'notconnected'>();
  /** Inputs of the saved preferences document; undefined: never saved (GetDocument answers InvalidDocument). */
  preferences: PreferenceInputs | undefined;
  /** Answers of iam:SimulatePrincipalPolicy that replace the evaluated ones, by PolicySourceArn (e.g. an SCP deny). */
  readonly simulationOverrides = new Map<string, SimOverride>();
  /** ec2:GetConsoleOutput text by instance id, instead of moto's fixed boot log. */
  readonly consoleOutput = new Map<string, string>();
  /**
   * Added to every answer. moto answers in a few ms, less than the CLI takes to send a round's calls
   * one after another: a test that counts rounds sets an AWS-like latency, so that a round's calls
   * overlap as they do against AWS and the count is the dependency depth, not the machine's load.
   */
  latencyMs = 0;
  /** VPC Block Public Access, which moto does not model: the region's mode and its exclusions (default: off, none). */
  readonly bpa: BpaState = { mode: 'off', exclusions: [] };
  /** The keys IAM Identity Center's portal (sso:GetRoleCredentials, which moto lacks) hands out for any role; none: it answers 403. */
  ssoCredentials: { accessKeyId: string; secretAccessKey: string } | undefined;
  /** Requests as received, in order: operation and parameters (query form or JSON body), for assertions on inputs. */
  readonly requests: { name: string; params: Record<string, unknown> }[] = [];

  private readonly iam: IAMClient;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly upstream: URL,
  ) {
    // The evaluator reads policies from moto directly, so its reads are not counted as the tool's.
    this.iam = new IAMClient({
      region: 'us-east-1',
      endpoint: upstream.origin,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
  }

  /** Starts the stub on a free loopback port; `upstream` is moto's URL. */
  static async start(upstream: string): Promise<AwsStub> {
    let stub: AwsStub | undefined;
    const server = createServer((req, res) => {
      stub!.handle(req, res).catch((e: Error) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`e2e stub: ${e.stack ?? e.message}`);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    stub = new AwsStub(server, `http://127.0.0.1:${port}`, new URL(upstream));
    return stub;
  }

  register(node: ManagedNode): void {
    this.nodes.set(node.instanceId, node);
  }

  /** Forgets everything a test set, and the counts (call with moto's reset). */
  reset(): void {
    this.nodes.clear();
    this.dhmcSetting = '$None';
    this.denied.clear();
    this.counts.clear();
    this.connections.clear();
    this.preferences = undefined;
    this.simulationOverrides.clear();
    this.consoleOutput.clear();
    this.bpa.mode = 'off';
    this.bpa.exclusions.length = 0;
    this.requests.length = 0;
    this.latencyMs = 0;
    this.ssoCredentials = undefined;
  }

  /** Counts as a plain object, e.g. `{ "ec2:DescribeInstances": 1 }`. */
  countsByOperation(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  async stop(): Promise<void> {
    this.iam.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    // IAM Identity Center's portal: an unsigned GET with the bearer token of `aws sso login`.
    if (req.method === 'GET' && (req.url ?? '').startsWith('/federation/credentials')) return this.ssoRoleCredentials(req, res);
    const { service, operation, protocol, params } = identify(req, body);
    const name = `${service}:${operation}`;
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
    this.requests.push({ name, params });
    if (this.latencyMs) await new Promise((r) => setTimeout(r, this.latencyMs));

    let reply: Reply | undefined;
    if (this.denied.has(name)) reply = accessDenied(service, protocol, name);
    else if (service === 'ssm') reply = this.ssm(operation, body);
    else if (name === 'iam:SimulatePrincipalPolicy') reply = await this.simulatePrincipalPolicy(new URLSearchParams(body.toString()));
    else if (name === 'ec2:GetConsoleOutput') reply = this.getConsoleOutput(new URLSearchParams(body.toString()));
    else if (name === 'ec2:DescribeVpcBlockPublicAccessOptions') reply = this.bpaOptions();
    else if (name === 'ec2:DescribeVpcBlockPublicAccessExclusions') reply = this.bpaExclusions();
    if (reply) {
      res.writeHead(reply.status, reply.headers);
      res.end(reply.body);
      return;
    }
    await this.forward(req, res, body);
  }

  private ssoRoleCredentials(req: IncomingMessage, res: ServerResponse): void {
    const name = 'sso:GetRoleCredentials';
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
    this.requests.push({ name, params: Object.fromEntries(new URL(req.url ?? '/', 'http://x').searchParams) });
    const creds = this.ssoCredentials;
    if (!creds || !req.headers['x-amz-sso_bearer_token']) {
      res.writeHead(403, { 'content-type': 'application/json', 'x-amzn-errortype': 'ForbiddenException' });
      res.end(JSON.stringify({ message: 'No access' }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        roleCredentials: { ...creds, sessionToken: 'sso-session-token', expiration: Date.now() + 3_600_000 },
      }),
    );
  }

  private forward(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      const headers = { ...req.headers, host: this.upstream.host };
      const up = request(
        { host: this.upstream.hostname, port: this.upstream.port, method: req.method, path: req.url, headers },
        (upRes) => {
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          upRes.pipe(res);
          upRes.on('end', resolve);
          upRes.on('error', reject);
        },
      );
      up.on('error', reject);
      up.end(body);
    });
  }

  private ssm(operation: string, body: Buffer): Reply {
    const input = body.length ? (JSON.parse(body.toString()) as Record<string, unknown>) : {};
    switch (operation) {
      case 'DescribeInstanceInformation':
        return this.describeInstanceInformation(input);
      case 'GetServiceSetting':
        return this.getServiceSetting(input);
      case 'GetConnectionStatus':
        return this.getConnectionStatus(input);
      case 'GetDocument':
        return this.getDocument(input);
      default:
        return jsonError('UnknownOperationException', `the e2e stub does not implement ssm:${operation}`);
    }
  }

  private describeInstanceInformation(input: Record<string, unknown>): Reply {
    const max = input.MaxResults as number | undefined;
    if (max !== undefined && (max < 5 || max > 50)) {
      return jsonError(
        'ValidationException',
        `1 validation error detected: Value '${max}' at 'maxResults' failed to satisfy constraint: Member must have value between 5 and 50`,
      );
    }
    // Both filter styles; a key the stub does not model is an error rather than silently ignored.
    const filters = [
      ...((input.Filters as { Key: string; Values: string[] }[] | undefined) ?? []),
      ...((input.InstanceInformationFilterList as { key: string; valueSet: string[] }[] | undefined) ?? []).map((f) => ({
        Key: f.key,
        Values: f.valueSet,
      })),
    ];
    let nodes = [...this.nodes.values()];
    for (const f of filters) {
      if (f.Key === 'InstanceIds') nodes = nodes.filter((n) => f.Values.includes(n.instanceId));
      else if (f.Key === 'PingStatus') nodes = nodes.filter((n) => f.Values.includes(n.pingStatus));
      else return jsonError('InvalidFilterKey', `the e2e stub does not model the filter key ${f.Key}`);
    }

    let offset = 0;
    if (input.NextToken !== undefined) {
      offset = Number(Buffer.from(String(input.NextToken), 'base64url').toString());
      if (!Number.isInteger(offset) || offset <= 0) return jsonError('InvalidNextToken', 'The specified token is not valid.');
    }
    // The real default page is 10 nodes, so a collector that ignores NextToken misses nodes here too.
    const page = nodes.slice(offset, offset + (max ?? 10));
    const next = offset + page.length < nodes.length ? Buffer.from(String(offset + page.length)).toString('base64url') : undefined;
    return json({
      InstanceInformationList: page.map((n) => ({
        InstanceId: n.instanceId,
        PingStatus: n.pingStatus,
        LastPingDateTime: (n.lastPing ?? new Date()).getTime() / 1000,
        AgentVersion: n.agentVersion,
        IsLatestVersion: false,
        PlatformType: n.platformType,
        PlatformName: n.platformName,
        PlatformVersion: n.platformVersion,
        ResourceType: 'EC2Instance',
        IPAddress: n.ipAddress,
        IamRole: n.iamRole,
      })),
      ...(next ? { NextToken: next } : {}),
    });
  }

  private getServiceSetting(input: Record<string, unknown>): Reply {
    if (input.SettingId !== DHMC_SETTING_ID) {
      return jsonError('ServiceSettingNotFound', `the e2e stub only models ${DHMC_SETTING_ID}`);
    }
    const off = this.dhmcSetting === '$None';
    return json({
      ServiceSetting: {
        SettingId: DHMC_SETTING_ID,
        SettingValue: this.dhmcSetting,
        LastModifiedDate: Date.UTC(2025, 0, 1) / 1000,
        LastModifiedUser: off ? 'System' : `arn:aws:iam::${ACCOUNT}:user/admin`,
        ARN: `arn:aws:ssm:ap-northeast-1:${ACCOUNT}:servicesetting${DHMC_SETTING_ID}`,
        Status: off ? 'Default' : 'Customized',
      },
    });
  }

  private getConnectionStatus(input: Record<string, unknown>): Reply {
    const target = String(input.Target ?? '');
    const node = this.nodes.get(target);
    const status = this.connections.get(target) ?? (node?.pingStatus === 'Online' ? 'connected' : 'notconnected');
    return json({ Target: target, Status: status });
  }

  private getDocument(input: Record<string, unknown>): Reply {
    if (input.Name !== PREFERENCES_DOCUMENT || !this.preferences) {
      return jsonError('InvalidDocument', `Document with name ${String(input.Name)} does not exist.`);
    }
    const content = {
      schemaVersion: '1.0',
      description: 'Document to hold regional settings for Session Manager',
      sessionType: 'Standard_Stream',
      // The console writes every key, empty or false when the feature is off.
      inputs: {
        s3BucketName: '',
        s3KeyPrefix: '',
        s3EncryptionEnabled: true,
        cloudWatchLogGroupName: '',
        cloudWatchEncryptionEnabled: true,
        cloudWatchStreamingEnabled: true,
        idleSessionTimeout: '20',
        maxSessionDuration: '',
        kmsKeyId: '',
        runAsEnabled: false,
        runAsDefaultUser: '',
        shellProfile: { windows: '', linux: '' },
        ...this.preferences,
      },
    };
    return json({
      Name: PREFERENCES_DOCUMENT,
      CreatedDate: Date.UTC(2025, 0, 1) / 1000,
      DocumentVersion: '1',
      Status: 'Active',
      Content: JSON.stringify(content, null, 2),
      DocumentType: 'Session',
      DocumentFormat: input.DocumentFormat === 'YAML' ? 'YAML' : 'JSON',
    });
  }

  private async simulatePrincipalPolicy(form: URLSearchParams): Promise<Reply> {
    const source = form.get('PolicySourceArn') ?? '';
    const actions = members(form, 'ActionNames');
    const resources = members(form, 'ResourceArns');
    const contextKeys: string[] = [];
    for (let i = 1; form.has(`ContextEntries.member.${i}.ContextKeyName`); i++) {
      contextKeys.push(form.get(`ContextEntries.member.${i}.ContextKeyName`)!);
    }
    if (!actions.length) {
      return queryError(
        400,
        'ValidationError',
        "1 validation error detected: Value null at 'actionNames' failed to satisfy constraint: Member must not be null",
      );
    }

    let results: EvalResult[];
    try {
      results = await simulate(this.iam, source, actions, resources, contextKeys);
    } catch (e) {
      if (e instanceof SimulationError) return queryError(e.code === 'NoSuchEntity' ? 404 : 400, e.code, e.message);
      throw e;
    }
    const override = this.simulationOverrides.get(source);
    if (override) results = results.map((r) => ({ ...r, ...override(r.action, r.resource) }));

    // MaxItems/Marker paging, so a collector that ignores IsTruncated misses results here too.
    const start = form.has('Marker') ? Number(form.get('Marker')) : 0;
    const max = form.has('MaxItems') ? Number(form.get('MaxItems')) : 100;
    const page = results.slice(start, start + max);
    const marker = start + page.length < results.length ? String(start + page.length) : undefined;
    return xml(200, simulationXml(page, randomUUID(), marker));
  }

  private bpaOptions(): Reply {
    return xml(
      200,
      `<?xml version="1.0" encoding="UTF-8"?>\n<DescribeVpcBlockPublicAccessOptionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>${randomUUID()}</requestId><vpcBlockPublicAccessOptions><awsAccountId>${ACCOUNT}</awsAccountId><awsRegion>ap-northeast-1</awsRegion><state>${this.bpa.mode === 'off' ? 'default-state' : 'update-complete'}</state><internetGatewayBlockMode>${this.bpa.mode}</internetGatewayBlockMode><exclusionsAllowed>allowed</exclusionsAllowed><managedBy>account</managedBy></vpcBlockPublicAccessOptions></DescribeVpcBlockPublicAccessOptionsResponse>`,
    );
  }

  private bpaExclusions(): Reply {
    const items = this.bpa.exclusions.map((e, i) => {
      const kind = e.resourceId.startsWith('vpc-') ? 'vpc' : 'subnet';
      const arn = `arn:aws:ec2:ap-northeast-1:${ACCOUNT}:${kind}/${e.resourceId}`;
      const id = `vpcbpa-exclude-${String(i + 1).padStart(17, '0')}`;
      return `<item><exclusionId>${id}</exclusionId><internetGatewayExclusionMode>${e.mode}</internetGatewayExclusionMode><resourceArn>${arn}</resourceArn><state>${e.state ?? 'create-complete'}</state></item>`;
    });
    return xml(
      200,
      `<?xml version="1.0" encoding="UTF-8"?>\n<DescribeVpcBlockPublicAccessExclusionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>${randomUUID()}</requestId><vpcBlockPublicAccessExclusionSet>${items.join('')}</vpcBlockPublicAccessExclusionSet></DescribeVpcBlockPublicAccessExclusionsResponse>`,
    );
  }

  private getConsoleOutput(form: URLSearchParams): Reply | undefined {
    const instanceId = form.get('InstanceId') ?? '';
    const text = this.consoleOutput.get(instanceId);
    if (text === undefined) return undefined;
    return xml(
      200,
      `<?xml version="1.0" encoding="UTF-8"?>\n<GetConsoleOutputResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>${randomUUID()}</requestId><instanceId>${instanceId}</instanceId><timestamp>${new Date().toISOString()}</timestamp><output>${Buffer.from(text).toString('base64')}</output></GetConsoleOutputResponse>`,
    );
  }
}

type Protocol = 'json' | 'query' | 'ec2' | 'rest-xml';

/** Route 53 (REST-XML) operations by method and path; a request not listed keeps `METHOD /path` as its name. */
const ROUTE53_OPERATIONS: [string, RegExp, string][] = [
  ['GET', /^\/2013-04-01\/hostedzonesbyvpc$/, 'ListHostedZonesByVPC'],
  ['GET', /^\/2013-04-01\/hostedzone$/, 'ListHostedZones'],
  ['GET', /^\/2013-04-01\/hostedzone\/[^/]+$/, 'GetHostedZone'],
  ['GET', /^\/2013-04-01\/hostedzone\/[^/]+\/rrset$/, 'ListResourceRecordSets'],
  ['POST', /^\/2013-04-01\/hostedzone$/, 'CreateHostedZone'],
];

/**
 * Service from the SigV4 credential scope; operation from X-Amz-Target (JSON), the Action field
 * (query) or the method and path (Route 53's REST-XML); params from the JSON body or the form.
 */
function identify(
  req: IncomingMessage,
  body: Buffer,
): { service: string; operation: string; protocol: Protocol; params: Record<string, unknown> } {
  const scope = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\//.exec(String(req.headers.authorization ?? ''));
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') {
    const [prefix = '', operation = ''] = target.split('.');
    const params = body.length ? (JSON.parse(body.toString()) as Record<string, unknown>) : {};
    return { service: scope?.[1] ?? prefix.toLowerCase(), operation, protocol: 'json', params };
  }
  const service = scope?.[1] ?? 'unknown';
  const url = new URL(req.url ?? '/', 'http://x');
  if (service === 'route53') {
    const hit = ROUTE53_OPERATIONS.find(([method, path]) => method === req.method && path.test(url.pathname));
    const operation = hit?.[2] ?? `${req.method} ${url.pathname}`;
    return { service, operation, protocol: 'rest-xml', params: Object.fromEntries(url.searchParams) };
  }
  const form = new URLSearchParams(body.toString());
  const operation = form.get('Action') ?? url.searchParams.get('Action') ?? 'unknown';
  return { service, operation, protocol: service === 'ec2' ? 'ec2' : 'query', params: Object.fromEntries(form) };
}

function accessDenied(service: string, protocol: Protocol, name: string): Reply {
  const message = `User: arn:aws:iam::${ACCOUNT}:user/e2e is not authorized to perform: ${name} because no identity-based policy allows the ${name} action`;
  const requestId = randomUUID();
  switch (protocol) {
    case 'json':
      return jsonError('AccessDeniedException', message);
    case 'ec2':
      return xml(
        403,
        `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation. ${message}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
      );
    case 'query':
      return xml(
        403,
        `<ErrorResponse${service === 'iam' ? ' xmlns="https://iam.amazonaws.com/doc/2010-05-08/"' : ''}><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
      );
    case 'rest-xml':
      return xml(
        403,
        `<?xml version="1.0"?>\n<ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
      );
  }
}

function queryError(status: number, code: string, message: string): Reply {
  return xml(
    status,
    `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
  );
}

/** `Prefix.member.1`, `Prefix.member.2`, … of a query-protocol form. */
function members(form: URLSearchParams, prefix: string): string[] {
  const out: string[] = [];
  for (let i = 1; form.has(`${prefix}.member.${i}`); i++) out.push(form.get(`${prefix}.member.${i}`)!);
  return out;
}

function json(value: unknown): Reply {
  return {
    status: 200,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() },
    body: JSON.stringify(value),
  };
}

function jsonError(type: string, message: string): Reply {
  return {
    status: 400,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() },
    body: JSON.stringify({ __type: type, message }),
  };
}

function xml(status: number, body: string): Reply {
  return { status, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() }, body };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
