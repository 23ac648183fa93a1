import type { InstanceInformation } from '@aws-sdk/client-ssm';
import { SESSION_DOCUMENT } from '../../aws/services.js';
import type { ManagedInstance, SessionPreferences } from '../../facts/schema.js';
import { compact } from '../sdk/read.js';

/** Systems Manager answers (and the agent's console lines) as the facts hold them. */
export class SessionDocumentError extends Error {
  override name = 'MalformedDocument';
}

/** The Session Manager preferences from the document's JSON content; the console stores booleans as true or "true". */
export function parseSessionPreferences(content: string | undefined): SessionPreferences {
  let doc: unknown;
  try {
    doc = JSON.parse(content ?? '');
  } catch {
    throw new SessionDocumentError(`${SESSION_DOCUMENT} is not JSON`);
  }
  const inputs = (doc as { inputs?: unknown } | null)?.inputs;
  const get = (key: string): unknown =>
    typeof inputs === 'object' && inputs !== null ? (inputs as Record<string, unknown>)[key] : undefined;
  const text = (key: string): string | undefined => {
    const v = get(key);
    return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
  };
  const flag = (key: string): boolean | undefined => {
    const v = get(key);
    if (typeof v === 'boolean') return v;
    if (typeof v === 'string' && /^(true|false)$/i.test(v.trim())) return v.trim().toLowerCase() === 'true';
    return undefined;
  };
  return compact({
    documentName: SESSION_DOCUMENT,
    kmsKeyId: text('kmsKeyId'),
    s3BucketName: text('s3BucketName'),
    s3KeyPrefix: text('s3KeyPrefix'),
    s3EncryptionEnabled: flag('s3EncryptionEnabled'),
    cloudWatchLogGroupName: text('cloudWatchLogGroupName'),
    cloudWatchEncryptionEnabled: flag('cloudWatchEncryptionEnabled'),
    cloudWatchStreamingEnabled: flag('cloudWatchStreamingEnabled'),
    runAsEnabled: flag('runAsEnabled'),
    runAsDefaultUser: text('runAsDefaultUser'),
  });
}

/** amazon-ssm-agent, snap.amazon-ssm-agent, ssm-agent-worker, AmazonSSMAgent (Windows). */
const AGENT_LINE = /ssm-agent|AmazonSSMAgent/i;
export const CONSOLE_LINES = 20;
export const CONSOLE_LINE_LENGTH = 300;

/** The console output's lines about the SSM agent: the last 20, without terminal escapes, each at most 300 characters. */
export function agentLines(base64: string | undefined): { hasOutput: boolean; agentLines: string[] } {
  const text = base64 ? Buffer.from(base64, 'base64').toString('utf8') : '';
  if (text.trim() === '') return { hasOutput: false, agentLines: [] };
  const lines = text
    .split(/\r?\n|\r/)
    .map((l) =>
      l
        .replace(/\x1b\[[0-?]*[ -/]*[@-~]/g, '')
        .replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '')
        .trim(),
    )
    .filter((l) => AGENT_LINE.test(l));
  return {
    hasOutput: true,
    agentLines: lines.slice(-CONSOLE_LINES).map((l) => (l.length > CONSOLE_LINE_LENGTH ? `${l.slice(0, CONSOLE_LINE_LENGTH - 3)}...` : l)),
  };
}

export function mapManagedInstance(raw: InstanceInformation): ManagedInstance {
  return compact({
    pingStatus: raw.PingStatus ?? 'unknown',
    lastPingDateTime: isoOf(raw.LastPingDateTime),
    agentVersion: raw.AgentVersion,
    platformType: raw.PlatformType,
    platformName: raw.PlatformName,
    platformVersion: raw.PlatformVersion,
    iamRole: raw.IamRole,
  });
}

function isoOf(d: Date | string | undefined): string | undefined {
  if (d === undefined) return undefined;
  const date = d instanceof Date ? d : new Date(d);
  return Number.isNaN(date.getTime()) ? String(d) : date.toISOString();
}
