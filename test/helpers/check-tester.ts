import { evaluateInstance } from '../../src/engine';
import type { CheckResult } from '../../src/checks/types';
import type { Facts } from '../../src/facts/schema';
import { IDS } from './facts';

export interface CheckCase {
  name: string;
  facts: Facts;
  status: CheckResult['status'];
  /** Matched against the English message. */
  message?: RegExp;
  /** Matched against the Japanese message, when given. */
  messageJa?: RegExp;
  /** Every command of the fix must match one of these, in order. */
  commands?: RegExp[];
  /** More assertions on the result. */
  verify?: (r: CheckResult) => void;
}

export function resultOf(checkId: string, facts: Facts, instanceId: string = IDS.instance): CheckResult {
  const r = evaluateInstance(facts, instanceId).find((x) => x.id === checkId);
  if (!r) throw new Error(`no check ${checkId}`);
  return r;
}

/** ESLint's RuleTester, for one check: a table of facts and the verdict each must give. */
export function checkCases(checkId: string, cases: CheckCase[]): void {
  describe(checkId, () => {
    it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
      const r = resultOf(checkId, c.facts);
      expect({ status: r.status, message: r.message.en }).toEqual({ status: c.status, message: expect.any(String) });
      if (c.message) expect(r.message.en).toMatch(c.message);
      if (c.messageJa) expect(r.message.ja).toMatch(c.messageJa);
      expect(r.message.ja.length).toBeGreaterThan(0);
      if (r.status === 'fail' || r.status === 'warn') {
        expect(r.fix).toBeDefined();
        expect(r.fix!.steps.length + r.fix!.commands.length).toBeGreaterThan(0);
      }
      if (c.commands) {
        expect(r.fix?.commands ?? []).toHaveLength(c.commands.length);
        c.commands.forEach((re, i) => expect(r.fix!.commands[i]).toMatch(re));
      }
      c.verify?.(r);
    });
  });
}
