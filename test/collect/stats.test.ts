import { sequenceStats, sumStats, type RunStats } from '../../src/collect/sdk/stats';

const stats = (calls: number, rounds: number, byOperation: Record<string, number>): RunStats => ({
  calls,
  rounds,
  byOperation,
  budgetCalls: calls - (byOperation['ssm:GetConnectionStatus'] ?? 0),
  budgetRounds: rounds,
  connectionStatusCalls: byOperation['ssm:GetConnectionStatus'] ?? 0,
});

describe('run stats over several reads', () => {
  const a = stats(24, 3, { 'ec2:DescribeInstances': 1, 'iam:SimulatePrincipalPolicy': 23 });
  const b = stats(30, 4, { 'ec2:DescribeInstances': 2, 'ssm:GetConnectionStatus': 1, 'ec2:DescribeVpcs': 27 });

  it('reads side by side: calls add up, rounds are the longest read', () => {
    expect(sumStats([a, b])).toEqual({
      calls: 54,
      rounds: 4,
      byOperation: { 'ec2:DescribeInstances': 3, 'iam:SimulatePrincipalPolicy': 23, 'ssm:GetConnectionStatus': 1, 'ec2:DescribeVpcs': 27 },
      budgetCalls: 53,
      budgetRounds: 4,
      connectionStatusCalls: 1,
    });
  });

  it("reads made after others had ended (a transit gateway owner's view): calls and rounds both add up", () => {
    const owner = stats(5, 2, { 'ec2:DescribeTransitGateways': 1, 'ec2:DescribeVpcs': 4 });
    expect(sequenceStats(sumStats([a, b]), owner)).toMatchObject({
      calls: 59,
      rounds: 6,
      budgetCalls: 58,
      budgetRounds: 6,
      byOperation: { 'ec2:DescribeTransitGateways': 1, 'ec2:DescribeVpcs': 31 },
    });
  });
});
