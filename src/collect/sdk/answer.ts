import { streamCollector } from '@smithy/node-http-handler';
import type {
  DeserializeHandler,
  DeserializeHandlerArguments,
  DeserializeMiddleware,
  HandlerExecutionContext,
  MetadataBearer,
} from '@smithy/types';
import { isLate, turnToParse } from './turns.js';

/** A success status whose body is not the document the operation answers with. */
export class MalformedResponse extends Error {
  override name = 'MalformedResponse';
}

interface RawResponse {
  statusCode?: number;
  body?: unknown;
}

/** `<?xml …?>`, comments and whitespace before the root element. */
const XML_ROOT = /^\uFEFF?\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--[\s\S]*?-->\s*)*<([A-Za-z_][\w.-]*)/;

/**
 * The list each of these reads always carries, empty or not (EC2 writes `<subnetSet/>`, SSM
 * `"InstanceInformationList": []`). An answer without it would be read as "there are none".
 */
const LISTS: Record<string, string> = {
  DescribeInstances: 'reservationSet',
  DescribeSubnets: 'subnetSet',
  DescribeRouteTables: 'routeTableSet',
  DescribeVpcEndpoints: 'vpcEndpointSet',
  DescribeNatGateways: 'natGatewaySet',
  DescribeInternetGateways: 'internetGatewaySet',
  DescribeSecurityGroups: 'securityGroupInfo',
  DescribeNetworkAcls: 'networkAclSet',
  DescribeVpcs: 'vpcSet',
  DescribeDhcpOptions: 'dhcpOptionsSet',
  DescribeVpcBlockPublicAccessExclusions: 'vpcBlockPublicAccessExclusionSet',
  GetManagedPrefixListEntries: 'entrySet',
  DescribeTransitGateways: 'transitGatewaySet',
  DescribeTransitGatewayVpcAttachments: 'transitGatewayVpcAttachments',
  DescribeTransitGatewayAttachments: 'transitGatewayAttachments',
  GetTransitGatewayRouteTablePropagations: 'transitGatewayRouteTablePropagations',
  SimulatePrincipalPolicy: 'EvaluationResults',
  ListAttachedRolePolicies: 'AttachedPolicies',
  ListRolePolicies: 'PolicyNames',
  DescribeInstanceInformation: 'InstanceInformationList',
  DescribeInstanceProperties: 'InstanceProperties',
  GetAccountAuthorizationDetails: 'RoleDetailList',
  ListAccounts: 'Accounts',
};

/** The services that answer in JSON (the AWS JSON protocol): an object, not an XML document. */
const JSON_CLIENTS = new Set(['SSMClient', 'OrganizationsClient', 'KMSClient', 'Route53ResolverClient']);

/**
 * Why a 2xx body cannot be this operation's answer, or undefined when it may be. The SDK reads an
 * empty body, or an XML document of another shape, as an answer with every list empty: "no
 * endpoints", "not registered", a confident and false FAIL. The query and REST-XML services
 * (EC2, IAM, STS, Route 53) answer `<OperationResponse>`; the JSON ones (SSM, Organizations, KMS, Route 53 Resolver) an object.
 */
export function malformation(clientName: string, commandName: string, body: Uint8Array): string | undefined {
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  // Only the start is decoded, for the root element or the opening brace; the list is looked for in
  // the bytes. A page of 1,000 instances is 2 MB, and the deserializer decodes it once already.
  const head = bytes.subarray(0, HEAD_BYTES).toString('utf8');
  if (head.trim() === '' && (bytes.length <= HEAD_BYTES || bytes.toString('utf8').trim() === '')) return 'it is empty';
  const operation = commandName.replace(/Command$/, '');
  const start = JSON.stringify(head.trim().slice(0, 40));
  const list = LISTS[operation];
  if (JSON_CLIENTS.has(clientName)) {
    if (!/^\s*\{/.test(head)) return `it is not a JSON object: it starts with ${start}`;
    return list && !followedBy(bytes, `"${list}"`, /\s/, /:/) ? `it has no ${list}` : undefined;
  }
  const root = XML_ROOT.exec(head)?.[1];
  if (root === undefined) return `it is not XML: it starts with ${start}`;
  if (root !== `${operation}Response`) return `it is a <${root}> document, not <${operation}Response>`;
  return list && !followedBy(bytes, `<${list}`, undefined, /[\s/>]/) ? `it has no <${list}>` : undefined;
}

/** The bytes of a body decoded to look for its root element or opening brace. */
const HEAD_BYTES = 64 * 1024;

/** Whether `needle` occurs in `bytes` followed (after any characters `skip` matches) by one `then` matches. */
function followedBy(bytes: Buffer, needle: string, skip: RegExp | undefined, then: RegExp): boolean {
  for (let at = bytes.indexOf(needle); at >= 0; at = bytes.indexOf(needle, at + 1)) {
    let i = at + Buffer.byteLength(needle);
    while (skip && i < bytes.length && skip.test(String.fromCharCode(bytes[i]!))) i++;
    if (i < bytes.length && then.test(String.fromCharCode(bytes[i]!))) return true;
  }
  return false;
}

/**
 * Middleware for every client, just inside the SDK's deserializer: reads a 2xx body once, refuses
 * it (MalformedResponse, so the fact becomes Unknown) when it cannot be the operation's answer,
 * and hands the same bytes on to the deserializer.
 */
export function answerMiddleware<I extends object, O extends MetadataBearer>(): DeserializeMiddleware<I, O> {
  return (next: DeserializeHandler<I, O>, context: HandlerExecutionContext) => async (args: DeserializeHandlerArguments<I>) => {
    const result = await next(args);
    const response = result.response as RawResponse;
    const status = response?.statusCode ?? 0;
    if (status < 200 || status > 299) return result;
    const body =
      response.body instanceof Uint8Array
        ? response.body
        : response.body
          ? await streamCollector(response.body as never)
          : new Uint8Array();
    response.body = body;
    const why = malformation(context.clientName ?? '', context.commandName ?? '', body);
    if (why) throw new MalformedResponse(`the answer (HTTP ${status}) could not be parsed: ${why}`);
    // The deserializer's parse is the costly part of a call (a page of 1,000 instances takes
    // 100 ms and more): first the requests already made leave, and the answers that other reads
    // wait on are parsed before those that none does (./turns.ts).
    await turnToParse(isLate(context));
    return result;
  };
}

// Inside the deserializer (same step, lower priority), so it sees the raw HTTP response.
export const ANSWER_OPTIONS = { step: 'deserialize', priority: 'low', name: 'ssmDoctorAnswerCheck' } as const;
