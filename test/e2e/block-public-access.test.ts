import { check, parseStats } from './helpers/cli';
import { commandsOf, diagnose } from './helpers/expect';
import { useE2E } from './helpers/suite';

// VPC Block Public Access in bidirectional mode drops a NAT gateway's traffic to the internet
// gateway unless its subnet (or the VPC) is excluded. moto does not model BPA: the stub answers
// ec2:DescribeVpcBlockPublicAccessOptions and …Exclusions and forwards every other EC2 call to moto.

const e2e = useE2E();

describe('block-public-access against moto (BPA from the stub)', () => {
  it('a NAT path: off passes; block-bidirectional without an exclusion fails (exit 2) with the exclusion to create; with it, passes', async () => {
    const w = await e2e.scenarios.build({ nat: true });
    const id = w.instance.instanceId;
    const natSubnet = w.subnets.public;

    const off = await diagnose(e2e, [id], ['--stats']);
    expect(check(off.report, id, 'block-public-access')).toMatchObject({ status: 'pass', message: expect.stringContaining('is off in') });
    expect(parseStats(off.stderr).byOperation).toMatchObject({
      'ec2:DescribeVpcBlockPublicAccessOptions': 1,
      'ec2:DescribeVpcBlockPublicAccessExclusions': 1,
    });
    const healthy = off.code;

    e2e.stub.bpa.mode = 'block-bidirectional';
    e2e.stub.bpa.exclusions.push({ resourceId: w.subnets.private, mode: 'allow-egress' });
    const blocked = await diagnose(e2e, [id]);
    const c = check(blocked.report, id, 'block-public-access');
    expect(c.status).toBe('fail');
    expect(c.message).toContain(`block-bidirectional in ap-northeast-1: it blocks ${id}'s traffic to ssm, ssmmessages through NAT gateway`);
    expect(c.message).toContain(`neither the NAT gateway's subnet ${natSubnet} nor ${w.vpcId} has an exclusion that allows egress`);
    expect(commandsOf(blocked.report, id, 'block-public-access')).toEqual([
      `aws ec2 create-vpc-block-public-access-exclusion --subnet-id ${natSubnet} --internet-gateway-exclusion-mode allow-egress --region ap-northeast-1`,
    ]);
    expect(c.fix?.steps[0]).toContain('VPC → Settings → Block public access → Exclusions → Create exclusions');
    expect(blocked.code).toBe(2);

    e2e.stub.bpa.exclusions.push({ resourceId: natSubnet, mode: 'allow-egress' });
    const excluded = await diagnose(e2e, [id]);
    expect(check(excluded.report, id, 'block-public-access')).toMatchObject({
      status: 'pass',
      message: expect.stringContaining(`(allow-egress) of ${natSubnet} let ${id}'s traffic out`),
    });
    expect(excluded.code).toBe(healthy);
  });

  it('the options denied on a NAT path: unknown, naming the call', async () => {
    e2e.stub.denied.add('ec2:DescribeVpcBlockPublicAccessOptions');
    const nat = await e2e.scenarios.build({ nat: true });
    const r = await diagnose(e2e, [nat.instance.instanceId]);
    expect(check(r.report, nat.instance.instanceId, 'block-public-access')).toMatchObject({
      status: 'unknown',
      message: expect.stringContaining('ec2:DescribeVpcBlockPublicAccessOptions'),
    });
  });
});
