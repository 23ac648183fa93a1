import { DescribeInstancesCommand, DescribeVpcAttributeCommand, type Filter, type Instance as Ec2Instance } from '@aws-sdk/client-ec2';
import {
  GetAccountAuthorizationDetailsCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  SimulatePrincipalPolicyCommand,
} from '@aws-sdk/client-iam';
import {
  DescribeInstanceInformationCommand,
  DescribeInstancePropertiesCommand,
  GetConnectionStatusCommand,
  GetServiceSettingCommand,
  type InstancePropertyStringFilter,
} from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { gather } from '../../src/collect/gather';
import { statsOf } from '../../src/collect/sdk/stats';
import { filterBatches } from '../../src/collect/ec2/targets';
import { PREFETCH_POLICIES } from '../../src/collect/iam/roles';
import { CHECKS } from '../../src/checks';
import { readerOf } from '../../src/collect/index';
import { diagnoseFacts, readRegion } from '../../src/diagnose';
import { buildReport } from '../../src/report/build';
import type { Facts } from '../../src/facts/schema';

const buildFleetReport = (parts: { facts: Facts; instanceIds: string[] }[], lang: 'en') =>
  buildReport(diagnoseFacts(parts[0]!.facts, parts[0]!.instanceIds), lang);
import { IDS } from '../helpers/facts';
import { allowed, awsError, mockedAws, rawInstance, type MockedAws } from './helpers/aws';

const NOW = () => new Date('2026-11-29T00:00:00.000Z');

/** A 17-digit instance id spread over the hex space, as AWS's are. */
const idOf = (n: number) => `i-0${((n * 2654435761) >>> 0).toString(16).padStart(8, '0')}${n.toString(16).padStart(8, '0')}`;
const roleArn = (r: number) => `arn:aws:iam::${IDS.account}:role/fleet-role-${r}`;
const profileArn = (r: number) => `arn:aws:iam::${IDS.account}:instance-profile/fleet-profile-${r}`;

const matches = (value: string, pattern: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  ).test(value);

function page<T>(items: T[], max: number | undefined, token: string | undefined): { items: T[]; next?: string } {
  const from = token ? Number(token) : 0;
  const size = max ?? 1000;
  return { items: items.slice(from, from + size), ...(from + size < items.length ? { next: String(from + size) } : {}) };
}

interface Account {
  instances: Ec2Instance[];
  registered: Set<string>;
}

/** A synthetic account: N instances over V VPCs and R roles; every tenth is not registered, every seventh is tagged Team=web. */
function account(m: MockedAws, n: number, vpcs: number, roles: number): Account {
  const instances = Array.from({ length: n }, (_, i) =>
    rawInstance(idOf(i), {
      VpcId: `vpc-${String(i % vpcs).padStart(17, '0')}`,
      SubnetId: `subnet-${String(i % vpcs).padStart(17, '0')}`,
      IamInstanceProfile: { Arn: profileArn(i % roles) },
      Tags: [{ Key: 'Team', Value: i % 7 === 0 ? 'web' : 'db' }],
      State: { Code: 16, Name: i % 50 === 49 ? 'terminated' : 'running' },
    }),
  );
  const registered = new Set(instances.filter((_, i) => i % 10 !== 3).map((i) => i.InstanceId!));
  const value = (i: Ec2Instance, name: string): string | undefined => {
    if (name === 'instance-id') return i.InstanceId;
    if (name === 'instance-state-name') return i.State?.Name;
    if (name === 'vpc-id') return i.VpcId;
    if (name.startsWith('tag:')) return i.Tags?.find((t) => t.Key === name.slice(4))?.Value;
    throw new Error(`filter ${name} not modelled`);
  };
  m.ec2.on(DescribeInstancesCommand).callsFake((input: { Filters?: Filter[]; MaxResults?: number; NextToken?: string }) => {
    if ((input.Filters ?? []).some((f) => (f.Values ?? []).length > 200)) throw awsError('ec2', 'FilterLimitExceeded', 'too many values');
    const hits = instances.filter((i) =>
      (input.Filters ?? []).every((f) => (f.Values ?? []).some((v) => matches(value(i, f.Name!) ?? '', v))),
    );
    const p = page(hits, input.MaxResults, input.NextToken);
    return { Reservations: [{ OwnerId: IDS.account, Instances: p.items }], NextToken: p.next };
  });
  m.ssm
    .on(DescribeInstancePropertiesCommand)
    .callsFake((input: { FiltersWithOperator?: InstancePropertyStringFilter[]; MaxResults?: number; NextToken?: string }) => {
      const prefix = input.FiltersWithOperator?.[0]?.Values?.[0] ?? '';
      const p = page(
        [...registered].filter((id) => id.startsWith(prefix)),
        input.MaxResults,
        input.NextToken,
      );
      return {
        InstanceProperties: p.items.map((id) => ({
          InstanceId: id,
          PingStatus: 'Online',
          AgentVersion: '3.3.1802.0',
          PlatformType: 'Linux',
        })),
        NextToken: p.next,
      };
    });
  m.iam.on(GetAccountAuthorizationDetailsCommand).resolves({
    RoleDetailList: Array.from({ length: roles }, (_, r) => ({
      RoleName: `fleet-role-${r}`,
      Arn: roleArn(r),
      AssumeRolePolicyDocument: encodeURIComponent(
        JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        }),
      ),
      InstanceProfileList: [
        {
          InstanceProfileName: `fleet-profile-${r}`,
          Arn: profileArn(r),
          Path: '/',
          InstanceProfileId: 'x',
          CreateDate: new Date(),
          Roles: [{ RoleName: `fleet-role-${r}`, Arn: roleArn(r), Path: '/', RoleId: 'x', CreateDate: new Date() }],
        },
      ],
      AttachedManagedPolicies: [{ PolicyName: 'AmazonSSMManagedInstanceCore', PolicyArn: IDS.coreArn }],
      RolePolicyList: [],
    })),
    Policies: [],
    IsTruncated: false,
  });
  m.iam.on(SimulatePrincipalPolicyCommand).callsFake((input: { ResourceArns?: string[]; ActionNames: string[] }) => ({
    EvaluationResults: input.ActionNames.flatMap((a) =>
      (input.ResourceArns ?? ['*']).map((r) => allowed(a, r, 'AmazonSSMManagedInstanceCore')),
    ),
    IsTruncated: false,
  }));
  m.ssm.on(GetServiceSettingCommand).resolves({ ServiceSetting: { SettingValue: '$None' } });
  m.ssm.on(GetConnectionStatusCommand).callsFake((input: { Target: string }) => ({ Target: input.Target, Status: 'connected' }));
  m.sts.on(GetCallerIdentityCommand).resolves({ Account: IDS.account, Arn: IDS.caller });
  m.ec2
    .on(DescribeVpcAttributeCommand)
    .callsFake((input: { Attribute: string }) =>
      input.Attribute === 'enableDnsSupport' ? { EnableDnsSupport: { Value: true } } : { EnableDnsHostnames: { Value: true } },
    );
  return { instances, registered };
}

/** The sweep's roles attach these AWS managed policies (by role index) in place of AmazonSSMManagedInstanceCore. */
async function attachManaged(m: MockedAws, arnsOf: (role: number) => string[]): Promise<void> {
  const details = await m.clients.iam.send(new GetAccountAuthorizationDetailsCommand({}));
  m.iam.on(GetAccountAuthorizationDetailsCommand).resolves({
    ...details,
    RoleDetailList: details.RoleDetailList!.map((r, i) => ({
      ...r,
      AttachedManagedPolicies: arnsOf(i).map((arn) => ({ PolicyName: arn.split('/').pop()!, PolicyArn: arn })),
    })),
  });
}

/** Every managed policy's default version is v3, a document allowing s3:Get*. */
function managedPolicies(m: MockedAws): void {
  m.iam.on(GetPolicyCommand).callsFake((input: { PolicyArn: string }) => ({ Policy: { Arn: input.PolicyArn, DefaultVersionId: 'v3' } }));
  m.iam.on(GetPolicyVersionCommand).callsFake((input: { VersionId: string }) => ({
    PolicyVersion: {
      VersionId: input.VersionId,
      IsDefaultVersion: true,
      Document: encodeURIComponent(JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 's3:Get*', Resource: '*' }] })),
    },
  }));
}

describe('a fleet: calls grow with VPCs and roles, not instances', () => {
  it('1,000 instances over 10 VPCs and 10 roles: --all in ≤ 80 calls and ≤ 5 rounds, GetConnectionStatus apart', async () => {
    const m = await mockedAws();
    const acct = account(m, 1000, 10, 10);
    const facts = await gather(m.clients, { ids: [], all: true }, NOW, {});
    const stats = statsOf(m.clients.recorder);

    const live = acct.instances
      .filter((i) => i.State?.Name !== 'terminated')
      .map((i) => i.InstanceId!)
      .sort();
    expect(Object.keys(facts.instances)).toEqual(live);
    expect(stats.budgetCalls).toBeLessThanOrEqual(80);
    expect(stats.budgetRounds).toBeLessThanOrEqual(5);
    expect(stats.byOperation['ec2:DescribeInstances']).toBe(1);
    expect(stats.byOperation['ssm:DescribeInstanceProperties']).toBe(1);
    expect(stats.byOperation['iam:GetAccountAuthorizationDetails']).toBe(1);
    expect(stats.byOperation['iam:GetInstanceProfile']).toBeUndefined();
    expect(stats.byOperation['iam:GetRole']).toBeUndefined();
    expect(stats.byOperation['ec2:GetConsoleOutput']).toBeUndefined();
    // One simulation per distinct role, and the caller's in parts of 500 instances.
    expect(stats.byOperation['iam:SimulatePrincipalPolicy']).toBe(10 + 2);
    expect(stats.calls).toBe(stats.budgetCalls + stats.connectionStatusCalls);

    // Registration read for the whole region: the unregistered ones are absent, the others Online.
    const managed = facts.managedInstances.known ? facts.managedInstances.value : {};
    expect(Object.keys(managed).filter((id) => live.includes(id))).toHaveLength(live.filter((id) => acct.registered.has(id)).length);
    const roles = Object.keys(facts.roles).sort();
    expect(roles).toHaveLength(10);
    expect(facts.roles['fleet-role-0']?.role).toMatchObject({ known: true, value: { arn: roleArn(0) } });
  });

  it('--no-iam-sweep: never iam:GetAccountAuthorizationDetails; the instance profiles the instances use are read one by one', async () => {
    const m = await mockedAws();
    account(m, 60, 2, 3);
    await gather(m.clients, { ids: [], all: true, iamSweep: false }, NOW, {});
    const stats = statsOf(m.clients.recorder);
    expect(stats.byOperation['iam:GetAccountAuthorizationDetails']).toBeUndefined();
    expect(stats.byOperation['iam:GetInstanceProfile']).toBe(3);
  });

  it('a swept role with an AWS managed policy the tool does not know: its default version is asked beside the simulation, so a denial costs one round more, not two', async () => {
    const m = await mockedAws();
    account(m, 20, 1, 1);
    const other = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';
    await attachManaged(m, () => [other]);
    m.iam.on(SimulatePrincipalPolicyCommand, { PolicySourceArn: roleArn(0) }).callsFake(
      (input: { ActionNames: string[] }) =>
        new Promise((resolve) =>
          setTimeout(
            () =>
              resolve({
                EvaluationResults: input.ActionNames.map((a) => ({
                  EvalActionName: a,
                  EvalResourceName: '*',
                  EvalDecision: 'implicitDeny',
                })),
                IsTruncated: false,
              }),
            30,
          ),
        ),
    );
    managedPolicies(m);
    const facts = await gather(m.clients, { ids: [], all: true }, NOW, {});
    const records = m.clients.recorder.records;
    const getPolicy = records.find((r) => r.operation === 'iam:GetPolicy')!;
    // The role's simulation is the one that takes 30 ms (the caller's answers at once).
    const roleSimulation = Math.max(...records.filter((r) => r.operation === 'iam:SimulatePrincipalPolicy').map((r) => r.end));
    expect(getPolicy.start).toBeLessThan(roleSimulation);
    expect(m.iam.commandCalls(GetPolicyCommand)).toHaveLength(1);
    expect(facts.roles['fleet-role-0']?.managedPolicyDocuments?.[other]).toMatchObject({ known: true });
  });

  it('a listing that goes wide: the AWS managed policies the instance roles attach are asked beside its parts, and their documents beside the VPC reads', async () => {
    const m = await mockedAws();
    account(m, 2500, 2, 2);
    await attachManaged(m, () => ['arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess']);
    managedPolicies(m);
    const facts = await gather(m.clients, { ids: [], all: true }, NOW, {});
    const records = m.clients.recorder.records;
    const one = (op: string) => records.find((r) => r.operation === op)!;
    const parts = records.filter((r) => r.operation === 'ec2:DescribeInstances').slice(1);
    expect(parts.length).toBeGreaterThan(1);
    // Sent before any part came back: the same round as the parts, not one of its own after them.
    expect(one('iam:GetPolicy').start).toBeLessThan(Math.min(...parts.map((p) => p.end)));
    // And the document in the VPC reads' round, before their first answer.
    expect(one('iam:GetPolicyVersion').start).toBeLessThan(one('ec2:DescribeVpcEndpoints').end);
    expect(m.iam.commandCalls(GetPolicyCommand)).toHaveLength(1);
    expect(m.iam.commandCalls(GetPolicyVersionCommand)).toHaveLength(1);
    // The simulation allowed everything: the document was read, but the role's facts do not carry it.
    expect(facts.roles['fleet-role-0']?.managedPolicyDocuments).toEqual({});
  });

  it(`more than PREFETCH_POLICIES (${PREFETCH_POLICIES}) AWS managed policies on the instance roles: none beside the listing, ${PREFETCH_POLICIES} at most beside the simulations, and the others only when a simulation calls for them`, async () => {
    const m = await mockedAws();
    account(m, 2500, 2, 2);
    const policies = (r: number) =>
      Array.from({ length: PREFETCH_POLICIES / 2 + 1 }, (_, k) => `arn:aws:iam::aws:policy/Role${r}Policy${k}`);
    await attachManaged(m, policies);
    managedPolicies(m);
    await gather(m.clients, { ids: [], all: true }, NOW, {});
    const records = m.clients.recorder.records;
    const parts = records.filter((r) => r.operation === 'ec2:DescribeInstances').slice(1);
    const asked = records.filter((r) => r.operation === 'iam:GetPolicy');
    // Every simulation allows everything: no document is needed, and only the first ones were asked ahead.
    expect(asked).toHaveLength(PREFETCH_POLICIES);
    expect(records.filter((r) => r.operation === 'iam:GetPolicyVersion')).toHaveLength(PREFETCH_POLICIES);
    expect(Math.min(...asked.map((r) => r.start))).toBeGreaterThanOrEqual(Math.max(...parts.map((p) => p.end)));
  });

  it('gathers no GetConnectionStatus for a fleet: the orchestrator asks it once the checks have spoken', async () => {
    const m = await mockedAws();
    account(m, 60, 2, 2);
    const facts = await gather(m.clients, { ids: [], all: true }, NOW, {});
    expect(m.ssm.commandCalls(GetConnectionStatusCommand)).toHaveLength(0);
    expect(facts.connections).toEqual({});
  });

  it('asks GetConnectionStatus only for Online instances that some check finds a gap in', async () => {
    const m = await mockedAws();
    account(m, 60, 2, 2);
    const { facts } = await readRegion(readerOf(m.clients, NOW, {}), { ids: [], all: true }, true);
    const asked = m.ssm.commandCalls(GetConnectionStatusCommand).map((c) => c.args[0].input.Target!);
    const managed = facts.managedInstances.known ? facts.managedInstances.value : {};
    for (const id of asked) expect(managed[id]?.pingStatus).toBe('Online');
    expect(Object.keys(facts.connections ?? {}).sort()).toEqual([...asked].sort());
  });

  it('evaluates each instance once and the suspects once more, with their GetConnectionStatus answer', async () => {
    const m = await mockedAws();
    account(m, 60, 2, 2);
    // An organization policy denies role 1 everything: its Online instances become suspects.
    m.iam.on(SimulatePrincipalPolicyCommand, { PolicySourceArn: roleArn(1) }).callsFake((input: { ActionNames: string[] }) => ({
      EvaluationResults: input.ActionNames.map((a) => ({
        ...allowed(a, '*', 'AmazonSSMManagedInstanceCore', false),
        EvalDecision: 'implicitDeny',
      })),
      IsTruncated: false,
    }));
    const stateCheck = CHECKS.find((c) => c.id === 'instance-state')!;
    const evaluations = jest.spyOn(stateCheck, 'evaluate');
    try {
      const read = await readRegion(readerOf(m.clients, NOW, {}), { ids: [], all: true }, true);
      const ids = Object.keys(read.facts.instances);
      const asked = m.ssm.commandCalls(GetConnectionStatusCommand).map((c) => c.args[0].input.Target!);
      expect(asked.length).toBeGreaterThan(0);
      expect(evaluations).toHaveBeenCalledTimes(ids.length + asked.length);
      // What the orchestrator hands on is what a fresh evaluation of the final facts gives.
      expect(read.evaluations).toEqual(diagnoseFacts(read.facts, ids).evaluations);
      // The suspects' results show their GetConnectionStatus answer, which the first evaluation had not.
      const before = diagnoseFacts({ ...read.facts, connections: {} }, asked).evaluations;
      expect(read.evaluations.filter((e) => asked.includes(e.instanceId))).not.toEqual(before);
    } finally {
      evaluations.mockRestore();
    }
  });

  it('10,000 instances over 50 VPCs and 50 roles: pages split by id prefix side by side, ≤ 400 calls and ≤ 6 rounds', async () => {
    const m = await mockedAws();
    const acct = account(m, 10_000, 50, 50);
    const facts = await gather(m.clients, { ids: [], all: true }, NOW, {});
    const stats = statsOf(m.clients.recorder);
    expect(Object.keys(facts.instances)).toHaveLength(acct.instances.filter((i) => i.State?.Name !== 'terminated').length);
    expect(stats.budgetCalls).toBeLessThanOrEqual(400);
    expect(stats.budgetRounds).toBeLessThanOrEqual(6);
    const managed = facts.managedInstances.known ? facts.managedInstances.value : {};
    expect(Object.keys(managed)).toHaveLength(acct.registered.size);
  }, 60_000);

  it('--filter tag:Team=web selects the matching live instances; ids given are added', async () => {
    const m = await mockedAws();
    const acct = account(m, 200, 2, 2);
    const extra = acct.instances[1]!.InstanceId!;
    const facts = await gather(m.clients, { ids: [extra], filters: [{ Name: 'tag:Team', Values: ['web'] }] }, NOW, {});
    const web = acct.instances
      .filter((i, n) => n % 7 === 0 && i.State?.Name !== 'terminated')
      .map((i) => i.InstanceId!)
      .sort();
    expect(Object.keys(facts.instances)).toEqual([extra, ...web]);
    const filters = m.ec2.commandCalls(DescribeInstancesCommand).map((c) => c.args[0].input.Filters);
    expect(filters).toContainEqual([
      { Name: 'tag:Team', Values: ['web'] },
      { Name: 'instance-state-name', Values: ['pending', 'running', 'shutting-down', 'stopping', 'stopped'] },
    ]);
  });

  it('splits a filter of more than 200 values, and halves again on FilterLimitExceeded', async () => {
    expect(
      filterBatches([{ Name: 'vpc-id', Values: Array.from({ length: 450 }, (_, i) => `vpc-${i}`) }]).map((b) => b[0]?.Values.length),
    ).toEqual([200, 200, 50]);
    const m = await mockedAws();
    account(m, 30, 3, 1);
    let refusals = 0;
    const total = (fs: Filter[] | undefined) => (fs ?? []).reduce((n, f) => n + (f.Values ?? []).length, 0);
    m.ec2.on(DescribeInstancesCommand).callsFake((input: { Filters?: Filter[] }) => {
      if (total(input.Filters) > 7) {
        refusals++;
        throw awsError('ec2', 'FilterLimitExceeded', 'The maximum number of filter values specified on a single call is 7');
      }
      return { Reservations: [] };
    });
    const facts = await gather(
      m.clients,
      { ids: [], filters: [{ Name: 'vpc-id', Values: ['vpc-a', 'vpc-b', 'vpc-c', 'vpc-d', 'vpc-e'] }] },
      NOW,
      {},
    );
    expect(refusals).toBeGreaterThan(0);
    expect(Object.keys(facts.instances)).toEqual([]);
    const accepted = m.ec2
      .commandCalls(DescribeInstancesCommand)
      .map((c) => c.args[0].input.Filters!)
      .filter((fs) => total(fs) <= 7);
    const vpcs = new Set(accepted.flatMap((fs) => fs.find((f) => f.Name === 'vpc-id')!.Values!));
    expect([...vpcs].sort()).toEqual(['vpc-a', 'vpc-b', 'vpc-c', 'vpc-d', 'vpc-e']);
    // Every value of the state filter still goes with every VPC: splitting never drops a combination.
    for (const v of vpcs) {
      const states = accepted.filter((fs) => fs[0]!.Values!.includes(v)).flatMap((fs) => fs[1]!.Values!);
      expect(new Set(states).size).toBe(5);
    }
  });

  it('falls back to DescribeInstanceInformation when DescribeInstanceProperties is denied', async () => {
    const m = await mockedAws();
    account(m, 30, 1, 1);
    m.ssm.on(DescribeInstancePropertiesCommand).rejects(awsError('ssm', 'AccessDeniedException'));
    m.ssm
      .on(DescribeInstanceInformationCommand)
      .resolves({ InstanceInformationList: [{ InstanceId: idOf(0), PingStatus: 'ConnectionLost' }] });
    const facts = await gather(m.clients, { ids: [], all: true }, NOW, {});
    expect(facts.managedInstances).toEqual({ known: true, value: { [idOf(0)]: { pingStatus: 'ConnectionLost' } } });
  });

  it('a fleet report counts statuses and names the most common failing check', async () => {
    const m = await mockedAws();
    account(m, 40, 2, 2);
    const facts = await gather(m.clients, { ids: [], all: true }, NOW, {});
    const report = buildFleetReport([{ facts, instanceIds: Object.keys(facts.instances) }], 'en');
    const s = report.summary!;
    expect(s.ok + s.warning + s.critical + s.unknown).toBe(report.instances.length);
    expect(report.instances.every((i) => i.region === IDS.region)).toBe(true);
    expect(report.regions).toEqual([IDS.region]);
    if (s.mostCommonCause) {
      const n = report.instances.filter((i) => i.checks.some((c) => c.id === s.mostCommonCause!.checkId && c.status === 'fail')).length;
      expect(s.mostCommonCause.instances).toBe(n);
    }
  });
});
