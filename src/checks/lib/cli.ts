/** Builders for the AWS CLI commands that fixes print: real ids, the region always explicit. */

/** Quotes a word for bash only when it needs it. */
export function shq(word: string): string {
  return /^[A-Za-z0-9_./:=,@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** `aws <service> <operation> <args…> --region <region>`; args are already-quoted words. */
export function aws(region: string, service: string, operation: string, ...args: string[]): string {
  return ['aws', service, operation, ...args, '--region', region].join(' ');
}
