// What any output of the tool may show of a message: no credentials, no control characters.
// Plain functions with no imports, so the CLI's error path loads nothing of the AWS SDK.

const KEY_ID = /\b(?:AKIA|ASIA)[A-Z0-9]{12,}\b/g;

/** Removes anything that could be a credential: the values of the credential variables and access key ids. */
export function scrub(text: string, env: NodeJS.ProcessEnv = process.env): string {
  let out = text;
  for (const name of ['AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN', 'AWS_ACCESS_KEY_ID']) {
    const value = env[name];
    if (value && value.length >= 8) out = out.split(value).join('[redacted]');
  }
  return out.replace(KEY_ID, '[redacted]');
}

/** Control characters (a terminal escape in a hostile answer, a stray CR) as visible `\uXXXX` escapes. */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
