import { dirname } from 'node:path';
import { HEALTHY } from './helpers/expect';
import { parseReport } from './helpers/cli';
import { useE2E } from './helpers/suite';

// Issue 11's "done when": the README's CI recipe (JUnit, the default exit policy) and monitoring
// recipe (--output line) run as a read-only CI role would, with no session-manager-plugin on
// PATH and no ssm:StartSession, against a healthy emulated instance: exit 0. The same instance
// with an endpoint missing: exit 2, and one line for the monitoring system.

const e2e = useE2E();

/** No plugin: PATH holds only node's own directory. */
const noPlugin = () => ({ PATH: dirname(process.execPath) });

describe('the CI and monitoring recipes on a read-only job without the plugin', () => {
  it('a healthy instance exits 0 in both; the caller is reported apart', async () => {
    const w = await e2e.scenarios.build({ endpoints: {}, caller: { as: 'role', startSession: false } });
    const id = w.instance.instanceId;

    const json = await e2e.run([id, '--output', 'json'], { env: noPlugin() });
    const report = parseReport(json);
    const statuses = Object.fromEntries(report.instances[0]!.checks.map((c) => [c.id, c.status]));
    expect({ ...statuses, 'caller-start-session': 'pass' }).toEqual(HEALTHY);
    expect(statuses['caller-start-session']).toBe('warn');
    expect({ code: json.code, status: report.status }).toEqual({ code: 0, status: 'ok' });

    const ci = await e2e.run([id, '--output', 'junit', '--timeout', '2m'], { env: noPlugin() });
    expect(ci.code).toBe(0);
    expect(ci.stdout).toMatch(/^<\?xml/);

    const monitor = await e2e.run(['--all', '--output', 'line', '--timeout', '50s'], { env: noPlugin() });
    expect(monitor.code).toBe(0);
    expect(monitor.stdout).toMatch(/^SSM-DOCTOR OK - .*\n$/);
    expect(monitor.stdout.split('\n')).toHaveLength(2);
  });

  it('the same instance without its ssmmessages endpoint: exit 2, and one line for the monitoring system', async () => {
    const w = await e2e.scenarios.build({ endpoints: { services: ['ssm', 'ec2messages'] }, caller: { as: 'role', startSession: false } });
    const monitor = await e2e.run(['--all', '--output', 'line', '--timeout', '50s'], { env: noPlugin() });
    expect(monitor.code).toBe(2);
    expect(monitor.stdout).toMatch(/^SSM-DOCTOR CRITICAL - 1 of 1 instance cannot open a session \(.*\) \| .*\n$/);
    expect(monitor.stdout.trimEnd().split('\n')).toHaveLength(1);
    const ci = await e2e.run([w.instance.instanceId, '--output', 'junit'], { env: noPlugin() });
    expect(ci.code).toBe(2);
  });
});
