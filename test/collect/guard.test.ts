import 'aws-sdk-client-mock-jest';
import { DescribeInstancesCommand, EC2Client, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { DeleteRoleCommand } from '@aws-sdk/client-iam';
import { SendCommandCommand, StartSessionCommand } from '@aws-sdk/client-ssm';
import { GUARD_OPTIONS, Recorder, RefusedOperation, guardMiddleware, longestChain } from '../../src/collect/sdk/guard';
import { mockedAws } from './helpers/aws';
import { only } from '../helpers/only';

describe('guard middleware', () => {
  it('refuses a command that is not on the allowlist before it reaches the (mocked) service', async () => {
    const m = await mockedAws();
    await expect(m.clients.ec2.send(new TerminateInstancesCommand({ InstanceIds: ['i-0123456789abcdef0'] }))).rejects.toThrow(
      new RefusedOperation('ec2:TerminateInstances'),
    );
    await expect(m.clients.iam.send(new DeleteRoleCommand({ RoleName: 'SSMInstanceRole' }))).rejects.toThrow(/iam:DeleteRole/);
    await expect(m.clients.ssm.send(new StartSessionCommand({ Target: 'i-0123456789abcdef0' }))).rejects.toThrow(/ssm:StartSession/);
    await expect(m.clients.ssm.send(new SendCommandCommand({ DocumentName: 'AWS-RunShellScript' }))).rejects.toThrow(/ssm:SendCommand/);
    expect(m.ec2).not.toHaveReceivedCommand(TerminateInstancesCommand);
    expect(m.ec2.calls()).toHaveLength(0);
    expect(m.iam.calls()).toHaveLength(0);
    expect(m.ssm.calls()).toHaveLength(0);
    expect(m.clients.recorder.stats()).toEqual({ calls: 0, rounds: 0, byOperation: {} });

    await m.clients.ec2.send(new DescribeInstancesCommand({}));
    expect(m.ec2).toHaveReceivedCommandTimes(DescribeInstancesCommand, 1);
    m.clients.destroy();
  });

  it('in a real client stack: a refused command is never signed or sent; an allowed one is, and is recorded', async () => {
    const handle = jest.fn(async () => {
      throw Object.assign(new Error('must not be sent'), { name: 'StubHandlerError' });
    });
    const credentials = jest.fn(async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' }));
    const client = new EC2Client({ region: 'ap-northeast-1', maxAttempts: 1, credentials, requestHandler: { handle } });
    const recorder = new Recorder();
    client.middlewareStack.add(guardMiddleware(recorder), GUARD_OPTIONS);

    await expect(client.send(new TerminateInstancesCommand({ InstanceIds: ['i-0123456789abcdef0'] }))).rejects.toBeInstanceOf(
      RefusedOperation,
    );
    expect(handle).not.toHaveBeenCalled();
    expect(credentials).not.toHaveBeenCalled();
    expect(recorder.records).toEqual([]);

    await expect(client.send(new DescribeInstancesCommand({}))).rejects.toThrow('must not be sent');
    expect(handle).toHaveBeenCalledTimes(1);
    expect(recorder.records).toEqual([
      { operation: 'ec2:DescribeInstances', start: expect.any(Number), end: expect.any(Number), outcome: 'StubHandlerError' },
    ]);
    const record = only(recorder.records);
    expect(record.end).toBeGreaterThanOrEqual(record.start);
  });
});

describe('longestChain (rounds)', () => {
  const call = (start: number, end: number) => ({ start, end });
  it.each([
    ['no calls', [], 0],
    ['one call', [call(0, 5)], 1],
    ['three side by side', [call(0, 5), call(0, 7), call(1, 3)], 1],
    ['a chain of three', [call(0, 5), call(5, 9), call(9, 12)], 3],
    ['round 1, two in round 2, one depending on the short one', [call(0, 5), call(6, 20), call(6, 8), call(9, 10)], 3],
    ['overlap does not chain', [call(0, 5), call(4, 9)], 1],
    ['a pipelined chain beside a long call', [call(0, 100), call(0, 1), call(2, 3), call(4, 5), call(6, 7)], 4],
  ])('%s', (_name, calls, rounds) => {
    expect(longestChain(calls)).toBe(rounds);
  });

  it('counts calls per operation', () => {
    const r = new Recorder();
    r.add({ operation: 'ec2:DescribeVpcAttribute', start: 0, end: 1, outcome: 'ok' });
    r.add({ operation: 'ec2:DescribeVpcAttribute', start: 0, end: 1, outcome: 'AccessDenied' });
    r.add({ operation: 'iam:GetInstanceProfile', start: 1, end: 2, outcome: 'ok' });
    expect(r.stats()).toEqual({ calls: 3, rounds: 2, byOperation: { 'ec2:DescribeVpcAttribute': 2, 'iam:GetInstanceProfile': 1 } });
  });
});
