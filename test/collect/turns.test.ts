import { IAMClient, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { answerLate, isLate, turnToParse, turnToWrite } from '../../src/collect/sdk/turns';

/** Runs the steps as the SDK would reach them, and returns the order in which they were let through. */
async function order(steps: [string, () => Promise<void>][]): Promise<string[]> {
  const seen: string[] = [];
  await Promise.all(steps.map(([name, wait]) => wait().then(() => seen.push(name))));
  return seen;
}

describe('turns: what the CPU does next when requests and answers wait together', () => {
  it('requests first, then the answers others wait on, then the late ones, whatever order they came in', async () => {
    expect(
      await order([
        ['late answer', () => turnToParse(true)],
        ['answer', () => turnToParse(false)],
        ['request', () => turnToWrite()],
        ['second answer', () => turnToParse(false)],
        ['second request', () => turnToWrite()],
      ]),
    ).toEqual(['request', 'second request', 'answer', 'second answer', 'late answer']);
  });

  it('one answer per turn: a request made from an answer leaves before the next answer is parsed', async () => {
    const seen: string[] = [];
    const first = turnToParse(false).then(async () => {
      seen.push('first answer');
      await turnToWrite();
      seen.push('request made from it');
    });
    const second = turnToParse(false).then(() => seen.push('second answer'));
    const late = turnToParse(true).then(() => seen.push('late answer'));
    await Promise.all([first, second, late]);
    expect(seen).toEqual(['first answer', 'request made from it', 'second answer', 'late answer']);
  });

  it('answerLate marks the command: its middleware context says so to the answer check, and an unmarked one does not', async () => {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const client = new IAMClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIATEST', secretAccessKey: 'test' },
      requestHandler: {
        handle: async () => ({
          response: {
            statusCode: 200,
            headers: {},
            body: Buffer.from(
              '<SimulatePrincipalPolicyResponse><SimulatePrincipalPolicyResult><EvaluationResults/><IsTruncated>false</IsTruncated></SimulatePrincipalPolicyResult></SimulatePrincipalPolicyResponse>',
            ),
          },
        }),
      },
    });
    const late: boolean[] = [];
    client.middlewareStack.add(
      (next, context) => (args) => {
        late.push(isLate(context));
        return next(args);
      },
      { step: 'deserialize', name: 'seeLate' },
    );
    const input = { PolicySourceArn: 'arn:aws:iam::123456789012:role/r', ActionNames: ['ssm:StartSession'] };
    await client.send(answerLate(new SimulatePrincipalPolicyCommand(input)));
    await client.send(new SimulatePrincipalPolicyCommand(input));
    expect(late).toEqual([true, false]);
    client.destroy();
  });
});
