#!/usr/bin/env node
import { join } from 'node:path';
import type * as App from './app.js';
import { requireCached } from './compile-cache.js';
import { quickAnswer } from './quick.js';
import { firstLine, messageText, safeLine, scrub } from './redact.js';
import { TOOL_NAME, TOOL_VERSION } from './version.js';

/**
 * The command. --version and --help are answered from here; anything else loads ./app.js (one
 * bundled file in the build), so those two start as fast as node itself.
 */
async function run(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const quick = quickAnswer(argv, process.stdout.isTTY ? process.stdout.columns : undefined);
  if (quick !== undefined) {
    process.stdout.write(quick);
    return 0;
  }
  // Required, not import()ed: the bundled app.js is CommonJS, and import() would first have Node's
  // ES module loader scan all of it for export names (over 100 ms).
  const app = requireCached<typeof App>(join(__dirname, 'app.js'), TOOL_VERSION, env);
  return app.run(argv, env);
}

/** The last resort for an error that escapes every handler (a socket event, a stream): one line and exit 3. */
function fatal(e: unknown): void {
  try {
    process.stderr.write(`${TOOL_NAME}: internal error: ${safeLine(firstLine(messageText(e)))}\n`);
    if (process.argv.includes('--debug') && e instanceof Error && e.stack) process.stderr.write(scrub(e.stack) + '\n');
  } finally {
    // After an uncaught error the process state is unknown: ending is the only safe thing left.
    process.exit(3);
  }
}

if (require.main === module) {
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);
  // `ssm-doctor … | head` closes stdout early: that is the reader's choice, not an error.
  // The run goes on to its own exit code; the writes that follow fail quietly.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') fatal(e);
  });
  void run(process.argv.slice(2), process.env).then((code) => {
    process.exitCode = code;
    // Everything is written; a socket or timer an aborted AWS call left behind must not hold the exit.
    setTimeout(() => process.exit(code), 2_000).unref();
  });
}
