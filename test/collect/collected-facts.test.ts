import { GetDocumentCommand } from '@aws-sdk/client-ssm';
import { SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gather } from '../../src/collect/gather';
import { evaluateInstance } from '../../src/engine';
import { IDS } from '../helpers/facts';
import { allowed, answerHealthy, mockedAws, type MockedAws } from './helpers/aws';

/** The collector's facts are what the checks read: the healthy answers pass every check, and a gap shows in the right one. */
let bin: string;
let m: MockedAws;
beforeAll(() => {
  bin = mkdtempSync(join(tmpdir(), 'ssm-doctor-bin-'));
  writeFileSync(join(bin, 'session-manager-plugin'), '#!/bin/sh\n');
  chmodSync(join(bin, 'session-manager-plugin'), 0o755);
});
afterAll(() => rmSync(bin, { recursive: true, force: true }));
beforeEach(async () => {
  m = await mockedAws();
  answerHealthy(m);
});
afterEach(() => m.clients.destroy());

const results = async (env: NodeJS.ProcessEnv = { PATH: bin }) =>
  evaluateInstance(await gather(m.clients, [IDS.instance], () => new Date(0), env), IDS.instance);
const notPassing = async (env?: NodeJS.ProcessEnv) => (await results(env)).filter((r) => r.status !== 'pass').map((r) => [r.id, r.status]);

it('healthy answers: every check passes (transit-gateway-path skips: no transit gateway; ipv6-only-path skips: an IPv4 subnet; session-preferences and session-kms-key skip: no preference is on), with the policy lists never read', async () => {
  expect(await notPassing()).toEqual([
    ['transit-gateway-path', 'skip'],
    ['ipv6-only-path', 'skip'],
    ['session-preferences', 'skip'],
    ['session-kms-key', 'skip'],
  ]);
  expect(m.iam.commandCalls(SimulatePrincipalPolicyCommand)).toHaveLength(2);
});

it('no plugin on PATH: caller-start-session warns', async () => {
  expect(await notPassing({ PATH: '' })).toEqual([
    ['transit-gateway-path', 'skip'],
    ['ipv6-only-path', 'skip'],
    ['session-preferences', 'skip'],
    ['session-kms-key', 'skip'],
    ['caller-start-session', 'warn'],
  ]);
});

it('KMS encryption on with a role that may not decrypt: session-preferences fails naming the role and the action', async () => {
  m.ssm.on(GetDocumentCommand).resolves({ Content: JSON.stringify({ inputs: { kmsKeyId: 'alias/ssm-sessions' } }) });
  m.iam
    .on(SimulatePrincipalPolicyCommand, { PolicySourceArn: IDS.roleArn })
    .callsFake((input: { ActionNames: string[]; ResourceArns?: string[] }) => ({
      EvaluationResults: input.ActionNames.flatMap((a) =>
        (input.ResourceArns ?? ['*']).map((r) =>
          a === 'kms:Decrypt'
            ? { EvalActionName: a, EvalResourceName: r, EvalDecision: 'implicitDeny', MatchedStatements: [], MissingContextValues: [] }
            : allowed(a, r, 'AmazonSSMManagedInstanceCore'),
        ),
      ),
    }));
  const r = await results();
  const prefs = r.find((x) => x.id === 'session-preferences')!;
  expect(prefs.status).toBe('fail');
  expect(prefs.message.en).toContain(`${IDS.role} does not allow kms:Decrypt`);
  expect(r.find((x) => x.id === 'iam-core-policy')!.status).toBe('pass');
});
