import * as EC2 from '@aws-sdk/client-ec2';
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

describe('vpc-dns-servers against moto', () => {
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
