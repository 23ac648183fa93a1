/**
 * Builders for the AWS CLI commands that fixes print: real ids, the region always explicit, and
 * every word quoted for bash, wherever it came from (the account, a facts file someone shared, a
 * tag), so that no value can end a word, start a command or expand. The only unquoted parts are
 * the shell fragments this module writes itself: a variable the fix set, a command substitution.
 */

/** A piece of shell written by ssm-doctor (a `"$VAR"`, a `"$(…)"`), passed on as it is. */
export interface ShellFragment {
  readonly shell: string;
}

/** A word of a command: text (always quoted as needed), or a fragment of ours. */
export type Word = string | ShellFragment;

/** Controls and bidi formatting: inside '…' they would reach the terminal raw, so such a word is written $'…' with escapes. */
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** Quotes a word for bash only when it needs it; a word with control or bidi characters as $'…', so the terminal shows them as escapes and bash still gets them. */
export function shq(word: string): string {
  if (/^[A-Za-z0-9_./:=,@%+-]+$/.test(word)) return word;
  if (!INVISIBLE.test(word)) return `'${word.replace(/'/g, `'\\''`)}'`;
  const escaped = [...word].map((ch) => {
    if (ch === '\\' || ch === "'") return `\\${ch}`;
    if (!INVISIBLE.test(ch)) return ch;
    const code = ch.codePointAt(0)!;
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
  return `$'${escaped.join('')}'`;
}

/** `"$NAME"`: the value of a variable an earlier command of the same fix set. */
export function shellVar(name: string): ShellFragment {
  if (!/^[A-Z_][A-Z0-9_]*$/.test(name)) throw new Error(`not a shell variable name: ${name}`);
  return { shell: `"$${name}"` };
}

/** `"$(command)"`: the output of a command built by `aws()`, as one word. */
export function substitution(command: string): ShellFragment {
  return { shell: `"$(${command})"` };
}

const word = (w: Word) => (typeof w === 'string' ? shq(w) : w.shell);

/** `aws <service> <operation> <args…> --region <region>`, every word quoted. */
export function aws(region: string, service: string, operation: string, ...args: Word[]): string {
  return ['aws', service, operation, ...args, '--region', region].map(word).join(' ');
}
