import { DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import { describeVpcs } from '../../src/collect/ec2/network';
import { IDS } from '../helpers/facts';
import { mockedAws, type MockedAws } from './helpers/aws';

// DescribeVpcs, read already for the DHCP options, also says who owns the VPC (a shared VPC's
// participant is not its owner) and its CIDR blocks (what fixes on a hub admit the spoke by).

let m: MockedAws;
beforeEach(async () => {
  m = await mockedAws();
});
afterEach(() => m.clients.destroy());

it('keeps the owner and the associated CIDR blocks only, with no call more', async () => {
  m.ec2.on(DescribeVpcsCommand).resolves({
    Vpcs: [
      {
        VpcId: IDS.vpc,
        OwnerId: '210987654321',
        CidrBlock: '10.0.0.0/16',
        CidrBlockAssociationSet: [
          { CidrBlock: '10.0.0.0/16', CidrBlockState: { State: 'associated' } },
          { CidrBlock: '10.9.0.0/16', CidrBlockState: { State: 'disassociated' } },
          { CidrBlock: '100.64.0.0/16', CidrBlockState: { State: 'associated' } },
        ],
      },
    ],
  });
  const { vpcs } = await describeVpcs(m.clients, [IDS.vpc], []);
  expect(vpcs[IDS.vpc]).toMatchObject({ ownerId: '210987654321', cidrs: ['10.0.0.0/16', '100.64.0.0/16'] });
  expect(m.ec2.commandCalls(DescribeVpcsCommand)).toHaveLength(1);
});

it('a VPC the answer leaves out has neither, rather than a guess', async () => {
  m.ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [] });
  const { vpcs } = await describeVpcs(m.clients, [IDS.vpc], []);
  expect(vpcs[IDS.vpc]!.ownerId).toBeUndefined();
  expect(vpcs[IDS.vpc]!.cidrs).toBeUndefined();
});
