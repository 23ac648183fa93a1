import * as EC2 from '@aws-sdk/client-ec2';
import { parseReport } from './helpers/cli';
import { REGION } from './helpers/scenarios';
import { useE2E } from './helpers/suite';

// The fleet of issue 11, end to end: 30 instances over two regions, ten of them in one VPC with no
// Systems Manager endpoints, read by the built CLI from moto and the SSM stub.

const e2e = useE2E();
const OTHER_REGION = 'us-east-1';

function ec2In(region: string): EC2.EC2Client {
  return new EC2.EC2Client({ region, endpoint: e2e.moto.url, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
}

async function amazonLinux(ec2: EC2.EC2Client): Promise<string> {
  const images = await ec2.send(
    new EC2.DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['amzn-ami-hvm-*'] }] }),
  );
  return images.Images!.find((i) => !i.Platform)!.ImageId!;
}

/** `count` instances with the given role in a fresh VPC of `region`: private with no way out, or public behind an internet gateway. */
async function launchIn(region: string, count: number, profileArn: string, kind: 'private' | 'public', name: string): Promise<string[]> {
  const ec2 = ec2In(region);
  try {
    const VpcId = (await ec2.send(new EC2.CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }))).Vpc!.VpcId!;
    await ec2.send(new EC2.ModifyVpcAttributeCommand({ VpcId, EnableDnsHostnames: { Value: true } }));
    const SubnetId = (await ec2.send(new EC2.CreateSubnetCommand({ VpcId, CidrBlock: '10.20.1.0/24' }))).Subnet!.SubnetId!;
    if (kind === 'public') {
      const igw = (await ec2.send(new EC2.CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
      await ec2.send(new EC2.AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId }));
      const rt = (await ec2.send(new EC2.CreateRouteTableCommand({ VpcId }))).RouteTable!.RouteTableId!;
      await ec2.send(new EC2.CreateRouteCommand({ RouteTableId: rt, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw }));
      await ec2.send(new EC2.AssociateRouteTableCommand({ RouteTableId: rt, SubnetId }));
      await ec2.send(new EC2.ModifySubnetAttributeCommand({ SubnetId, MapPublicIpOnLaunch: { Value: true } }));
    }
    const ImageId = await amazonLinux(ec2);
    const ids: string[] = [];
    // One at a time: moto gives the instance profile only to the first instance of a RunInstances call.
    for (let i = 0; i < count; i++) {
      const run = await ec2.send(
        new EC2.RunInstancesCommand({
          ImageId,
          InstanceType: 't3.micro',
          MinCount: 1,
          MaxCount: 1,
          SubnetId,
          IamInstanceProfile: { Arn: profileArn },
          TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: `${name}-${i}` }] }],
        }),
      );
      ids.push(run.Instances![0]!.InstanceId!);
    }
    return ids;
  } finally {
    ec2.destroy();
  }
}

describe('a 30-instance, two-region fleet with one broken VPC', () => {
  it('reads as a summary, one group with one fix, and the rest worst first', async () => {
    const w = await e2e.scenarios.build({ endpoints: {} });
    const healthy = [w.instance.instanceId];
    for (let i = 0; i < 4; i++) healthy.push((await e2e.scenarios.launch(w)).instanceId);
    const broken = await launchIn(REGION, 10, w.role!.profileArn, 'private', 'batch');
    const far = await launchIn(OTHER_REGION, 15, w.role!.profileArn, 'public', 'web');
    for (const instanceId of far)
      e2e.stub.register({
        instanceId,
        pingStatus: 'Online',
        agentVersion: '3.3.1957.0',
        platformType: 'Linux',
        platformName: 'Amazon Linux',
        platformVersion: '2023',
        iamRole: w.role!.roleName,
      });

    const args = ['--all', '--regions', `${REGION},${OTHER_REGION}`];
    const json = parseReport(await e2e.run([...args, '-o', 'json']));
    expect(json.instances).toHaveLength(30);
    const critical = json.instances.filter((i) => i.status === 'critical').map((i) => i.instanceId);
    expect(critical.sort()).toEqual([...broken].sort());
    expect(json.groups).toHaveLength(1);
    expect(json.groups![0]).toMatchObject({ status: 'critical', region: REGION });
    expect([...json.groups![0]!.instances].sort()).toEqual([...broken].sort());
    expect(json.groups![0]!.fix!.keyStep).toMatch(/^VPC → Endpoints → Create endpoint/);

    const table = await e2e.run(args);
    expect(table.code).toBe(2);
    const lines = table.stdout.split('\n');
    expect(lines[0]).toMatch(/^30 instances: 10 CRITICAL, 20 OK; most common cause: /);
    expect(lines[2]).toMatch(new RegExp(`^CRITICAL 10 instances in vpc-\\w+ \\(${REGION}\\): network-route`));
    expect(table.stdout.match(/→ VPC → Endpoints → Create endpoint/g)).toHaveLength(1);
    expect(table.stdout).toMatch(/The other 20 instances, worst first:/);
    expect(table.stdout).toMatch(/│ web-14\s+│ us-east-1/);
    expect(table.stdout).toMatch(/\(batch-9\)/);
    expect(lines.length).toBeLessThan(50);

    const line = await e2e.run([...args, '-o', 'line']);
    expect(line.code).toBe(2);
    expect(line.stdout).toMatch(
      /^SSM-DOCTOR CRITICAL - 10 of 30 instances cannot open a session .* \| ok=20;;;0;30 warning=0;;;0;30 critical=10;;;0;30 unknown=0;;;0;30\n$/,
    );
  });
});
