import { check, parseReport, parseStats, statuses } from './helpers/cli';
import { commandsOf, diagnose, HEALTHY } from './helpers/expect';
import { ACCOUNT } from './helpers/aws-stub';
import { HUB_CIDR, REGION, type ScenarioSpec } from './helpers/scenarios';
import { useE2E } from './helpers/suite';
import { at } from '../helpers/only';

// The deeper checks end to end: one scenario per gap, built in moto, judged through the built CLI.
// Every scenario asserts the whole verdict table, so a gap shows up only where it belongs.

const e2e = useE2E();

/** The healthy verdicts with the scenario's differences. */
const expected = (changes: Record<string, string>) => ({ ...HEALTHY, ...changes });

const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const instanceArn = (id: string) => `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/${id}`;
const DOCUMENT_ARN = `arn:aws:ssm:${REGION}:${ACCOUNT}:document/SSM-SessionManagerRunShell`;
const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

/** Parameters of the stub's SimulatePrincipalPolicy requests for one principal: actions and resources. */
function simulations(source: string): { actions: string[]; resources: string[] }[] {
  return e2e.stub.requests
    .filter((r) => r.name === 'iam:SimulatePrincipalPolicy' && r.params.PolicySourceArn === source)
    .map((r) => ({
      actions: Object.entries(r.params)
        .filter(([k]) => k.startsWith('ActionNames.member.'))
        .map(([, v]) => String(v)),
      resources: Object.entries(r.params)
        .filter(([k]) => k.startsWith('ResourceArns.member.'))
        .map(([, v]) => String(v)),
    }));
}

const NACL_RETURN_PORTS_DENIED: ScenarioSpec['nacl'] = {
  subnet: 'private',
  // Rule order matters: the deny at 100 is met before the allow-all at 200.
  inbound: [
    { rule: 100, action: 'deny', ports: [1024, 65535] },
    { rule: 200, action: 'allow', protocol: 'all' },
  ],
  outbound: [{ rule: 100, action: 'allow', protocol: 'all' }],
};

describe('healthy, with the new reads', () => {
  it('the guide’s finished setup: every new check passes, preferences skip, exit 0, still ≤ 3 rounds and ≤ 26 calls', async () => {
    const w = await e2e.scenarios.build({ endpoints: {} });
    const id = w.instance.instanceId;
    // As slow as AWS might be: moto alone answers faster than the CLI sends a round, so rounds count dependencies.
    e2e.stub.latencyMs = 50;
    const r = await diagnose(e2e, [id], ['--stats']);

    expect(statuses(r.report, id)).toEqual(HEALTHY);
    expect(r.code).toBe(0);

    const stats = parseStats(r.stderr);
    expect(stats.rounds).toBeLessThanOrEqual(3);
    expect(stats.calls).toBeLessThanOrEqual(26);
    expect(stats.byOperation).toEqual(e2e.stub.countsByOperation());
    // The new reads, each once, and none the healthy case does not need.
    expect(stats.byOperation).toMatchObject({
      'sts:GetCallerIdentity': 1,
      'ssm:GetConnectionStatus': 1,
      'ssm:GetDocument': 1,
      'ec2:DescribeNetworkAcls': 1,
      'iam:GetRole': 1,
      'iam:SimulatePrincipalPolicy': 2,
    });
    expect(Object.keys(stats.byOperation).filter((op) => /^route53:|GetConsoleOutput|GetManagedPrefixListEntries/.test(op))).toEqual([]);

    // IAM itself was asked about the role's agent actions and the caller's StartSession on this instance.
    const role = simulations(roleArn(w.role!.roleName));
    expect(role).toHaveLength(1);
    expect(role[0]?.actions).toEqual(
      expect.arrayContaining(['ssm:UpdateInstanceInformation', 'ssmmessages:CreateControlChannel', 'ssmmessages:OpenDataChannel']),
    );
    const caller = simulations(w.caller!.principalArn);
    expect(caller).toHaveLength(1);
    expect(caller[0]?.actions).toContain('ssm:StartSession');
    expect(caller[0]?.resources).toEqual(expect.arrayContaining([instanceArn(id), DOCUMENT_ARN]));

    expect(check(r.report, id, 'iam-core-policy').message).toMatch(/simulator/);
    expect(check(r.report, id, 'iam-core-policy').message).toContain('AmazonSSMManagedInstanceCore');
    expect(check(r.report, id, 'iam-trust-policy').message).toContain('ec2.amazonaws.com');
    expect(check(r.report, id, 'caller-start-session').message).toContain(w.caller!.arn);
    expect(check(r.report, id, 'agent-registered').message).toMatch(/connected/);
  });

  it('egress only TCP 443 to the endpoint security group, and a NACL allowing only 443 out and the replies in: both pass', async () => {
    const w = await e2e.scenarios.build({
      endpoints: { az: 'c' },
      instanceEgress: 'https-to-endpoints',
      nacl: {
        subnet: 'private',
        inbound: [{ rule: 100, action: 'allow', ports: [1024, 65535], cidr: '10.0.2.0/24' }],
        outbound: [{ rule: 100, action: 'allow', ports: [443, 443], cidr: '10.0.2.0/24' }],
      },
    });
    const id = w.instance.instanceId;
    const { report, code } = await diagnose(e2e, [id]);

    // Endpoints in the other AZ's subnet (so the NACL is crossed) cost only the AZ warning.
    expect(statuses(report, id)).toEqual(expected({ 'vpc-endpoints-az': 'warn' }));
    expect(check(report, id, 'instance-sg-egress').message).toContain(w.endpointSg!);
    expect(check(report, id, 'network-acl').message).toContain(w.naclId!);
    expect(code).toBe(1);
  });
});

describe('a gap per new check', () => {
  it('instance security group with no egress rule: instance-sg-egress fails with the 443 egress rule to add', async () => {
    const w = await e2e.scenarios.build({ endpoints: {}, instanceEgress: 'closed' });
    const id = w.instance.instanceId;
    const { report, code } = await diagnose(e2e, [id]);

    expect(statuses(report, id)).toEqual(expected({ 'instance-sg-egress': 'fail' }));
    const message = check(report, id, 'instance-sg-egress').message;
    expect(message).toContain(w.instanceSg);
    expect(message).toContain('443');
    for (const vpce of Object.values(w.endpoints)) expect(message).toContain(vpce);
    const commands = commandsOf(report, id, 'instance-sg-egress');
    expect(commands).toHaveLength(1);
    expect(commands[0]).toMatch(new RegExp(`^aws ec2 authorize-security-group-egress --group-id ${w.instanceSg} `));
    expect(commands[0]).toMatch(/FromPort=443,ToPort=443/);
    expect(commands[0]).toContain(w.endpointSg!);
    expect(code).toBe(2);
  });

  it('NACL on the instance subnet denying the return ports, endpoints in another subnet: network-acl fails naming the rule', async () => {
    const w = await e2e.scenarios.build({ endpoints: { az: 'c' }, nacl: NACL_RETURN_PORTS_DENIED });
    const id = w.instance.instanceId;
    const { report, code } = await diagnose(e2e, [id]);

    expect(statuses(report, id)).toEqual(expected({ 'network-acl': 'fail', 'vpc-endpoints-az': 'warn' }));
    const message = check(report, id, 'network-acl').message;
    expect(message).toContain(w.naclId!);
    expect(message).toContain(w.subnets.private);
    expect(message).toMatch(/rule 100 denies inbound/);
    // The replies come from the endpoints' subnet.
    expect(message).toContain('10.0.2.0/24');
    const commands = commandsOf(report, id, 'network-acl').join('\n');
    expect(commands).toMatch(new RegExp(`aws ec2 (create|replace)-network-acl-entry --network-acl-id ${w.naclId}`));
    expect(commands).toContain('--ingress');
    expect(commands).toMatch(/--rule-action allow/);
    // A rule number below the deny, or the allow would never be reached.
    const rule = Number(/--rule-number (\d+)/.exec(commands)?.[1]);
    expect(rule).toBeLessThan(100);
    expect(code).toBe(2);
  });

  it('role trusted by lambda.amazonaws.com: iam-trust-policy fails, the fix adds ec2.amazonaws.com to the trust policy', async () => {
    const w = await e2e.scenarios.build({ endpoints: {}, trustService: 'lambda.amazonaws.com', agent: false });
    const id = w.instance.instanceId;
    const { report, code } = await diagnose(e2e, [id]);

    expect(statuses(report, id)).toEqual(expected({ 'iam-trust-policy': 'fail', 'agent-registered': 'fail', 'agent-version': 'skip' }));
    const message = check(report, id, 'iam-trust-policy').message;
    expect(message).toContain(w.role!.roleName);
    expect(message).toContain('lambda.amazonaws.com');
    expect(message).toContain('ec2.amazonaws.com');
    const commands = commandsOf(report, id, 'iam-trust-policy');
    expect(commands).toHaveLength(1);
    expect(commands[0]).toMatch(new RegExp(`^aws iam update-assume-role-policy --role-name ${w.role!.roleName} --policy-document '`));
    const document = JSON.parse(/--policy-document '([^']+)'/.exec(at(commands, 0))![1]!) as {
      Statement: { Principal: { Service: string } }[];
    };
    expect(document.Statement.map((s) => s.Principal.Service)).toContain('ec2.amazonaws.com');
    // Not registered, and the report says which failure explains it.
    expect(check(report, id, 'agent-registered').message).toContain('iam-trust-policy');
    expect(code).toBe(2);
  });

  it('IMDS disabled: instance-metadata fails with the command that turns it back on', async () => {
    const w = await e2e.scenarios.build({ endpoints: {}, metadata: { httpEndpoint: 'disabled' }, agent: false });
    const id = w.instance.instanceId;
    const { report, code } = await diagnose(e2e, [id]);

    expect(statuses(report, id)).toEqual(expected({ 'instance-metadata': 'fail', 'agent-registered': 'fail', 'agent-version': 'skip' }));
    expect(check(report, id, 'instance-metadata').message).toContain(id);
    expect(check(report, id, 'instance-metadata').message).toMatch(/disabled/);
    const commands = commandsOf(report, id, 'instance-metadata');
    expect(commands).toHaveLength(1);
    expect(commands[0]).toMatch(new RegExp(`^aws ec2 modify-instance-metadata-options --instance-id ${id} .*--http-endpoint enabled`));
    expect(check(report, id, 'agent-registered').message).toContain('instance-metadata');
    expect(code).toBe(2);
  });

  it('endpoint policy denying ssmmessages:*: endpoint-policy fails naming that endpoint; Online but not connected', async () => {
    const deny = { Statement: [{ Effect: 'Deny', Principal: '*', Action: 'ssmmessages:*', Resource: '*' }] };
    const w = await e2e.scenarios.build({ endpoints: { policies: { ssmmessages: deny } } });
    const id = w.instance.instanceId;
    // What Systems Manager shows for it: the agent registers over ssm, its channel over ssmmessages is refused.
    e2e.stub.connections.set(id, 'notconnected');
    const { report, code } = await diagnose(e2e, [id]);

    expect(statuses(report, id)).toEqual(expected({ 'endpoint-policy': 'fail', 'agent-registered': 'fail' }));
    const message = check(report, id, 'endpoint-policy').message;
    expect(message).toContain(w.endpoints.ssmmessages!);
    expect(message).not.toContain(w.endpoints.ssm!);
    expect(message).toMatch(/ssmmessages:(Create|Open)(Control|Data)Channel/);
    expect(message).toContain(roleArn(w.role!.roleName));
    const commands = commandsOf(report, id, 'endpoint-policy');
    expect(commands.length).toBeGreaterThanOrEqual(1);
    expect(commands.join('\n')).toMatch(new RegExp(`aws ec2 modify-vpc-endpoint --vpc-endpoint-id ${w.endpoints.ssmmessages} `));
    expect(commands.join('\n')).not.toContain(w.endpoints.ssm!);
    expect(check(report, id, 'agent-registered').message).toMatch(/notconnected/);
    expect(code).toBe(2);
  });

  it('KMS encryption in the session preferences, no kms endpoint: session-preferences fails with the endpoint and kms:Decrypt fixes', async () => {
    const w = await e2e.scenarios.build({ endpoints: {}, preferences: { kmsKeyId: KEY_ARN } });
    const id = w.instance.instanceId;
    const { report, code } = await diagnose(e2e, [id]);

    // moto has no such key: session-kms-key fails too (its own e2e is kms.test.ts).
    expect(statuses(report, id)).toEqual(expected({ 'session-preferences': 'fail', 'session-kms-key': 'fail' }));
    const message = check(report, id, 'session-preferences').message;
    expect(message).toContain(KEY_ARN);
    expect(message).toContain(`com.amazonaws.${REGION}.kms`);
    expect(message).toContain(w.vpcId);
    expect(message).toContain('kms:Decrypt');

    const commands = commandsOf(report, id, 'session-preferences');
    const endpoint = commands.filter((c) => /^aws ec2 create-vpc-endpoint /.test(c));
    expect(endpoint).toHaveLength(1);
    expect(endpoint[0]).toContain(`--vpc-id ${w.vpcId}`);
    expect(endpoint[0]).toContain(`--service-name com.amazonaws.${REGION}.kms`);
    expect(endpoint[0]).toMatch(/--vpc-endpoint-type Interface/);
    expect(endpoint[0]).toContain(`--subnet-ids ${w.subnets.private}`);
    expect(endpoint[0]).toContain('--private-dns-enabled');
    const grant = commands.filter((c) => /^aws iam put-role-policy /.test(c));
    expect(grant).toHaveLength(1);
    expect(grant[0]).toContain(`--role-name ${w.role!.roleName}`);
    expect(grant[0]).toContain('kms:Decrypt');
    expect(grant[0]).toContain(KEY_ARN);

    // The role was asked about kms:Decrypt and the caller about kms:GenerateDataKey (the caller may: it passes).
    expect(simulations(roleArn(w.role!.roleName)).flatMap((s) => s.actions)).toContain('kms:Decrypt');
    expect(simulations(w.caller!.principalArn).flatMap((s) => s.actions)).toContain('kms:GenerateDataKey');
    expect(code).toBe(2);
  });

  it('caller without ssm:StartSession: caller-start-session warns naming the user; reported apart, it leaves the exit code 0 (1 with --caller)', async () => {
    const w = await e2e.scenarios.build({ endpoints: {}, caller: { startSession: false } });
    const id = w.instance.instanceId;
    const { report, code } = await diagnose(e2e, [id]);

    expect(statuses(report, id)).toEqual(expected({ 'caller-start-session': 'warn' }));
    expect(report.status).toBe('ok');
    expect((await diagnose(e2e, [id], ['--caller'])).code).toBe(1);
    const message = check(report, id, 'caller-start-session').message;
    expect(message).toContain(w.caller!.arn);
    expect(message).toContain('ssm:StartSession');
    expect(message).toContain(id);
    const commands = commandsOf(report, id, 'caller-start-session');
    expect(commands).toHaveLength(1);
    expect(commands[0]).toMatch(/^aws iam put-user-policy --user-name ssm-doctor-e2e-operator /);
    expect(commands[0]).toContain(instanceArn(id));
    expect(commands[0]).toContain('ssm:StartSession');
    expect(code).toBe(0);
  });

  it('caller is an assumed role on a path, without ssm:StartSession: IAM is asked about the real role ARN, and it warns', async () => {
    const w = await e2e.scenarios.build({ endpoints: {}, caller: { as: 'role', startSession: false } });
    const id = w.instance.instanceId;
    const { report, code } = await diagnose(e2e, [id]);

    expect(statuses(report, id)).toEqual(expected({ 'caller-start-session': 'warn' }));
    expect(check(report, id, 'caller-start-session').message).toContain(w.caller!.arn);
    // The role's path (/operators/) is not in the assumed-role ARN: only the real ARN gets an answer.
    const answered = simulations(w.caller!.principalArn);
    expect(answered.length).toBeGreaterThanOrEqual(1);
    expect(answered[0]?.actions).toContain('ssm:StartSession');
    expect(commandsOf(report, id, 'caller-start-session').join('\n')).toMatch(
      /aws iam put-role-policy --role-name ssm-doctor-e2e-operator /,
    );
    expect(code).toBe(0);
  });

  it('session-manager-plugin not on PATH: caller-start-session warns, reported apart (exit 0)', async () => {
    const w = await e2e.scenarios.build({ endpoints: {} });
    const id = w.instance.instanceId;
    const { report, code } = await diagnose(e2e, [id], [], { env: { PATH: e2e.dir } });

    expect(statuses(report, id)).toEqual(expected({ 'caller-start-session': 'warn' }));
    expect(check(report, id, 'caller-start-session').message).toMatch(/session-manager-plugin/);
    expect(code).toBe(0);
  });

  it('Online but the session channel not connected: agent-registered fails pointing at ssmmessages', async () => {
    const w = await e2e.scenarios.build({ endpoints: {} });
    const id = w.instance.instanceId;
    e2e.stub.connections.set(id, 'notconnected');
    const { report, code } = await diagnose(e2e, [id]);

    expect(statuses(report, id)).toEqual(expected({ 'agent-registered': 'fail' }));
    const message = check(report, id, 'agent-registered').message;
    expect(message).toContain(id);
    expect(message).toMatch(/Online/);
    expect(message).toMatch(/notconnected/);
    expect(message).toMatch(/ssmmessages/);
    expect(e2e.stub.requests.filter((r) => r.name === 'ssm:GetConnectionStatus').map((r) => r.params.Target)).toEqual([id]);
    expect(code).toBe(2);
  });
});

describe('deeper verdicts of the existing checks', () => {
  it('an SCP denying the ssmmessages actions: iam-core-policy fails, decided by IAM’s simulator, though the policy is attached', async () => {
    const w = await e2e.scenarios.build({ endpoints: {} });
    const id = w.instance.instanceId;
    e2e.stub.simulationOverrides.set(roleArn(w.role!.roleName), (action) =>
      action.startsWith('ssmmessages:')
        ? { decision: 'implicitDeny', matched: [], allowedByOrganizations: false }
        : { allowedByOrganizations: true },
    );
    const { report, code } = await diagnose(e2e, [id]);

    expect(statuses(report, id)).toEqual(expected({ 'iam-core-policy': 'fail' }));
    const message = check(report, id, 'iam-core-policy').message;
    expect(message).toMatch(/service control policy|Organizations/);
    expect(message).toMatch(/ssmmessages:CreateControlChannel/);
    expect(message).toMatch(/simulator/);
    expect(code).toBe(2);
  });

  it('the tool may not simulate: iam-core-policy decides from the role’s documents and says so; the caller check is unknown', async () => {
    const w = await e2e.scenarios.build({ endpoints: {}, role: 'inline' });
    const id = w.instance.instanceId;
    e2e.stub.denied.add('iam:SimulatePrincipalPolicy');
    const { report, code } = await diagnose(e2e, [id]);

    expect(statuses(report, id)).toEqual(expected({ 'caller-start-session': 'unknown' }));
    const core = check(report, id, 'iam-core-policy').message;
    expect(core).toContain('SessionManagerCore');
    expect(core).toMatch(/documents/);
    expect(core).toContain('iam:SimulatePrincipalPolicy');
    expect(check(report, id, 'caller-start-session').message).toMatch(/iam:SimulatePrincipalPolicy.*AccessDenied/);
    // The fallback read the role's own policies.
    expect(e2e.stub.counts.get('iam:ListRolePolicies')).toBe(1);
    expect(e2e.stub.counts.get('iam:GetRolePolicy')).toBe(1);
    // The only unknown is the caller's, which decides nothing without --caller.
    expect(code).toBe(0);
  });

  it('not registered: the console output is read and its agent lines quoted as evidence', async () => {
    const w = await e2e.scenarios.build({ endpoints: { https: false }, agent: false });
    const id = w.instance.instanceId;
    e2e.stub.consoleOutput.set(
      id,
      [
        '[   12.3] cloud-init[1234]: Cloud-init v. 22.2.2 finished',
        '[   15.1] amazon-ssm-agent[2345]: Starting Amazon SSM Agent',
        '[   75.4] amazon-ssm-agent[2345]: ERROR [HealthCheck] error when calling AWS APIs: dial tcp 10.0.1.5:443: i/o timeout',
        '',
      ].join('\n'),
    );
    const { report, code } = await diagnose(e2e, [id]);

    expect(statuses(report, id)).toEqual(expected({ 'endpoint-sg-https': 'fail', 'agent-registered': 'fail', 'agent-version': 'skip' }));
    const message = check(report, id, 'agent-registered').message;
    expect(message).toContain('Starting Amazon SSM Agent');
    expect(message).toContain('i/o timeout');
    expect(message).not.toContain('cloud-init');
    expect(message).toContain('endpoint-sg-https');
    expect(e2e.stub.requests.filter((r) => r.name === 'ec2:GetConsoleOutput').map((r) => r.params.InstanceId)).toEqual([id]);
    expect(code).toBe(2);
  });

  it('centralised endpoints: a private hosted zone and a route to the hub are a path, not a missing endpoint', async () => {
    const w = await e2e.scenarios.build({ sharedEndpointZones: true, transitGateway: true });
    const id = w.instance.instanceId;
    const { report, code } = await diagnose(e2e, [id], ['--stats']);

    const noLocalEndpoint = ['vpc-endpoints-az', 'endpoint-private-dns', 'vpc-dns-servers', 'endpoint-sg-https', 'endpoint-policy'];
    expect(statuses(report, id)).toEqual(
      expected({
        'vpc-endpoints': 'skip',
        ...Object.fromEntries(noLocalEndpoint.map((c) => [c, 'skip'])),
        // No VPC attached to the transit gateway holds the endpoints; the connected agent proves a way exists.
        'transit-gateway-path': 'pass',
      }),
    );
    expect(check(report, id, 'transit-gateway-path').message).toContain(`none of the VPCs attached to ${w.tgwId!}`);
    const route = check(report, id, 'network-route').message;
    expect(route).toMatch(/centrali[sz]ed/);
    expect(route).toContain(`ssm.${REGION}.amazonaws.com.`);
    expect(route).toContain(w.tgwId!);
    expect(route).toContain(HUB_CIDR);
    expect(check(report, id, 'vpc-endpoints').message).toMatch(/centrali[sz]ed/);
    expect(e2e.stub.requests.filter((r) => r.name === 'route53:ListHostedZonesByVPC').map((r) => r.params)).toEqual([
      expect.objectContaining({ vpcid: w.vpcId, vpcregion: REGION }),
    ]);
    expect(code).toBe(0);
  });

  it('centralised endpoints, no route to the hub: no pass while unregistered; Online and connected, something unseen leads there', async () => {
    const w = await e2e.scenarios.build({ sharedEndpointZones: true, agent: false });
    const id = w.instance.instanceId;
    const unregistered = await diagnose(e2e, [id]);
    const s = statuses(unregistered.report, id);
    expect(['warn', 'fail']).toContain(s['network-route']);
    expect(s['vpc-endpoints']).toBe('skip');
    expect(s['agent-registered']).toBe('fail');
    expect(check(unregistered.report, id, 'network-route').message).toContain(w.routeTables.private!);
    expect(check(unregistered.report, id, 'network-route').message).toMatch(/transit gateway/);
    expect(unregistered.code).toBe(2);

    e2e.stub.register({
      instanceId: id,
      pingStatus: 'Online',
      agentVersion: '3.3.1957.0',
      platformType: 'Linux',
      platformName: 'Amazon Linux',
      platformVersion: '2023',
    });
    const online = await diagnose(e2e, [id]);
    expect(statuses(online.report, id)['network-route']).toBe('pass');
    expect(check(online.report, id, 'network-route').message).toMatch(/connected/);
    expect(check(online.report, id, 'network-route').message).toMatch(/cannot see/);
    expect(online.code).toBe(0);
  });
});

describe('several gaps at once, two instances, two languages', () => {
  it('each new gap reported by its own check, in English and Japanese alike: same statuses and commands, Japanese words', async () => {
    const w = await e2e.scenarios.build({
      endpoints: {},
      instanceEgress: 'closed',
      trustService: 'lambda.amazonaws.com',
      preferences: { kmsKeyId: KEY_ARN },
      caller: { startSession: false },
      agent: false,
    });
    const id = w.instance.instanceId;
    const en = await diagnose(e2e, [id], ['--lang', 'en']);
    const ja = parseReport(await e2e.run([id, '--output', 'json', '--lang', 'ja']));

    const gaps = {
      'iam-trust-policy': 'fail',
      'instance-sg-egress': 'fail',
      'session-preferences': 'fail',
      'session-kms-key': 'fail',
      'agent-registered': 'fail',
      'agent-version': 'skip',
      'caller-start-session': 'warn',
    };
    expect(statuses(en.report, id)).toEqual(expected(gaps));
    expect(statuses(ja, id)).toEqual(statuses(en.report, id));
    expect(en.code).toBe(2);
    for (const c of Object.keys(gaps).filter((c) => gaps[c as keyof typeof gaps] !== 'skip')) {
      const jaCheck = check(ja, id, c);
      expect({ c, commands: jaCheck.fix?.commands }).toEqual({ c, commands: check(en.report, id, c).fix?.commands });
      expect({ c, japanese: /[\u3040-\u30ff\u4e00-\u9fff]/.test(jaCheck.message) }).toEqual({ c, japanese: true });
      expect(jaCheck.message).not.toBe(check(en.report, id, c).message);
      for (const step of jaCheck.fix?.steps ?? []) {
        expect({ c, step, japanese: /[\u3040-\u30ff\u4e00-\u9fff]/.test(step) }).toMatchObject({ japanese: true });
      }
    }
    // The plan carries each command once, however many checks ask for it.
    const plan = at(en.report.instances, 0).plan!.commands;
    expect(new Set(plan).size).toBe(plan.length);
    for (const c of ['iam-trust-policy', 'instance-sg-egress', 'session-preferences', 'caller-start-session']) {
      for (const command of commandsOf(en.report, id, c)) expect(plan).toContain(command);
    }
  });

  it('two instances, one Online and one never registered: connection status for each, console output only for the unregistered one', async () => {
    const w = await e2e.scenarios.build({ endpoints: {} });
    const silent = await e2e.scenarios.launch(w, { agent: false });
    const ids = [w.instance.instanceId, silent.instanceId];
    const r = await diagnose(e2e, ids, ['--stats']);

    expect(statuses(r.report, ids[0]!)).toEqual(HEALTHY);
    expect(statuses(r.report, ids[1]!)).toEqual(expected({ 'agent-registered': 'fail', 'agent-version': 'skip' }));
    expect(r.code).toBe(2);
    const targets = e2e.stub.requests.filter((q) => q.name === 'ssm:GetConnectionStatus').map((q) => q.params.Target);
    expect([...targets].sort()).toEqual([...ids].sort());
    expect(e2e.stub.requests.filter((q) => q.name === 'ec2:GetConsoleOutput').map((q) => q.params.InstanceId)).toEqual([silent.instanceId]);
    // Shared facts are read once for both: one VPC, one role, one caller.
    const stats = parseStats(r.stderr);
    expect(stats.byOperation).toMatchObject({
      'ec2:DescribeNetworkAcls': 1,
      'iam:GetRole': 1,
      'sts:GetCallerIdentity': 1,
      'ssm:GetDocument': 1,
    });
  });
});
