import * as EC2 from '@aws-sdk/client-ec2';

export interface MotoCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/**
 * A bare instance straight in moto: a VPC (10.x.0.0/16), one subnet, an Amazon Linux AMI; no
 * endpoints, no role. In the account of `credentials` (an assumed role's credentials act in the
 * role's account) and in `region`; the scenarios build only in REGION and one account.
 */
export async function bareInstance(
  motoUrl: string,
  region: string,
  credentials: MotoCredentials = { accessKeyId: 'testing', secretAccessKey: 'testing' },
  octet = 9,
): Promise<string> {
  const ec2 = new EC2.EC2Client({ region, endpoint: motoUrl, credentials });
  try {
    const vpcId = (await ec2.send(new EC2.CreateVpcCommand({ CidrBlock: `10.${octet}.0.0/16` }))).Vpc!.VpcId!;
    const subnetId = (await ec2.send(new EC2.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `10.${octet}.1.0/24` }))).Subnet!.SubnetId!;
    const images = await ec2.send(
      new EC2.DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['amzn-ami-hvm-*'] }] }),
    );
    const ImageId = images.Images!.find((i) => !i.Platform)!.ImageId!;
    const run = await ec2.send(
      new EC2.RunInstancesCommand({ ImageId, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, SubnetId: subnetId }),
    );
    return run.Instances![0]!.InstanceId!;
  } finally {
    ec2.destroy();
  }
}
