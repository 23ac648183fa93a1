import { randomBytes } from 'node:crypto';
import { linkSync, lstatSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { factsSchema, type Facts } from './schema.js';

/** A facts file is at most this large; a real region's facts are far smaller. */
const MAX_BYTES = 64 * 1024 * 1024;

export class FactsFileError extends Error {}

/** What `--facts` takes to mean standard input: `-`, or /dev/stdin (which a socket cannot be opened as). */
export const isStdin = (path: string) => path === '-' || path === '/dev/stdin';

const tooLarge = (name: string, size: number) => new FactsFileError(`${name}: ${size} bytes is too large for a facts file`);

/** Reads and validates a facts file; every failure is one line naming the file (and the bad field). */
export function loadFacts(path: string): Facts {
  let text: string;
  try {
    const size = statSync(path).size;
    if (size > MAX_BYTES) throw tooLarge(path, size);
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof FactsFileError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new FactsFileError(`cannot read facts file ${path}${code ? ` (${code})` : ''}`);
  }
  return parseFacts(text, path);
}

/** Reads and validates facts from a stream (standard input), refusing more than a facts file may hold. */
export async function loadFactsFrom(stream: AsyncIterable<Buffer | string>, name = 'stdin'): Promise<Facts> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += b.length;
      if (size > MAX_BYTES) throw tooLarge(name, size);
      chunks.push(b);
    }
  } catch (e) {
    if (e instanceof FactsFileError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new FactsFileError(`cannot read facts from ${name}${code ? ` (${code})` : ''}`);
  }
  return parseFacts(Buffer.concat(chunks).toString('utf8'), name);
}

/**
 * Where JSON.parse stopped, as a line and column: never the text around it, which is the file's
 * content (a facts file may hold policies and names that are not for an error line).
 */
export function jsonErrorPlace(text: string, message: string): string {
  if (/unexpected end/i.test(message)) return 'it ends too soon';
  const at = /position (\d+)/.exec(message);
  if (!at) return 'unexpected input';
  const pos = Number(at[1]);
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const column = pos - before.lastIndexOf('\n');
  return `unexpected input at line ${line}, column ${column}`;
}

function parseFacts(text: string, path: string): Facts {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new FactsFileError(`${path} is not JSON (${jsonErrorPlace(text, (e as Error).message)})`);
  }
  const parsed = factsSchema.safeParse(withoutExpectations(data));
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    const where = issue?.path.length ? issue.path.map(String).join('.') : '(top level)';
    // A map key of the wrong form (`instances.web-server`): the reason is the key's own issue.
    const inner =
      issue && 'issues' in issue && Array.isArray(issue.issues) ? (issue.issues[0] as { message?: string } | undefined) : undefined;
    throw new FactsFileError(`${path} is not a valid facts file: ${where}: ${inner?.message ?? issue?.message ?? parsed.error.message}`);
  }
  return ownKeysOnly(parsed.data);
}

/**
 * Facts files written as test fixtures once carried the statuses they must produce under `expect`;
 * those now live in fixtures/, and a diagnosis never read them, so such a file still loads. Any
 * other unknown key is still refused by the strict schema.
 */
function withoutExpectations(data: unknown): unknown {
  if (typeof data !== 'object' || data === null || Array.isArray(data) || !Object.hasOwn(data, 'expect')) return data;
  const rest: Record<string, unknown> = { ...data };
  delete rest.expect;
  return rest;
}

/**
 * The maps keyed by id, without a prototype: in a hostile file an instance whose vpcId is
 * `__proto__` or `constructor` then finds no VPC, instead of Object's own members.
 */
function ownKeysOnly(facts: Facts): Facts {
  const bare = (o: object | undefined) => {
    if (o) Object.setPrototypeOf(o, null);
  };
  for (const map of [
    facts.instances,
    facts.vpcs,
    facts.instanceProfiles,
    facts.roles,
    facts.prefixLists,
    facts.connections,
    facts.consoleOutput,
    facts.transitGateways?.attachments,
    facts.transitGateways?.propagations,
  ])
    bare(map);
  if (facts.managedInstances.known) bare(facts.managedInstances.value);
  for (const role of Object.values(facts.roles)) bare(role.managedPolicyDocuments);
  for (const i of Object.values(facts.instances)) if (i.known && i.value) bare(i.value.tags);
  return facts;
}

/**
 * Whether `path` may receive a facts file: not a symbolic link (it could point anywhere), not
 * something other than a file, and not an existing file unless `force`. Checked before AWS is read,
 * so a run does not end in a refusal; `saveFacts` checks again as it writes.
 */
export function checkSaveTarget(path: string, force: boolean): void {
  let st: Stats;
  try {
    st = lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new FactsFileError(`cannot write facts file ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (st.isSymbolicLink()) throw new FactsFileError(`${path} is a symbolic link: --save-facts does not write through one`);
  if (!st.isFile()) throw new FactsFileError(`${path} is not a regular file: --save-facts writes a new file`);
  if (!force) throw new FactsFileError(`${path} already exists: pass --force to replace it`);
}

/**
 * Writes the facts readable by the owner only (they describe the account), atomically: a temporary
 * file beside the target, then a hard link (which fails if the name was taken meanwhile) or, with
 * `force`, a rename over it. A symbolic link is never followed; a failed write leaves nothing behind.
 */
export function saveFacts(path: string, facts: Facts, force = false): void {
  checkSaveTarget(path, force);
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, JSON.stringify(facts, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
    if (force) {
      renameSync(tmp, path);
    } else {
      linkSync(tmp, path);
      unlinkSync(tmp);
    }
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // never written, or already renamed
    }
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new FactsFileError(`${path} already exists: pass --force to replace it`);
    throw new FactsFileError(`cannot write facts file ${path}${code ? ` (${code})` : ''}`);
  }
}
