import * as EC2 from '@aws-sdk/client-ec2';
import * as Resolver from '@aws-sdk/client-route53resolver';
import { HEALTHY } from './helpers/expect';
import { parseReport } from './helpers/cli';
import { REGION } from './helpers/scenarios';
import { useE2E } from './helpers/suite';

// A VPC whose DHCP options hand the instances a company's DNS servers: the endpoints' private names
// resolve only if those servers forward to the Route 53 Resolver, which the tool cannot see.

const e2e = useE2E();

async function companyDns(vpcId: string): Promise<string> {
  const ec2 = new EC2.EC2Client({
    region: REGION,
    endpoint: e2e.moto.url,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  try {
    const set = await ec2.send(
      new EC2.CreateDhcpOptionsCommand({ DhcpConfigurations: [{ Key: 'domain-name-servers', Values: ['10.20.0.53', '10.20.1.53'] }] }),
    );
    const id = set.DhcpOptions!.DhcpOptionsId!;
    await ec2.send(new EC2.AssociateDhcpOptionsCommand({ DhcpOptionsId: id, VpcId: vpcId }));
    return id;
  } finally {
    ec2.destroy();
  }
}

/** An outbound Resolver endpoint and a FORWARD rule for `domain` to a company's DNS, associated with the VPC; returns the rule id. */
async function forwardRule(w: { vpcId: string; subnets: { private: string; otherPrivate: string }; instanceSg: string }, domain: string) {
  const r53 = new Resolver.Route53ResolverClient({
    region: REGION,
    endpoint: e2e.moto.url,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  try {
    const endpoint = await r53.send(
      new Resolver.CreateResolverEndpointCommand({
        CreatorRequestId: `e2e-out-${domain}`,
        Direction: 'OUTBOUND',
        SecurityGroupIds: [w.instanceSg],
        IpAddresses: [{ SubnetId: w.subnets.private }, { SubnetId: w.subnets.otherPrivate }],
      }),
    );
    const rule = await r53.send(
      new Resolver.CreateResolverRuleCommand({
        CreatorRequestId: `e2e-rule-${domain}`,
        RuleType: 'FORWARD',
        DomainName: domain,
        Name: 'to-onprem',
        TargetIps: [{ Ip: '10.30.0.2', Port: 53 }],
        ResolverEndpointId: endpoint.ResolverEndpoint!.Id!,
      }),
    );
    const id = rule.ResolverRule!.Id!;
    // Named: moto sorts the associations by name, and fails on two without one.
    await r53.send(
      new Resolver.AssociateResolverRuleCommand({ ResolverRuleId: id, VPCId: w.vpcId, Name: `e2e ${domain.replace(/\./g, ' ')}` }),
    );
    return id;
  } finally {
    r53.destroy();
  }
}

describe('vpc-dns-servers against moto', () => {
  it('a Route 53 Resolver FORWARD rule for amazonaws.com warns, naming the rule and its target, with a System rule per name to paste; a connected agent passes', async () => {
    const w = await e2e.scenarios.build({ endpoints: {} });
    const id = w.instance.instanceId;
    const other = await forwardRule(w, 'corp.example.com');
    e2e.stub.connections.set(id, 'notconnected');
    const unrelated = parseReport(await e2e.run([id, '-o', 'json'])).instances[0]!.checks.find((c) => c.id === 'vpc-dns-servers')!;
    expect(unrelated.status).toBe('pass');

    const rule = await forwardRule(w, 'amazonaws.com');
    expect(rule).not.toBe(other);
    const r = await e2e.run([id, '-o', 'json']);
    const check = parseReport(r).instances[0]!.checks.find((c) => c.id === 'vpc-dns-servers')!;
    expect(check).toMatchObject({ status: 'warn' });
    expect(check.message).toContain(`the Route 53 Resolver rule ${rule} (amazonaws.com, FORWARD to 10.30.0.2)`);
    expect(check.fix?.commands).toEqual(
      expect.arrayContaining([
        expect.stringContaining(
          `create-resolver-rule --creator-request-id ssm-doctor-${w.vpcId}-ssm --rule-type SYSTEM --domain-name ssm.${REGION}.amazonaws.com`,
        ),
        `aws route53resolver associate-resolver-rule --resolver-rule-id "$RULE_ID" --vpc-id ${w.vpcId} --region ${REGION}`,
      ]),
    );

    e2e.stub.connections.set(id, 'connected');
    const connected = parseReport(await e2e.run([id, '-o', 'json'])).instances[0]!.checks.find((c) => c.id === 'vpc-dns-servers')!;
    expect(connected).toMatchObject({
      status: 'pass',
      message: expect.stringContaining(`Route 53 Resolver rules ${rule}), and the agent of ${id} is connected`),
    });
  });

  it('the Amazon-provided DNS passes; company DNS servers warn with the servers, unless the agent is connected', async () => {
    const w = await e2e.scenarios.build({ endpoints: {} });
    const id = w.instance.instanceId;
    const before = parseReport(await e2e.run([id, '-o', 'json']));
    expect(before.instances[0]!.checks.find((c) => c.id === 'vpc-dns-servers')?.status).toBe(HEALTHY['vpc-dns-servers']);

    const set = await companyDns(w.vpcId);
    const connected = parseReport(await e2e.run([id, '-o', 'json']));
    expect(connected.instances[0]!.checks.find((c) => c.id === 'vpc-dns-servers')).toMatchObject({
      status: 'pass',
      message: expect.stringContaining(
        `DHCP options ${set} give its instances the DNS servers 10.20.0.53, 10.20.1.53, and the agent of ${id} is connected`,
      ),
    });

    e2e.stub.connections.set(id, 'notconnected');
    const r = await e2e.run([id, '-o', 'json']);
    const check = parseReport(r).instances[0]!.checks.find((c) => c.id === 'vpc-dns-servers')!;
    expect(check).toMatchObject({ status: 'warn', severity: 'warning' });
    expect(check.message).toContain('not the Amazon-provided DNS: ssm.ap-northeast-1.amazonaws.com');
    expect(check.fix?.steps[0]).toContain('forward');
  });
});
