import { CHECKS } from './checks/index.js';
import { FactUnknown, type Check, type CheckResult, type Evaluation, type Fix } from './checks/types.js';
import { RunMemo } from './checks/lib/memo.js';
import { describeUnknown, isDenied } from './checks/unknown.js';
import type { Facts, Instance } from './facts/schema.js';
import { defineMessages, type Lang, type Text } from './lang.js';

const M = defineMessages({
  notInFacts: { en: 'instance not in the facts', ja: 'ファクトにインスタンスがありません' },
  notInRegion: { en: 'the instance does not exist in this region', ja: 'このリージョンにインスタンスが存在しません' },
  notRunning: { en: 'the instance is {state}', ja: 'インスタンスは {state} です' },
  dependsOn: { en: 'depends on {dep}: {message}', ja: '{dep} に依存: {message}' },
  needsFirst: { en: 'needs {dep} to pass first (it is {status})', ja: '先に {dep} の解決が必要です (現在 {status})' },
  byChoice: {
    en: 'not run: left out by choice (--skip, --only or the config file)',
    ja: '実行していません (--skip、--only または設定ファイルで除外)',
  },
});

/**
 * The checks a run evaluates when some are left out by choice: those of `only` (all when empty)
 * with every check they require, less those of `skip` with every check that requires one of them.
 */
export function chosenChecks(only: readonly string[], skip: readonly string[], checks: readonly Check[] = CHECKS): Set<string> {
  const byId = new Map(checks.map((c) => [c.id, c]));
  const chosen = new Set<string>();
  const add = (id: string) => {
    if (chosen.has(id)) return;
    chosen.add(id);
    for (const dep of byId.get(id)?.requires ?? []) add(dep);
  };
  (only.length ? only : checks.map((c) => c.id)).forEach(add);
  const out = new Set(skip);
  // Registry order puts a check after what it requires: one pass carries a skip down the chain.
  for (const c of checks) if ((c.requires ?? []).some((d) => out.has(d))) out.add(c.id);
  return new Set([...chosen].filter((id) => !out.has(id)));
}

/** Runs every check for one instance, in registry order: pure, over the facts alone. */
export function evaluateInstance(
  facts: Facts,
  instanceId: string,
  checks: readonly Check[] = CHECKS,
  memo = new RunMemo(),
  chosen?: ReadonlySet<string>,
): CheckResult[] {
  const fact = facts.instances[instanceId];
  const results = new Map<string, CheckResult>();
  const texts = memo.get('engine', 'texts', () => new TextPool());
  for (const check of checks) {
    let r: CheckResult;
    if (chosen && !chosen.has(check.id)) {
      r = result(check, 'skip', M('byChoice'));
    } else if (!fact || !fact.known) {
      r = result(check, 'unknown', fact && !fact.known ? describeUnknown(fact) : M('notInFacts'));
    } else if (fact.value === null || fact.value.vpcId === undefined) {
      r =
        check.id === 'instance-state' ? run(check, facts, instanceId, fact.value, results, memo) : result(check, 'skip', gone(fact.value));
    } else {
      r = run(check, facts, instanceId, fact.value, results, memo);
    }
    results.set(check.id, texts.result(r));
  }
  return [...results.values()];
}

/**
 * Every named instance of one region's facts, evaluated in one run: what they share is worked out
 * once. With `lang`, the language the run reports in, the results keep that language's text only
 * (in both fields of each Text): the other half of a fleet's results is never printed, and
 * 10,000 instances' Japanese text alone is 18 MB held until the report is written.
 */
export function evaluate(facts: Facts, instanceIds: readonly string[], chosen?: ReadonlySet<string>, lang?: Lang): Evaluation[] {
  const memo = new RunMemo();
  memo.get('engine', 'texts', () => new TextPool(lang));
  return instanceIds.map((instanceId) => {
    const f = facts.instances[instanceId];
    const value = f?.known ? f.value : undefined;
    const account = value?.accountId;
    const name = value?.tags?.Name;
    return {
      instanceId,
      region: facts.region,
      ...(account ? { account } : {}),
      ...(name ? { name } : {}),
      ...(value?.vpcId ? { vpcId: value.vpcId } : {}),
      results: evaluateInstance(facts, instanceId, CHECKS, memo, chosen),
    };
  });
}

/**
 * One string, and one message object, per distinct text of a run's results. A fleet's instances
 * mostly say the same things, but each check builds its sentences afresh: 10,000 instances make
 * 94 MB of message and fix text, 36 MB of it distinct, all held until the report is written.
 */
class TextPool {
  private readonly strings = new Map<string, string>();
  private readonly texts = new Map<string, Map<string, Text>>();

  /** `only`: the one language kept (see evaluate). */
  constructor(private readonly only?: Lang) {}

  private str(s: string): string {
    const had = this.strings.get(s);
    if (had !== undefined) return had;
    this.strings.set(s, s);
    return s;
  }

  private text(t: Text): Text {
    const en = this.str(t[this.only ?? 'en']);
    const ja = this.only ? en : this.str(t.ja);
    let byJa = this.texts.get(en);
    if (!byJa) this.texts.set(en, (byJa = new Map()));
    let out = byJa.get(ja);
    if (!out) byJa.set(ja, (out = { en, ja }));
    return out;
  }

  private fix(f: Fix): Fix {
    return { steps: f.steps.map((s) => ({ key: this.str(s.key), text: this.text(s.text) })), commands: f.commands.map((c) => this.str(c)) };
  }

  /** `r` itself, with its texts pooled: the engine makes each result afresh, so no one else holds it. */
  result(r: CheckResult): CheckResult {
    r.message = this.text(r.message);
    if (r.fix) r.fix = this.fix(r.fix);
    return r;
  }
}

function result(check: Check, status: CheckResult['status'], message: Text, fix?: CheckResult['fix']): CheckResult {
  return {
    id: check.id,
    ...(check.subject ? { subject: check.subject } : {}),
    severity: check.severity,
    title: check.title,
    status,
    message,
    ...(fix ? { fix } : {}),
  };
}

function gone(instance: Instance | null): Text {
  return instance === null ? M('notInRegion') : M('notRunning', { state: instance.state });
}

function run(
  check: Check,
  facts: Facts,
  instanceId: string,
  instance: Instance | null,
  earlier: Map<string, CheckResult>,
  memo: RunMemo,
): CheckResult {
  for (const dep of check.requires ?? []) {
    const d = earlier.get(dep);
    if (!d) continue;
    if (d.status === 'unknown')
      return { ...result(check, 'unknown', M('dependsOn', { dep, message: d.message })), ...(d.cause ? { cause: d.cause } : {}) };
    if (d.status === 'fail' || d.status === 'skip') return result(check, 'skip', M('needsFirst', { dep, status: d.status }));
  }
  try {
    // instance-state is the only check that runs without an instance; it handles null itself.
    const f = check.evaluate({ facts, region: facts.region, instanceId, instance: instance as Instance, earlier, memo });
    return result(check, f.status, f.message, f.fix);
  } catch (e) {
    if (e instanceof FactUnknown)
      return { ...result(check, 'unknown', describeUnknown(e.unknown)), ...(isDenied(e.unknown.code) ? { cause: 'denied' as const } : {}) };
    throw e;
  }
}
