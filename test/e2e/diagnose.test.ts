import { check, parseStats, statuses } from './helpers/cli';
import { ALL_CHECKS, commandsOf, diagnose, HEALTHY, READ_ONLY, unknownChecks } from './helpers/expect';
import { REGION, SERVICES, serviceName } from './helpers/scenarios';
import { useE2E } from './helpers/suite';
import { at } from '../helpers/only';

// The built CLI against moto (EC2, IAM) and the SSM stub, one scenario per test, judged by the exit
// code and `--output json`.

const e2e = useE2E();

describe('instance, IAM and registration', () => {
  it('healthy private-subnet instance with the three endpoints: every check passes, in ≤ 3 rounds and ≤ 26 read-only calls (two of them the DHCP options, two the Resolver rules, two VPC Block Public Access)', async () => {
    const w = await e2e.scenarios.build({ endpoints: {} });
    const id = w.instance.instanceId;
    // Every service through the stub by its own variable, and the catch-all endpoint dead: the
    // per-service endpoint variables must be honoured. The stub answers as slowly as AWS might
    // (moto alone answers faster than the CLI sends a round), so rounds count dependencies.
    e2e.stub.latencyMs = 50;
    const r = await diagnose(e2e, [id], ['--stats'], {
      endpoints: {
        all: e2e.deadUrl,
        ec2: e2e.stub.url,
        iam: e2e.stub.url,
        ssm: e2e.stub.url,
        sts: e2e.stub.url,
        route53resolver: e2e.stub.url,
      },
    });

    expect(statuses(r.report, id)).toEqual(HEALTHY);
    expect(r.report.status).toBe('ok');
    expect(at(r.report.instances, 0).plan).toBeUndefined();
    expect(r.code).toBe(0);

    const stats = parseStats(r.stderr);
    expect(stats.rounds).toBeLessThanOrEqual(3);
    expect(stats.calls).toBeLessThanOrEqual(26);
    expect(stats.calls).toBe(Object.values(stats.byOperation).reduce((a, b) => a + b, 0));
    for (const op of Object.keys(stats.byOperation)) expect(op).toMatch(READ_ONLY);
    expect(stats.byOperation['ec2:DescribeInstances']).toBe(1);

    // What the stub saw is exactly the CLI's own count: every call went by its service's variable.
    const seen = e2e.stub.countsByOperation();
    expect(seen).toEqual(stats.byOperation);
    expect(seen['ssm:DescribeInstanceInformation']).toBeGreaterThanOrEqual(1);
  });

  it('the guide’s starting point (no role, no endpoints, not registered) fails with fixes naming the real ids', async () => {
    const w = await e2e.scenarios.build({ role: 'none', privateRouteTable: 'main', agent: false });
    const id = w.instance.instanceId;
    const { report, code } = await diagnose(e2e, [id]);

    const s = statuses(report, id);
    expect(s).toMatchObject({
      'instance-state': 'pass',
      'iam-instance-profile': 'fail',
      'network-route': 'fail',
      'vpc-endpoints': 'fail',
      'agent-registered': 'fail',
    });
    expect(unknownChecks(s)).toEqual([]);
    expect(report.status).toBe('critical');
    expect(code).toBe(2);

    expect(check(report, id, 'iam-instance-profile').message).toContain(id);
    expect(commandsOf(report, id, 'iam-instance-profile').join('\n')).toContain(id);
    // network-route names the route table that applies: the VPC's main one, as the subnet has none.
    expect(check(report, id, 'network-route').message).toContain(w.routeTables.main);

    const endpointCommands = commandsOf(report, id, 'vpc-endpoints');
    for (const svc of SERVICES) {
      const create = endpointCommands.filter(
        (c) => /\bcreate-vpc-endpoint\b/.test(c) && new RegExp(`--service-name ${serviceName(svc).replace(/\./g, '\\.')}(\\s|$)`).test(c),
      );
      expect({ svc, count: create.length }).toEqual({ svc, count: 1 });
      expect(create[0]).toContain(`--vpc-id ${w.vpcId}`);
      expect(create[0]).toMatch(/--vpc-endpoint-type Interface\b/);
      expect(create[0]).toContain(w.subnets.private);
      expect(create[0]).toContain('--private-dns-enabled');
    }
    // The endpoint security group the fix creates admits HTTPS from the instance's group.
    expect(endpointCommands.join('\n')).toContain(w.instanceSg);
    expect(report.instances[0]?.plan?.commands.length).toBeGreaterThanOrEqual(4);
  });

  it('iam:GetInstanceProfile denied: that check is unknown naming the call, the others still report, exit 3', async () => {
    const w = await e2e.scenarios.build({ endpoints: {} });
    const id = w.instance.instanceId;
    e2e.stub.denied.add('iam:GetInstanceProfile');
    const { report, code } = await diagnose(e2e, [id]);

    const s = statuses(report, id);
    expect(s['iam-instance-profile']).toBe('unknown');
    const message = check(report, id, 'iam-instance-profile').message;
    expect(message).toContain('iam:GetInstanceProfile');
    expect(message).toContain('AccessDenied');
    // Only checks that need the profile can be affected; everything else is evaluated.
    expect(['unknown', 'skip']).toContain(s['iam-core-policy']);
    for (const other of ALL_CHECKS.filter((c) => !c.startsWith('iam-')))
      expect({ other, status: s[other] }).toEqual({ other, status: HEALTHY[other] });
    expect(report.status).toBe('unknown');
    expect(code).toBe(3);
    // A denial is an answer: asked once, not retried.
    expect(e2e.stub.counts.get('iam:GetInstanceProfile')).toBe(1);
  });

  it('role with the managed policy’s statements as an inline policy: iam-core-policy passes on IAM’s simulator, documents unread', async () => {
    const w = await e2e.scenarios.build({ endpoints: {}, role: 'inline' });
    const id = w.instance.instanceId;
    const { report, code } = await diagnose(e2e, [id]);

    expect(statuses(report, id)).toEqual(HEALTHY);
    expect(check(report, id, 'iam-core-policy').message).toContain(w.role!.roleName);
    expect(check(report, id, 'iam-core-policy').message).toContain('SessionManagerCore');
    // The simulator answered, so the documents were not needed (deep.test.ts reads them, URL-encoded, when it is denied).
    expect(e2e.stub.counts.get('iam:SimulatePrincipalPolicy')).toBe(2);
    expect(e2e.stub.counts.get('iam:GetRolePolicy')).toBeUndefined();
    expect(code).toBe(0);
  });

  it('no instance profile, but Default Host Management Configuration on: the IAM checks pass through the DHMC role', async () => {
    const w = await e2e.scenarios.build({ endpoints: {}, role: 'none', dhmc: true });
    const id = w.instance.instanceId;
    const { report, code } = await diagnose(e2e, [id]);

    expect(statuses(report, id)).toEqual(HEALTHY);
    expect(check(report, id, 'iam-instance-profile').message).toContain(w.dhmcRole!);
    expect(check(report, id, 'iam-core-policy').message).toContain(w.dhmcRole!);
    expect(e2e.stub.counts.get('ssm:GetServiceSetting')).toBe(1);
    expect(code).toBe(0);
  });

  it('stopped instance: instance-state fails with the start command', async () => {
    const w = await e2e.scenarios.build({ endpoints: {}, state: 'stopped' });
    const id = w.instance.instanceId;
    const { report, code } = await diagnose(e2e, [id]);

    expect(statuses(report, id)['instance-state']).toBe('fail');
    expect(check(report, id, 'instance-state').message).toMatch(/stopped/);
    expect(commandsOf(report, id, 'instance-state')).toEqual([`aws ec2 start-instances --instance-ids ${id} --region ${REGION}`]);
    expect(unknownChecks(statuses(report, id))).toEqual([]);
    expect(code).toBe(2);
  });

  it('a well-formed id that does not exist: instance-state fails with a region hint, the rest skip', async () => {
    const id = 'i-0123456789abcdef0';
    const { report, code } = await diagnose(e2e, [id]);

    const s = statuses(report, id);
    expect(s['instance-state']).toBe('fail');
    expect(check(report, id, 'instance-state').message).toContain(REGION);
    expect(check(report, id, 'instance-state').message).toContain('--region');
    for (const other of ALL_CHECKS.slice(1)) expect({ other, status: s[other] }).toEqual({ other, status: 'skip' });
    expect(code).toBe(2);
  });

  it('two instances in one VPC: each is reported in argument order, the worst decides, the VPC is read once', async () => {
    const w = await e2e.scenarios.build({ endpoints: {} });
    const broken = await e2e.scenarios.launch(w, { profile: false, agent: false });
    const ids = [w.instance.instanceId, broken.instanceId];
    const r = await diagnose(e2e, ids, ['--stats']);

    expect(r.report.instances.map((i) => i.status)).toEqual(['ok', 'critical']);
    expect(statuses(r.report, broken.instanceId)).toMatchObject({ 'iam-instance-profile': 'fail', 'agent-registered': 'fail' });
    expect(r.report.status).toBe('critical');
    expect(r.code).toBe(2);

    const seen = e2e.stub.countsByOperation();
    expect(seen['ec2:DescribeInstances']).toBe(1);
    expect(seen['ec2:DescribeVpcEndpoints']).toBe(1);
    expect(parseStats(r.stderr).byOperation).toEqual(seen);

    // Reversed, the same verdicts in the new order.
    const reversed = await diagnose(e2e, [...ids].reverse());
    expect(reversed.report.instances.map((i) => i.status)).toEqual(['critical', 'ok']);
    expect(reversed.code).toBe(2);
  });
});

describe('network path, endpoints, DNS and security groups', () => {
  it('public-subnet instance with the role and a route to the IGW: OK, and the endpoints are not needed', async () => {
    const w = await e2e.scenarios.build({ subnet: 'public' });
    const id = w.instance.instanceId;
    const { report, code } = await diagnose(e2e, [id]);

    const s = statuses(report, id);
    expect(s).toMatchObject({
      'instance-state': 'pass',
      'iam-instance-profile': 'pass',
      'iam-core-policy': 'pass',
      'network-route': 'pass',
      'vpc-endpoints': 'skip',
      'agent-registered': 'pass',
    });
    for (const status of Object.values(s)) expect(['pass', 'skip']).toContain(status);
    expect(check(report, id, 'vpc-endpoints').message).toContain(w.igwId);
    expect(code).toBe(0);
  });

  it('private subnet with a NAT gateway route and no endpoints: OK, endpoints not needed', async () => {
    const w = await e2e.scenarios.build({ nat: true });
    const id = w.instance.instanceId;
    const { report, code } = await diagnose(e2e, [id]);

    expect(statuses(report, id)).toMatchObject({ 'network-route': 'pass', 'vpc-endpoints': 'skip', 'agent-registered': 'pass' });
    expect(check(report, id, 'vpc-endpoints').message).toContain(w.natId!);
    expect(code).toBe(0);
  });

  it('a NAT gateway created in a private subnet: network-route fails naming that subnet, with the endpoint plan', async () => {
    const w = await e2e.scenarios.build({ nat: true, natSubnet: 'private', agent: false });
    const id = w.instance.instanceId;
    const { report, code } = await diagnose(e2e, [id]);

    const route = check(report, id, 'network-route');
    expect(route.status).toBe('fail');
    expect(route.message).toContain(`${w.natId} (available, public), but the NAT gateway sits in ${w.subnets.otherPrivate}`);
    expect(route.fix!.commands.some((c) => c.includes('create-vpc-endpoint'))).toBe(true);
    expect(code).toBe(2);
  });

  it('endpoint security group without the 443 rule: endpoint-sg-https fails naming the group, with the ingress rule to add', async () => {
    const w = await e2e.scenarios.build({ endpoints: { https: false }, agent: false });
    const id = w.instance.instanceId;
    const { report, code } = await diagnose(e2e, [id]);

    expect(statuses(report, id)).toMatchObject({
      'network-route': 'pass',
      'vpc-endpoints': 'pass',
      'endpoint-private-dns': 'pass',
      'endpoint-sg-https': 'fail',
    });
    expect(check(report, id, 'endpoint-sg-https').message).toContain(w.endpointSg!);
    const commands = commandsOf(report, id, 'endpoint-sg-https').join('\n');
    expect(commands).toMatch(/authorize-security-group-ingress/);
    expect(commands).toContain(w.endpointSg!);
    expect(commands).toMatch(new RegExp(`${w.instanceSg}|${w.instance.privateIp.replace(/\./g, '\\.')}`));
    expect(commands).toContain('443');
    expect(code).toBe(2);
  });

  it('endpoints with private DNS off: endpoint-private-dns fails and the fix turns it on for each endpoint', async () => {
    const w = await e2e.scenarios.build({ endpoints: { privateDns: false }, agent: false });
    const id = w.instance.instanceId;
    const { report, code } = await diagnose(e2e, [id]);

    expect(statuses(report, id)).toMatchObject({ 'vpc-endpoints': 'pass', 'endpoint-private-dns': 'fail', 'endpoint-sg-https': 'pass' });
    const message = check(report, id, 'endpoint-private-dns').message;
    const commands = commandsOf(report, id, 'endpoint-private-dns').join('\n');
    for (const svc of SERVICES) {
      expect(message).toContain(w.endpoints[svc]!);
      expect(commands).toContain(w.endpoints[svc]!);
    }
    expect(commands).toMatch(/modify-vpc-endpoint/);
    expect(commands).toContain('--private-dns-enabled');
    expect(code).toBe(2);
  });

  it('VPC with DNS hostnames off: endpoint-private-dns fails and the fix enables them on the VPC', async () => {
    const w = await e2e.scenarios.build({ endpoints: {}, dnsHostnames: false, agent: false });
    const id = w.instance.instanceId;
    const { report, code } = await diagnose(e2e, [id]);

    expect(statuses(report, id)['endpoint-private-dns']).toBe('fail');
    expect(check(report, id, 'endpoint-private-dns').message).toMatch(/enableDnsHostnames|DNS hostnames/i);
    const commands = commandsOf(report, id, 'endpoint-private-dns').join('\n');
    expect(commands).toMatch(new RegExp(`modify-vpc-attribute --vpc-id ${w.vpcId} --enable-dns-hostnames`));
    expect(code).toBe(2);
  });

  it('only ec2messages missing: a warning on a 3.3 agent (sessions use ssmmessages), a failure on a 3.2 agent', async () => {
    const w = await e2e.scenarios.build({ endpoints: { services: ['ssm', 'ssmmessages'] } });
    const id = w.instance.instanceId;
    const recent = await diagnose(e2e, [id]);
    expect(statuses(recent.report, id)['vpc-endpoints']).toBe('warn');
    expect(check(recent.report, id, 'vpc-endpoints').message).toContain('ec2messages');
    expect(commandsOf(recent.report, id, 'vpc-endpoints').join('\n')).toContain(`--service-name ${serviceName('ec2messages')}`);
    expect(recent.code).toBe(1);

    e2e.stub.register({ ...e2e.stub.nodes.get(id)!, agentVersion: '3.2.582.0' });
    const old = await diagnose(e2e, [id]);
    expect(statuses(old.report, id)['vpc-endpoints']).toBe('fail');
    expect(old.code).toBe(2);
  });

  it('endpoints only in another AZ: a warning (exit 1), naming the instance’s AZ', async () => {
    const w = await e2e.scenarios.build({ endpoints: { az: 'c' } });
    const id = w.instance.instanceId;
    const { report, code } = await diagnose(e2e, [id]);

    const s = statuses(report, id);
    expect(['warn', 'fail']).toContain(s['vpc-endpoints-az']);
    expect(check(report, id, 'vpc-endpoints-az').message).toContain('ap-northeast-1a');
    for (const other of ALL_CHECKS.filter((c) => c !== 'vpc-endpoints-az'))
      expect({ other, status: s[other] }).toEqual({ other, status: HEALTHY[other] });
    expect(report.status).toBe('warning');
    expect(code).toBe(1);
  });
});
