/**
 * Calls one client keeps in flight at most: a fleet's hundreds of reads queue here instead of all at once.
 * 128: 50 VPCs take 100 DescribeVpcAttribute calls beside the seven other network reads, DescribeVpcs,
 * the DHCP options and VPC Block Public Access (111 EC2 calls, one round), and 50 roles with 10,000
 * instances 70 simulations. With 100, the last eleven waited for the first answers and made a round
 * more on AWS's side, and every read after them one more again. EC2's request-rate bucket for
 * describe calls holds 100 and refills 20 a second: a bound on calls in flight only sends the
 * eleven one round-trip later, within the same second, so it never kept the run inside the
 * bucket; a throttled call backs off on its own (the SDK's standard retry), without holding up the others.
 */
export const MAX_IN_FLIGHT = 128;

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
