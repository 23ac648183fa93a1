// Preloaded into the CLI with `node --require`: when it ends, writes its peak resident memory (KB,
// process.resourceUsage().maxRSS) to the file SSM_DOCTOR_RSS_OUT names.
const { writeFileSync } = require('node:fs');

process.on('exit', () => {
  writeFileSync(process.env.SSM_DOCTOR_RSS_OUT, String(process.resourceUsage().maxRSS));
});
