import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AwsStub } from './aws-stub';
import { cliEnv, requireBuiltCli, runCli, scratchDir, type CliResult, type Endpoints } from './cli';
import { freePort, startMoto, type Moto } from './moto';
import { Scenarios } from './scenarios';

export interface E2E {
  moto: Moto;
  stub: AwsStub;
  scenarios: Scenarios;
  /** Scratch directory: the child's HOME, and room for facts files. */
  dir: string;
  /** A loopback URL where nothing listens: an AWS endpoint that is not reachable. */
  deadUrl: string;
  /** A directory holding an executable `session-manager-plugin`; the child's PATH starts with it. */
  pluginDir: string;
  /**
   * Every service through the stub (SSM answered by it, EC2, IAM, STS and Route 53 forwarded to moto).
   * The child runs as the last built world's caller (its credentials, unless opts.env replaces them)
   * with session-manager-plugin on its PATH (unless opts.env sets PATH).
   */
  endpoints(): Endpoints;
  run(args: string[], opts?: { endpoints?: Endpoints; env?: Record<string, string> }): Promise<CliResult>;
}

/**
 * One moto_server and one stub for the whole test file, both reset before each test.
 * Call at the top level of a test file; the returned object is filled in by beforeAll.
 */
export function useE2E(): E2E {
  jest.setTimeout(60_000);
  const ctx = {} as E2E;
  let scratch: ReturnType<typeof scratchDir> | undefined;

  beforeAll(async () => {
    requireBuiltCli();
    scratch = scratchDir();
    ctx.dir = scratch.path;
    ctx.moto = await startMoto();
    ctx.stub = await AwsStub.start(ctx.moto.url);
    ctx.scenarios = new Scenarios(ctx.moto.url, ctx.stub);
    ctx.deadUrl = `http://127.0.0.1:${await freePort()}`;
    ctx.pluginDir = join(ctx.dir, 'bin');
    mkdirSync(ctx.pluginDir);
    const plugin = join(ctx.pluginDir, 'session-manager-plugin');
    writeFileSync(plugin, '#!/bin/sh\necho 1.2.707.0\n');
    chmodSync(plugin, 0o755);
    ctx.endpoints = () => ({ all: ctx.stub.url, ssm: ctx.stub.url });
    ctx.run = (args, opts = {}) =>
      runCli(
        args,
        cliEnv(ctx.dir, opts.endpoints ?? ctx.endpoints(), {
          PATH: `${ctx.pluginDir}:${process.env.PATH ?? ''}`,
          ...ctx.scenarios.callerEnv,
          ...opts.env,
        }),
      );
  });

  afterAll(async () => {
    ctx.scenarios?.close();
    await ctx.stub?.stop();
    await ctx.moto?.stop();
    scratch?.remove();
  });

  // moto starts empty: the first test needs no reset (each costs moto over a second of CPU).
  let fresh = true;
  beforeEach(async () => {
    if (!fresh) await ctx.moto.reset();
    fresh = false;
    ctx.stub.reset();
    ctx.scenarios.resetNoise();
  });

  return ctx;
}
