import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * AWS's wire protocols as a loopback fake speaks them: EC2 query XML, the query XML of IAM and STS,
 * JSON 1.1 (SSM) and Route 53's REST-XML. Shared by the fault suite's fake (test/faults) and the
 * benchmark's synthetic account (bench/).
 */

export type Protocol = 'ec2' | 'query' | 'json' | 'rest-xml';

export interface SeenRequest {
  /** `service:Operation`, e.g. `ec2:DescribeInstances`. */
  operation: string;
  protocol: Protocol;
  /** The operation exactly as the request named it: the Action field, X-Amz-Target or `METHOD /path`. */
  wire: string;
  method: string;
  /** Every header and the body, for the tests that look for secrets on the wire. */
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function serverError(
  service: string,
  protocol: Protocol,
  status: number,
  message = 'We encountered an internal error. Please try again.',
): Reply {
  switch (protocol) {
    case 'ec2':
      return xml(status, ec2Error(status === 503 ? 'Unavailable' : 'InternalError', message));
    case 'json':
      return jsonError(status, status === 503 ? 'ServiceUnavailable' : 'InternalServerError', message);
    default:
      return xml(status, queryError(service, status === 503 ? 'ServiceUnavailable' : 'ServiceFailure', message, 'Receiver'));
  }
}

export const NS: Record<string, string> = {
  iam: 'https://iam.amazonaws.com/doc/2010-05-08/',
  sts: 'https://sts.amazonaws.com/doc/2011-06-15/',
  route53: 'https://route53.amazonaws.com/doc/2013-04-01/',
};

export function ec2Xml(operation: string, inner: string): Reply {
  return xml(
    200,
    `<?xml version="1.0" encoding="UTF-8"?>\n<${operation}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>${randomUUID()}</requestId>${inner}</${operation}Response>`,
  );
}

export function queryXml(service: string, operation: string, inner: string): Reply {
  return xml(
    200,
    `<${operation}Response xmlns="${NS[service]}"><${operation}Result>${inner}</${operation}Result><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${operation}Response>`,
  );
}

export function ec2Error(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error></Errors><RequestID>${randomUUID()}</RequestID></Response>`;
}

export function queryError(service: string, code: string, message: string, type = 'Sender'): string {
  const ns = NS[service] ? ` xmlns="${NS[service]}"` : '';
  return `<ErrorResponse${ns}><Error><Type>${type}</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
}

export function json(value: unknown): Reply {
  return { status: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify(value) };
}

export function jsonError(status: number, type: string, message: string): Reply {
  return { status, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify({ __type: type, message }) };
}

export function xml(status: number, body: string): Reply {
  return { status, headers: { 'content-type': 'text/xml' }, body };
}

export const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** `Filter.N.Value.M` of the EC2 filter with this name. */
export function filterValues(form: URLSearchParams, name: string): string[] {
  for (let i = 1; form.has(`Filter.${i}.Name`); i++) {
    if (form.get(`Filter.${i}.Name`) !== name) continue;
    const out: string[] = [];
    for (let j = 1; form.has(`Filter.${i}.Value.${j}`); j++) out.push(form.get(`Filter.${i}.Value.${j}`)!);
    return out;
  }
  return [];
}

export function members(form: URLSearchParams, prefix: string): string[] {
  const out: string[] = [];
  for (let i = 1; form.has(`${prefix}.member.${i}`); i++) out.push(form.get(`${prefix}.member.${i}`)!);
  return out;
}

const ROUTE53: [string, RegExp, string][] = [
  ['GET', /^\/2013-04-01\/hostedzonesbyvpc$/, 'ListHostedZonesByVPC'],
  ['GET', /^\/2013-04-01\/hostedzone$/, 'ListHostedZones'],
  ['POST', /^\/2013-04-01\/hostedzone$/, 'CreateHostedZone'],
  ['POST', /^\/2013-04-01\/hostedzone\/[^/]+\/rrset\/?$/, 'ChangeResourceRecordSets'],
];

/** Service from the SigV4 scope; operation from X-Amz-Target (JSON), the Action field (query) or the method and path (REST). */
export function identify(req: IncomingMessage, body: Buffer): SeenRequest {
  const scope = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\//.exec(String(req.headers.authorization ?? ''));
  const base = { method: req.method ?? '', headers: req.headers, body: body.toString('latin1') };
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') {
    const [prefix = '', operation = ''] = target.split('.');
    return { ...base, operation: `${scope?.[1] ?? prefix.toLowerCase()}:${operation}`, protocol: 'json', wire: target };
  }
  const service = scope?.[1] ?? 'unknown';
  const url = new URL(req.url ?? '/', 'http://x');
  if (service === 'route53') {
    const hit = ROUTE53.find(([method, path]) => method === req.method && path.test(url.pathname));
    const wire = `${req.method} ${url.pathname}`;
    return { ...base, operation: `route53:${hit?.[2] ?? wire}`, protocol: 'rest-xml', wire };
  }
  const action = new URLSearchParams(body.toString()).get('Action') ?? url.searchParams.get('Action') ?? `${req.method} ${url.pathname}`;
  return { ...base, operation: `${service}:${action}`, protocol: service === 'ec2' ? 'ec2' : 'query', wire: action };
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
