// What any output of the tool may show of a message: no credentials, no control characters.
// Plain functions with no imports, so the CLI's error path loads nothing of the AWS SDK.

const KEY_ID = /\b(?:AKIA|ASIA)[A-Z0-9]{12,}\b/g;
/** The user and password of a URL (`http://user:secret@proxy:3128`): a proxy's credentials. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]+@/gi;
const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy'];

/** The password of each proxy variable, wherever it shows (decoded or not). */
function proxySecrets(env: NodeJS.ProcessEnv): string[] {
  const secrets: string[] = [];
  for (const name of PROXY_VARIABLES) {
    const m = /^[a-z][a-z0-9+.-]*:\/\/[^\s/?#@:]*:([^\s/?#@]+)@/i.exec(env[name] ?? '');
    if (!m?.[1]) continue;
    secrets.push(m[1]);
    try {
      secrets.push(decodeURIComponent(m[1]));
    } catch {
      // not percent-encoded: the raw value is enough
    }
  }
  return secrets.filter((v) => v.length >= 4);
}

/**
 * Removes anything that could be a credential: the values of the credential variables, access key
 * ids, and the user and password of any URL (a proxy's) and of the proxy variables.
 */
export function scrub(text: string, env: NodeJS.ProcessEnv = process.env): string {
  let out = text;
  for (const name of ['AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN', 'AWS_ACCESS_KEY_ID']) {
    const value = env[name];
    if (value && value.length >= 8) out = out.split(value).join('[redacted]');
  }
  out = out.replace(URL_USERINFO, '$1[redacted]@');
  for (const secret of proxySecrets(env)) out = out.split(secret).join('[redacted]');
  return out.replace(KEY_ID, '[redacted]');
}

/** Control and bidi characters (a terminal escape in a hostile answer, a stray CR) as visible `\uXXXX` escapes. */
export function printable(text: string): string {
  return text.replace(
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * Bidirectional formatting characters: an override (U+202E) makes a terminal show text in another
 * order than it will be pasted, so a command could read as harmless and run as something else.
 */
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/** C0 controls (ESC, BEL, CR, …), DEL and C1 controls: a terminal acts on them instead of showing them. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

const UNSAFE = /[\t\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/**
 * What a terminal may be shown of text that came from the account or a file: controls and bidi
 * formatting removed, tabs and line separators as spaces. The one sanitiser for the table and for
 * stderr; line breaks (`\n`) stay, as the table's own structure.
 */
export function terminalSafe(text: string): string {
  if (!UNSAFE.test(text)) return text;
  return text
    .replace(/[\t\u2028\u2029]/g, ' ')
    .replace(CONTROL, '')
    .replace(BIDI, '');
}

/** The same, for one line: a line break becomes a space too. */
export const terminalLine = (text: string): string => terminalSafe(text.replace(/\r?\n/g, ' '));

/** What stderr may show of an error: one line, no credentials, control characters escaped, not too long. */
export function safeLine(text: string): string {
  const line = printable(scrub(text.trim()));
  return line.length > 500 ? `${line.slice(0, 497)}...` : line;
}

export const firstLine = (text: string) => text.split('\n', 1)[0] ?? '';

export function messageText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
