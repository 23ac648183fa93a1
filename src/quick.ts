import { join } from 'node:path';
import { TOOL_VERSION } from './version.js';

/** yargs wraps the help at min(100, the terminal's width); the saved text is the one for 100 columns and more. */
export const HELP_WIDTH = 100;

/** Where the build saves yargs' --help text: dist/help-text.js, over the empty placeholder compiled from src/help-text.ts. */
export const HELP_FILE = join(__dirname, 'help-text.js');

/** What the CLI writes for a `print` answer: the text, ending in one newline. */
export const printed = (text: string): string => (text.endsWith('\n') ? text : text + '\n');

/**
 * The answer to a lone --version or --help, without loading yargs, zod or the checks: the version,
 * or the help text yargs wrote at build time. Undefined when yargs must answer itself (other
 * arguments, a terminal narrower than the saved text, no saved text as when run from the sources).
 */
export function quickAnswer(argv: readonly string[], columns: number | undefined): string | undefined {
  if (argv.length !== 1) return undefined;
  if (argv[0] === '--version') return `${TOOL_VERSION}\n`;
  if (argv[0] !== '--help' && argv[0] !== '-h') return undefined;
  if (columns !== undefined && columns < HELP_WIDTH) return undefined;
  try {
    // The help text is a JSON string written at build time; require() reads it without loading yargs.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const text: unknown = require(HELP_FILE);
    return typeof text === 'string' ? text : undefined;
  } catch {
    return undefined;
  }
}
