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

/** Quotes a word for bash only when it needs it. */
export function shq(word: string): string {
  return /^[A-Za-z0-9_./:=,@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
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
