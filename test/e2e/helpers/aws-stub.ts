import { randomUUID } from 'node:crypto';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback AWS endpoint for the end-to-end tests. It is two things:
 * - the SSM endpoint moto lacks: DescribeInstanceInformation and GetServiceSetting answered from
 *   state the test sets (AWS JSON 1.1), every other SSM operation a JSON error;
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

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly upstream: URL,
  ) {}

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

  /** Forgets nodes, DHMC, denials and counts (call with moto's reset). */
  reset(): void {
    this.nodes.clear();
    this.dhmcSetting = '$None';
    this.denied.clear();
    this.counts.clear();
  }

  /** Counts as a plain object, e.g. `{ "ec2:DescribeInstances": 1 }`. */
  countsByOperation(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const { service, operation, protocol } = identify(req, body);
    const name = `${service}:${operation}`;
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);

    let reply: Reply | undefined;
    if (this.denied.has(name)) reply = accessDenied(service, protocol, name);
    else if (service === 'ssm') reply = this.ssm(operation, body);
    if (reply) {
      res.writeHead(reply.status, reply.headers);
      res.end(reply.body);
      return;
    }
    await this.forward(req, res, body);
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
}

type Protocol = 'json' | 'query' | 'ec2';

/** Service from the SigV4 credential scope, operation from X-Amz-Target (JSON) or the Action field (query). */
function identify(req: IncomingMessage, body: Buffer): { service: string; operation: string; protocol: Protocol } {
  const scope = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\//.exec(String(req.headers.authorization ?? ''));
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') {
    const [prefix, operation] = target.split('.');
    return { service: scope?.[1] ?? prefix.toLowerCase(), operation, protocol: 'json' };
  }
  const service = scope?.[1] ?? 'unknown';
  const form = new URLSearchParams(body.toString());
  const query = new URL(req.url ?? '/', 'http://x').searchParams;
  const operation = form.get('Action') ?? query.get('Action') ?? 'unknown';
  return { service, operation, protocol: service === 'ec2' ? 'ec2' : 'query' };
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
  }
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
