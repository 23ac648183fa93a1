/**
 * The formats of the AWS names and ids the tool reads, prints and puts into commands. A facts file
 * is checked against them when it is loaded (a shared file is someone else's data), and the
 * command line checks its own. They say what AWS issues, no more: a value that fits none of them
 * did not come from AWS.
 */

/** `i-` and 8 or 17 hex digits. */
export const INSTANCE_ID = /^i-([0-9a-f]{8}|[0-9a-f]{17})$/;

/** us-east-1, us-gov-west-1, cn-north-1, eusc-de-east-1, …: lower-case words and a number, as a hostname label allows. */
export const REGION = /^[a-z]{2,4}(-[a-z0-9]+){1,3}-\d{1,2}$/;

/**
 * An EC2 resource id with its prefix: `vpc-…`, `subnet-…`, `sg-…`. AWS issues 8 or 17 hex digits;
 * any lower-case letters and digits are accepted (emulators and hand-written worlds name them
 * `sg-0inst…`), which still lets no quote, space, `$` or `;` through.
 */
export const resourceId = (...prefixes: string[]) => new RegExp(`^(${prefixes.join('|')})-[0-9a-z]{1,32}$`);

export const VPC_ID = resourceId('vpc');
export const SUBNET_ID = resourceId('subnet');
export const SECURITY_GROUP_ID = resourceId('sg');
export const ROUTE_TABLE_ID = resourceId('rtb');
export const NETWORK_ACL_ID = resourceId('acl');
export const ENDPOINT_ID = resourceId('vpce');
export const NAT_GATEWAY_ID = resourceId('nat');
export const INTERNET_GATEWAY_ID = resourceId('igw');
export const PREFIX_LIST_ID = resourceId('pl');

/** Any EC2 id: a lower-case prefix (`tgw-attach`, `eigw`, `pcx`, …) and its digits; what a route's target may name besides `local`. */
export const ANY_RESOURCE_ID = /^[a-z]+(-[a-z]+)*-[0-9a-z]{1,32}$/;

/** 12 digits. */
export const ACCOUNT_ID = /^\d{12}$/;

/** An ARN: partition, service, region, account (or `aws` for AWS managed policies), then a resource of the characters IAM names allow. */
export const ARN = /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}|aws)?:[\w+=,.@/:-]{1,1600}$/;

/** IAM role, instance profile and policy names: letters, digits and `+=,.@_-`. */
export const IAM_NAME = /^[\w+=,.@-]{1,128}$/;

/** A CIDR block, IPv4 or IPv6 (the digits are checked where the block is used). */
export const CIDR = /^(\d{1,3}(\.\d{1,3}){3}\/\d{1,2}|[0-9a-fA-F:]{2,39}\/\d{1,3})$/;

/** An endpoint service name: `com.amazonaws.ap-northeast-1.ssm`, `aws.sagemaker.…`, `cn.com.amazonaws.…`. */
export const SERVICE_NAME = /^[a-z0-9][a-z0-9.-]{2,254}$/;

/** A KMS key as the preferences name it: key id, alias (`alias/…`) or either as an ARN. */
export const KMS_KEY = /^[\w/:+=,.@-]{1,2048}$/;

/** A CloudWatch Logs group name. */
export const LOG_GROUP = /^[\w.\-/#]{1,512}$/;

/** An S3 bucket name (the legacy rules allowed upper case and underscores). */
export const BUCKET = /^[A-Za-z0-9._-]{3,255}$/;

/** A Route 53 hosted zone id, bare or as `/hostedzone/…`. */
/** A Route 53 Resolver rule: rslvr-rr-… of an account, or rslvr-autodefined-rr-… of AWS. */
export const RESOLVER_RULE_ID = /^rslvr-(autodefined-)?rr-[0-9a-z-]{1,64}$/;

/** A DNS name, with or without its trailing dot. */
export const DNS_NAME = /^[\w*.-]{1,255}$/;

export const HOSTED_ZONE_ID = /^(\/hostedzone\/)?[A-Z0-9]{1,32}$/;

/** An SSM document name. */
export const DOCUMENT_NAME = /^[\w.\-:/]{3,128}$/;
