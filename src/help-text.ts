// yargs' --help text. The build replaces this module in dist with the text itself
// (src/tools/write-help.ts); from the sources there is none, and yargs answers --help.
const text: string | undefined = undefined;
export = text;
