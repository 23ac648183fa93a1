/**
 * Calls one client keeps in flight at most: a fleet's hundreds of reads queue here instead of all at once.
 * 64: 50 VPCs alone take 100 DescribeVpcAttribute calls and 50 roles 50 simulations, which must stay
 * two waves, not four; EC2's and IAM's request-rate buckets absorb a burst that size, and a
 * throttled account is slowed further by the SDK's adaptive retry.
 */
export const MAX_IN_FLIGHT = 64;

interface Sender {
  send(command: unknown, options?: object): Promise<unknown>;
}

/**
 * Bounds the client's concurrent `send`s. Wraps whatever `send` is there already (the deadline's),
 * so a call waiting in the queue has not yet started its share of the deadline.
 */
export function limitConcurrency<C extends object>(client: C, max = MAX_IN_FLIGHT): C {
  const c = client as unknown as Sender;
  const send = c.send.bind(c);
  let running = 0;
  const waiting: (() => void)[] = [];
  // A finishing call hands its slot straight to the next in line, so a new call cannot slip in between.
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else running--;
  };
  c.send = async (command: unknown, options?: object) => {
    if (running >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await send(command, options);
    } finally {
      release();
    }
  };
  return client;
}
