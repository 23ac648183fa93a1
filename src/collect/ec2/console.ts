/** The SSM Agent's lines from an instance's console output: what the agent says when it cannot register. */
import { GetConsoleOutputCommand } from '@aws-sdk/client-ec2';
import type { Fact, Facts, Instance, ManagedInstance } from '../../facts/schema.js';
import type { Clients } from '../sdk/clients.js';
import { codeOf } from '../sdk/errors.js';
import { attempt, zipRecord } from '../sdk/read.js';
import { agentLines } from '../ssm/map.js';

// Latest=true (the live console, not the boot-time snapshot) is for Nitro instances; others may refuse it.
const LATEST_REFUSED = new Set(['UnsupportedOperation', 'InvalidParameter', 'InvalidParameterValue', 'InvalidParameterCombination']);

/** The agent's lines from the console output of each running instance that Systems Manager does not list. */
export async function consoleOutputs(
  c: Clients,
  found: readonly Instance[],
  managed: Fact<Record<string, ManagedInstance>>,
): Promise<NonNullable<Facts['consoleOutput']>> {
  if (!managed.known) return {};
  const targets = found.filter((i) => i.state === 'running' && !Object.hasOwn(managed.value, i.instanceId)).map((i) => i.instanceId);
  const read = (InstanceId: string, Latest?: boolean) =>
    c.ec2.send(new GetConsoleOutputCommand({ InstanceId, ...(Latest ? { Latest } : {}) }));
  const outputs = await Promise.all(
    targets.map((id) =>
      attempt('ec2:GetConsoleOutput', async () => {
        try {
          return agentLines((await read(id, true)).Output);
        } catch (e) {
          if (!LATEST_REFUSED.has(codeOf(e))) throw e;
          return agentLines((await read(id)).Output);
        }
      }),
    ),
  );
  return zipRecord(targets, outputs);
}
