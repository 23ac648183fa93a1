/** Reading an IAM policy document (parsed, JSON text, or URL-encoded JSON) into statements the evaluator takes. */
export class PolicyError extends Error {}

export type Effect = 'Allow' | 'Deny';

export interface Statement {
  sid?: string;
  effect: Effect;
  actions?: string[];
  notActions?: string[];
  resources?: string[];
  notResources?: string[];
  condition?: Record<string, unknown>;
}

/**
 * The statements of a policy document. Accepts the parsed object, or JSON text that may still be
 * URL-encoded (the raw IAM API encodes documents; the SDK for JavaScript does not decode them).
 */
export function parsePolicy(document: unknown): Statement[] {
  const doc = policyObject(document);
  const raw = doc.Statement;
  if (raw === undefined) throw new PolicyError('the policy document has no Statement');
  const list = Array.isArray(raw) ? raw : [raw];
  return list.map((s, i) => parseStatement(s, i));
}

/** A policy document as an object: the object itself, or JSON text that may still be URL-encoded. */
export function policyObject(document: unknown): Record<string, unknown> {
  const doc = typeof document === 'string' ? parseText(document) : document;
  if (!isObject(doc)) throw new PolicyError('the policy document is not a JSON object');
  return doc;
}

function parseText(text: string): unknown {
  const attempts = [text];
  if (/%[0-9A-Fa-f]{2}/.test(text)) {
    try {
      attempts.unshift(decodeURIComponent(text));
    } catch {
      // not URL-encoded after all; the plain text is tried next
    }
  }
  for (const a of attempts) {
    try {
      return JSON.parse(a);
    } catch {
      // try the next form
    }
  }
  throw new PolicyError('the policy document is not valid JSON');
}

function parseStatement(s: unknown, i: number): Statement {
  const where = `statement ${i + 1}`;
  if (!isObject(s)) throw new PolicyError(`${where} is not an object`);
  const effect = s.Effect;
  if (effect !== 'Allow' && effect !== 'Deny') throw new PolicyError(`${where} has Effect ${JSON.stringify(effect)}`);
  const st: Statement = { effect };
  if (typeof s.Sid === 'string' && s.Sid !== '') st.sid = s.Sid;
  if (s.Action !== undefined) st.actions = strings(s.Action, `${where} Action`);
  if (s.NotAction !== undefined) st.notActions = strings(s.NotAction, `${where} NotAction`);
  if (s.Resource !== undefined) st.resources = strings(s.Resource, `${where} Resource`);
  if (s.NotResource !== undefined) st.notResources = strings(s.NotResource, `${where} NotResource`);
  if (!st.actions && !st.notActions) throw new PolicyError(`${where} has neither Action nor NotAction`);
  if (s.Condition !== undefined) {
    if (!isObject(s.Condition)) throw new PolicyError(`${where} Condition is not an object`);
    if (Object.keys(s.Condition).length > 0) st.condition = s.Condition;
  }
  return st;
}

function strings(v: unknown, where: string): string[] {
  const list = Array.isArray(v) ? v : [v];
  if (!list.every((x) => typeof x === 'string')) throw new PolicyError(`${where} is not a string or a list of strings`);
  return list as string[];
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
