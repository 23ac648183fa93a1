// Preloaded with `node --require`: when the process ends, writes the file of every module it loaded
// (one per line) to the path in SSM_DOCTOR_MODULES_OUT, so a test can see what a start-up pulled in.
const { writeFileSync } = require('node:fs');

process.on('exit', () => {
  writeFileSync(process.env.SSM_DOCTOR_MODULES_OUT, Object.keys(require.cache).join('\n') + '\n');
});
