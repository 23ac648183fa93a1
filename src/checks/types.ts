import type { Fact, Facts, Instance, Unknown } from '../facts/schema.js';
import type { Text } from '../lang.js';
import type { RunMemo } from './lib/memo.js';

export type Severity = 'critical' | 'warning';
export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip' | 'unknown';

/** One step of a fix. `key` names the action so a plan built from several fixes lists it once. */
export interface FixStep {
  key: string;
  text: Text;
}

export interface Fix {
  steps: FixStep[];
  /** AWS CLI commands with the real ids filled in, ready to paste into bash. */
  commands: string[];
}

export interface Finding {
  status: Exclude<CheckStatus, 'unknown'>;
  message: Text;
  /** Required on fail and warn. */
  fix?: Fix;
}

export interface CheckResult {
  id: string;
  /** 'caller': the check judges whoever runs the tool, not the instance (see Check.subject). */
  subject?: 'caller';
  /** On unknown: 'denied' when a read was refused (AccessDenied and the like), which waiting will not change. */
  cause?: 'denied';
  severity: Severity;
  title: Text;
  status: CheckStatus;
  message: Text;
  fix?: Fix;
}

/** One instance's results, in registry order: what the orchestrator hands the renderers. */
export interface Evaluation {
  instanceId: string;
  region: string;
  /** The account the instance belongs to (its reservation's owner), when known. */
  account?: string;
  /** Its Name tag, when it has one (for the reader; ids stay the key). */
  name?: string;
  /** Its VPC, when known: instances of one VPC share its network's root causes. */
  vpcId?: string;
  results: CheckResult[];
}

export interface CheckContext {
  facts: Facts;
  region: string;
  instanceId: string;
  /** The instance, known to exist and not terminated (only instance-state runs without it). */
  instance: Instance;
  /** Results of the checks that come earlier in the registry, by id. */
  earlier: ReadonlyMap<string, CheckResult>;
  /** What the instances of this evaluation run share, computed once per run. */
  memo: RunMemo;
}

export interface Check {
  id: string;
  severity: Severity;
  /** The healthy assertion. */
  title: Text;
  /**
   * Checks that must pass (or warn) for this one to apply: when one failed or was skipped this
   * check is `skip`, when one is unknown this one is too.
   */
  requires?: string[];
  /** Every sentence the check can say, as templates in both languages (see `defineMessages`). */
  messages?: Readonly<Record<string, Text>>;
  /**
   * 'caller' for a check about the person or job running the tool (their IAM, their plugin): it is
   * reported apart and counts toward the status only when asked (--caller), so a CI job or a
   * monitoring host without ssm:StartSession does not turn a healthy instance into WARNING.
   */
  subject?: 'caller';
  evaluate(ctx: CheckContext): Finding;
}

/** Thrown by `need` when a check reads a fact that could not be collected; the engine turns it into `unknown`. */
export class FactUnknown extends Error {
  constructor(readonly unknown: Unknown) {
    super(`${unknown.call}: ${unknown.code}`);
  }
}

export const NOT_COLLECTED = 'this fact was not collected';

export function need<T>(fact: Fact<T> | undefined, call = 'collection'): T {
  if (fact === undefined) {
    throw new FactUnknown({ known: false, call, code: 'NotCollected', message: NOT_COLLECTED });
  }
  if (!fact.known) throw new FactUnknown(fact);
  return fact.value;
}
