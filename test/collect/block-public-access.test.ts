import 'aws-sdk-client-mock-jest';
import { DescribeVpcBlockPublicAccessExclusionsCommand, DescribeVpcBlockPublicAccessOptionsCommand } from '@aws-sdk/client-ec2';
import { blockPublicAccess } from '../../src/collect/ec2/block-public-access';
import { gather } from '../../src/collect/gather';
import { blockPublicAccessSchema, known } from '../../src/facts/schema';
import { IDS } from '../helpers/facts';
import { answerHealthy, awsError, mockedAws, rawInstance, type MockedAws } from './helpers/aws';

const ARN = (resource: string) => `arn:aws:ec2:${IDS.region}:${IDS.account}:${resource}`;
const EX = 'vpcbpa-exclude-0123456789abcdef0';

describe('VPC Block Public Access (ec2:DescribeVpcBlockPublicAccessOptions and …Exclusions)', () => {
  let m: MockedAws;
  beforeEach(async () => {
    m = await mockedAws();
  });
  afterEach(() => m.clients.destroy());

  it('maps the mode and every exclusion page to ids, the two reads side by side', async () => {
    m.ec2.on(DescribeVpcBlockPublicAccessOptionsCommand).resolves({
      VpcBlockPublicAccessOptions: {
        AwsAccountId: IDS.account,
        AwsRegion: IDS.region,
        InternetGatewayBlockMode: 'block-bidirectional',
        State: 'update-complete',
        ExclusionsAllowed: 'allowed',
        ManagedBy: 'account',
      },
    });
    m.ec2
      .on(DescribeVpcBlockPublicAccessExclusionsCommand, { NextToken: undefined })
      .resolves({
        VpcBlockPublicAccessExclusions: [
          {
            ExclusionId: EX,
            ResourceArn: ARN(`subnet/${IDS.publicSubnet}`),
            InternetGatewayExclusionMode: 'allow-egress',
            State: 'create-complete',
          },
        ],
        NextToken: 'page-2',
      })
      .on(DescribeVpcBlockPublicAccessExclusionsCommand, { NextToken: 'page-2' })
      .resolves({
        VpcBlockPublicAccessExclusions: [
          {
            ExclusionId: 'vpcbpa-exclude-0fedcba9876543210',
            ResourceArn: ARN(`vpc/${IDS.vpc}`),
            InternetGatewayExclusionMode: 'allow-bidirectional',
            State: 'create-in-progress',
          },
        ],
      });
    const bpa = await blockPublicAccess(m.clients);
    expect(bpa).toEqual({
      options: known({ mode: 'block-bidirectional', state: 'update-complete', exclusionsAllowed: 'allowed', managedBy: 'account' }),
      exclusions: known([
        { exclusionId: EX, resourceId: IDS.publicSubnet, mode: 'allow-egress', state: 'create-complete' },
        { exclusionId: 'vpcbpa-exclude-0fedcba9876543210', resourceId: IDS.vpc, mode: 'allow-bidirectional', state: 'create-in-progress' },
      ]),
    });
    expect(blockPublicAccessSchema.parse(bpa)).toEqual(bpa);
    expect(m.ec2).toHaveReceivedCommandWith(DescribeVpcBlockPublicAccessExclusionsCommand, { MaxResults: 1000 });
    expect(m.clients.recorder.stats()).toMatchObject({ calls: 3, rounds: 2 });
  });

  it('denied reads are Unknown, each naming its own call', async () => {
    m.ec2.on(DescribeVpcBlockPublicAccessOptionsCommand).rejects(awsError('ec2', 'UnauthorizedOperation'));
    m.ec2.on(DescribeVpcBlockPublicAccessExclusionsCommand).rejects(awsError('ec2', 'UnauthorizedOperation'));
    const bpa = await blockPublicAccess(m.clients);
    expect(bpa.options).toMatchObject({ known: false, call: 'ec2:DescribeVpcBlockPublicAccessOptions', code: 'UnauthorizedOperation' });
    expect(bpa.exclusions).toMatchObject({
      known: false,
      call: 'ec2:DescribeVpcBlockPublicAccessExclusions',
      code: 'UnauthorizedOperation',
    });
  });

  it.each(['InvalidAction', 'UnsupportedOperation'])(
    'a region or partition without the API (%s) is read as off, saying why',
    async (code) => {
      m.ec2.on(DescribeVpcBlockPublicAccessOptionsCommand).rejects(awsError('ec2', code, 'The action is not valid for this web service.'));
      m.ec2
        .on(DescribeVpcBlockPublicAccessExclusionsCommand)
        .rejects(awsError('ec2', code, 'The action is not valid for this web service.'));
      expect(await blockPublicAccess(m.clients)).toEqual({ options: known({ mode: 'off', unavailable: code }), exclusions: known([]) });
    },
  );

  it('an answer without a mode is not read as off', async () => {
    m.ec2.on(DescribeVpcBlockPublicAccessOptionsCommand).resolves({ VpcBlockPublicAccessOptions: {} });
    const bpa = await blockPublicAccess(m.clients);
    expect(bpa.options).toMatchObject({ known: false, code: 'IncompleteResponse' });
  });

  it('skips exclusions whose ARN names neither a VPC nor a subnet, or whose id is not one', async () => {
    m.ec2.on(DescribeVpcBlockPublicAccessOptionsCommand).resolves({ VpcBlockPublicAccessOptions: { InternetGatewayBlockMode: 'off' } });
    m.ec2.on(DescribeVpcBlockPublicAccessExclusionsCommand).resolves({
      VpcBlockPublicAccessExclusions: [
        {
          ExclusionId: EX,
          ResourceArn: ARN('instance/i-0123456789abcdef0'),
          InternetGatewayExclusionMode: 'allow-egress',
          State: 'create-complete',
        },
        {
          ExclusionId: "x'; rm -rf /",
          ResourceArn: ARN(`subnet/${IDS.subnet}`),
          InternetGatewayExclusionMode: 'allow-egress',
          State: 'create-complete',
        },
      ],
    });
    expect((await blockPublicAccess(m.clients)).exclusions).toEqual(known([]));
  });

  it('gather reads it in the VPC round only when an instance has a VPC', async () => {
    answerHealthy(m);
    const facts = await gather(m.clients, [IDS.instance]);
    expect(facts.blockPublicAccess?.options).toEqual(
      known({ mode: 'off', state: 'default-state', exclusionsAllowed: 'allowed', managedBy: 'account' }),
    );
    m.ec2.resetHistory();
    answerHealthy(m, [rawInstance(IDS.instance, { VpcId: undefined, SubnetId: undefined, NetworkInterfaces: [] })]);
    const none = await gather(m.clients, [IDS.instance]);
    expect(none.blockPublicAccess).toBeUndefined();
    expect(m.ec2).not.toHaveReceivedCommand(DescribeVpcBlockPublicAccessOptionsCommand);
  });
});
