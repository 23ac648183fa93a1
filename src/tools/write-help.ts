import { writeFileSync } from 'node:fs';
import { parseArgs } from '../args.js';
import { HELP_FILE, HELP_WIDTH, printed } from '../quick.js';

// Run by `npm run build`: yargs' own --help text, saved so a lone --help answers without loading yargs.
const parsed = parseArgs(['--help'], {}, HELP_WIDTH);
if (parsed.kind !== 'print') throw new Error(`--help did not print: ${JSON.stringify(parsed)}`);
writeFileSync(
  HELP_FILE,
  `// yargs' --help text, written by the build (src/tools/write-help.ts).\nmodule.exports = ${JSON.stringify(printed(parsed.text))};\n`,
);
